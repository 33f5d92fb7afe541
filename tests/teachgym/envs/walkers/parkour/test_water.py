"""Water physics: submerged polygons, and buoyancy that floats a light box at the depth its density says."""

import Box2D
import pytest
from Box2D.b2 import fixtureDef, polygonShape

from teachgym.envs.walkers.bodies.body import ContactListener, PartContact
from teachgym.envs.walkers.parkour.water import Water, area_and_centroid, submerged_polygon
from teachgym.envs.walkers.physics import FPS
from teachgym.envs.walkers.terrain import Surface

SQUARE = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]


@pytest.mark.parametrize(("surface", "area", "centroid_y"), [(1.0, 2.0, 0.5), (3.0, 4.0, 1.0), (-1.0, 0.0, None),
                                                               (0.5, 1.0, 0.25)])
def test_the_submerged_part_is_the_polygon_below_the_surface(surface, area, centroid_y):
    polygon = submerged_polygon(SQUARE, surface)
    if area == 0.0:
        assert polygon == []
        return
    got_area, cx, cy = area_and_centroid(polygon)
    assert got_area == pytest.approx(area)
    assert (cx, cy) == pytest.approx((1.0, centroid_y))


def test_a_tilted_polygon_keeps_its_orientation_when_clipped():
    diamond = [(0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)]
    area, _, cy = area_and_centroid(submerged_polygon(diamond, 0.0))
    assert area == pytest.approx(1.0) and cy == pytest.approx(-1 / 3)


def float_box(density: float, steps: int = 400) -> tuple[float, float]:
    """Drop a flat 2 x 0.5 box of ``density`` into still water (surface at y = 0); return its centre's mean height
    over the last 100 steps and its final speed."""
    world = Box2D.b2World(gravity=(0.0, -10.0))
    listener = ContactListener()
    world.contactListener = listener
    water = world.CreateStaticBody()
    fixture = water.CreateFixture(shape=polygonShape(vertices=[(-50, -20), (50, -20), (50, 0), (-50, 0)]),
                                  isSensor=True)
    fixture.userData = Surface.WATER
    box = world.CreateDynamicBody(position=(0.0, 1.0), fixtures=fixtureDef(shape=polygonShape(box=(1.0, 0.25)),
                                                                           density=density))
    box.userData = PartContact("box", False, box, tuple(tuple(v) for v in box.fixtures[0].shape.vertices))
    physics = Water(0.0)
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
