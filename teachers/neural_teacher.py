"""The skeleton shared by the teachers that learn with torch networks (GoalGAN, Setter-Solver): the device, the
networks' and optimisers' part of the state, and the conversions between numpy and tensors.

This module does not import torch; the teachers build their networks in ``__init__`` through :meth:`_build`, so
``import teachgym.teachers`` stays free of torch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace
from teachgym.validation import is_positive_integer

from .base import Teacher, TeacherError
from .torch_support import import_torch, numpy_state, resolve_torch_device, seeded_torch, tensor_state

# A task that comes back to ``update`` is the proposed task it matches within this distance in the unit cube (max
# norm): it went through a denormalise/normalise round trip on its way, which may move it by a few ulps.
SAME_TASK = 1e-6


class NeuralTeacher(Teacher):
    """Base of the torch teachers; not registered itself.

    A subclass builds its networks and optimisers in ``__init__`` by passing a factory to :meth:`_build` (run with
    torch's generator seeded from the teacher's, on CPU, then moved to ``self.device``); they land in
    ``self.networks`` and ``self.optimisers``, and :meth:`optimise` steps them. :meth:`state_dict` adds their weights
    and optimiser states as numpy arrays (so states pickle deterministically and load on any device). Every later
    random draw must come from ``self.rng``.

    Args:
        device: where the networks live: "auto" (CUDA when available), "cpu", "cuda", "cuda:N" or a torch.device;
            the run API passes the student's. Subclasses list it in their own signature (``device="auto"``) so
            that it counts among their hyperparameters, and pass it on.
    """

    state_attributes: ClassVar[tuple[str, ...]] = ("skipped_steps", "batch_mean", "batch_std")

    def __init__(self, task_space: TaskSpace, *, device: Any = "auto", **base: Any):
        super().__init__(task_space, **base)
        self.torch = import_torch(self.name)
        self.device = resolve_torch_device(device, self.name)
        self.networks: dict[str, Any] = {}
        self.optimisers: dict[str, Any] = {}
        self.skipped_steps = 0
        # Mean and std (unit cube) of the latest batch of tasks drawn from the networks, for the metrics.
        self.batch_mean = np.full(self.ndim, 0.5)
        self.batch_std = np.zeros(self.ndim)

    def metrics(self) -> dict[str, float]:
        """The teacher's figures, with ``skipped_steps`` (optimiser steps skipped for a non-finite loss) and, per
        task dimension, ``batch_mean.<name>`` and ``batch_std.<name>`` (task units) of the latest batch of tasks
        drawn from the networks: where they send the student now."""
        width = self.task_space.high - self.task_space.low
        means, stds = self.task_space.low + self.batch_mean * width, self.batch_std * width
        batch = {}
        for name, mean, std in zip(self.task_space.names, means, stds):
            batch[f"batch_mean.{name}"], batch[f"batch_std.{name}"] = float(mean), float(std)
        return {**super().metrics(), "skipped_steps": float(self.skipped_steps), **batch}

    def _remember_batch(self, unit_tasks: np.ndarray) -> np.ndarray:
        """Note the statistics of a batch of tasks just drawn from the networks (for the metrics); returns it."""
        self.batch_mean, self.batch_std = unit_tasks.mean(axis=0), unit_tasks.std(axis=0)
        return unit_tasks

    # The networks are small: torch's intra-op thread pool costs them more than it saves, badly so on a busy machine
    # (700 GoalGAN episodes: 1.6 s on one thread, 35 s on two of two loaded cores). So the teacher's torch work runs
    # on one thread, and the caller's (the student's) setting is restored afterwards.
    def sample_task(self) -> np.ndarray:
        with self.one_thread():
            return super().sample_task()

    def update(self, task: np.ndarray | Sequence[float] | Mapping[str, float], episode_return: float, *,
               success: bool | None = None) -> None:
        with self.one_thread():
            super().update(task, episode_return, success=success)

    @contextlib.contextmanager
    def one_thread(self) -> Iterator[None]:
        """A block in which torch computes on one CPU thread (the previous count comes back after)."""
        threads = self.torch.get_num_threads()
        self.torch.set_num_threads(1)
        try:
            yield
        finally:
            self.torch.set_num_threads(threads)

    def _build(self, factory: Callable[[], tuple[dict[str, Any], Callable[[dict[str, Any]], dict[str, Any]]]]) -> None:
        """Build the networks with ``factory() -> (networks, make_optimisers)`` under the teacher's seed, move them
        to the device, then create their optimisers with ``make_optimisers(networks)``."""
        with seeded_torch(self.rng), self.one_thread():
            networks, make_optimisers = factory()
        self.networks = {name: network.to(self.device) for name, network in networks.items()}
        self.optimisers = make_optimisers(self.networks)

    def optimise(self, network: str, loss: Any) -> None:
        """One step of the optimiser of ``network`` on ``loss`` (gradients cleared first). A non-finite loss is
        skipped and counted (``skipped_steps``) rather than spreading NaN into the weights, and so into tasks."""
        if not bool(self.torch.isfinite(loss)):
            self.skipped_steps += 1
            return
        optimiser = self.optimisers[network]
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    # --------------------------------------------------------------------------------------------- conversions
    def tensor(self, array: np.ndarray, dtype: type = np.float32) -> Any:
        """A tensor (float32 unless ``dtype`` says otherwise) on the teacher's device from a numpy array (e.g. a draw
        of ``self.rng``)."""
        return self.torch.as_tensor(np.asarray(array, dtype=dtype), device=self.device)

    def reported(self, unit: np.ndarray) -> np.ndarray:
        """The unit task that ``update`` will receive for the proposed ``unit`` (integer dimensions come back
        rounded, fixed ones as 0): how a teacher recognises its proposals when their episodes end."""
        return self.task_space.normalize(self.task_space.denormalize(np.clip(unit, 0.0, 1.0)))

    @staticmethod
    def array(tensor: Any) -> np.ndarray:
        """A float64 numpy copy of a tensor, detached and on the CPU."""
        return tensor.detach().cpu().numpy().astype(np.float64)

    # ---------------------------------------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, Any]:
        """The base state plus ``networks`` and ``optimisers``: their state dicts with tensors as numpy arrays."""
        return {
            **super().state_dict(),
            "networks": {name: numpy_state(network.state_dict()) for name, network in self.networks.items()},
            "optimisers": {name: numpy_state(optimiser.state_dict()) for name, optimiser in self.optimisers.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a :meth:`state_dict`, networks and optimisers included, onto this teacher's device.

        Raises:
            TeacherError: if the state is malformed, belongs to another teacher or task space, or holds networks of
                other sizes. The network part is checked before anything changes.
        """
        if isinstance(state, Mapping) and state.get("teacher") == self.name:
            self._check_network_state(state)
        super().load_state_dict(state)
        # CPU tensors: the modules copy them onto their parameters' device, and the optimisers place each value as
        # a fresh optimiser of that device would (step counters stay on the CPU).
        for name, network in self.networks.items():
            network.load_state_dict(tensor_state(state["networks"][name], "cpu"))
        for name, optimiser in self.optimisers.items():
            optimiser.load_state_dict(tensor_state(state["optimisers"][name], "cpu"))

    def _check_network_state(self, state: Mapping[str, Any]) -> None:
        missing = [part for part in ("networks", "optimisers") if part not in state]
        if missing:
            raise TeacherError(f"not a teacher state of {self.name!r}: missing {missing}")
        for part, owners in (("networks", self.networks), ("optimisers", self.optimisers)):
            saved = state[part]
            if not isinstance(saved, Mapping) or set(saved) != set(owners):
                raise TeacherError(f"teacher state of {self.name!r}: {part} must hold {sorted(owners)}, got "
                                   f"{sorted(saved) if isinstance(saved, Mapping) else saved!r}")
        for name, network in self.networks.items():
            expected = {key: tuple(value.shape) for key, value in network.state_dict().items()}
            found = {key: tuple(np.shape(value)) for key, value in state["networks"][name].items()}
            if found != expected:
                raise TeacherError(f"teacher state of {self.name!r}: network {name!r} was saved with other sizes "
                                   f"than this teacher's (check its layer hyperparameters)")


def matching_row(rows: np.ndarray, unit_task: np.ndarray) -> int | None:
    """The index of the row of ``rows`` (proposed unit tasks) that ``unit_task`` is, within :data:`SAME_TASK`;
    None when it is none of them."""
    if not len(rows):
        return None
    distances = np.abs(rows - unit_task).max(axis=1)
    index = int(np.argmin(distances))
    return index if distances[index] <= SAME_TASK else None


def checked_layers(teacher: str, name: str, value: object) -> tuple[int, ...]:
    """Hidden layer sizes: a non-empty sequence of positive integers; else a TeacherError naming ``name``."""
    layers = list(value) if isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping)) else []
    if not layers or not all(is_positive_integer(size) for size in layers):
        raise TeacherError(f"teacher {teacher!r}: {name} must be a non-empty sequence of positive layer sizes, "
                           f"got {value!r}")
    return tuple(int(size) for size in layers)
