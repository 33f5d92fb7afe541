"""Faults (a killed worker, close), seeds that do not depend on the number of workers, and SB3 learning through it."""

import multiprocessing
import os
import re
import signal
import time

import numpy as np
import pytest
from stable_baselines3 import PPO, SAC

import teachgym  # noqa: F401  (registers the ids)
from teachgym.errors import TeachgymError
from teachgym.vector import WorkerError, engine, make_vec_env
from teachgym.vector.worker import SPIN_S

from .helpers import CARTPOLE, PENDULUM, SlowSteps, random_actions


def trajectory(workers, steps=60, spin_s=SPIN_S):
    vec_env = make_vec_env(CARTPOLE, 5, workers=workers, env_kwargs={"max_episode_steps": 12}, seed=3, spin_s=spin_s)
    assert vec_env.n_workers == (workers if workers is not None else 2)
    try:
        observations = [vec_env.reset()]
        rewards, dones = [], []
        for actions in random_actions(vec_env.action_space, 5, steps, seed=4):
            observation, reward, done, _ = vec_env.step(actions)
            observations.append(observation), rewards.append(reward), dones.append(done)
        return np.array(observations), np.array(rewards), np.array(dones)
    finally:
        vec_env.close()


def test_results_for_a_seed_are_the_same_whatever_the_workers_and_their_wait(monkeypatch):
    monkeypatch.setattr(engine, "usable_cores", lambda: 3)  # None: 2 workers, and env 4 stepped in this process
    reference = trajectory(0)
    assert reference[2].sum() > 5
    for workers, spin_s in ((1, SPIN_S), (2, SPIN_S), (3, SPIN_S), (None, SPIN_S), (2, 0.0), (None, 0.0)):
        for got, expected in zip(trajectory(workers, spin_s=spin_s), reference):
            np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(("workers", "held"), [(2, "[3, 4]"), (None, "[2, 3]")],
                         ids=["2 workers", "default on 3 cores: 2 workers and this process"])
def test_a_killed_worker_raises_naming_its_envs_and_close_reaps_every_worker(workers, held, monkeypatch):
    monkeypatch.setattr(engine, "usable_cores", lambda: 3)
    vec_env = make_vec_env(PENDULUM, 5, workers=workers, seed=0)
    processes = [worker.process for worker in vec_env.engine.workers if hasattr(worker, "process")]
    assert len(processes) == 2
    vec_env.reset()
    os.kill(processes[1].pid, signal.SIGKILL)
    processes[1].join(5)
    started = time.monotonic()
    message = rf"worker 1 \(pid \d+\) was killed by SIGKILL holding envs {re.escape(held)}"
    with pytest.raises(WorkerError, match=message):
        vec_env.step(np.zeros((5, 1), dtype=np.float32))
    assert time.monotonic() - started < 5  # no hang
    assert not any(process.is_alive() for process in processes)  # the engine closed the other worker too
    with pytest.raises(WorkerError, match="closed"):
        vec_env.reset()
    vec_env.close()  # closing twice is fine


def test_close_leaves_no_process_behind():
    before = set(multiprocessing.active_children())
    vec_env = make_vec_env(PENDULUM, 4, workers=2)
    assert len(set(multiprocessing.active_children()) - before) == 2
    vec_env.close()
    assert set(multiprocessing.active_children()) - before == set()


def test_a_worker_that_cannot_build_its_envs_raises_its_error_and_leaves_nothing_behind():
    before = set(multiprocessing.active_children())
    calls = {"n": 0}

    def fails_in_workers(env):  # the probe in this process works; the copies in the workers raise
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("no env here")
        return env

    with pytest.raises(RuntimeError, match="no env here"):
        make_vec_env(PENDULUM, 2, workers=2, wrappers=(fails_in_workers,))
    assert set(multiprocessing.active_children()) - before == set()


@pytest.mark.parametrize("algorithm", [PPO, SAC])
def test_sb3_learns_a_few_hundred_steps_through_it(algorithm):
    vec_env = make_vec_env(PENDULUM, 4, workers=2, env_kwargs={"max_episode_steps": 50}, seed=0)
    try:
        options = {"n_steps": 32, "batch_size": 64} if algorithm is PPO else {"learning_starts": 64, "batch_size": 32}
        model = algorithm("MlpPolicy", vec_env, policy_kwargs={"net_arch": [8]}, seed=0, device="cpu", **options)
        model.learn(256)
        assert model.num_timesteps == 256
        # 64 steps of each env: one 50-step episode each, with the Monitor's infos
        assert [(info["l"], "task" in info) for info in model.ep_info_buffer] == [(50, True)] * 4
    finally:
        vec_env.close()


def test_a_close_while_a_worker_still_steps_reaches_it_and_it_exits_by_itself():
    vec_env = make_vec_env(PENDULUM, 2, workers=1, seed=0, wrappers=(lambda env: SlowSteps(env, 0.1),))
    process = vec_env.engine.workers[0].process
    vec_env.reset()
    vec_env.step_async(np.zeros((2, 1), dtype=np.float32))
    vec_env.close()  # the close command waits in the pipe while the worker steps
    assert process.exitcode == 0  # it read the command after the step and ended, rather than being terminated


def test_a_reset_cancels_a_step_never_waited_for_and_tasks_wait_for_the_step_to_end():
    vec_env = make_vec_env(PENDULUM, 2, workers=1, seed=0)
    try:
        vec_env.reset()
        vec_env.step_async(np.zeros((2, 1), dtype=np.float32))
        with pytest.raises(TeachgymError, match="set_task between step_async"):
            vec_env.set_task(0, [1.0, 1.0, 10.0, 2.0])
        vec_env.seed(0)
        np.testing.assert_array_equal(vec_env.reset(), make_vec_env(PENDULUM, 2, workers=0, seed=0).reset())
        vec_env.step(np.zeros((2, 1), dtype=np.float32))  # the pipes are in step
    finally:
        vec_env.close()
