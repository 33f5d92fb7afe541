"""Plain data for YAML, JSON and equality: what configs and test-set specs are stored as."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["plain_data"]


def plain_data(value: Any) -> Any:
    """A deep copy of ``value`` made of dicts (with string keys), lists and Python scalars: tuples become lists,
    numpy arrays nested lists and numpy scalars Python ones, so that YAML writes it and ``==`` compares it plainly."""
    if isinstance(value, Mapping):
        return {str(key): plain_data(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain_data(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
