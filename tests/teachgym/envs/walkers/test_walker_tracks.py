"""Behaviour of the walker tracks: terrain generated from the task, bodies, physics, lidar, rewards, rendering."""

import math

import Box2D
import gymnasium as gym
import numpy as np
import pytest
from gymnasium.error import ResetNeeded

import teachgym  # noqa: F401  (registers the teachgym/ ids)
from teachgym.envs.walkers.bodies import BODIES, make_body_spec
from teachgym.envs.walkers.hexagon_tracks import HexagonTracks
from teachgym.envs.walkers.physics import (
    LIDAR_COUNT,
    LIDAR_RANGE,
    SCALE,
    TERRAIN_HEIGHT,
    TERRAIN_LENGTH,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
)
from teachgym.envs.walkers.stump_tracks import StumpTracks
from teachgym.errors import EnvOptionError, TaskError, UnknownNameError

STUMP_TRACKS = "teachgym/StumpTracks-v0"
HEXAGON_TRACKS = "teachgym/HexagonTracks-v0"
TRACK_IDS = (STUMP_TRACKS, HEXAGON_TRACKS)
# (action size, observation size) of every body with its default options.
BODY_SIZES = {
    "classic_bipedal": (4, 24),
    "small_bipedal": (4, 24),
    "big_quadru": (8, 34),
    "spider": (12, 42),
    "millipede": (16, 54),
    "wheel": (8, 34),
    "profile_chimpanzee": (14, 50),
    "amphibious_bipedal": (4, 24),
    "old_classic_bipedal": (4, 24),
    "old_big_quadru": (8, 34),
}
# The bodies the flat tracks take (walkers and amphibians); climbers and swimmers are Parkour's only.
TRACK_BODIES = sorted(name for name in BODIES if make_body_spec(name).kind in StumpTracks.BODY_KINDS)
SKY = (230, 230, 255)
LIDAR_RED = (255, 0, 0)
CLASSIC_HULL_FILL = (int(255 * 0.5), int(255 * 0.4), int(255 * 0.9))


@pytest.fixture
def make_env():
    """``gym.make`` that closes every env it made at teardown."""
    envs = []

    def make(env_id=STUMP_TRACKS, **kwargs):
        env = gym.make(env_id, **kwargs)
        envs.append(env)
        return env

    yield make
    for env in envs:
        env.close()


def zeros(env):
    return np.zeros(env.action_space.shape, dtype=np.float32)


def obstacles(env, task=None, seed=0):
    """Reset ``env`` on ``task`` and return the obstacles of the generated terrain."""
    env.reset(seed=seed, options={"task": task} if task is not None else None)
    return env.unwrapped._terrain.obstacles


def hexagon_task(dx=0.0, dy=0.0):
    return {name: (dx if name.startswith("dx") else dy) for name in HexagonTracks.DEFAULT_TASK_SPACE.names}


def xs(obstacle):
    return [x for x, _ in obstacle.vertices]


def ys(obstacle):
    return [y for _, y in obstacle.vertices]


def height_in_steps(obstacle):
    return (max(ys(obstacle)) - TERRAIN_HEIGHT) / TERRAIN_STEP


def shift_body(env, dx, dy=0.0):
    """Teleport every part of the body by (dx, dy) metres, keeping its shape and joints."""
    for part in env.unwrapped._body.parts.values():
        part.position = (part.position.x + dx, part.position.y + dy)


def lidar_values(env, observation):
    start = 4 + env.unwrapped.body_spec.state_size
    return observation[start:start + LIDAR_COUNT]


def expected_count(spacing, obstacle_width=TERRAIN_STEP):
    """Obstacles laid from the end of the start pad while their left edge is before the track's end."""
    return math.ceil((TERRAIN_LENGTH - TERRAIN_STARTPAD) * TERRAIN_STEP / (obstacle_width + spacing))


