"""Vectorised training envs: ``DummyVecEnv`` for one env; for more, :mod:`teachgym.vector`'s shared-memory
``VecEnv`` (several envs per worker process, exact task control; ``vec_env="subproc"`` selects SB3's
``SubprocVecEnv`` instead, one process per env). Every env is in a ``Monitor`` that copies the finished episode's
``task`` and ``success`` into ``info["episode"]`` (what the curriculum needs), around a
:class:`~.exploration_mask.TrainStudentFlag` (which episodes may train the student).

Subprocesses start with ``forkserver`` where the platform has it, else ``spawn`` (SB3's own default): never
``fork``, because forking a process that has started torch's thread pools (or CUDA) can deadlock the children. As
with any non-fork start method, a script that builds several envs needs an ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import gymnasium as gym
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecNormalize

from teachgym.errors import UnknownNameError
from teachgym.validation import check_integer
from teachgym.vector import VEC_ENVS, VectorEngine, build_env, check_env_id, default_start_method
from teachgym.vector.engine import preload_in_forkserver
from teachgym.vector.sb3_env import EPISODE_INFO_KEYS, SharedMemoryVecEnv

from .algorithms import StudentError
from .exploration_mask import TrainStudentFlag

__all__ = ["EPISODE_INFO_KEYS", "VEC_ENVS", "build_env", "default_start_method", "make_vec_env"]

EnvWrapper = Callable[[gym.Env], gym.Env]
SHARED_MEMORY = VEC_ENVS[0]


def _monitored_env(env_id: str, env_kwargs: Mapping[str, Any] | None, wrappers: Sequence[EnvWrapper]) -> gym.Env:
    return Monitor(TrainStudentFlag(build_env(env_id, env_kwargs, wrappers)), info_keywords=EPISODE_INFO_KEYS)


def check_vec_env(name: str) -> None:
    """Raise :class:`~teachgym.errors.UnknownNameError` unless ``name`` is one of :data:`VEC_ENVS`."""
    if name not in VEC_ENVS:
        raise UnknownNameError("vec env", name, VEC_ENVS)


def make_vec_env(
    env_id: str,
    n_envs: int,
    *,
    env_kwargs: Mapping[str, Any] | None = None,
    seed: int | None = None,
    wrappers: Sequence[EnvWrapper] = (),
    start_method: str | None = None,
    normalize_observations: bool = False,
    normalize_returns: bool = False,
    vec_env: str = SHARED_MEMORY,
    workers: int | None = None,
) -> VecEnv:
    """Build ``n_envs`` copies of ``env_id`` for training.

    Args:
        env_id: a registered id, e.g. ``"teachgym/StumpTracks-v0"``.
        n_envs: 1 gives a ``DummyVecEnv`` (in this process); more the VecEnv ``vec_env`` names.
        env_kwargs: keyword arguments of ``gym.make`` (the env's own, and e.g. ``max_episode_steps``).
        seed: env ``i`` is seeded with ``seed + i`` at its next reset (None: unseeded).
        wrappers: callables env -> env applied in order inside the ``Monitor`` (e.g. a rugged-difficulty wrapper);
            with several envs they must be picklable by cloudpickle (lambdas are).
        start_method: multiprocessing start method of the subprocesses; None for :func:`default_start_method`.
        normalize_observations: wrap the envs in a ``VecNormalize`` that normalises observations (PPO's ``tma``
            preset needs it; evaluation then uses its statistics, see ``evaluate``).
        normalize_returns: wrap the envs in a ``VecNormalize`` that scales rewards by the running standard deviation
            of the discounted return (gamma 0.99, clipped at 10, as OpenAI Baselines' ``VecNormalize`` that
            TeachMyAgent's PPO trains behind). Only the student sees scaled rewards: the ``Monitor`` inside records
            raw returns, and teachers and evaluation use those.
        vec_env: for ``n_envs`` > 1: ``"shared-memory"``, :mod:`teachgym.vector`'s VecEnv (``workers`` processes
            stepping several envs each, with exact task control: see ``CurriculumCallback``), or ``"subproc"``, SB3's
            ``SubprocVecEnv`` (one process per env). For the same seed and actions both return the same steps.
        workers: worker processes of the shared-memory VecEnv (None: one share of the envs per usable core, this
            process stepping one share; 0: every env in this process).

    Returns:
        The VecEnv. Each env is ``Monitor(TrainStudentFlag(wrappers(gym.make(env_id, **env_kwargs))))``: every
        finished episode's ``info["episode"]`` has ``r``, ``l``, ``t``, ``task`` and ``success``, and every step's info
        says whether its episode may train the student (``train_student``, see
        :mod:`~teachgym.students.exploration_mask`).

    Raises:
        UnknownNameError: for an unregistered env id, an unknown start method or ``vec_env``.
        StudentError: for a bad ``n_envs`` or a wrapper that is not callable.
        Whatever the env raises for bad ``env_kwargs`` (e.g. a ``TaskError``), in this process.
    """
    check_env_id(env_id)
    check_integer("n_envs", n_envs, minimum=1, error=StudentError)
    for wrapper in wrappers:
        if not callable(wrapper):
            raise StudentError(f"wrappers must be callables env -> env, got {wrapper!r}")
    if start_method is not None and start_method not in multiprocessing.get_all_start_methods():
        raise UnknownNameError("start method", start_method, multiprocessing.get_all_start_methods())
    check_vec_env(vec_env)
    factory = partial(_monitored_env, env_id, env_kwargs, tuple(wrappers))
    if n_envs == 1:
        envs: VecEnv = DummyVecEnv([factory])
    elif vec_env == SHARED_MEMORY:
        envs = SharedMemoryVecEnv(VectorEngine(factory, n_envs, workers=workers, start_method=start_method,
                                               preload=[__name__]))
    else:
        # Build one env here first: a bad env kwarg then raises its own error, not a broken pipe from a subprocess.
        factory().close()
        preload_in_forkserver(start_method or default_start_method(), [__name__])
        envs = SubprocVecEnv([factory] * n_envs, start_method=start_method or default_start_method())
    if seed is not None:
        envs.seed(seed)
    if normalize_observations or normalize_returns:
        envs = VecNormalize(envs, norm_obs=normalize_observations, norm_reward=normalize_returns)
    return envs
