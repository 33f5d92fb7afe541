"""The SB3 face against DummyVecEnv on the same seeds and actions: identical trajectories, infos and VecEnv methods."""

from functools import partial

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv

import teachgym  # noqa: F401  (registers the ids)
from teachgym.errors import TaskError, TeachgymError, UnknownNameError
from teachgym.vector import engine, make_vec_env
from teachgym.vector.buffers import check_array_space
from teachgym.vector.sb3_env import EPISODE_INFO_KEYS

from .helpers import CARTPOLE, PENDULUM, STUMPS, Crashes, random_actions


def dummy(env_id, n_envs, seed, env_kwargs=None, wrappers=()):
    def build():
        env = gym.make(env_id, **(env_kwargs or {}))
        for wrap in wrappers:
            env = wrap(env)
        return Monitor(env, info_keywords=EPISODE_INFO_KEYS)

    vec_env = DummyVecEnv([build] * n_envs)
    vec_env.seed(seed)
    return vec_env


def assert_same_infos(ours, theirs):
    assert len(ours) == len(theirs)
    for mine, other in zip(ours, theirs):
        assert mine.keys() == other.keys()
        for key in mine:
            if key == "terminal_observation":
                np.testing.assert_array_equal(mine[key], other[key])
            elif key == "episode":
                assert {k: v for k, v in mine[key].items() if k != "t"} == {k: v for k, v in other[key].items()
                                                                            if k != "t"}
            else:
                assert mine[key] == other[key]


def run_both(ours, theirs, steps, seed):
    np.testing.assert_array_equal(ours.reset(), theirs.reset())
    assert ours.reset_infos == theirs.reset_infos
    ends = 0
    for actions in random_actions(ours.action_space, ours.num_envs, steps, seed):
        mine, other = ours.step(actions), theirs.step(actions)
        for got, expected in zip(mine[:3], other[:3]):
            assert got.dtype == expected.dtype and got.shape == expected.shape
            np.testing.assert_array_equal(got, expected)
        assert_same_infos(mine[3], other[3])
        ends += int(mine[2].sum())
    return ends


@pytest.mark.parametrize(("env_id", "env_kwargs", "workers", "steps"), [
    (CARTPOLE, {"max_episode_steps": 15}, 0, 120),   # discrete actions, terminations and truncations
    (PENDULUM, {"max_episode_steps": 7}, 2, 60),     # several envs per worker, truncations
    (STUMPS, {"max_episode_steps": 30}, 2, 70),
    (STUMPS, {"max_episode_steps": 30}, None, 70),   # the default on 2 cores: 1 worker, this process steps env 3
])
def test_trajectories_infos_and_autoresets_are_dummy_vec_envs(env_id, env_kwargs, workers, steps, monkeypatch):
    monkeypatch.setattr(engine, "usable_cores", lambda: 2)
    ours = make_vec_env(env_id, 4, workers=workers, env_kwargs=env_kwargs, seed=5)
    theirs = dummy(env_id, 4, 5, env_kwargs)
    try:
        assert ours.observation_space == theirs.observation_space and ours.action_space == theirs.action_space
        assert run_both(ours, theirs, steps, seed=1) > 4  # several autoresets were compared
    finally:
        ours.close()


def test_vec_env_methods_reach_every_env_through_its_wrappers():
    vec_env = make_vec_env(PENDULUM, 3, workers=2, env_kwargs={"render_mode": "rgb_array"},
                           wrappers=(lambda env: Crashes(env),))
    try:
        assert vec_env.render_mode == "rgb_array"
        assert vec_env.get_attr("task_space", [1])[0].names == ("length", "mass", "gravity", "max_torque")
        vec_env.env_method("set_task", {"length": 2.0, "mass": 1.0, "gravity": 10.0, "max_torque": 2.0}, indices=2)
        vec_env.reset()
        assert [task["length"] for task in vec_env.get_attr("task")] == [1.0, 1.0, 2.0]
        vec_env.set_attr("marker", 7, indices=[0, 2])
        assert vec_env.get_attr("marker", [0, 2]) == [7, 7]
        assert vec_env.has_attr("task_space") and not vec_env.has_attr("marker")  # env 1 has none
        assert vec_env.env_is_wrapped(Crashes) == [True] * 3 and vec_env.env_is_wrapped(gym.wrappers.ClipAction) == \
            [False] * 3
        images = vec_env.get_images()
        assert len(images) == 3 and images[0].ndim == 3
        assert vec_env.render().ndim == 3
        assert vec_env.seed(10) == [10, 11, 12]
        with pytest.raises(ValueError, match="boom") as caught:  # an env's error comes back as itself
            vec_env.env_method("crash", "boom", indices=[1])
        assert "teachgym.vector worker 0 (envs [0, 1])" in "".join(caught.value.__notes__)
        assert vec_env.env_method("crash", "never", indices=[]) == []
        vec_env.step(np.zeros((3, 1), dtype=np.float32))  # every worker lives on
    finally:
        vec_env.close()


