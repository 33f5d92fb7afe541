"""Parkour behaviour: water kills and floats, climbers hang and fall, lidar codes, kinds, test sets, rendering."""

import math

import Box2D
import gymnasium as gym
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import teachgym  # noqa: F401  (registers the teachgym/ ids)
from teachgym import TestSet, UnknownNameError
from teachgym.envs.walkers.bodies import BODIES
from teachgym.envs.walkers.lidar import kind_fan
from teachgym.envs.walkers.parkour.env import SURVIVAL_STEPS, Parkour
from teachgym.envs.walkers.parkour.test_sets import TEST_SET_RULES
from teachgym.envs.walkers.physics import LIDAR_COUNT, LIDAR_FAN, LIDAR_RANGE, TERRAIN_HEIGHT, TERRAIN_STEP
from teachgym.errors import EnvOptionError, TeachgymError

PARKOUR = "teachgym/Parkour-v0"
CLIMBERS = ("climbing_profile_chimpanzee", "climbing_chest_profile_chimpanzee")


def make(body="classic_bipedal", **kwargs) -> Parkour:
    return gym.make(PARKOUR, body=body, **kwargs).unwrapped


def task(env, **values):
    return {**env.task_space.to_dict(env.task_space.default), **values}


def zeros(env):
    return np.zeros(env.action_space.shape, dtype=np.float32)


def lift(env, dy):
    for part in env._body.parts.values():
        part.position = (part.position.x, part.position.y + dy)


def observation_layout(env):
    """Slices of the observation: (in water, dead), hands, lidar fractions, lidar codes."""
    hands_start = 6 + env.body_spec.state_size
    lidar_start = hands_start + 2 * len(env.body_spec.hands)
    return (slice(4, 6), slice(hands_start, lidar_start), slice(lidar_start, lidar_start + LIDAR_COUNT),
            slice(lidar_start + LIDAR_COUNT, lidar_start + 2 * LIDAR_COUNT))


# ------------------------------------------------------------------------------------------------------ water
def test_a_fish_released_under_water_stays_near_its_depth_while_a_walker_sinks():
    depths = {}
    for body in ("fish", "classic_bipedal"):
        env = make(body)
        env.reset(seed=0, options={"task": task(env, water_level=1.0)})
        lift(env, 3.0)
        start = env._body.head.position.y
        for _ in range(100):
            env.step(zeros(env))
        depths[body] = env._body.head.position.y - start
    assert abs(depths["fish"]) < 0.5
    assert depths["classic_bipedal"] < -3.0


def test_a_walker_under_water_dies_after_601_steps_and_then_gets_zero_actions():
    env = make()
    observation, _ = env.reset(seed=0, options={"task": task(env, water_level=1.0)})
    flags = observation_layout(env)[0]
    assert list(observation[flags]) == [1.0, 0.0]
    for _ in range(SURVIVAL_STEPS):
        observation, _, terminated, _, _ = env.step(zeros(env))
        assert not terminated
    assert not env.dead
    # TeachMyAgent's count: dead once more than 600 steps are counted, its flag observed from the next step on
    observation, *_ = env.step(np.ones(env.action_space.shape, dtype=np.float32))
    assert env.dead and list(observation[flags]) == [1.0, 0.0]
    assert all(joint.GetMaxMotorTorque() == env.body_spec.motors_torque for joint in env._body._motors)
    observation, *_ = env.step(np.ones(env.action_space.shape, dtype=np.float32))
    assert list(observation[flags]) == [1.0, 1.0]
    assert all(joint.GetMaxMotorTorque() == 0.0 for joint in env._body._motors)  # the dead body's action was zeroed


def test_a_fish_out_of_water_dies_after_601_steps_and_a_walker_on_dry_land_never():
    fish, walker = make("fish"), make()
    fish.reset(seed=0, options={"task": task(fish, water_level=0.0)})
    walker.reset(seed=0)
    for _ in range(SURVIVAL_STEPS):
        fish.step(zeros(fish))
        walker.step(zeros(walker))
    assert not fish.dead
    fish.step(zeros(fish))
    walker.step(zeros(walker))
    assert fish.dead and not walker.dead


def test_an_amphibian_never_dies():
    env = make("amphibious_bipedal")
    env.reset(seed=0, options={"task": task(env, water_level=1.0)})
    for _ in range(SURVIVAL_STEPS + 2):
        env.step(zeros(env))
    assert not env.dead