# ----------------------------------------------------------------------------------------------- Stump Tracks
def test_stumps_follow_height_and_spacing_of_the_task(make_env):
    stumps = obstacles(make_env(), {"stump_height": 2.0, "obstacle_spacing": 3.0})

    assert len(stumps) == expected_count(3.0) == 25
    for stump in stumps:
        assert max(xs(stump)) - min(xs(stump)) == pytest.approx(TERRAIN_STEP, abs=1e-12)
        assert min(ys(stump)) == TERRAIN_HEIGHT
        assert sorted(ys(stump))[:2] == [TERRAIN_HEIGHT, TERRAIN_HEIGHT]
    heights = np.array([height_in_steps(stump) for stump in stumps])
    assert abs(heights.mean() - 2.0) < 0.05
    assert np.all(np.abs(heights - 2.0) < 0.5)
    assert heights.std() > 0  # drawn per stump, not one height for the track
    left_edges = [min(xs(stump)) for stump in stumps]
    assert left_edges[0] == pytest.approx(TERRAIN_STARTPAD * TERRAIN_STEP, abs=1e-12)
    np.testing.assert_allclose(np.diff(left_edges), 3.0 + TERRAIN_STEP, rtol=0, atol=1e-9)


def test_negative_stump_height_gives_minimal_stumps(make_env):
    env = make_env(stump_height=(-3, 3))
    stumps = obstacles(env, {"stump_height": -3.0, "obstacle_spacing": 6.0})

    assert len(stumps) == expected_count(6.0)
    for stump in stumps:
        assert height_in_steps(stump) == pytest.approx(0.05, rel=1e-9)


def test_zero_spacing_is_raised_to_the_minimum(make_env):
    stumps = obstacles(make_env(), {"stump_height": 1.0, "obstacle_spacing": 0.0})

    assert len(stumps) == expected_count(0.01)
    left_edges = [min(xs(stump)) for stump in stumps]
    np.testing.assert_allclose(np.diff(left_edges), 0.01 + TERRAIN_STEP, rtol=0, atol=1e-9)


def test_same_seed_and_task_give_the_same_terrain(make_env):
    task = {"stump_height": 1.5, "obstacle_spacing": 2.0}
    first, second = make_env(), make_env()

    assert obstacles(first, task, seed=7) == obstacles(second, task, seed=7)
    assert obstacles(first, task, seed=7) != obstacles(first, task, seed=8)


def test_ground_breaks_at_every_stump_edge_and_is_built_after_the_stumps(make_env):
    env = make_env()
    stumps = obstacles(env, {"stump_height": 1.0, "obstacle_spacing": 3.0})
    terrain = env.unwrapped._terrain
    track_end = TERRAIN_LENGTH * TERRAIN_STEP

    edges = sorted({x for stump in stumps for x in (min(xs(stump)), max(xs(stump))) if x < track_end})
    assert [x for x, _ in terrain.ground] == [0.0, *edges, track_end]
    assert {y for _, y in terrain.ground} == {TERRAIN_HEIGHT}
    # TeachMyAgent's fixtures, in its order: the stumps' polygons, then one edge per ground segment
    ground_body = next(body for body in env.unwrapped._world.bodies if body.type == Box2D.b2_staticBody)
    shapes = [type(fixture.shape).__name__ for fixture in ground_body.fixtures]
    assert shapes == ["b2PolygonShape"] * len(stumps) + ["b2EdgeShape"] * (len(terrain.ground) - 1)


# --------------------------------------------------------------------------------------------- Hexagon Tracks
def is_convex(vertices):
    """Every turn of the polygon's boundary is a strict left turn (counter-clockwise convex polygon)."""
    n = len(vertices)
    for i in range(n):
        (ax, ay), (bx, by), (cx, cy) = vertices[i], vertices[(i + 1) % n], vertices[(i + 2) % n]
        if (bx - ax) * (cy - by) - (by - ay) * (cx - bx) <= 0:
            return False
    return True


def test_default_hexagons_are_small_convex_and_stand_on_the_ground(make_env):
    hexagons = obstacles(make_env(HEXAGON_TRACKS))

    assert len(hexagons) > 5
    for hexagon in hexagons:
        assert len(hexagon.vertices) >= 3
        assert is_convex(hexagon.vertices)
        assert min(ys(hexagon)) == TERRAIN_HEIGHT
        assert sum(y == TERRAIN_HEIGHT for y in ys(hexagon)) >= 2
        assert max(xs(hexagon)) - min(xs(hexagon)) < 2 * TERRAIN_STEP
        assert 0.25 < height_in_steps(hexagon) < 1.0


