"""What the neural teachers share about torch: the lazy import, the device, seeded network building, state copies.

torch is imported only when a neural teacher is built, so ``import teachgym.teachers`` and every other teacher work
without it. Randomness rule of the neural teachers: networks are initialised inside :func:`seeded_torch` from the
teacher's numpy generator, and every later draw (noise, minibatches, latent samples) comes from that same numpy
generator, so the base class's generator state is the only random state and a resume is exact on any device.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from .base import TeacherError

SEED_BOUND = 2**63 - 1


def import_torch(teacher: str) -> Any:
    """Import and return the ``torch`` module for the teacher called ``teacher``.

    Raises:
        TeacherError: when torch is not installed, saying how to install it.
    """
    try:
        return importlib.import_module("torch")
    except ImportError:
        raise TeacherError(f"teacher {teacher!r} needs PyTorch: install it with `pip install torch` "
                           f"(or `pip install teachgym[rl]`)") from None


def resolve_torch_device(device: Any, teacher: str) -> Any:
    """The ``torch.device`` meant by ``device``: "auto" (CUDA when available, else CPU), "cpu", "cuda", "cuda:N",
    or a ``torch.device``.

    Raises:
        TeacherError: naming the value, for anything else or for a CUDA device this machine does not have.
    """
    torch = import_torch(teacher)
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    expected = '"auto", "cpu", "cuda", "cuda:N" or a torch.device'
    if not isinstance(device, (str, torch.device)):
        raise TeacherError(f"teacher {teacher!r}: device must be {expected}, got {device!r}")
    try:
        resolved = torch.device(device)
    except (RuntimeError, ValueError):
        raise TeacherError(f"teacher {teacher!r}: device must be {expected}, got {device!r}") from None
    if resolved.type not in ("cpu", "cuda"):
        raise TeacherError(f"teacher {teacher!r}: device must be {expected}, got {device!r}")
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise TeacherError(f"teacher {teacher!r}: device {device!r} was asked for but CUDA is not available "
                               f"here; use device='auto' or 'cpu'")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise TeacherError(f"teacher {teacher!r}: device {device!r} does not exist: this machine has "
                               f"{torch.cuda.device_count()} CUDA device(s)")
    return resolved


@contextlib.contextmanager
def seeded_torch(rng: np.random.Generator) -> Iterator[None]:
    """Within the block, torch's global CPU generator is seeded from ``rng``; its previous state comes back after.

    Networks built (on CPU) inside the block get initial weights determined by the teacher's seed, and the
    student's own torch random stream is left exactly where it was.
    """
    torch = import_torch("neural teacher")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(rng.integers(SEED_BOUND)))
        yield


def numpy_state(state: Any) -> Any:
    """A deep copy of ``state`` (nested dicts, lists and tuples of tensors and plain values) with every tensor as a
    detached numpy array: what a teacher's ``state_dict`` stores of its networks and optimisers. Unlike tensors
    (a pickled tensor carries its storage's memory address), equal states then pickle to equal bytes, so teacher
    states can be compared and checkpointed stably, and they load on any device."""
    return _map_tensors(state, lambda tensor: tensor.detach().cpu().numpy().copy())


def tensor_state(state: Any, device: Any) -> Any:
    """The inverse of :func:`numpy_state`: every numpy array becomes a tensor on ``device``."""
    torch = import_torch("neural teacher")
    return _map_leaves(state, np.ndarray, lambda array: torch.from_numpy(array.copy()).to(device))


def _map_tensors(state: Any, convert: Any) -> Any:
    return _map_leaves(state, import_torch("neural teacher").Tensor, convert)


def _map_leaves(state: Any, leaf_type: type, convert: Any) -> Any:
    if isinstance(state, leaf_type):
        return convert(state)
    if isinstance(state, dict):
        return {key: _map_leaves(value, leaf_type, convert) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(_map_leaves(value, leaf_type, convert) for value in state)
    return state