# -------------------------------------------------------------------------------------------------- climbing
@pytest.mark.parametrize("body", CLIMBERS)
def test_a_climber_holding_on_stays_on_the_ceiling_and_falls_when_it_lets_go(body):
    env = make(body)
    observation, _ = env.reset(seed=0)
    hands = observation_layout(env)[1]
    assert list(observation[hands]) == [1.0, 1.0, 1.0, 1.0]  # touching and holding, both hands
    start = env._body.head.position.y
    hold = zeros(env)
    hold[-2:] = 1.0
    for _ in range(200):
        observation, _, terminated, _, _ = env.step(hold)
        assert not terminated
    assert abs(env._body.head.position.y - start) < 0.3
    release = zeros(env)
    release[-2:] = -1.0
    for step in range(200):
        observation, reward, terminated, _, _ = env.step(release)
        if terminated:
            break
    assert terminated and reward == -100.0  # fell to the ground with a critical part
    assert list(observation[hands])[1::2] == [0.0, 0.0]
    assert env._body.head.position.y < start - 1.0


def test_grasp_values_cost_like_motor_values():
    env = make(CLIMBERS[1])
    env.reset(seed=0)
    hold = zeros(env)
    hold[-2:] = 1.0
    shaping = env._prev_shaping
    _, reward, *_ = env.step(hold)
    progress = env._prev_shaping - shaping
    assert progress - reward == pytest.approx(2 * env.body_spec.torque_penalty * 80.0, rel=1e-6)


def test_a_walker_hull_on_the_ground_does_not_end_a_parkour_episode():
    env = make()
    env.reset(seed=0)
    for _ in range(300):
        _, reward, terminated, _, _ = env.step(zeros(env))
        assert not terminated
    assert env._contacts.critical_contact  # the limp walker fell on its hull, as on Stump Tracks


# ------------------------------------------------------------------------------------------------------ lidar
@pytest.mark.parametrize(("body", "start", "width"), [
    ("classic_bipedal", 0.0, LIDAR_FAN), (CLIMBERS[0], 1.5, 2.3), ("fish", 0.0, math.pi),
    ("amphibious_bipedal", 0.0, math.pi)])
def test_each_kind_gets_its_lidar_fan(body, start, width):
    env = make(body)
    env.reset(seed=0)
    angles = start + width * np.arange(LIDAR_COUNT) / LIDAR_COUNT
    np.testing.assert_allclose(env.body_spec.kind.lidar_fan, (start, width))
    # the rays the env casts point that way: (sin a, -cos a), a from straight down towards the front
    rays = np.array([(x1 - x0, y1 - y0) for (x0, y0), (x1, y1) in env._lidar.segments()])
    directions = rays / np.linalg.norm(rays, axis=1, keepdims=True)
    np.testing.assert_allclose(directions, np.stack([np.sin(angles), -np.cos(angles)], axis=1), atol=1e-9)


def test_lidar_codes_report_water_below_and_creepers_above():
    walker = make()
    walker.reset(seed=0)
    highest = max(y for _, y in walker._terrain.ceiling)
    shallow = (TERRAIN_HEIGHT + 0.5 + 100) / (highest + 100)  # water half a metre deep over the start pad
    observation, _ = walker.reset(seed=0, options={"task": task(walker, water_level=shallow)})
    fractions, codes = observation_layout(walker)[2:]
    assert observation[codes][0] == -1.0 and observation[fractions][0] < 1.0
    assert set(observation[codes]) <= {-1.0, 0.0}
    fish = make("fish", world="teachgym-v0")  # its fan sweeps from straight down to straight up; a low ceiling
    fish.reset(seed=0, options={"task": task(fish, water_level=0.0, creepers_height=4.0, creepers_spacing=0.0)})
    for part in fish._body.parts.values():
        part.position = (part.position.x + 6.0, part.position.y)
    observation, *_ = fish.step(zeros(fish))
    codes = observation[observation_layout(fish)[3]]
    assert codes[0] == 0.0 and codes[-1] == 1.0  # ground below, creepers above