def test_vertical_offsets_make_hexagons_taller(make_env):
    env = make_env(HEXAGON_TRACKS)
    flat = obstacles(env, hexagon_task(dy=0.0))
    tall = obstacles(env, hexagon_task(dy=4.0))

    assert max(height_in_steps(h) for h in flat) < 1.0
    assert min(height_in_steps(h) for h in tall) > 4.0
    assert all(is_convex(h.vertices) for h in tall)
    assert len({height_in_steps(h) for h in tall}) == len(tall)  # offsets are drawn per hexagon


def test_hexagon_count_follows_obstacle_spacing(make_env):
    dense = obstacles(make_env(HEXAGON_TRACKS, obstacle_spacing=2.0))
    sparse = obstacles(make_env(HEXAGON_TRACKS, obstacle_spacing=8.0))

    assert len(dense) > 3 * len(sparse)
    # A hexagon is about one terrain step wide: laid every (width + spacing) metres, widths between 0 and 1.5 steps.
    for hexagons, spacing in ((dense, 2.0), (sparse, 8.0)):
        assert expected_count(spacing, 1.5 * TERRAIN_STEP) <= len(hexagons) <= expected_count(spacing, 0.0)


def test_hexagons_start_after_the_pad_and_are_obstacle_spacing_apart(make_env):
    spacing = 2.0
    hexagons = obstacles(make_env(HEXAGON_TRACKS, obstacle_spacing=spacing))
    # The default task's x offsets are N(0, 0.1) steps: allow three standard deviations of them.
    tolerance = 0.3 * TERRAIN_STEP

    assert min(xs(hexagons[0])) >= TERRAIN_STARTPAD * TERRAIN_STEP - tolerance
    gaps = [min(xs(right)) - max(xs(left)) for left, right in zip(hexagons, hexagons[1:])]
    assert min(gaps) >= spacing - tolerance


@pytest.mark.parametrize("spacing", [-1.0, float("nan"), float("inf")])
def test_bad_hexagon_spacing_is_an_option_error_not_a_task_error(spacing):
    with pytest.raises(EnvOptionError, match=r"obstacle_spacing must be a finite number >= 0, got (-1.0|nan|inf)"):
        gym.make(HEXAGON_TRACKS, obstacle_spacing=spacing)


# ------------------------------------------------------------------------------------------- bounds overrides
def test_bounds_override_widens_the_task_space(make_env):
    env = make_env(stump_height=(0, 9))
    task_space = env.unwrapped.task_space

    np.testing.assert_array_equal(task_space.high, [9.0, 6.0])
    np.testing.assert_array_equal(task_space.low, [0.0, 0.0])
    stumps = obstacles(env, {"stump_height": 9.0, "obstacle_spacing": 6.0})
    assert np.mean([height_in_steps(stump) for stump in stumps]) == pytest.approx(9.0, abs=0.1)


def test_misspelt_bound_suggests_the_name():
    with pytest.raises(TaskError, match="did you mean 'stump_height'"):
        gym.make(STUMP_TRACKS, stump_hight=(0, 9))


def test_inverted_bounds_are_a_task_error():
    with pytest.raises(TaskError, match="stump_height"):
        gym.make(STUMP_TRACKS, stump_height=(9, 0))


def test_task_outside_the_overridden_bounds_is_rejected(make_env):
    env = make_env(stump_height=(0, 1))

    with pytest.raises(TaskError, match="stump_height"):
        env.reset(seed=0, options={"task": {"stump_height": 2.0, "obstacle_spacing": 3.0}})


# ------------------------------------------------------------------------------------------------------ bodies
def test_misspelt_body_suggests_the_name():
    with pytest.raises(UnknownNameError, match="did you mean 'spider'"):
        gym.make(STUMP_TRACKS, body="spidr")


def test_spider_leg_pairs_set_the_sizes(make_env):
    env = make_env(body="spider", body_kwargs={"nb_pairs_of_legs": 3})
    observation, _ = env.reset(seed=0)

    assert env.action_space.shape == (18,)
    assert env.observation_space.shape == (4 + 42 + 10,)
    assert observation.shape == (4 + 42 + 10,)


def test_unknown_body_option_is_named():
    with pytest.raises(ValueError, match="nb_legs"):
        gym.make(STUMP_TRACKS, body="spider", body_kwargs={"nb_legs": 3})


def test_negative_torque_is_rejected():
    with pytest.raises(ValueError, match="motors_torque"):
        gym.make(STUMP_TRACKS, body_kwargs={"motors_torque": -1})


