"""Vectorised training envs: ``DummyVecEnv`` for one env, ``SubprocVecEnv`` for more, every env in a ``Monitor``
that copies the finished episode's ``task`` and ``success`` into ``info["episode"]`` (what the curriculum needs),
around a :class:`~.exploration_mask.TrainStudentFlag` (which episodes may train the student).

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

import teachgym
from teachgym.errors import UnknownNameError

from .algorithms import StudentError
from .exploration_mask import TrainStudentFlag

EnvWrapper = Callable[[gym.Env], gym.Env]
# What Monitor copies from the last step's info into info["episode"].
EPISODE_INFO_KEYS = ("task", "success")


def default_start_method() -> str:
    """``"forkserver"`` where available, else ``"spawn"``: start methods that are safe after torch has started."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def check_env_id(env_id: str) -> None:
    """Raise :class:`~teachgym.errors.UnknownNameError` (with the closest teachgym id) for an unregistered id."""
    if env_id not in gym.registry:
        raise UnknownNameError("environment", env_id, teachgym.env_ids())


def build_env(env_id: str, env_kwargs: Mapping[str, Any] | None = None, wrappers: Sequence[EnvWrapper] = ()) -> gym.Env:
    """``gym.make(env_id, **env_kwargs)`` wrapped by each of ``wrappers`` in turn (each a callable env -> env).

    A module-level function of teachgym, so unpickling it in a subprocess imports teachgym, which registers the ids.
    """
    env = gym.make(env_id, **dict(env_kwargs or {}))
    for wrapper in wrappers:
        env = wrapper(env)
    return env


def _monitored_env(env_id: str, env_kwargs: Mapping[str, Any] | None, wrappers: Sequence[EnvWrapper]) -> gym.Env:
    return Monitor(TrainStudentFlag(build_env(env_id, env_kwargs, wrappers)), info_keywords=EPISODE_INFO_KEYS)


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
) -> VecEnv:
    """Build ``n_envs`` copies of ``env_id`` for training.

    Args:
        env_id: a registered id, e.g. ``"teachgym/StumpTracks-v0"``.
        n_envs: 1 gives a ``DummyVecEnv`` (in this process), more a ``SubprocVecEnv`` (one process per env).
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

    Returns:
        The VecEnv. Each env is ``Monitor(TrainStudentFlag(wrappers(gym.make(env_id, **env_kwargs))))``: every
        finished episode's ``info["episode"]`` has ``r``, ``l``, ``t``, ``task`` and ``success``, and every step's info
        says whether its episode may train the student (``train_student``, see
        :mod:`~teachgym.students.exploration_mask`).

    Raises:
        UnknownNameError: for an unregistered env id or an unknown start method.
        StudentError: for a bad ``n_envs`` or a wrapper that is not callable.
        Whatever the env raises for bad ``env_kwargs`` (e.g. a ``TaskError``), in this process.
    """
    check_env_id(env_id)
    if isinstance(n_envs, bool) or not isinstance(n_envs, int) or n_envs < 1:
        raise StudentError(f"n_envs must be a positive integer, got {n_envs!r}")
    for wrapper in wrappers:
        if not callable(wrapper):
            raise StudentError(f"wrappers must be callables env -> env, got {wrapper!r}")
    if start_method is not None and start_method not in multiprocessing.get_all_start_methods():
        raise UnknownNameError("start method", start_method, multiprocessing.get_all_start_methods())
    factory = partial(_monitored_env, env_id, env_kwargs, tuple(wrappers))
    if n_envs == 1:
        vec_env: VecEnv = DummyVecEnv([factory])
    else:
        # Build one env here first: a bad env kwarg then raises its own error, not a broken pipe from a subprocess.
        factory().close()
        vec_env = SubprocVecEnv([factory] * n_envs, start_method=start_method or default_start_method())
    if seed is not None:
        vec_env.seed(seed)
    if normalize_observations or normalize_returns:
        vec_env = VecNormalize(vec_env, norm_obs=normalize_observations, norm_reward=normalize_returns)
    return vec_env
