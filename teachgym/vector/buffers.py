"""The shared block that the main process and the workers of a vector env read and write: one flat byte buffer
(``multiprocessing.RawArray``, or a ``bytearray`` in process) with a numpy view per field.

Per env: its observation, action, reward, terminated and truncated flags, the operation the worker does at the next
step (:data:`SKIP`, :data:`STEP`, :data:`STEP_AUTORESET`, :data:`RESET`), and its task slot (a task vector and a flag
saying it waits for the env's next reset).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from teachgym.errors import TeachgymError

SKIP, STEP, STEP_AUTORESET, RESET = 0, 1, 2, 3
_ALIGNMENT = 16
ARRAY_SPACES = (gym.spaces.Box, gym.spaces.Discrete, gym.spaces.MultiDiscrete, gym.spaces.MultiBinary)

Layout = dict[str, tuple[int, str, tuple[int, ...]]]


def check_array_space(space: gym.Space, what: str) -> None:
    """Raise :class:`~teachgym.errors.TeachgymError` unless ``space`` is one numpy array per env (Box, Discrete,
    MultiDiscrete, MultiBinary): the spaces a shared block holds."""
    if not isinstance(space, ARRAY_SPACES):
        names = ", ".join(kind.__name__ for kind in ARRAY_SPACES)
        raise TeachgymError(f"teachgym.vector holds {what}s of one of {names} in shared memory; got {space}")


def buffer_layout(n_envs: int, observation_space: gym.Space, action_space: gym.Space, task_ndim: int) -> Layout:
    """Field name -> (byte offset, dtype, shape) of the block for ``n_envs`` envs with these spaces."""
    check_array_space(observation_space, "observation")
    check_array_space(action_space, "action")
    fields = {
        "observations": (observation_space.dtype, (n_envs, *observation_space.shape)),
        "actions": (action_space.dtype, (n_envs, *action_space.shape)),
        "rewards": (np.float64, (n_envs,)),
        "terminated": (np.bool_, (n_envs,)),
        "truncated": (np.bool_, (n_envs,)),
        "operations": (np.int8, (n_envs,)),
        "tasks": (np.float64, (n_envs, max(task_ndim, 1))),
        "task_pending": (np.bool_, (n_envs,)),
    }
    layout: Layout = {}
    offset = 0
    for name, (dtype, shape) in fields.items():
        layout[name] = (offset, np.dtype(dtype).str, shape)
        size = np.dtype(dtype).itemsize * int(np.prod(shape))
        offset += -(-size // _ALIGNMENT) * _ALIGNMENT
    return layout


def block_size(layout: Layout) -> int:
    """Bytes the block of ``layout`` needs."""
    return max(offset + np.dtype(dtype).itemsize * int(np.prod(shape)) for offset, dtype, shape in layout.values())


class SharedBuffers:
    """Numpy views of every field of ``layout`` on ``block`` (anything with the buffer protocol), as attributes."""

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    operations: np.ndarray
    tasks: np.ndarray
    task_pending: np.ndarray

    def __init__(self, block: Any, layout: Layout):
        for name, (offset, dtype, shape) in layout.items():
            count = int(np.prod(shape))
            setattr(self, name, np.frombuffer(block, dtype=dtype, count=count, offset=offset).reshape(shape))