def test_size_table_covers_every_track_body():
    assert set(BODY_SIZES) == set(TRACK_BODIES)


@pytest.mark.parametrize("env_id", TRACK_IDS)
@pytest.mark.parametrize("body", ["climbing_profile_chimpanzee", "fish"])
def test_climbers_and_swimmers_are_refused_with_the_kinds_the_track_takes(env_id, body):
    kind = make_body_spec(body).kind
    with pytest.raises(ValueError, match=rf"body '{body}' is a {kind}; \w+ takes only walker and amphibian bodies"):
        gym.make(env_id, body=body)


@pytest.mark.parametrize("body", TRACK_BODIES)
def test_body_sizes_match_its_spec(make_env, body):
    env = make_env(body=body)
    spec = env.unwrapped.body_spec
    observation, _ = env.reset(seed=0)

    assert env.action_space.shape == (spec.action_size,)
    assert env.observation_space.shape == (4 + spec.state_size + LIDAR_COUNT,)
    assert (env.action_space.shape[0], env.observation_space.shape[0]) == BODY_SIZES[body]
    assert observation.shape == env.observation_space.shape
    assert env.observation_space.contains(observation)


@pytest.mark.parametrize("body", TRACK_BODIES)
def test_head_angle_penalty_only_for_upright_bodies(body):
    assert BODIES[body]().head_angle_penalty is (body not in {"wheel", "profile_chimpanzee"})


# ------------------------------------------------------------------------------------- physics and episode end
def test_limp_walker_falls(make_env):
    env = make_env()
    env.reset(seed=0)

    for _ in range(300):
        _, reward, terminated, truncated, info = env.step(zeros(env))
        if terminated or truncated:
            break
    assert terminated and not truncated
    assert reward == -100.0
    assert info["success"] is False


def test_reaching_the_end_terminates_with_success(make_env):
    env = make_env()
    env.reset(seed=0)
    shift_body(env, 85.0)

    _, reward, terminated, _, info = env.step(zeros(env))

    assert terminated
    assert reward > 230
    assert info["success"] is True


def test_leaving_the_track_to_the_left_is_a_fall(make_env):
    env = make_env()
    env.reset(seed=0)
    shift_body(env, -20.0)

    _, reward, terminated, _, info = env.step(zeros(env))

    assert terminated
    assert reward == -100.0
    assert info["success"] is False


@pytest.mark.parametrize(
    ("action", "message"),
    [(np.zeros(3, dtype=np.float32), "action must be 4 numbers"),
     (np.array([np.nan, 0, 0, 0], dtype=np.float32), "NaN"),
     (np.array([0, np.inf, 0, 0], dtype=np.float32), "inf"),
     ("abcd", "action must be 4 numbers")],
)
def test_bad_action_raises_and_leaves_the_env_usable(make_env, action, message):
    env = make_env()
    env.reset(seed=0)

    with pytest.raises(ValueError, match=message):
        env.step(action)
    observation, reward, terminated, _, _ = env.step(zeros(env))
    assert observation.shape == (24,)
    assert np.isfinite(reward)
    assert not terminated


def test_step_before_reset_raises():
    with pytest.raises(ResetNeeded, match="reset"):
        StumpTracks().step(np.zeros(4, dtype=np.float32))
    with pytest.raises(ResetNeeded):
        gym.make(STUMP_TRACKS).step(np.zeros(4, dtype=np.float32))


def test_step_after_close_raises():
    env = StumpTracks()
    env.reset(seed=0)
    env.close()

    with pytest.raises(ResetNeeded, match="reset"):
        env.step(np.zeros(4, dtype=np.float32))


# ------------------------------------------------------------------------------------------------------- lidar
@pytest.mark.parametrize("body", TRACK_BODIES)
def test_downward_ray_measures_the_head_height(make_env, body):
    env = make_env(body=body)
    observation, _ = env.reset(seed=0)
    head_y = env.unwrapped._body.head.position.y

    lidar = lidar_values(env, observation)
    assert lidar[0] == pytest.approx((head_y - TERRAIN_HEIGHT) / LIDAR_RANGE, abs=1e-4)
    assert 0.0 < lidar[0] < 1.0


