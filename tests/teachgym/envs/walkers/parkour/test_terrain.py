"""Parkour terrain generation: start pad, CPPN ground and ceiling, creepers and water, built with surface tags."""

import math

import Box2D
import numpy as np
import pytest

from teachgym.envs.walkers.parkour.cppn import POSITIONS, TerrainCPPN, load_weights
from teachgym.envs.walkers.parkour.terrain import (
    CREEPER_WIDTH,
    MIN_CREEPER_HEIGHT,
    TEACHGYM_V0_WORLD,
    TEACHMYAGENT_WORLD,
    generate_parkour_terrain,
)
from teachgym.envs.walkers.physics import TERRAIN_HEIGHT, TERRAIN_STEP
from teachgym.envs.walkers.terrain import Surface

CPPN = TerrainCPPN(load_weights())
VECTOR = np.array([-0.15, 0.8, 0.1])


def terrain(water_level=0.0, creepers_height=0.0, creepers_spacing=5.0, seed=0, startpad=20, **kwargs):
    return generate_parkour_terrain(CPPN, VECTOR, water_level=water_level, creepers_height=creepers_height,
                                    creepers_spacing=creepers_spacing, startpad=startpad, cppn_scale=10.0,
                                    rng=np.random.default_rng(seed), **kwargs)


def test_the_start_pad_is_flat_and_the_cppn_track_continues_it():
    track = terrain(startpad=25)
    xs = [x for x, _ in track.ground]
    assert len(xs) == 25 + POSITIONS
    np.testing.assert_allclose(np.diff(xs), TERRAIN_STEP)
    grounds = np.array([y for _, y in track.ground])
    ceilings = np.array([y for _, y in track.ceiling])
    assert np.all(grounds[:26] == TERRAIN_HEIGHT)  # the CPPN's first height is aligned with the pad
    assert np.all(ceilings[:26] == TERRAIN_HEIGHT + 20.0)  # TeachMyAgent's 200 / CPPN scale 10
    assert np.ptp(grounds) > 0.5
    assert np.all(ceilings >= grounds)
    expected = CPPN.heights(VECTOR)[0] / 10.0
    np.testing.assert_allclose(grounds[25:], expected - expected[0] + TERRAIN_HEIGHT)


def test_teachmyagent_creepers_hang_at_terrain_steps_from_the_start_spacing_steps_apart():
    track = terrain(creepers_height=2.0, creepers_spacing=1.0)
    steps = [x / TERRAIN_STEP for x, _, _ in track.creepers]
    # one at the first step, then after every 3 steps covering the 1 m: every 4th step, start pad included
    np.testing.assert_allclose(steps, np.arange(0, 20 + POSITIONS - 1, 4))
    for x, top, _ in track.creepers:
        index = round(x / TERRAIN_STEP)
        assert top == max(track.ceiling[index][1], track.ceiling[index + 1][1])
    # at the densest, every other step: the step after a creeper only starts the distance covered
    assert len(terrain(creepers_height=2.0, creepers_spacing=0.0).creepers) == len(range(0, 20 + POSITIONS - 1, 2))


def test_v0_creepers_hang_from_the_ceiling_after_the_pad_with_the_task_spacing_and_length():
    track = terrain(creepers_height=2.0, creepers_spacing=1.0, world=TEACHGYM_V0_WORLD)
    lefts = [x for x, _, _ in track.creepers]
    assert lefts[0] == pytest.approx(20 * TERRAIN_STEP)
    np.testing.assert_allclose(np.diff(lefts), 1.0 + CREEPER_WIDTH)
    heights = np.array([height for _, _, height in track.creepers])
    assert abs(heights.mean() - 2.0) < 0.05 and heights.std() > 0
    for x, top, _ in track.creepers:
        assert top == pytest.approx(track_ceiling_near(track, x), abs=0.6)
    short = terrain(creepers_height=0.0, creepers_spacing=0.0, world=TEACHGYM_V0_WORLD)
    assert min(height for _, _, height in short.creepers) == MIN_CREEPER_HEIGHT
    assert len(short.creepers) > len(track.creepers)


def track_ceiling_near(track, x):
    return float(np.interp(x, [p[0] for p in track.ceiling], [p[1] for p in track.ceiling]))


def flooded_share(track):
    """The share of the track's ground points under its water surface."""
    return float(np.mean([y < track.water_y for _, y in track.ground]))


