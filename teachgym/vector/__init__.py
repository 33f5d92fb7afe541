"""teachgym.vector: fast vector envs with exact per-episode task control, for Stable-Baselines3 and gymnasium.

``n_envs`` envs run on ``workers`` processes, several envs per worker stepped in a loop there; observations, actions,
rewards, episode ends and tasks live in shared memory, and each step costs one small command per worker (the
design of EnvPool). ``set_task(index, task)`` queues the task of env ``index``'s next episode, its autoreset
included, validated here (a bad task raises :class:`~teachgym.errors.TaskError` naming the env; no worker sees it).

    import teachgym
    from teachgym.vector import make_gym_vec_env, make_vec_env

    vec_env = make_vec_env("teachgym/StumpTracks-v0", 8, workers=2, seed=0)   # an SB3 VecEnv
    vec_env.set_task(3, {"stump_height": 1.0, "obstacle_spacing": 4.0})

    envs = make_gym_vec_env("teachgym/StumpTracks-v0", 8, workers=2)        # a gymnasium VectorEnv
    observations, infos = envs.reset(seed=0)

Results do not depend on ``workers``: env ``i`` is seeded with ``seed + i`` and steps on its own. Workers start
with ``forkserver`` (else ``spawn``), never ``fork``, so a script that builds a vector env with workers needs an
``if __name__ == "__main__":`` guard. This package depends on gymnasium and numpy only; the SB3 face imports SB3
when :func:`make_vec_env` is called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import gymnasium as gym

from teachgym.errors import TeachgymError, UnknownNameError
from teachgym.registration import env_ids

from .engine import VectorEngine, WorkerError, default_start_method, usable_cores
from .gymnasium_env import SharedMemoryVectorEnv
from .worker import SPIN_S

if TYPE_CHECKING:
    from .sb3_env import SharedMemoryVecEnv

__all__ = ["VEC_ENVS", "SharedMemoryVectorEnv", "VectorEngine", "WorkerError", "build_env", "check_env_id",
           "default_start_method", "make_gym_vec_env", "make_vec_env", "usable_cores"]

EnvWrapper = Callable[[gym.Env], gym.Env]
# The vector envs training builds for several envs (teachgym.students.make_vec_env, RunConfig.vec_env): this
# package's shared-memory VecEnv (the default) or Stable-Baselines3's SubprocVecEnv (one process per env).
VEC_ENVS = ("shared-memory", "subproc")


def check_env_id(env_id: str) -> None:
    """Raise :class:`~teachgym.errors.UnknownNameError` (with the closest teachgym id) for an unregistered id."""
    if env_id not in gym.registry:
        raise UnknownNameError("environment", env_id, env_ids())


def build_env(env_id: str, env_kwargs: Mapping[str, Any] | None = None, wrappers: Sequence[EnvWrapper] = ()) -> gym.Env:
    """``gym.make(env_id, **env_kwargs)`` wrapped by each of ``wrappers`` in turn (each a callable env -> env).

    A module-level function of teachgym, so unpickling it in a worker imports teachgym, which registers the ids.
    """
    env = gym.make(env_id, **dict(env_kwargs or {}))
    for wrapper in wrappers:
        env = wrapper(env)
    return env


def _check_wrappers(wrappers: Sequence[EnvWrapper]) -> tuple[EnvWrapper, ...]:
    for wrapper in wrappers:
        if not callable(wrapper):
            raise TeachgymError(f"wrappers must be callables env -> env, got {wrapper!r}")
    return tuple(wrappers)


def make_vec_env(
    env_id: str,
    n_envs: int,
    *,
    workers: int | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    seed: int | None = None,
    wrappers: Sequence[EnvWrapper] = (),
    start_method: str | None = None,
    spin_s: float = SPIN_S,
) -> SharedMemoryVecEnv:
    """``n_envs`` copies of ``env_id`` as a Stable-Baselines3 ``VecEnv`` (:class:`~.sb3_env.SharedMemoryVecEnv`).

    Args:
        env_id: a registered id, e.g. ``"teachgym/StumpTracks-v0"``.
        n_envs: how many envs.
        workers: worker processes, each stepping ``n_envs / workers`` envs (0: every env in this process). None:
            one share of the envs per usable core (at most ``n_envs`` shares), this process stepping one share while
            a worker each steps the others (on 2 cores: 1 worker), rather than waiting idle for them.
        env_kwargs: keyword arguments of ``gym.make``.
        seed: env ``i`` is seeded with ``seed + i`` at its next reset (None: unseeded).
        wrappers: callables env -> env applied in order inside the ``Monitor`` (picklable by cloudpickle: lambdas
            are).
        start_method: multiprocessing start method of the workers; None for :func:`default_start_method`.
        spin_s: seconds each process checks for the other side's next message before it sleeps (1 ms by default:
            a wake-up per message costs more than the check on small machines; 0: no CPU spent waiting).

    Returns:
        The VecEnv. Each env is ``Monitor(wrappers(gym.make(env_id, **env_kwargs)))``; for an env with a task
        space, every finished episode's ``info["episode"]`` has ``r``, ``l``, ``t``, ``task`` and ``success``.

    Raises:
        UnknownNameError: for an unregistered env id.
        TeachgymError: for a bad ``n_envs``, ``workers`` or ``spin_s``, or a wrapper that is not callable.
        Whatever the env raises for bad ``env_kwargs``, in this process.
    """
    from .sb3_env import SharedMemoryVecEnv, monitored_env

    check_env_id(env_id)
    factory = partial(monitored_env, env_id, dict(env_kwargs or {}), _check_wrappers(wrappers))
    vec_env = SharedMemoryVecEnv(VectorEngine(factory, n_envs, workers=workers, start_method=start_method,
                                              preload=[monitored_env.__module__], spin_s=spin_s))
    if seed is not None:
        vec_env.seed(seed)
    return vec_env


def make_gym_vec_env(
    env_id: str,
    n_envs: int,
    *,
    workers: int | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    wrappers: Sequence[EnvWrapper] = (),
    start_method: str | None = None,
    spin_s: float = SPIN_S,
) -> SharedMemoryVectorEnv:
    """``n_envs`` copies of ``env_id`` as a gymnasium ``VectorEnv`` with next-step autoreset
    (:class:`~.gymnasium_env.SharedMemoryVectorEnv`); seed it with ``reset(seed=...)`` (env ``i`` gets
    ``seed + i``). Arguments and errors as :func:`make_vec_env`'s; the envs are ``wrappers(gym.make(...))``."""
    check_env_id(env_id)
    factory = partial(build_env, env_id, dict(env_kwargs or {}), _check_wrappers(wrappers))
    return SharedMemoryVectorEnv(VectorEngine(factory, n_envs, workers=workers, start_method=start_method,
                                              spin_s=spin_s))
