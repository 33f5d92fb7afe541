"""The step template of ParametricEnv: ``step`` runs the subclass's ``_step`` and adds the episode's task."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

import teachgym  # noqa: F401  (registers the teachgym/ ids)
from teachgym import TaskSpace
from teachgym.envs.parametric import ParametricEnv


class Echo(ParametricEnv):
    """Observes its task; the reward is the action; an episode is one step."""

    REWARD_RANGE = (-1.0, 1.0)
    REWARD_THRESHOLDS = (0.0, 0.5)

    def __init__(self):
        self.task_space = TaskSpace({"a": (0.0, 1.0), "b": (-2.0, 2.0)}, default={"a": 0.25, "b": 0.0})
        self.observation_space = spaces.Box(-2.0, 2.0, (2,), np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (1,), np.float32)

    def _reset_task(self, task):
        return task.astype(np.float32), {}

    def _step(self, action):
        return self._task.astype(np.float32), float(action[0]), True, False, {"success": float(action[0]) > 0.5}


def test_step_adds_a_fresh_task_dict_to_what_the_hook_returns():
    env = Echo()
    env.reset(seed=0, options={"task": {"a": 0.75, "b": -1.5}})
    observation, reward, terminated, truncated, info = env.step(np.array([0.6], np.float32))
    assert (observation.tolist(), reward, terminated, truncated) == ([0.75, -1.5], pytest.approx(0.6), True, False)
    assert info == {"success": True, "task": {"a": 0.75, "b": -1.5}}
    info["task"]["a"] = 9.0  # a caller editing one step's info changes nothing of the next
    assert env.step(np.array([0.0], np.float32))[4] == {"success": False, "task": {"a": 0.75, "b": -1.5}}


def test_a_subclass_without_the_hook_says_so():
    class Bare(ParametricEnv):
        pass

    with pytest.raises(NotImplementedError):
        Bare().step(0)


@pytest.mark.parametrize(("env_id", "body", "task"), [
    ("teachgym/StumpTracks-v0", "classic_bipedal", {"stump_height": 1.5, "obstacle_spacing": 2.0}),
    ("teachgym/Parkour-v0", "fish", {"cppn_input_0": -0.2, "cppn_input_1": 0.9, "cppn_input_2": 0.0,
                                     "water_level": 0.7, "creepers_height": 1.0, "creepers_spacing": 3.0}),
])
def test_walker_steps_report_their_episode_task_through_the_template(env_id, body, task):
    env = gym.make(env_id, body=body).unwrapped
    env.reset(seed=0, options={"task": task})
    rng = np.random.default_rng(0)
    for _ in range(5):
        _, _, terminated, _, info = env.step(rng.uniform(-1, 1, env.action_space.shape).astype(np.float32))
        assert info["task"] == pytest.approx(task) and set(info) == {"task", "success"} and not terminated
        assert info["success"] is False


@pytest.mark.parametrize("env_id", teachgym.env_ids())
def test_every_registered_env_steps_through_the_template(env_id):
    """No env family adds the task by hand: each implements ``_step`` and inherits ``ParametricEnv.step``."""
    env_class = type(gym.make(env_id).unwrapped)
    assert issubclass(env_class, ParametricEnv)
    assert env_class.step is ParametricEnv.step, f"{env_class.__name__} overrides step()"
