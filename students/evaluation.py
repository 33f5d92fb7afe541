"""Evaluation of a student on a fixed test set: one deterministic episode per test task, in envs of its own.

The student's policy is copied to the CPU and runs one episode per task, each seeded with ``seed + task index``, so
an episode's result depends only on the policy, the task and the seed: the same for any ``n_envs`` and any order.
With ``n_envs > 1`` the episodes run in worker processes (``n_envs``, at most one per task and per usable core),
each taking the next task left when it is free; the workers end with the process that evaluates, even a killed one.
(Stepping envs in lockstep through one batched forward pass would round differently from one observation at a time,
and a walker amplifies the last bit into a different return: results would depend on ``n_envs``.) The training
envs and the teacher are never touched.

A seeded reset starts a new simulated student, so simulated students are measured by their ``mastered_share``, not
here.
"""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import cloudpickle
import gymnasium as gym
import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecNormalize

from teachgym.child_processes import end_with_parent
from teachgym.errors import TaskError
from teachgym.teachers import SuccessEvaluator
from teachgym.validation import check_integer
from teachgym.vector import usable_cores

from .algorithms import StudentError
from .vec_env import EnvWrapper, build_env, check_env_id, default_start_method

_SEEDS_PER_CALL = 1_000_003  # far more than a call's episodes: the calls' seeds do not meet


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The results of one evaluation, in test-set order.

    Attributes:
        returns: the episode return of every test task.
        successes: the env's ``info["success"]`` at the end of every test episode.
    """

    returns: np.ndarray
    successes: np.ndarray

    @property
    def mastered_share(self) -> float:
        """Share of the test tasks that were mastered (TeachMyAgent's "% mastered", as a share)."""
        return float(np.mean(self.successes))

    @property
    def mean_return(self) -> float:
        """Mean test return."""
        return float(np.mean(self.returns))

    @property
    def median_return(self) -> float:
        """Median test return."""
        return float(np.median(self.returns))


def evaluate(
    policy: Any,
    env_id: str,
    test_set_tasks: np.ndarray,
    *,
    env_kwargs: Mapping[str, Any] | None = None,
    n_envs: int = 1,
    deterministic: bool = True,
    seed: int = 0,
    wrappers: Sequence[EnvWrapper] = (),
    normalize: VecNormalize | None = None,
) -> Evaluation:
    """Run ``policy`` for one episode on every task of the test set, and collect the returns and successes.

    Args:
        policy: an SB3 model, or any picklable object with ``predict(observation, deterministic=...)`` returning
            ``(action, state)``.
        env_id, env_kwargs, wrappers: the evaluation envs, built as the training envs are (without ``Monitor``);
            episodes end at the registered ``max_episode_steps`` unless ``env_kwargs`` sets another.
        test_set_tasks: one task per row, in the env's task space.
        n_envs: worker processes running episodes in parallel, at most one per usable core (each loads torch and
            the policy; more would only queue); 1 runs them in this process.
        deterministic: the policy's deterministic action (its mean), as in TeachMyAgent's evaluation.
        seed: the episode on test task ``i`` is reset with seed ``seed + i``.
        normalize: the ``VecNormalize`` the student was trained behind: observations are normalised with its
            statistics (``normalize_obs``; they are not updated). None takes the model's own
            (``get_vec_normalize_env()``) when ``policy`` is an SB3 model.

    Returns:
        An :class:`Evaluation`, in test-set order.

    Raises:
        UnknownNameError: for an unregistered env id.
        TaskError: for a test task outside the env's task space, naming its row.
        StudentError: for an empty or malformed test set, a bad ``n_envs`` or ``seed``, or a policy without
            ``predict``.
    """
    check_env_id(env_id)
    check_integer("n_envs", n_envs, minimum=1, error=StudentError)
    if normalize is None and isinstance(policy, BaseAlgorithm):
        normalize = policy.get_vec_normalize_env()
    predictor = policy.policy if isinstance(policy, BaseAlgorithm) else policy
    if not callable(getattr(predictor, "predict", None)):
        raise StudentError(f"the policy must have a predict(observation, deterministic=...) method, got "
                           f"{type(policy).__name__}")
    check_integer("seed", seed, error=StudentError)
    job = _Job(predictor, normalize, env_id, dict(env_kwargs or {}), tuple(wrappers), deterministic)
    env = build_env(env_id, env_kwargs, wrappers)
    try:
        tasks = _checked_tasks(test_set_tasks, env.get_wrapper_attr("task_space"))
        seeds = seed + np.arange(len(tasks))
        if n_envs == 1:  # one env, reset with each episode's seed and task: no copy of the policy, no env per episode
            results = [job.run_episode(env, task, int(episode_seed)) for task, episode_seed in zip(tasks, seeds)]
    finally:
        env.close()
    if n_envs > 1:
        run_task = partial(_evaluate_task, _serialized(job))
        context = multiprocessing.get_context(default_start_method())
        workers = min(n_envs, len(tasks), usable_cores())
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
            results = list(pool.map(run_task, tasks, seeds))
    returns, successes = zip(*results)
    return Evaluation(returns=np.array(returns, dtype=np.float64), successes=np.array(successes, dtype=bool))


def success_evaluator(
    model: BaseAlgorithm,
    env_id: str,
    *,
    env_kwargs: Mapping[str, Any] | None = None,
    wrappers: Sequence[EnvWrapper] = (),
    n_envs: int = 1,
    seed: int = 0,
) -> SuccessEvaluator:
    """An SB3 student's answer to a teacher asking for evaluation rollouts
    (:mod:`teachgym.teachers.evaluation_rollouts`): ``evaluator(tasks, n_rollouts)`` runs ``model``'s current policy
    with stochastic actions (``deterministic=False``) for ``n_rollouts`` episodes on each task, in envs of its own
    built as :func:`evaluate` builds them (the training envs, the model and its step count are untouched), and
    returns each task's number of successes.

    The episodes of the ``k``-th call are seeded ``seed + k * 1_000_003 + i`` (``i``: the episode's index in the
    call), so repeated questions about the same task see different episodes, and the answers depend only on the
    policy, the tasks and the number of calls so far.
    """
    calls = 0

    def evaluate_successes(tasks: np.ndarray, n_rollouts: int) -> np.ndarray:
        nonlocal calls
        episode_tasks = np.repeat(np.asarray(tasks, dtype=np.float64), n_rollouts, axis=0)
        result = evaluate(model, env_id, episode_tasks, env_kwargs=env_kwargs, n_envs=n_envs, deterministic=False,
                          seed=seed + calls * _SEEDS_PER_CALL, wrappers=wrappers)
        calls += 1
        return result.successes.reshape(len(tasks), n_rollouts).sum(axis=1)

    return evaluate_successes


def _start_worker() -> None:
    """One torch thread per evaluation worker (the workers are the parallelism), and none outliving a killed run."""
    torch.set_num_threads(1)
    end_with_parent()


def _checked_tasks(test_set_tasks: Any, task_space: Any) -> np.ndarray:
    try:
        tasks = np.asarray(test_set_tasks, dtype=np.float64)
    except (TypeError, ValueError):
        raise StudentError(f"the test set must be an array of tasks (one per row), got {test_set_tasks!r}") from None
    if tasks.ndim != 2 or len(tasks) == 0:
        raise StudentError(f"the test set must be a non-empty 2-D array (one task per row), got shape {tasks.shape}")
    for index, task in enumerate(tasks):
        try:
            task_space.validate(task)
        except TaskError as error:
            raise TaskError(f"test task {index}: {error}") from None
    return tasks


@dataclass(frozen=True)
class _Job:
    """What a test episode needs: the policy, the observation statistics and how to build the env."""

    policy: Any
    normalize: VecNormalize | None
    env_id: str
    env_kwargs: dict[str, Any]
    wrappers: tuple[EnvWrapper, ...]
    deterministic: bool

    def run_episode(self, env: gym.Env, task: np.ndarray, seed: int) -> tuple[float, bool]:
        """One episode on ``task`` from a reset with ``seed``: its return and ``info["success"]``. Stochastic
        actions come from torch's generator seeded with ``seed`` for the episode (and restored after it), so they
        too depend only on the seed, in a worker as in this process."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            observation, info = env.reset(seed=seed, options={"task": task})
            episode_return, done = 0.0, False
            while not done:
                if self.normalize is not None:
                    observation = self.normalize.normalize_obs(observation)
                action, _ = self.policy.predict(observation, deterministic=self.deterministic)
                observation, reward, terminated, truncated, info = env.step(action)
                episode_return += float(reward)
                done = terminated or truncated
        return episode_return, bool(info["success"])


def _serialized(job: _Job) -> bytes:
    # torch.save keeps tensors apart, so that torch.load(map_location="cpu") makes a CPU copy of a CUDA policy;
    # cloudpickle takes what plain pickle cannot (lambdas as wrappers, a user's local predictor class).
    buffer = io.BytesIO()
    torch.save(job, buffer, pickle_module=cloudpickle)
    return buffer.getvalue()


def _deserialized(payload: bytes) -> _Job:
    return torch.load(io.BytesIO(payload), map_location="cpu", weights_only=False)


def _evaluate_task(payload: bytes, task: np.ndarray, seed: int) -> tuple[float, bool]:
    """One test episode, in an env of its own; in a worker process a task at a time, so that a free worker takes
    the next task left."""
    job = _deserialized(payload)
    env = build_env(job.env_id, job.env_kwargs, job.wrappers)
    try:
        return job.run_episode(env, task, int(seed))
    finally:
        env.close()
