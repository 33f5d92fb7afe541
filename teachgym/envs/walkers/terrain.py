"""Static terrain of the walker tracks: a ground polyline plus convex obstacles, built as one Box2D static body.

The fixtures are those of TeachMyAgent's tracks, in its order: one polygon per obstacle, then one edge per ground
segment. Box2D's contacts depend on both (a chain or one long edge resolves the same touch with other rounding), and
with the same fixtures our walkers move as TeachMyAgent's to the last bit. One body (the reference makes one per
fixture) and reused fixture definitions keep the build fast.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import Box2D
from Box2D.b2 import edgeShape, fixtureDef, polygonShape

from .physics import TERRAIN_CATEGORY, TERRAIN_FRICTION

Point = tuple[float, float]
Colour = tuple[float, float, float]

# Polygons thinner than this (m^2) are degenerate for Box2D and are not built.
MIN_POLYGON_AREA = 1e-4


class Surface(enum.Enum):
    """What a terrain fixture is, stored as its Box2D ``userData`` where the difference matters (Parkour).

    A fixture without one is ground: the walker tracks' terrain carries none, so their contacts cost no lookup.
    """

    GROUND = "ground"
    CEILING = "ceiling"
    CREEPER = "creeper"
    WATER = "water"


GRIPPABLE = frozenset({Surface.CEILING, Surface.CREEPER})  # what a hand can hold on to


@dataclass(frozen=True)
class Obstacle:
    """A convex polygon standing on the ground, with its fill and outline colours."""

    vertices: tuple[Point, ...]
    colours: tuple[Colour, Colour] = ((1.0, 1.0, 1.0), (0.6, 0.6, 0.6))


@dataclass
class Terrain:
    """The ground polyline (left to right) and the obstacles of one track."""

    ground: list[Point]
    obstacles: list[Obstacle] = field(default_factory=list)

    def build(self, world: Box2D.b2World) -> Box2D.b2Body:
        """Create the terrain as one static body in ``world`` and return it: the obstacles, then the ground's edges
        (a zero-length segment is skipped)."""
        body = world.CreateStaticBody()
        # Box2D copies a definition's shape into each fixture, so one definition serves them all (and saves pybox2d's
        # slow keyword handling, most of the build time otherwise)
        polygon = fixtureDef(shape=polygonShape(box=(1.0, 1.0)), friction=TERRAIN_FRICTION,
                             categoryBits=TERRAIN_CATEGORY)
        for obstacle in self.obstacles:
            polygon.shape.vertices = list(obstacle.vertices)
            body.CreateFixture(polygon)
        edge = fixtureDef(shape=edgeShape(vertices=[(0.0, 0.0), (1.0, 0.0)]), friction=TERRAIN_FRICTION,
                          categoryBits=TERRAIN_CATEGORY)
        for start, end in zip(self.ground, self.ground[1:]):
            if start != end:
                edge.shape.vertices = [start, end]
                body.CreateFixture(edge)
        return body

    def build_static(self, world: Box2D.b2World) -> Box2D.b2Body:
        """The terrain as a lidar's private copy sees it (the same as :meth:`build`: nothing here moves)."""
        return self.build(world)


def convex_polygon(points: list[Point]) -> tuple[Point, ...] | None:
    """The convex hull of ``points`` (counter-clockwise), or None when it is too thin to be a Box2D polygon.

    Box2D rebuilds hulls itself but asserts on degenerate ones; checking here turns a crash into a skipped obstacle.
    """
    unique = sorted(set(points))
    if len(unique) < 3:
        return None

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    upper: list[Point] = []
    for chain, ordered in ((lower, unique), (upper, reversed(unique))):
        for point in ordered:
            while len(chain) >= 2 and cross(chain[-2], chain[-1], point) <= 0:
                chain.pop()
            chain.append(point)
    hull = lower[:-1] + upper[:-1]
    area = 0.5 * sum(cross((0.0, 0.0), hull[i], hull[(i + 1) % len(hull)]) for i in range(len(hull)))
    if len(hull) < 3 or area < MIN_POLYGON_AREA:
        return None
    return tuple(hull)
