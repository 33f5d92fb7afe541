"""The classic envs against their gymnasium originals and the parametric-env contract, with valid actions for every
action space (CartPole and Acrobot keep gymnasium's discrete actions)."""

import math
import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gymnasium_check_env
from hypothesis import given, settings
from hypothesis import strategies as st
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import teachgym
from teachgym import TaskError
from teachgym.envs.classic.base import ClassicEnv

CLASSIC_IDS = [env_id for env_id in teachgym.env_ids()
               if gym.spec(env_id).entry_point.startswith("teachgym.envs.classic.")]
ORIGINALS = {
    "teachgym/CartPole-v0": "CartPole-v1",
    "teachgym/Pendulum-v0": "Pendulum-v1",
    "teachgym/MountainCarContinuous-v0": "MountainCarContinuous-v0",
    "teachgym/Acrobot-v0": "Acrobot-v1",
    "teachgym/LunarLanderContinuous-v0": "LunarLanderContinuous-v3",
}
# Pendulum's action is a share of the maximal torque: gymnasium's action is 2 a at the default task.
ORIGINAL_ACTION_SCALE = {"teachgym/Pendulum-v0": 2.0}
# Under random actions the pole falls, the lander crashes and the pendulum's episode is truncated within 250 steps.
END_UNDER_RANDOM_ACTIONS = ("teachgym/CartPole-v0", "teachgym/Pendulum-v0", "teachgym/LunarLanderContinuous-v0")


def random_actions(space: gym.Space, rng: np.random.Generator, steps: int) -> list:
    """Valid random actions: ints for a Discrete space, float32 arrays in [-1, 1] for a Box."""
    if isinstance(space, gym.spaces.Discrete):
        return [int(a) for a in rng.integers(space.n, size=steps)]
    return list(rng.uniform(-1.0, 1.0, (steps, *space.shape)).astype(np.float32))


def rollout(env: gym.Env, seed: int, task, steps: int = 80):
    """Observations and rewards of a seeded random-action rollout on one task (up to the episode's end)."""
    observation, _ = env.reset(seed=seed, options={"task": task})
    observations, rewards = [observation], []
    for action in random_actions(env.action_space, np.random.default_rng(seed), steps):
        observation, reward, terminated, truncated, _ = env.step(action)
        observations.append(observation)
        rewards.append(reward)
        if terminated or truncated:
            break
    return np.array(observations), np.array(rewards)


def test_the_five_classic_ids_are_registered_with_gymnasiums_episode_limits():
    assert CLASSIC_IDS == list(ORIGINALS)
    for env_id, original_id in ORIGINALS.items():
        assert gym.spec(env_id).max_episode_steps == gym.spec(original_id).max_episode_steps
        env = gym.make(env_id).unwrapped
        assert isinstance(env, ClassicEnv)
        assert env.GYMNASIUM_ID == original_id
        assert isinstance(env, type(gym.make(original_id).unwrapped))  # gymnasium's class itself, subclassed


@pytest.mark.parametrize("env_id", CLASSIC_IDS)
def test_both_env_checkers_pass_on_a_default_and_a_hard_task(env_id):
    for task in ("default", "high"):
        env = gym.make(env_id).unwrapped
        if task == "high":
            env.set_task(env.task_space.high)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any checker warning is a contract failure
            gymnasium_check_env(env, skip_render_check=True)
            sb3_check_env(env, warn=True)
    rendered = gym.make(env_id, render_mode="rgb_array").unwrapped
    rendered.set_task(rendered.task_space.high)
    gymnasium_check_env(rendered)


@pytest.mark.parametrize("env_id", CLASSIC_IDS)
def test_default_task_reproduces_the_gymnasium_env_exactly_across_resets(env_id):
    ours, original = gym.make(env_id), gym.make(ORIGINALS[env_id])
    scale = np.float32(ORIGINAL_ACTION_SCALE.get(env_id, 1.0))
    rng = np.random.default_rng(0)
    default = ours.unwrapped.task_space.to_dict(ours.unwrapped.task_space.default)
    episodes = 0
    for seed, steps in ((7, 250), (8, 250)):  # a seeded reset, unseeded resets on episode ends, a seeded one again
        observation, info = ours.reset(seed=seed)
        original_observation, _ = original.reset(seed=seed)
        np.testing.assert_array_equal(observation, original_observation)
        assert info == {"task": default, "success": False}
        for action in random_actions(ours.action_space, rng, steps):
            original_action = action if isinstance(action, int) else scale * action
            observation, reward, terminated, truncated, info = ours.step(action)
            original_step = original.step(original_action)
            np.testing.assert_array_equal(observation, original_step[0])
            assert observation.dtype == original_step[0].dtype == np.float32
            assert (reward, terminated, truncated) == original_step[1:4]
            assert info["task"] == default
            if terminated or truncated:
                episodes += 1
                observation, _ = ours.reset()
                original_observation, _ = original.reset()
                np.testing.assert_array_equal(observation, original_observation)
    assert episodes >= (2 if env_id in END_UNDER_RANDOM_ACTIONS else 0)