# ---------------------------------------------------------------------------------------------- task space
@pytest.mark.parametrize(("space", "first"), [("easy", (-0.25, -0.05)), ("medium", (-0.35, 0.05)), ("full", (-1, 1))])
def test_cppn_input_space_chooses_the_teachmyagent_box(space, first):
    env = make(cppn_input_space=space)
    bounds = env.task_space.bounds
    assert bounds["cppn_input_0"] == first
    assert (bounds["water_level"], bounds["creepers_height"], bounds["creepers_spacing"]) == ((0, 1), (0, 4), (0, 5))
    assert env.expert_knowledge().reward_range == (-150.0, 360.0)


def test_bad_constructor_options_are_named():
    with pytest.raises(UnknownNameError, match="did you mean 'medium'"):
        make(cppn_input_space="meduim")
    with pytest.raises(EnvOptionError, match="water_clip must be a finite number > 0, got -1"):
        make(water_clip=-1)


# ------------------------------------------------------------------------------------------------- geometry
def test_the_default_world_is_teachmyagents_ceiling_finish_and_water():
    env = make()
    with pytest.raises(TeachgymError, match="call reset"):
        env.terrain_profile()
    env.reset(seed=0, options={"task": task(env, water_level=0.25)})
    x, ground, ceiling = env.terrain_profile()
    assert x.shape == ground.shape == ceiling.shape == (220,)
    np.testing.assert_allclose(np.diff(x), TERRAIN_STEP)
    assert ceiling[0] - ground[0] == 20.0
    assert env.finish_x == pytest.approx((20 + 200 - 5) * TERRAIN_STEP)  # 100.33 m
    assert env._terrain.water_y == pytest.approx(-100 + 0.25 * (ceiling.max() + 100))
    assert not (ground < env._terrain.water_y).any()  # level 0.25 floods none of this track
    old = make(world="teachgym-v0")
    old.reset(seed=0, options={"task": task(old, water_level=0.25)})
    x, ground, ceiling = old.terrain_profile()
    assert ceiling[0] - ground[0] == pytest.approx(200 / 30)
    assert old.finish_x == pytest.approx((20 + 200 - 10) * TERRAIN_STEP)  # 98.0 m
    assert (ground < old._terrain.water_y).mean() == pytest.approx(0.95, abs=0.03)


def test_a_climber_hangs_from_the_ceiling_20_m_above_the_start_pad():
    env = make(CLIMBERS[0])
    env.reset(seed=0)
    assert env._body.head.position.y > TERRAIN_HEIGHT + 16.0
    assert all(hand.joint is not None for hand in env._body.hands)


def test_a_climber_is_built_standing_and_lifted_to_the_ceiling_as_teachmyagents():
    env = make(CLIMBERS[0])
    built = {}

    def record_first_observation():
        built["parts"] = {name: tuple(part.position) for name, part in env._body.parts.items()}
        built["sensors"] = [tuple(hand.part.position) for hand in env._body.hands]
        built["knee"] = tuple(env._body.joints[2].anchorA)
        return Parkour._first_observation(env)

    env._first_observation = record_first_observation
    env.reset(seed=0)
    # TeachMyAgent's positions before its first step (its own code, side-by-side task): the sensors on the ceiling at
    # float32(TERRAIN_HEIGHT + 20), every part lifted by the same rise from where it stood, the joints' anchors
    # kept from there (built at the ceiling, the lower legs, upper arms and knees come out 1.9e-6 m lower)
    assert built["sensors"] == [(4.666666507720947, 23.33333396911621)] * 2
    assert built["parts"]["leg_0_lower"] == built["parts"]["leg_1_lower"] == (4.666666507720947, 18.666667938232422)
    assert built["parts"]["arm_0_upper"] == (4.666666507720947, 21.666667938232422)
    assert built["knee"] == (4.666666507720947, 19.13333511352539)


def test_an_unknown_world_is_named():
    with pytest.raises(UnknownNameError, match="did you mean 'teachgym-v0'"):
        make(world="teachgym-v1")


@pytest.mark.parametrize(("body", "water", "creepers"), [("classic_bipedal", 0.0, (0.0, 5.0)),
                                                         (CLIMBERS[0], 0.0, (4.0, 0.0)), ("fish", 1.0, (0.0, 5.0))])
