"""The Stable-Baselines3 face of the engine: :class:`SharedMemoryVecEnv`, a ``VecEnv`` with exact task control.

This module imports Stable-Baselines3; :func:`teachgym.vector.make_vec_env` imports it only when called, so
``import teachgym`` stays free of SB3 and torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.common.vec_env.base_vec_env import VecEnvIndices, VecEnvObs, VecEnvStepReturn

from teachgym.task_space import TaskLike

from .buffers import RESET, SKIP, STEP, STEP_AUTORESET
from .engine import VectorEngine

# What Monitor copies from the last step's info into info["episode"] (what the curriculum needs).
EPISODE_INFO_KEYS = ("task", "success")
# Called inside step_wait for every env whose episode has just ended, before its autoreset: (env index, the final
# step's reward as step_wait returns it, the final step's info, with "terminal_observation").
EpisodeEndHook = Callable[[int, float, dict[str, Any]], None]


class SharedMemoryVecEnv(VecEnv):
    """An SB3 ``VecEnv`` on a :class:`~.engine.VectorEngine`: what ``DummyVecEnv`` returns, for the same seeds and
    actions (float32 rewards, ``terminal_observation`` and ``TimeLimit.truncated`` in the infos, reset infos in
    ``reset_infos``), from envs stepped in worker processes.

    Exact task control: :meth:`set_task` queues a task for an env's next reset. SB3 resets an env inside ``step``,
    before any callback sees its episode end; with an :meth:`set_episode_end_hook`, the autoresets wait until the
    hook has seen each finished env, so a ``set_task`` made in the hook is the task of that env's very next
    episode. (Without a hook an env resets in its worker at once, with the task queued before.)
    """

    def __init__(self, engine: VectorEngine):
        self.engine = engine
        self._hook: EpisodeEndHook | None = None
        super().__init__(engine.num_envs, engine.observation_space, engine.action_space)
        self._operations = {operation: np.full(self.num_envs, operation, dtype=np.int8)
                            for operation in (STEP, STEP_AUTORESET)}

    @property
    def task_space(self):
        """The envs' task space (None for envs without one)."""
        return self.engine.task_space

    @property
    def n_workers(self) -> int:
        """Worker processes (0: the envs run in this process)."""
        return self.engine.n_workers

    def set_task(self, index: int, task: TaskLike, **kwargs: Any) -> None:
        """Queue ``task`` as env ``index``'s next episode's task (see :meth:`VectorEngine.set_task`).

        Raises:
            TaskError: naming the env index, for a task outside the task space; no worker sees it.
        """
        self.engine.set_task(index, task, **kwargs)

    def set_episode_end_hook(self, hook: EpisodeEndHook | None) -> None:
        """Call ``hook(index, reward, info)`` for every env whose episode ends, inside ``step_wait`` and before the
        env's autoreset (None: no hook, envs reset in their workers at once)."""
        self._hook = hook

    def reset(self) -> VecEnvObs:
        options = [dict(options) if options else None for options in self._options]
        infos = self.engine.reset(seeds=self._seeds, options=options)
        self.reset_infos = [infos[index] for index in range(self.num_envs)]
        self._reset_seeds()
        self._reset_options()
        return self.engine.buffers.observations.copy()

    def step_async(self, actions: np.ndarray) -> None:
        self.engine.buffers.actions[:] = np.asarray(actions).reshape(self.engine.buffers.actions.shape)
        self.engine.step_async(self._operations[STEP if self._hook is not None else STEP_AUTORESET])

    def step_wait(self) -> VecEnvStepReturn:
        step_infos, resets = self.engine.step_wait()
        buffers = self.engine.buffers
        rewards = buffers.rewards.astype(np.float32)
        dones = buffers.terminated | buffers.truncated
        infos = [step_infos[index] for index in range(self.num_envs)]
        for info, truncated_only in zip(infos, (buffers.truncated & ~buffers.terminated).tolist()):
            info["TimeLimit.truncated"] = truncated_only
        for index, (final_observation, reset_info) in resets.items():
            infos[index]["terminal_observation"] = final_observation
            self.reset_infos[index] = reset_info
        if self._hook is not None and dones.any():
            finished = np.flatnonzero(dones).tolist()
            for index in finished:
                infos[index]["terminal_observation"] = buffers.observations[index].copy()
                self._hook(index, float(rewards[index]), infos[index])
            # The finished envs' resets as a step that skips the others: a plain step's one-byte command per worker
            # (their flags and rewards in the block go to 0; dones and rewards above are copies).
            reset_infos, _ = self.engine.step(np.where(dones, RESET, SKIP).astype(np.int8))
            for index in finished:
                self.reset_infos[index] = reset_infos[index]
        return buffers.observations.copy(), rewards, dones, infos

    def close(self) -> None:
        self.engine.close()
        self.closed = True

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return self.engine.call("get_attr", self._get_indices(indices), attr_name)

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        self.engine.call("set_attr", self._get_indices(indices), attr_name, value)

    def env_method(self, method_name: str, *method_args: Any, indices: VecEnvIndices = None,
                   **method_kwargs: Any) -> list[Any]:
        return self.engine.call("call", self._get_indices(indices), method_name, method_args, method_kwargs)

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        return self.engine.call("is_wrapped", self._get_indices(indices), wrapper_class)

    def get_images(self) -> Sequence[np.ndarray | None]:
        if self.render_mode != "rgb_array":
            return [None] * self.num_envs
        return self.engine.call("call", range(self.num_envs), "render", (), {})

    def _get_indices(self, indices: VecEnvIndices) -> list[int]:
        return list(super()._get_indices(indices))


def monitored_env(env_id: str, env_kwargs: dict[str, Any], wrappers: Sequence[Callable[[gym.Env], gym.Env]]) -> gym.Env:
    """``Monitor(wrappers(gym.make(env_id, **env_kwargs)))``; the Monitor copies :data:`EPISODE_INFO_KEYS` of the
    last step's info into ``info["episode"]`` for an env with a task space."""
    from . import build_env

    env = build_env(env_id, env_kwargs, wrappers)
    try:
        env.get_wrapper_attr("task_space")
    except AttributeError:
        return Monitor(env)
    return Monitor(env, info_keywords=EPISODE_INFO_KEYS)
