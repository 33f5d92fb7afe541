"""Property tests: any task inside an env's bounds builds and steps; any task outside is refused harmlessly."""

import math

import gymnasium as gym
import numpy as np
import pytest
from helpers import random_actions
from hypothesis import given, settings
from hypothesis import strategies as st

import teachgym
from teachgym import TaskError

# The registered spaces plus TeachMyAgent's widened Stump Tracks variants (mostly infeasible, mostly trivial).
VARIANTS = [(env_id, {}) for env_id in teachgym.env_ids()] + [
    ("teachgym/StumpTracks-v0", {"stump_height": (0.0, 9.0)}),
    ("teachgym/StumpTracks-v0", {"stump_height": (-3.0, 3.0)}),
]
VARIANT_IDS = [f"{env_id.split('/')[1]}{kwargs}" for env_id, kwargs in VARIANTS]
ENVS = {}


def env_for(env_id: str, bounds: dict) -> gym.Env:
    """One env per variant, reused across examples: the properties must hold for a long-lived env too."""
    key = (env_id, tuple(bounds.items()))
    if key not in ENVS:
        ENVS[key] = gym.make(env_id, **bounds)
        ENVS[key].reset(seed=0)
    return ENVS[key]


def unit_tasks(ndim: int):
    return st.lists(st.floats(0.0, 1.0), min_size=ndim, max_size=ndim)


def every_variant(test):
    """Run a property test on every variant, 25 examples each, drawing from its ``data`` argument."""
    test = settings(max_examples=25)(given(data=st.data())(test))
    return pytest.mark.parametrize(("env_id", "bounds"), VARIANTS, ids=VARIANT_IDS)(test)


def draw_task_inside(env_id: str, bounds: dict, data):
    """The variant's env, its task space, and a task drawn inside the space's bounds."""
    env = env_for(env_id, bounds)
    space = env.unwrapped.task_space
    return env, space, space.denormalize(data.draw(unit_tasks(space.ndim)))


@every_variant
def test_any_task_inside_the_bounds_builds_and_steps(env_id, bounds, data):
    env, space, task = draw_task_inside(env_id, bounds, data)
    seed = data.draw(st.integers(0, 2**31 - 1))
    observation, info = env.reset(seed=seed, options={"task": task})
    np.testing.assert_array_equal(list(info["task"].values()), task)
    actions = random_actions(env.action_space, seed, 20)
    for action in actions:
        assert env.observation_space.contains(observation)
        observation, reward, terminated, truncated, info = env.step(action)
        assert math.isfinite(reward)
        if terminated or truncated:
            break


@every_variant
def test_any_task_outside_the_bounds_is_refused_and_the_env_stays_usable(env_id, bounds, data):
    env, space, task = draw_task_inside(env_id, bounds, data)
    index = data.draw(st.integers(0, space.ndim - 1))
    width = max(1.0, space.high[index] - space.low[index])
    task[index] = data.draw(
        st.one_of(
            st.floats(space.high[index] + 1e-6 * width, 1e9),
            st.floats(-1e9, space.low[index] - 1e-6 * width),
            st.sampled_from([math.nan, math.inf, -math.inf]),
        )
    )
    with pytest.raises(TaskError) as raised:
        env.reset(options={"task": task})
    assert f"'{space.names[index]}'" in str(raised.value)
    with pytest.raises(TaskError):
        env.unwrapped.set_task(task)
    observation, _ = env.reset(seed=1)
    assert env.observation_space.contains(observation)
    env.step(env.action_space.sample())
