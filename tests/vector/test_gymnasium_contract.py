"""The gymnasium face against SyncVectorEnv (next-step autoreset) on the same seeds and actions."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv

import teachgym  # noqa: F401  (registers the ids)
from teachgym.vector import make_gym_vec_env

from .helpers import CARTPOLE, PENDULUM, random_actions


def assert_same_infos(ours, theirs):
    assert ours.keys() == theirs.keys()
    for key in ours:
        if isinstance(ours[key], dict):
            assert_same_infos(ours[key], theirs[key])
        else:
            np.testing.assert_array_equal(ours[key], theirs[key])


@pytest.mark.parametrize(("env_id", "workers"), [(CARTPOLE, 0), (PENDULUM, 2)])
def test_steps_infos_and_next_step_autoresets_are_sync_vector_envs(env_id, workers):
    kwargs = {"max_episode_steps": 9}
    ours = make_gym_vec_env(env_id, 3, workers=workers, env_kwargs=kwargs)
    theirs = SyncVectorEnv([lambda: gym.make(env_id, **kwargs)] * 3)
    try:
        assert ours.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
        assert ours.observation_space == theirs.observation_space and ours.action_space == theirs.action_space
        for got, expected in zip(ours.reset(seed=4), theirs.reset(seed=4)):
            assert_same_infos({"x": got}, {"x": expected})
        ends = 0
        for actions in random_actions(ours.single_action_space, 3, 40, seed=2):
            mine, other = ours.step(actions), theirs.step(actions)
            for got, expected in zip(mine[:4], other[:4]):
                assert got.dtype == expected.dtype
                np.testing.assert_array_equal(got, expected)
            assert_same_infos(mine[4], other[4])
            ends += int((mine[2] | mine[3]).sum())
        assert ends >= 9
        assert ours.get_attr("spec") == theirs.get_attr("spec")
        assert ours.call("task") == theirs.call("task")
        ours.set_attr("marker", [1, 2, 3])
        assert ours.get_attr("marker") == (1, 2, 3)
    finally:
        ours.close()
        theirs.close()


def test_a_reset_mask_resets_only_the_envs_it_marks():
    envs = make_gym_vec_env(PENDULUM, 3, workers=0)
    try:
        first, _ = envs.reset(seed=0)
        envs.step(np.ones((3, 1), dtype=np.float32))
        moved = envs.step(np.ones((3, 1), dtype=np.float32))[0]
        again, infos = envs.reset(seed=0, options={"reset_mask": np.array([False, True, False])})
        np.testing.assert_array_equal(again[1], first[1])
        np.testing.assert_array_equal(again[[0, 2]], moved[[0, 2]])
        assert infos["_task"].tolist() == [False, True, False]
    finally:
        envs.close()
