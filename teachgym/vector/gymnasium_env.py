"""The gymnasium face of the engine: :class:`SharedMemoryVectorEnv`, a gymnasium 1.x ``VectorEnv`` with
next-step autoreset and exact task control.

With next-step autoreset (gymnasium's default, declared in ``metadata["autoreset_mode"]``), an env whose episode
ended at one step is reset at the next ``step`` call (that step's action for it is ignored, its reward is 0). So a
``set_task(index, task)`` made after seeing the episode end is the task of the env's very next episode.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from teachgym.task_space import TaskLike

from .buffers import RESET, STEP
from .engine import VectorEngine


class SharedMemoryVectorEnv(VectorEnv):
    """A gymnasium ``VectorEnv`` on a :class:`~.engine.VectorEngine`: what ``SyncVectorEnv`` returns for the same
    seeds and actions (next-step autoreset), from envs stepped in worker processes.

    ``reset(seed=s)`` seeds env ``i`` with ``s + i``; ``options`` go to every env reset (``options["reset_mask"]``,
    a bool array, resets only the envs it marks, as gymnasium's own vector envs do).
    """

    def __init__(self, engine: VectorEngine):
        self.engine = engine
        self.num_envs = engine.num_envs
        self.single_observation_space = engine.observation_space
        self.single_action_space = engine.action_space
        self.observation_space = batch_space(engine.observation_space, engine.num_envs)
        self.action_space = batch_space(engine.action_space, engine.num_envs)
        self.render_mode = engine.render_mode
        self.metadata = {**engine.metadata, "autoreset_mode": AutoresetMode.NEXT_STEP}
        self._autoreset = np.zeros(engine.num_envs, dtype=np.bool_)

    @property
    def task_space(self):
        """The envs' task space (None for envs without one)."""
        return self.engine.task_space

    def set_task(self, index: int, task: TaskLike, **kwargs: Any) -> None:
        """Queue ``task`` as env ``index``'s next episode's task, including the autoreset of the next ``step``
        (see :meth:`VectorEngine.set_task`).

        Raises:
            TaskError: naming the env index, for a task outside the task space; no worker sees it.
        """
        self.engine.set_task(index, task, **kwargs)

    def reset(self, *, seed: int | list[int | None] | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        indices = list(range(self.num_envs)) if mask is None else np.flatnonzero(np.asarray(mask, dtype=bool)).tolist()
        if seed is None:
            seeds = [None] * self.num_envs
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed) + index for index in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"reset: {len(seeds)} seeds for {self.num_envs} envs")
        infos = self.engine.reset(indices, [seeds[index] for index in indices], [options or None] * len(indices))
        self._autoreset[indices] = False
        return self.engine.buffers.observations.copy(), self._batch_infos(infos)

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        buffers = self.engine.buffers
        buffers.actions[:] = np.asarray(actions).reshape(buffers.actions.shape)
        infos, _ = self.engine.step(np.where(self._autoreset, RESET, STEP).astype(np.int8))
        self._autoreset = buffers.terminated | buffers.truncated
        return (buffers.observations.copy(), buffers.rewards.copy(), buffers.terminated.copy(),
                buffers.truncated.copy(), self._batch_infos(infos))

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Call the method ``name`` of every env (or read the attribute, where it is not callable)."""
        return tuple(self.engine.call("call", range(self.num_envs), name, args, kwargs))

    def get_attr(self, name: str) -> tuple[Any, ...]:
        """The attribute ``name`` of every env (through its wrappers)."""
        return tuple(self.engine.call("get_attr", range(self.num_envs), name))

    def set_attr(self, name: str, values: list[Any] | tuple[Any, ...] | Any) -> None:
        """Set ``name`` on every env's outermost wrapper: one value for all, or a list or tuple of one per env."""
        if not isinstance(values, (list, tuple)):
            values = [values] * self.num_envs
        if len(values) != self.num_envs:
            raise ValueError(f"set_attr: {len(values)} values for {self.num_envs} envs")
        for index, value in enumerate(values):
            self.engine.call("set_attr", [index], name, value)

    def render(self) -> tuple[Any, ...] | None:
        """Every env's ``render()``."""
        return self.call("render")

    def close_extras(self, **kwargs: Any) -> None:
        self.engine.close()

    def _batch_infos(self, infos: dict[int, dict[str, Any]]) -> dict[str, Any]:
        batched: dict[str, Any] = {}
        for index in sorted(infos):
            batched = self._add_info(batched, infos[index], index)
        return batched