def test_the_default_task_is_the_easy_end_for_the_kind(body, water, creepers):
    default = make(body).task_space.to_dict(make(body).task_space.default)
    assert (default["water_level"], default["creepers_height"], default["creepers_spacing"]) == (water, *creepers)
    assert default["cppn_input_1"] == pytest.approx(0.8)


# ------------------------------------------------------------------------------------------------ test sets
def test_the_three_test_sets_follow_their_rules_and_the_default_follows_the_kind():
    env = make()
    sets = env.named_test_sets()
    assert sorted(sets) == sorted(TEST_SET_RULES)
    walkers, climbers, swimmers = sets["parkour-walkers"], sets["parkour-climbers"], sets["parkour-swimmers"]
    for test_set in sets.values():
        assert len(test_set) == 100 and len({tuple(row) for row in test_set.tasks}) == 100
    column = {name: index for index, name in enumerate(env.task_space.names)}
    assert walkers.tasks[:, column["water_level"]].max() <= 0.2
    assert set(walkers.tasks[:, column["creepers_height"]]) == {0.0}
    assert climbers.tasks[:, column["creepers_height"]].min() >= 1.0
    assert set(swimmers.tasks[:, column["water_level"]]) == {1.0}
    assert env.default_test_set() == walkers
    # the defaults differ by kind, so the spaces do too: compare the tasks
    for body, expected in ((CLIMBERS[1], climbers), ("fish", swimmers), ("amphibious_bipedal", walkers)):
        default = make(body).default_test_set()
        assert default.name == expected.name
        np.testing.assert_array_equal(default.tasks, expected.tasks)
    np.testing.assert_array_equal(env.named_test_sets()["parkour-walkers"].tasks, walkers.tasks)  # seeded


def test_a_run_config_names_a_parkour_test_set():
    env = gym.make(PARKOUR)
    chosen = TestSet.from_spec("parkour-swimmers", env.unwrapped.task_space, env)
    assert chosen.name == "parkour-swimmers" and chosen == env.unwrapped.named_test_sets()["parkour-swimmers"]
    with pytest.raises(UnknownNameError, match="did you mean 'parkour-climbers'"):
        TestSet.from_spec("parkour-climber", env.unwrapped.task_space, env)


# ------------------------------------------------------------------------------------------------ rendering
def count(frame, colour):
    return int(np.all(frame == np.array(colour, dtype=np.uint8), axis=-1).sum())


def test_the_frame_shows_water_ceiling_creepers_and_holding_hands():
    from teachgym.envs.walkers.parkour.rendering import CREEPER, HOLDING, ROCK

    env = make(CLIMBERS[0], render_mode="rgb_array")
    env.reset(seed=0, options={"task": task(env, water_level=0.95, creepers_spacing=0.5)})  # 17.9 m high
    frame = env.render()
    assert frame.shape == (400, 600, 3)
    assert count(frame, ROCK) > 1000 and count(frame, CREEPER) > 100 and count(frame, HOLDING) > 5
    dry = make(CLIMBERS[0], render_mode="rgb_array")
    dry.reset(seed=0, options={"task": task(dry, water_level=0.0, creepers_spacing=0.5)})
    # the view follows the climber up to the ceiling; translucent water tints the sky below it blue
    assert frame[380:, :, 0].mean() < dry.render()[380:, :, 0].mean() - 20


# ---------------------------------------------------------------------------------------------- properties
def inside_the_track(env) -> bool:
    """Every part's centre lies between the ground and the ceiling at its x."""
    terrain = env._terrain
    xs = [x for x, _ in terrain.ground]
    for part in env._body.parts.values():
        x, y = part.worldCenter.x, part.worldCenter.y
        ground = np.interp(x, xs, [g for _, g in terrain.ground])
        ceiling = np.interp(x, xs, [c for _, c in terrain.ceiling])
        if not ground - 0.05 < y < ceiling + 0.05:
            return False
    return True


PROPERTY_CASES = [("classic_bipedal", "medium"), (CLIMBERS[0], "medium"), ("fish", "medium"),
                  ("amphibious_bipedal", "medium"), ("millipede", "medium"), ("classic_bipedal", "full"),
                  (CLIMBERS[1], "full")]