def test_teachmyagent_water_rises_from_minus_100_m_to_the_highest_ceiling():
    highest = max(y for _, y in terrain().ceiling)
    assert highest == pytest.approx(24.0935, abs=1e-4)
    assert terrain(water_level=1.0).water_y == pytest.approx(highest)
    assert terrain(water_level=0.25).water_y == pytest.approx(-100 + 0.25 * (highest + 100))  # -68.98 m
    assert terrain(water_level=0.0).water_y == terrain(water_level=0.01).water_y == pytest.approx(-98.759, abs=1e-3)
    # TeachMyAgent floods nothing at 0.25; the first geometry flooded nearly all of the same track
    assert flooded_share(terrain(water_level=0.25)) == 0.0
    assert flooded_share(terrain(water_level=0.25, world=TEACHGYM_V0_WORLD)) == 210 / 220
    # the surface crosses this track's 1.6 to 4.0 m ground between levels 0.80 (-0.73 m) and 0.85 (5.48 m)
    assert flooded_share(terrain(water_level=0.8)) == 0.0
    assert flooded_share(terrain(water_level=0.85)) == 1.0


def test_teachgym_v0_water_is_a_share_of_the_height_from_lowest_ground_to_highest_ceiling():
    track = terrain(world=TEACHGYM_V0_WORLD)
    lowest = min(y for _, y in track.ground)
    highest = max(y for _, y in track.ceiling)
    assert highest - TERRAIN_HEIGHT < 7.5  # the ceiling starts 200 / 30 m above the pad
    assert terrain(water_level=0.0, world=TEACHGYM_V0_WORLD).water_y == -math.inf
    assert terrain(water_level=1.0, world=TEACHGYM_V0_WORLD).water_y == pytest.approx(highest)
    assert terrain(water_level=0.25, world=TEACHGYM_V0_WORLD).water_y == pytest.approx(
        lowest + 0.25 * (highest - lowest))


def test_the_worlds_differ_in_ceiling_water_floor_and_finish():
    assert (TEACHMYAGENT_WORLD.ceiling_offset, TEACHMYAGENT_WORLD.finish_steps) == (20.0, 5)
    assert (TEACHGYM_V0_WORLD.ceiling_offset, TEACHGYM_V0_WORLD.finish_steps) == (pytest.approx(6.6667, abs=1e-4), 10)
    assert TEACHMYAGENT_WORLD.water_surface(0.5, lowest_ground=0.0, highest_ceiling=20.0) == -40.0
    assert TEACHGYM_V0_WORLD.water_surface(0.5, lowest_ground=0.0, highest_ceiling=20.0) == 10.0


def test_built_fixtures_carry_their_surface():
    world = Box2D.b2World()
    bodies = terrain(water_level=0.9, creepers_height=1.0, creepers_spacing=2.0).build(world)
    assert all(len(body.fixtures) == 1 for body in bodies)  # each its own body, as TeachMyAgent's
    fixtures = [body.fixtures[0] for body in bodies]
    surfaces = [fixture.userData for fixture in fixtures]
    # per terrain step a ground and a ceiling edge, then the creepers starting there (TeachMyAgent's order: the first
    # creeper hangs at the track's start, the next six steps on, 2 m past the step after it), the water last
    assert surfaces[:9] == [Surface.GROUND, Surface.CEILING, Surface.CREEPER] + [Surface.GROUND, Surface.CEILING] * 3
    creeper_lefts = [body.fixtures[0].shape.vertices for body in bodies if body.fixtures[0].userData is Surface.CREEPER]
    assert [min(x for x, _ in vertices) for vertices in creeper_lefts[:2]] == pytest.approx([0.0, 6 * TERRAIN_STEP])
    assert surfaces[surfaces.index(Surface.CREEPER, 3) - 1] is Surface.CEILING
    assert surfaces.count(Surface.GROUND) == surfaces.count(Surface.CEILING) == 20 + POSITIONS - 1
    assert surfaces[-1] == Surface.WATER and surfaces.count(Surface.WATER) == 1
    assert surfaces.count(Surface.CREEPER) > 10
    assert all(fixture.sensor for fixture in fixtures if fixture.userData in (Surface.CREEPER, Surface.WATER))
    dry = Box2D.b2World()
    assert Surface.WATER not in [body.fixtures[0].userData for body in terrain(water_level=0.0).build(dry)]


def test_movable_creepers_are_chains_of_links_that_swing_and_the_lidar_copy_stays_at_rest():
    track = terrain(creepers_height=2.5, creepers_spacing=3.0, movable_creepers=True)
    world = Box2D.b2World(gravity=(0, -10))
    track.build(world)
    links = [body for body in world.bodies if body.type == Box2D.b2_dynamicBody]
    assert len(links) == 3 * len(track.creepers)  # 2.5 m: two 1 m links and a 0.5 m one
    assert all(body.fixtures[0].userData is Surface.CREEPER for body in links)
    assert len(world.joints) == len(links)
    links[0].ApplyLinearImpulse((5.0, 0.0), links[0].worldCenter, True)
    angles = []
    for _ in range(30):
        world.Step(1 / 50, 6, 2)
        angles.append(links[0].angle)
    assert max(abs(angle) for angle in angles) > 0.1
    rays = Box2D.b2World()
    track.build_static(rays)
    assert {body.type for body in rays.bodies} == {Box2D.b2_staticBody}