@pytest.mark.parametrize("env_id", ["teachgym/MountainCarContinuous-v0", "teachgym/Acrobot-v0"])
def test_default_task_reproduces_gymnasiums_goal_reaching_episodes(env_id):
    """Random actions rarely reach these goals: energy pumping does, so the terminal steps are compared too."""
    ours, original = gym.make(env_id), gym.make(ORIGINALS[env_id])
    observation, _ = ours.reset(seed=3)
    original.reset(seed=3)
    goals = 0
    for _ in range(600):
        if env_id == "teachgym/Acrobot-v0":
            action = 2 if observation[5] > 0 else 0
        else:
            action = np.array([1.0 if observation[1] >= 0 else -1.0], dtype=np.float32)
        observation, reward, terminated, truncated, info = ours.step(action)
        original_step = original.step(action)
        np.testing.assert_array_equal(observation, original_step[0])
        assert (reward, terminated, truncated) == original_step[1:4]
        assert info["success"] is terminated
        if terminated or truncated:
            goals += terminated
            observation, _ = ours.reset()
            original.reset()
    assert goals >= 3


@pytest.mark.parametrize("env_id", CLASSIC_IDS)
def test_same_seed_and_task_give_identical_trajectories_and_tasks_change_them(env_id):
    env, twin = gym.make(env_id), gym.make(env_id)
    space = env.unwrapped.task_space
    task = space.sample(np.random.default_rng(5))
    observations, rewards = rollout(env, 11, task)
    twin_observations, twin_rewards = rollout(twin, 11, task)
    np.testing.assert_array_equal(observations, twin_observations)
    np.testing.assert_array_equal(rewards, twin_rewards)
    rollout(env, 4, space.high)  # other episodes, other tasks: nothing leaks into the next one
    again_observations, again_rewards = rollout(env, 11, task)
    np.testing.assert_array_equal(observations, again_observations)
    np.testing.assert_array_equal(rewards, again_rewards)
    other_observations, _ = rollout(env, 11, space.default)
    length = min(len(observations), len(other_observations))
    assert not np.array_equal(observations[:length], other_observations[:length])


@pytest.mark.parametrize("env_id", CLASSIC_IDS)
def test_out_of_range_tasks_raise_and_leave_the_env_usable(env_id):
    env = gym.make(env_id)
    env.reset(seed=0)
    space = env.unwrapped.task_space
    good = space.sample(np.random.default_rng(1))
    env.unwrapped.set_task(good)
    for index, name in enumerate(space.names):
        for value in (space.low[index] - 0.01 * (space.high[index] - space.low[index]) - 1e-6,
                      space.high[index] * 1.01 + 1e-6, math.nan, math.inf):
            bad = good.copy()
            bad[index] = value
            with pytest.raises(TaskError, match=f"'{name}'"):
                env.unwrapped.set_task(bad)
            with pytest.raises(TaskError, match=f"'{name}'"):
                env.reset(options={"task": bad})
    misspelt = space.names[-1][:-1]
    with pytest.raises(TaskError, match=f"did you mean '{space.names[-1]}'"):
        env.reset(options={"task": {**space.to_dict(good), misspelt: 1.0}})
    _, info = env.reset(seed=0)
    np.testing.assert_array_equal(list(info["task"].values()), good)
    _, _, _, _, info = env.step(env.action_space.sample())
    np.testing.assert_array_equal(list(info["task"].values()), good)


def _unit_tasks(ndim: int):
    return st.lists(st.floats(0.0, 1.0), min_size=ndim, max_size=ndim)


ENVS = {}


@pytest.mark.parametrize("env_id", CLASSIC_IDS)
@settings(max_examples=25)
@given(data=st.data())
def test_any_task_inside_the_bounds_resets_and_steps_inside_the_observation_space(env_id, data):
    if env_id not in ENVS:  # one long-lived env per id: the properties must hold across many resets too
        ENVS[env_id] = gym.make(env_id)
    env = ENVS[env_id]
    space = env.unwrapped.task_space
    task = space.denormalize(data.draw(_unit_tasks(space.ndim)))
    seed = data.draw(st.integers(0, 2**31 - 1))
    observation, info = env.reset(seed=seed, options={"task": task})
    np.testing.assert_array_equal(list(info["task"].values()), task)
    assert info["success"] is False
    for action in random_actions(env.action_space, np.random.default_rng(seed), 60):
        assert env.observation_space.contains(observation), (observation, env.observation_space)
        observation, reward, terminated, truncated, info = env.step(action)
        assert math.isfinite(reward)
        assert type(info["success"]) is bool
        np.testing.assert_array_equal(list(info["task"].values()), task)
        if terminated or truncated:
            break
    assert env.observation_space.contains(observation)


@pytest.mark.parametrize("env_id", CLASSIC_IDS)
def test_bounds_can_be_narrowed_per_instance_and_survive_pickling(env_id):
    space = gym.make(env_id).unwrapped.task_space
    name = space.names[0]
    low, high = space.bounds[name]
    narrow = gym.make(env_id, **{name: (low, (low + high) / 2)})
    assert narrow.unwrapped.task_space.high[0] == (low + high) / 2
    assert gym.make(env_id).unwrapped.task_space == space  # the class's space is untouched
    with pytest.raises(TaskError):
        narrow.unwrapped.set_task(space.high)
    clone = pickle.loads(pickle.dumps(narrow))
    assert clone.unwrapped.task_space == narrow.unwrapped.task_space
    task = narrow.unwrapped.task_space.sample(np.random.default_rng(2))
    np.testing.assert_array_equal(rollout(narrow, 3, task, 20)[0], rollout(clone, 3, task, 20)[0])
    with pytest.raises(TaskError, match="did you mean"):
        gym.make(env_id, **{name + "s": (low, high)})
    with pytest.raises(ValueError, match="render_mode 'ascii' is not supported"):
        type(narrow.unwrapped)(render_mode="ascii")


@pytest.mark.parametrize("env_id", CLASSIC_IDS)
def test_renders_a_non_default_task(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=0, options={"task": env.unwrapped.task_space.high})
    env.step(env.action_space.sample())
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    env.close()