@pytest.mark.parametrize(("body", "space"), PROPERTY_CASES)
def test_every_task_resets_inside_the_track_and_steps_without_nan(body, space):
    env = make(body, cppn_input_space=space)

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(unit=st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6), seed=st.integers(0, 2**16))
    def check(unit, seed):
        observation, _ = env.reset(seed=seed, options={"task": env.task_space.denormalize(unit)})
        assert np.all(np.isfinite(observation)) and env.observation_space.contains(observation)
        assert inside_the_track(env)
        rng = np.random.default_rng(seed)
        for _ in range(15):
            observation, reward, terminated, _, _ = env.step(rng.uniform(-1, 1, env.action_space.shape).astype(
                np.float32))
            assert np.all(np.isfinite(observation)) and np.isfinite(reward)
            if terminated:
                break

    check()


def test_every_body_is_accepted():
    assert set(Parkour.BODY_KINDS) == {spec().kind for spec in BODIES.values()}


def test_movable_creepers_are_dynamic_chains_in_the_env_and_episodes_stay_deterministic():
    first, second = make(CLIMBERS[0], movable_creepers=True), make(CLIMBERS[0], movable_creepers=True)
    chosen = task(first, creepers_height=2.5, creepers_spacing=2.0)
    trajectories = []
    for env in (first, second):
        env.reset(seed=3, options={"task": chosen})
        actions = np.random.default_rng(3).uniform(-1, 1, (40, *env.action_space.shape)).astype(np.float32)
        trajectories.append([env.step(action)[0] for action in actions])
    np.testing.assert_array_equal(trajectories[0], trajectories[1])
    links = [body for body in first._world.bodies if body.type == Box2D.b2_dynamicBody and body.userData is None]
    assert len(links) == 3 * len(first._terrain.creepers) == len(first._terrain.creeper_links)


def test_with_movable_creepers_the_lidar_sees_where_a_creeper_swung_and_looks_through_the_body():
    env = make("fish", movable_creepers=True)
    env.reset(seed=0, options={"task": task(env, water_level=0.0, creepers_height=1.0, creepers_spacing=5.0)})
    head = env._body.head.position
    x, y = head.x, head.y
    fractions, codes = env._lidar.scan_surfaces(x, y)
    # straight down through the fin (a body part) onto the flat start pad
    assert (codes[0], fractions[0]) == (0.0, pytest.approx((y - TERRAIN_HEIGHT) / LIDAR_RANGE, abs=1e-3))
    assert 1.0 not in codes  # no creeper over the start pad
    angle = kind_fan(env.body_spec.kind)[-1]
    target = (x + 2.0 * np.sin(angle), y - 2.0 * np.cos(angle))  # 2 m along the last ray
    link = env._terrain.creeper_links[0]
    link.position = (link.position.x + target[0] - link.worldCenter.x, link.position.y + target[1] - link.worldCenter.y)
    fractions, codes = env._lidar.scan_surfaces(x, y)
    assert codes[-1] == 1.0 and fractions[-1] < 2.0 / LIDAR_RANGE


def test_movable_creepers_are_drawn_where_they_hang():
    from teachgym.envs.walkers.parkour.rendering import CREEPER

    env = make(movable_creepers=True, render_mode="rgb_array", world="teachgym-v0")  # a ceiling in the walker's view
    env.reset(seed=0, options={"task": task(env, creepers_height=3.0, creepers_spacing=0.5)})
    for part in env._body.parts.values():  # look past the start pad, where creepers hang
        part.position = (part.position.x + 8.0, part.position.y)
    env.step(zeros(env))
    assert count(env.render(), CREEPER) > 500


def test_the_fish_and_the_climbers_hands_are_built_as_teachmyagents():
    fish = make("fish")
    fish.reset(seed=0)
    hull = fish._body.parts["hull"]
    assert hull.position.y == pytest.approx(TERRAIN_HEIGHT + 9 / 30 + 1.0, abs=0.05)  # drawn 1 m up, falling
    assert [part.fixtures[0].friction for part in fish._body.parts.values()] == pytest.approx([0.1] + [0.2] * 4)
    climber = make(CLIMBERS[0])
    climber.reset(seed=0)
    for hand in climber._body.hands:  # a sensor body of density 1, welded to the hand part
        assert hand.part.mass == pytest.approx(math.pi * 0.05**2, rel=1e-5)
        assert any(isinstance(edge.joint, Box2D.b2WeldJoint) for edge in hand.part.joints)