def test_an_error_of_an_env_stepped_in_this_process_leaves_the_workers_in_step(monkeypatch):
    monkeypatch.setattr(engine, "usable_cores", lambda: 2)
    vec_env = make_vec_env(PENDULUM, 3, wrappers=(lambda env: Crashes(env),), seed=0)
    try:
        assert vec_env.n_workers == 1 and vec_env.engine.workers[-1].indices == [2]
        vec_env.reset()
        with pytest.raises(ValueError, match="in this process"):
            vec_env.env_method("crash", "in this process", indices=[2])
        with pytest.raises(ValueError, match="boom"):
            vec_env.env_method("crash", "boom")  # the worker's envs raise too: the first error comes back
        observations, *_ = vec_env.step(np.zeros((3, 1), dtype=np.float32))
        assert observations.shape == (3, 3) and np.all(np.isfinite(observations))
    finally:
        vec_env.close()


def test_bad_tasks_fail_in_this_process_naming_the_env_and_no_worker_dies():
    vec_env = make_vec_env(PENDULUM, 2, workers=1, seed=0)
    try:
        with pytest.raises(TaskError, match=r"env 1: task parameter 'mass' = 9 is outside its bounds \[1, 2\]"):
            vec_env.set_task(1, {"length": 1.0, "mass": 9.0, "gravity": 10.0, "max_torque": 2.0})
        with pytest.raises(TaskError, match=r"env index must be an integer in \[0, 1\], got 2"):
            vec_env.set_task(2, [1.0, 1.0, 10.0, 2.0])
        vec_env.set_task(1, [1.5, 1.0, 10.0, 2.0])
        vec_env.reset()
        assert [task["length"] for task in vec_env.get_attr("task")] == [1.0, 1.5]
    finally:
        vec_env.close()


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: make_vec_env("teachgym/Pendulm-v0", 2), UnknownNameError, "did you mean 'teachgym/Pendulum-v0'?"),
    (lambda: make_vec_env(PENDULUM, 0), TeachgymError, "n_envs must be an integer >= 1, got 0"),
    (lambda: make_vec_env(PENDULUM, 2, workers=-1), TeachgymError, "workers must be an integer >= 0, got -1"),
    (lambda: make_vec_env(PENDULUM, 2, spin_s=-0.5), TeachgymError, "spin_s must be a finite number >= 0, got -0.5"),
    (lambda: make_vec_env(PENDULUM, 2, spin_s=float("nan")), TeachgymError, "spin_s must be a finite number"),
    (lambda: make_vec_env(PENDULUM, 2, wrappers=("TimeLimit",)), TeachgymError, "wrappers must be callables"),
    (lambda: make_vec_env(STUMPS, 2, env_kwargs={"body": "spidr"}), UnknownNameError, "did you mean 'spider'?"),
    (lambda: check_array_space(gym.spaces.Dict({"x": gym.spaces.Discrete(2)}), "observation"), TeachgymError,
     "teachgym.vector holds observations of one of Box, Discrete, MultiDiscrete, MultiBinary in shared memory; "
     "got Dict('x': Discrete(2))"),
])
def test_bad_arguments_fail_clearly_in_this_process(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)


def test_workers_default_to_one_share_per_usable_core_this_process_stepping_the_last(monkeypatch):
    monkeypatch.setattr(engine, "usable_cores", lambda: 3)
    vec_env = make_vec_env(PENDULUM, 5)
    try:
        assert vec_env.n_workers == 2
        assert [(type(worker).__name__, worker.indices) for worker in vec_env.engine.workers] == [
            ("_ProcessWorker", [0, 1]), ("_ProcessWorker", [2, 3]), ("_LocalWorker", [4])]
    finally:
        vec_env.close()
    for n_envs, cores in ((1, 3), (4, 1)):  # one share: every env in this process
        monkeypatch.setattr(engine, "usable_cores", lambda cores=cores: cores)
        vec_env = make_vec_env(PENDULUM, n_envs)
        assert vec_env.n_workers == 0 and vec_env.engine.workers[0].indices == list(range(n_envs))
        vec_env.close()


def test_wrappers_lambdas_and_partials_are_pickled_to_the_workers():
    wrappers = (lambda env: gym.wrappers.TransformReward(env, lambda r: r + 1000.0),
                partial(gym.wrappers.TransformReward, func=lambda r: 2.0 * r))
    plain = make_vec_env(PENDULUM, 2, workers=0, seed=0)
    wrapped = make_vec_env(PENDULUM, 2, workers=2, seed=0, wrappers=wrappers)
    try:
        actions = np.zeros((2, 1), dtype=np.float32)
        plain.reset(), wrapped.reset()
        np.testing.assert_allclose(wrapped.step(actions)[1], 2.0 * (plain.step(actions)[1] + 1000.0), rtol=1e-6)
    finally:
        plain.close(), wrapped.close()
