"""make_vec_env: one env in process, several in subprocesses, Monitor episode infos, seeds, wrappers, errors."""

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecNormalize

import teachgym  # noqa: F401  (registers the ids)
from teachgym.errors import UnknownNameError
from teachgym.students import StudentError, default_start_method, make_vec_env
from teachgym.vector.sb3_env import SharedMemoryVecEnv

STUMPS = "teachgym/StumpTracks-v0"
STUDENT = "teachgym/SimulatedStudent-v0"


def test_one_env_runs_in_process_and_monitor_reports_the_task_and_success():
    env = make_vec_env(STUDENT, 1, seed=0)
    assert isinstance(env, DummyVecEnv)
    env.env_method("set_task", {"difficulty_x": 0.3, "difficulty_y": 0.1})
    env.reset()
    _, rewards, dones, infos = env.step(np.zeros((1, 1), dtype=np.float32))
    assert dones[0]
    episode = infos[0]["episode"]
    assert episode["task"] == {"difficulty_x": 0.3, "difficulty_y": 0.1}
    assert episode["success"] is False and episode["l"] == 1
    assert episode["r"] == pytest.approx(rewards[0], abs=1e-6)


@pytest.mark.parametrize(("vec_env", "kind"), [("shared-memory", SharedMemoryVecEnv), ("subproc", SubprocVecEnv)])
def test_several_envs_run_in_subprocesses_each_seeded_with_seed_plus_its_index(vec_env, kind):
    env = make_vec_env(STUMPS, 2, seed=7, vec_env=vec_env)
    try:
        assert isinstance(env, kind)
        observations = env.reset()
        for index in range(2):
            expected, _ = gym.make(STUMPS).reset(seed=7 + index)
            np.testing.assert_array_equal(observations[index], expected)
        assert not np.array_equal(observations[0], observations[1])
    finally:
        env.close()


def test_wrappers_run_inside_the_monitor_in_order_even_as_lambdas_in_subprocesses():
    wrappers = (lambda env: gym.wrappers.TransformReward(env, lambda r: r + 1000.0),
                lambda env: gym.wrappers.TransformReward(env, lambda r: 2.0 * r))
    plain, wrapped = make_vec_env(STUDENT, 2, seed=0), make_vec_env(STUDENT, 2, seed=0, wrappers=wrappers)
    try:
        actions = np.zeros((2, 1), dtype=np.float32)
        plain.reset(), wrapped.reset()
        plain_rewards, wrapped_rewards = plain.step(actions)[1], wrapped.step(actions)[1]
        np.testing.assert_allclose(wrapped_rewards, 2.0 * (plain_rewards + 1000.0), rtol=1e-6)
    finally:
        plain.close(), wrapped.close()


def test_observation_normalisation_wraps_the_envs_in_vec_normalize_without_reward_scaling():
    env = make_vec_env(STUDENT, 1, normalize_observations=True)
    assert isinstance(env, VecNormalize) and env.norm_obs and not env.norm_reward
    env.env_method("set_task", {"difficulty_x": 0.9, "difficulty_y": 0.9})  # reaches the env through the wrapper
    env.reset()
    assert env.step(np.zeros((1, 1), dtype=np.float32))[3][0]["episode"]["task"] == {"difficulty_x": 0.9,
                                                                                    "difficulty_y": 0.9}


def test_the_start_method_is_never_fork():
    assert default_start_method() in ("forkserver", "spawn")


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: make_vec_env("teachgym/StumpTrack-v0", 1), UnknownNameError,
     "unknown environment 'teachgym/StumpTrack-v0' (did you mean 'teachgym/StumpTracks-v0'?)"),
    (lambda: make_vec_env(STUDENT, 0), StudentError, "n_envs must be an integer >= 1, got 0"),
    (lambda: make_vec_env(STUDENT, 2, start_method="forks"), UnknownNameError,
     "unknown start method 'forks' (did you mean 'fork'?)"),
    (lambda: make_vec_env(STUDENT, 2, vec_env="subprocess"), UnknownNameError,
     "unknown vec env 'subprocess' (did you mean 'subproc'?)"),
    (lambda: make_vec_env(STUDENT, 1, wrappers=("TimeLimit",)), StudentError,
     "wrappers must be callables env -> env, got 'TimeLimit'"),
    # A bad env kwarg raises the env's own error here, not a broken pipe from a subprocess.
    (lambda: make_vec_env(STUMPS, 2, env_kwargs={"body": "spidr"}), UnknownNameError,
     "unknown body 'spidr' (did you mean 'spider'?)"),
])
def test_bad_arguments_fail_clearly(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)