def test_lidar_fractions_stay_in_the_unit_interval(make_env):
    env = make_env()
    env.action_space.seed(0)
    observation, _ = env.reset(seed=0, options={"task": {"stump_height": 2.0, "obstacle_spacing": 0.5}})

    for _ in range(30):
        lidar = lidar_values(env, observation)
        assert np.all((lidar >= 0.0) & (lidar <= 1.0))
        observation, *_ = env.step(env.action_space.sample())


def test_rays_that_reach_nothing_read_one(make_env):
    env = make_env()
    observation, _ = env.reset(seed=0)
    assert np.any(lidar_values(env, observation) < 1.0)
    shift_body(env, 0.0, 10.0)

    observation, *_ = env.step(zeros(env))

    np.testing.assert_array_equal(lidar_values(env, observation), np.ones(LIDAR_COUNT, dtype=np.float32))


# ----------------------------------------------------------------------------------------------------- rewards
@pytest.mark.parametrize("body", TRACK_BODIES)
def test_step_reward_is_progress_minus_tilt_and_torque(make_env, body):
    """reward = increase of 130 x / SCALE - 5 |angle| (if penalised) - torque_penalty * 80 * sum(min(|a|, 1))."""
    env = make_env(body=body)
    env.reset(seed=0)
    spec = env.unwrapped.body_spec
    head = env.unwrapped._body.head
    tilt = 5.0 if spec.head_angle_penalty else 0.0

    def shaping():
        return 130.0 * head.position.x / SCALE - tilt * abs(head.angle)

    action = np.linspace(-1.5, 1.5, spec.action_size, dtype=np.float32)
    before = shaping()
    _, reward, terminated, _, _ = env.step(action)

    torque_cost = spec.torque_penalty * 80.0 * np.minimum(np.abs(action.astype(np.float64)), 1.0).sum()
    assert not terminated
    assert torque_cost > 0
    assert reward == pytest.approx(shaping() - before - torque_cost, abs=1e-9)


# --------------------------------------------------------------------------------------------------- rendering
def count_pixels(frame, colour):
    return int(np.all(frame == colour, axis=-1).sum())


def test_rgb_frame_shows_sky_lidar_and_hull(make_env):
    env = make_env(render_mode="rgb_array")
    env.reset(seed=0)

    frames = [env.render()]
    for _ in range(3):
        env.step(zeros(env))
        frames.append(env.render())

    for frame in frames:
        assert frame.shape == (400, 600, 3)
        assert frame.dtype == np.uint8
        assert tuple(frame[0, 0]) == SKY
        assert count_pixels(frame, LIDAR_RED) > 50
        assert count_pixels(frame, CLASSIC_HULL_FILL) > 100


@pytest.mark.parametrize("body", TRACK_BODIES)
def test_every_body_renders_its_head(make_env, body):
    env = make_env(body=body, render_mode="rgb_array")
    env.reset(seed=0)
    spec = env.unwrapped.body_spec
    head_fill = next(tuple(int(255 * c) for c in part.colours[0]) for part in spec.parts if part.name == spec.head)

    frame = env.render()

    assert frame.shape == (400, 600, 3)
    assert count_pixels(frame, head_fill) > 20


def test_no_render_mode_renders_nothing(make_env):
    env = make_env()
    env.reset(seed=0)

    assert env.unwrapped.render() is None


def test_render_before_reset_raises():
    with pytest.raises(ResetNeeded, match="reset"):
        StumpTracks(render_mode="rgb_array").render()


def test_unsupported_render_mode_is_rejected():
    with pytest.raises(ValueError, match="'human'"):
        StumpTracks(render_mode="human")
    with pytest.warns(UserWarning, match="render_mode"), pytest.raises(ValueError, match="'ansi'"):
        gym.make(STUMP_TRACKS, render_mode="ansi")


# -------------------------------------------------------------------------------------------------- truncation
@pytest.mark.parametrize("env_id", TRACK_IDS)
def test_registered_episode_limit(env_id):
    assert gym.spec(env_id).max_episode_steps == 2000


def test_overridden_episode_limit_truncates(make_env):
    """The limp wheel rests on its legs without a fall (no critical contact), so only the limit can end it."""
    env = make_env(body="wheel", max_episode_steps=50)
    env.reset(seed=0)

    for step in range(1, 51):
        _, _, terminated, truncated, _ = env.step(zeros(env))
        assert not terminated
        assert truncated is (step == 50)
