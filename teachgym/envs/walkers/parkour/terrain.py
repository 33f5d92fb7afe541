"""Parkour's terrain: a CPPN ground and ceiling, creepers hanging from the ceiling, and water, built into Box2D.

Every terrain fixture carries its :class:`~teachgym.envs.walkers.terrain.Surface` as ``userData``, so the contact
listener tells the ground from the ceiling, a creeper or the water, and the lidar reads a hit's surface directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import Box2D
import numpy as np
from Box2D.b2 import edgeShape, fixtureDef, polygonShape, revoluteJointDef

from ..physics import TERRAIN_CATEGORY, TERRAIN_FRICTION, TERRAIN_HEIGHT, TERRAIN_STEP
from ..terrain import Surface
from .cppn import POSITIONS, TerrainCPPN

Point = tuple[float, float]

CREEPER_WIDTH = 0.25
CREEPER_HEIGHT_STD = 0.1
MIN_CREEPER_HEIGHT = 0.2
MIN_CREEPER_SPACING = 0.01
CREEPER_DENSITY = 5.0
CREEPER_LINK_LENGTH = 1.0  # a movable creeper is a chain of links this long
CREEPER_LINK_LIMIT = 0.4 * math.pi
WATER_DEPTH_BELOW_GROUND = 10.0  # without a water floor, the water reaches this far below the lowest ground


@dataclass(frozen=True)
class ParkourWorld:
    """The fixed rules that place a track's ceiling, water and finish line (everything but the task's values).

    Attributes:
        name: how ``Parkour(world=...)`` names it.
        ceiling_offset: metres between the start pad and its ceiling.
        finish_steps: terrain steps before the track's end at which an episode is won.
        water_floor: the height (metres) the water level is measured from; ``None`` measures it from the lowest
            ground, with no water at all at level 0.
        min_water_level: levels below this count as this.
        creepers_on_steps: creepers hang at terrain steps from the track's very start, each after the first
            step at least the spacing past the previous one's right neighbour step (TeachMyAgent's layout);
            False: from the end of the start pad on, every ``CREEPER_WIDTH + spacing`` metres.
    """

    name: str
    ceiling_offset: float
    finish_steps: int
    water_floor: float | None
    min_water_level: float
    creepers_on_steps: bool

    def water_surface(self, level: float, lowest_ground: float, highest_ceiling: float) -> float:
        """The water's height (metres) at task ``level`` for a track spanning ``lowest_ground`` to
        ``highest_ceiling``; ``-inf`` for no water."""
        floor = lowest_ground if self.water_floor is None else self.water_floor
        if self.water_floor is None and level <= 0:
            return -math.inf
        return floor + max(self.min_water_level, level) * (highest_ceiling - floor)


# TeachMyAgent's raw values (ceiling 200, water floor -1000) are divided by its CPPN scale 10, as its heights are.
TEACHMYAGENT_WORLD = ParkourWorld("teachmyagent", ceiling_offset=20.0, finish_steps=5, water_floor=-100.0,
                                  min_water_level=0.01, creepers_on_steps=True)
# teachgym's first version: a lower ceiling, water as a share of the track's own height span, an earlier finish.
TEACHGYM_V0_WORLD = ParkourWorld("teachgym-v0", ceiling_offset=200 / 30, finish_steps=10, water_floor=None,
                                 min_water_level=0.0, creepers_on_steps=False)
WORLDS = {world.name: world for world in (TEACHMYAGENT_WORLD, TEACHGYM_V0_WORLD)}


@dataclass
class ParkourTerrain:
    """One Parkour track: ground and ceiling polylines (left to right), creeper rectangles and the water surface.

    ``creepers`` holds each creeper as ``(x_left, top, height)``; ``creeper_links`` the dynamic links of movable
    creepers built into a world (for rendering them where they swing). ``water_floor`` is where the water body
    reaches down to (its world's water floor; ``None``: ``WATER_DEPTH_BELOW_GROUND`` below the lowest ground).
    """

    ground: list[Point]
    ceiling: list[Point]
    creepers: list[tuple[float, float, float]] = field(default_factory=list)
    water_y: float = -math.inf
    movable_creepers: bool = False
    water_floor: float | None = None
    creeper_links: list[Box2D.b2Body] = field(default_factory=list)

    @property
    def bottom(self) -> float:
        """The lowest point of the water body (and of the drawn earth)."""
        return min(y for _, y in self.ground) - WATER_DEPTH_BELOW_GROUND

    def water_vertices(self) -> list[Point]:
        """The water body's corners as Box2D holds them (counter-clockwise from the lower right, in 32-bit floats):
        the track's width from the water floor up to the surface, as TeachMyAgent's (its water forces clip this
        polygon, so its corners round them); empty without water (a surface no higher than ``bottom``)."""
        if self.water_y <= self.bottom:
            return []
        left, right = self.ground[0][0], self.ground[-1][0]
        floor = self.bottom if self.water_floor is None else self.water_floor
        corners = [(left, floor), (right, floor), (right, self.water_y), (left, self.water_y)]
        return [(vertex[0], vertex[1]) for vertex in polygonShape(vertices=corners).vertices]

    def ground_height(self, x: float) -> float:
        """The ground's height at ``x`` (linear between its points)."""
        xs = [px for px, _ in self.ground]
        return float(np.interp(x, xs, [py for _, py in self.ground]))

    def build(self, world: Box2D.b2World, *, static_creepers: bool = False) -> list[Box2D.b2Body]:
        """Create the terrain in ``world`` and return its static bodies: per terrain step a ground edge, a ceiling
        edge and the creepers starting there, then the water, each its own body in TeachMyAgent's order (no chain's
        ghost vertices smooth the joins, and a hand holding one edge, which stops sensing that body, still senses
        the next).

        Movable creepers become chains of dynamic sensor links, unless ``static_creepers`` (a lidar's copy of the
        terrain, which cannot follow them, keeps them at rest).
        """
        bodies = []
        # One definition per kind, reshaped per fixture: building from keyword arguments costs 25x more.
        edge = fixtureDef(shape=edgeShape(vertices=[(0.0, 0.0), (1.0, 0.0)]), friction=TERRAIN_FRICTION,
                          categoryBits=TERRAIN_CATEGORY)
        creeper = fixtureDef(shape=polygonShape(box=(CREEPER_WIDTH / 2, 1.0)), density=CREEPER_DENSITY,
                             isSensor=True, categoryBits=TERRAIN_CATEGORY, userData=Surface.CREEPER)
        movable = self.movable_creepers and not static_creepers
        if movable:
            self.creeper_links = []
        creepers = iter(self.creepers)  # left to right
        pending = next(creepers, None)
        for index in range(len(self.ground) - 1):
            for points, surface in ((self.ground, Surface.GROUND), (self.ceiling, Surface.CEILING)):
                edge.shape.vertices = points[index:index + 2]
                edge.userData = surface
                bodies.append(world.CreateStaticBody(fixtures=edge))
            # a creeper is built right after the ceiling edge of the step it starts in, as TeachMyAgent's: Box2D
            # orders the contacts that begin in one step by creation, and a hand grasps the first it touched
            while pending is not None and (pending[0] < self.ground[index + 1][0] or index == len(self.ground) - 2):
                x, top, height = pending
                if movable:
                    self.creeper_links += self._build_creeper_chain(world, bodies[-1], creeper, x, top, height)
                else:
                    _shape_creeper(creeper, x, top, height)
                    bodies.append(world.CreateStaticBody(fixtures=creeper))
                pending = next(creepers, None)
        water_vertices = self.water_vertices()
        if water_vertices:
            water = fixtureDef(shape=polygonShape(vertices=water_vertices), isSensor=True,
                               categoryBits=TERRAIN_CATEGORY, userData=Surface.WATER)
            bodies.append(world.CreateStaticBody(fixtures=water))
        return bodies

    def build_static(self, world: Box2D.b2World) -> list[Box2D.b2Body]:
        """The terrain as a private lidar copy holds it: every creeper fixed, hanging straight down."""
        return self.build(world, static_creepers=True)

    @staticmethod
    def _build_creeper_chain(world: Box2D.b2World, anchor: Box2D.b2Body, creeper: fixtureDef, x: float, top: float,
                             height: float) -> list[Box2D.b2Body]:
        """A creeper of links that swing from the ceiling and from each other (the last link takes the remainder);
        returns the links."""
        parent = anchor
        built = []
        links = max(1, math.ceil(height / CREEPER_LINK_LENGTH - 1e-9))
        for index in range(links):
            link_top = top - index * CREEPER_LINK_LENGTH
            length = min(CREEPER_LINK_LENGTH, max(MIN_CREEPER_HEIGHT, height - index * CREEPER_LINK_LENGTH))
            _shape_creeper(creeper, x, link_top, length)
            link = world.CreateDynamicBody(fixtures=creeper)
            world.CreateJoint(revoluteJointDef(
                bodyA=parent, bodyB=link, anchor=(x + CREEPER_WIDTH / 2, link_top), enableLimit=True,
                lowerAngle=-CREEPER_LINK_LIMIT, upperAngle=CREEPER_LINK_LIMIT))
            built.append(link)
            parent = link
        return built


def _shape_creeper(creeper: fixtureDef, x: float, top: float, height: float) -> None:
    """Make the creeper definition's box ``CREEPER_WIDTH`` wide and ``height`` long, hanging from ``(x, top)``: from
    its four corners, as TeachMyAgent gives them (a box set from its centre rounds its corners otherwise, and a
    hand's grasp checks them)."""
    right, bottom = x + CREEPER_WIDTH, top - height
    creeper.shape.vertices = [(x, top), (right, top), (right, bottom), (x, bottom)]


def generate_parkour_terrain(
    cppn: TerrainCPPN,
    input_vector: np.ndarray,
    *,
    water_level: float,
    creepers_height: float,
    creepers_spacing: float,
    startpad: int,
    cppn_scale: float,
    rng: np.random.Generator,
    movable_creepers: bool = False,
    world: ParkourWorld = TEACHMYAGENT_WORLD,
) -> ParkourTerrain:
    """Lay out a track: a flat start pad of ``startpad`` steps, then the CPPN's 200 ground and ceiling heights divided
    by ``cppn_scale`` and shifted to continue the pad, the ceiling ``world.ceiling_offset`` above the ground there;
    the ceiling never goes below the ground.

    Creepers (``CREEPER_WIDTH`` wide, each ``N(creepers_height, 0.1)`` long, at least 0.2) hang from the ceiling
    ``creepers_spacing`` metres (at least 0.01) apart, laid out as ``world.creepers_on_steps`` says. The water is at
    ``world.water_surface(water_level, ...)``: in TeachMyAgent's world ``-100 + max(0.01, level) * (highest ceiling
    + 100)`` metres, so levels up to about 0.8 leave a track of the shipped CPPN dry; 1 floods it all.
    """
    ground_raw, ceiling_raw = cppn.heights(input_vector)
    ground_y = ground_raw / cppn_scale
    ceiling_y = ceiling_raw / cppn_scale
    # shifted as TeachMyAgent shifts them, in the CPPN's precision (float32 for its network's heights: a Python
    # float operand takes the array's precision), so that its tracks come out the same to the last bit
    ground_y = ground_y + (TERRAIN_HEIGHT - ground_y[0])
    pad_ceiling = TERRAIN_HEIGHT + world.ceiling_offset
    ceiling_y = np.maximum(ceiling_y + (pad_ceiling - ceiling_y[0]), ground_y)
    grounds = [TERRAIN_HEIGHT] * startpad + ground_y.tolist()
    ceilings = [pad_ceiling] * startpad + ceiling_y.tolist()
    xs = [index * TERRAIN_STEP for index in range(startpad + POSITIONS)]
    ground = list(zip(xs, grounds))
    ceiling = list(zip(xs, ceilings))

    creepers = []
    spacing = max(MIN_CREEPER_SPACING, creepers_spacing)
    span = max(1, int(CREEPER_WIDTH // TERRAIN_STEP))
    lefts = _creepers_on_steps(xs, spacing) if world.creepers_on_steps else _creepers_after_pad(xs, startpad, spacing)
    for x, index in lefts:
        # hang from the higher of the two ceiling points the creeper spans, so no gap shows under a sloped ceiling
        top = max(ceilings[index], ceilings[min(index + span, len(xs) - 1)])
        height = max(MIN_CREEPER_HEIGHT, float(rng.normal(creepers_height, CREEPER_HEIGHT_STD)))
        creepers.append((x, top, height))

    water_y = world.water_surface(water_level, min(grounds), max(ceilings))
    return ParkourTerrain(ground, ceiling, creepers, water_y, movable_creepers, world.water_floor)


def _creepers_on_steps(xs: list[float], spacing: float) -> list[tuple[float, int]]:
    """Creepers' left ends and their terrain steps in TeachMyAgent's layout: at the first step, then at each step
    where the distance covered since the step after the previous creeper reaches ``spacing`` (none at the last)."""
    lefts, covered = [], spacing
    for index, x in enumerate(xs[:-1]):
        if covered >= spacing:
            lefts.append((x, index))
            covered = 0.0
        else:
            covered += x - xs[index - 1]
    return lefts


def _creepers_after_pad(xs: list[float], startpad: int, spacing: float) -> list[tuple[float, int]]:
    """Creepers' left ends and the terrain steps they start in, in teachgym's first layout: from the pad's end,
    every ``CREEPER_WIDTH + spacing`` metres."""
    lefts, x = [], startpad * TERRAIN_STEP
    while x + CREEPER_WIDTH < xs[-1]:
        lefts.append((x, int(x / TERRAIN_STEP)))
        x += CREEPER_WIDTH + spacing
    return lefts
