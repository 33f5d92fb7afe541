"""Water physics: the submerged polygon (the water's rectangle clipped by a part), buoyancy that floats a light box at
the depth its density says, and forces equal to the last bit to those TeachMyAgent's water computes."""

import Box2D
import numpy as np
import pytest
from Box2D.b2 import fixtureDef, polygonShape

from teachgym.envs.walkers.bodies.body import ContactListener, PartContact
from teachgym.envs.walkers.parkour.water import Water, area_and_centroid, clip_polygon
from teachgym.envs.walkers.physics import FPS
from teachgym.envs.walkers.terrain import Surface

SQUARE = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
# a water rectangle as Box2D orders its corners (counter-clockwise from the lower right)
WATER = [(50.0, -20.0), (50.0, 0.0), (-50.0, 0.0), (-50.0, -20.0)]


@pytest.mark.parametrize(("surface", "area", "centroid_y"), [(1.0, 2.0, 0.5), (3.0, 4.0, 1.0), (-1.0, 0.0, None),
                                                               (0.5, 1.0, 0.25)])
def test_the_submerged_part_is_the_water_clipped_by_the_polygon(surface, area, centroid_y):
    water = [(x, y - 20.0 if y < 0 else surface) for x, y in WATER]
    polygon = clip_polygon(water, SQUARE)
    if area == 0.0:
        assert polygon == []
        return
    got_area, cx, cy = area_and_centroid(polygon)
    assert got_area == pytest.approx(area)
    assert (cx, cy) == pytest.approx((1.0, centroid_y))


def test_a_tilted_polygon_clips_counter_clockwise_with_crossings_in_32_bits():
    diamond = [(0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)]
    tilted = [(0.1 + x * 0.8 - y * 0.6, 0.3 + x * 0.6 + y * 0.8) for x, y in diamond]
    polygon = clip_polygon(WATER, tilted)
    # below y = 0: corners (0.7, -0.5) and (-0.7, -0.3), surface crossings at x = 0.7 + 0.2 * 5/14, -0.5 - 0.2 * 11/14
    area, cx, cy = area_and_centroid(polygon)
    assert area == pytest.approx(4 / 7, abs=1e-6) and (cx, cy) == pytest.approx((0.0875, -0.2041667), abs=1e-6)
    assert all(float(np.float32(value)) == value for point in polygon for value in point)
    assert len(polygon) == 4 and sum(y == 0.0 for _, y in polygon) == 2


def float_box(density: float, steps: int = 400) -> tuple[float, float]:
    """Drop a flat 2 x 0.5 box of ``density`` into still water (surface at y = 0); return its centre's mean height
    over the last 100 steps and its final speed."""
    world = Box2D.b2World(gravity=(0.0, -10.0))
    listener = ContactListener()
    world.contactListener = listener
    water = world.CreateStaticBody()
    fixture = water.CreateFixture(shape=polygonShape(vertices=WATER), isSensor=True)
    fixture.userData = Surface.WATER
    box = world.CreateDynamicBody(position=(0.0, 1.0), fixtures=fixtureDef(shape=polygonShape(box=(1.0, 0.25)),
                                                                           density=density))
    box.userData = PartContact("box", False, box, tuple(tuple(v) for v in box.fixtures[0].shape.vertices))
    physics = Water(0.0, [tuple(vertex) for vertex in fixture.shape.vertices])
    heights = []
    for _ in range(steps):
        physics.apply_forces(listener.wet_parts)
        world.Step(1.0 / FPS, 30, 10)
        heights.append(box.position.y)
    return sum(heights[-100:]) / 100, box.linearVelocity.length


@pytest.mark.parametrize("density", [0.3, 0.5, 0.8])
def test_a_light_box_floats_with_its_density_share_under_water(density):
    height, speed = float_box(density, steps=500)
    # a floating box is submerged to the share of its height given by its density (drag damps its bobbing)
    assert (0.25 - height) / 0.5 == pytest.approx(density, abs=0.06)
    assert speed < 0.5


def test_a_box_denser_than_water_sinks_and_drag_limits_its_speed():
    height, speed = float_box(2.0, steps=150)
    assert height < -3.0
    assert speed < 10.0 * 3.0 / 5  # falling freely for 3 s would give 30 m/s


class RecordedBody:
    """A Box2D body whose ``ApplyForce`` calls are recorded (force and point as Box2D stores them), not applied."""

    def __init__(self, body: Box2D.b2Body):
        self.body, self.forces = body, []

    def __getattr__(self, name):
        return getattr(self.body, name)

    def ApplyForce(self, force, point, wake):  # noqa: N802 (Box2D's name)
        self.forces.append(tuple(float(np.float32(value)) for value in (*force, *point)))


def swimming_pair() -> tuple[Box2D.b2World, Box2D.b2Body, Box2D.b2RevoluteJoint]:
    """A tilted box half under water (WATER, density 1) whose motor turns a smaller box joined to it, after 5 steps
    without water forces: the world, the smaller box and the joint."""
    world = Box2D.b2World(gravity=(0.0, -10.0))
    world.CreateStaticBody().CreateFixture(shape=polygonShape(vertices=WATER), isSensor=True, density=1.0)
    parent = world.CreateDynamicBody(position=(0.0, 0.2), angle=0.3,
                                     fixtures=fixtureDef(shape=polygonShape(box=(0.6, 0.2)), density=1.0))
    child = world.CreateDynamicBody(position=(0.9, 0.05), angle=-0.2,
                                    fixtures=fixtureDef(shape=polygonShape(box=(0.4, 0.1)), density=0.8))
    joint = world.CreateRevoluteJoint(bodyA=parent, bodyB=child, anchor=(0.55, 0.1), enableMotor=True,
                                      maxMotorTorque=50.0, motorSpeed=4.0, enableLimit=True, lowerAngle=-1.0,
                                      upperAngle=1.0)
    for _ in range(5):
        world.Step(1.0 / FPS, 30, 10)
    return world, child, joint


# TeachMyAgent's WaterDynamics.calculate_forces on swimming_pair()'s smaller box (its own code run on this scene):
# every ApplyForce as (force x, force y, point x, point y): buoyancy, then per edge of the submerged polygon its
# drag and lift where it faces the motion and its push where the motor drives it
TEACHMYAGENT_FORCES = [
    (-0.0, 0.5665144920349121, 0.822288990020752, -0.03878220170736313),  # buoyancy at the submerged centroid
    (-0.011893456801772118, 0.06615149229764938, 0.8989210724830627, -0.07048213481903076),  # drag
    (0.0053520589135587215, 0.0009622531943023205, 0.8989210724830627, -0.07048213481903076),  # lift
    (1.2535589233308997e-09, -8.022658981587938e-09, 0.5399317741394043, -0.02553245984017849),  # push, at the anchor
    (-0.0001772134128259495, 0.005701601039618254, 0.4954912066459656, -0.05458997189998627),
    (0.005689254030585289, 0.000176829649717547, 0.4954912066459656, -0.05458997189998627),
    (1.0055164166578034e-11, -6.435210697652849e-11, 0.5399317741394043, -0.02553245984017849),
]


def test_the_water_forces_are_teachmyagents_to_the_last_bit():
    world, child, joint = swimming_pair()
    recorded = RecordedBody(child)
    part = PartContact("child", False, recorded, tuple(tuple(vertex) for vertex in child.fixtures[0].shape.vertices))
    part.child_joints = (joint,)
    Water(0.0, WATER).apply_forces([part])
    assert recorded.forces == TEACHMYAGENT_FORCES
