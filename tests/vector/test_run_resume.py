"""A run whose vector env loses a worker fails with the worker's error, and resumes from its checkpoint."""

import multiprocessing
import os
import signal

import pytest

import teachgym  # noqa: F401  (registers the ids)
from teachgym.benchmarks import RunConfig, run
from teachgym.benchmarks.run_folder import RunFolder
from teachgym.vector import WorkerError


def kill_a_worker_once(killed: list) -> None:
    if not killed:
        worker = next(child for child in multiprocessing.active_children()
                      if child.name.startswith("teachgym.vector worker"))
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(5)
        killed.append(worker.name)


def test_a_run_that_loses_a_worker_fails_naming_its_envs_and_resumes_from_its_checkpoint(tmp_path):
    config = RunConfig(env="teachgym/Pendulum-v0", teacher="random", student="ppo", student_kwargs={"preset": "tiny"},
                       total_timesteps=512, n_envs=2, eval_every=512, checkpoint_every=128, seed=0,
                       test_set={"tasks": [[1.0, 1.0, 10.0, 2.0]]}, env_kwargs={"max_episode_steps": 50},
                       out_dir=str(tmp_path / "run"))
    killed: list = []
    with pytest.raises(WorkerError, match=r"was killed by SIGKILL holding envs \[\d\]"):
        run(config, progress=lambda timesteps: kill_a_worker_once(killed) if timesteps >= 256 else None)
    assert RunFolder(tmp_path / "run").status()["state"] == "failed"
    folder = run(config, resume=True)
    assert RunFolder(folder).status() | {"state": "done", "timesteps": 512} == RunFolder(folder).status()
