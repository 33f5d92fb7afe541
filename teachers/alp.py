"""Absolute learning progress (ALP) from a growing history of (task, return) pairs (Portelas et al., CoRL 2019).

The ALP of a new episode is ``|return - return of the nearest earlier task|``, the nearest neighbour taken exactly
over every earlier task in the unit cube. The history is preallocated and doubles when full, and tasks are stored
one dimension per row (``(ndim, capacity)``) so the one distance pass runs over long contiguous rows: with 20,000
earlier tasks an episode costs about 30 microseconds in 2-D (130 in 12-D), where a scan over ``(n, ndim)`` rows took
350-850 (measured on a 2-core machine).
"""

from __future__ import annotations

import numpy as np

INITIAL_CAPACITY = 256


class ALPHistory:
    """Every episode's unit task, return and ALP so far.

    Args:
        ndim: task dimensions.
        capacity: rows preallocated; the arrays double whenever they fill up.
    """

    def __init__(self, ndim: int, capacity: int = INITIAL_CAPACITY):
        self.tasks = np.zeros((ndim, capacity))
        self.returns = np.zeros(capacity)
        self.alps = np.zeros(capacity)
        self.size = 0

    def add(self, unit_task: np.ndarray, episode_return: float) -> float:
        """Record an episode and return its ALP (0 for the first one: nothing to compare it with).

        Among equally near earlier tasks the earliest counts.
        """
        if self.size == 0:
            alp = 0.0
        else:
            offsets = self.tasks[:, :self.size] - np.asarray(unit_task, dtype=np.float64)[:, None]
            offsets *= offsets
            nearest = int(offsets.sum(axis=0).argmin())
            alp = abs(episode_return - float(self.returns[nearest]))
        if self.size == self.returns.shape[0]:
            self._grow()
        self.tasks[:, self.size] = unit_task
        self.returns[self.size] = episode_return
        self.alps[self.size] = alp
        self.size += 1
        return alp

    def recent_task_alps(self, count: int) -> np.ndarray:
        """The last ``count`` episodes (fewer if there are fewer) as rows ``[unit task..., ALP]``, oldest first."""
        start = max(0, self.size - count)
        return np.vstack([self.tasks[:, start:self.size], self.alps[None, start:self.size]]).T

    def mean_alp(self, count: int) -> float:
        """Mean ALP of the last ``count`` episodes (0 before any)."""
        start = max(0, self.size - count)
        return float(self.alps[start:self.size].mean()) if self.size > start else 0.0

    def _grow(self) -> None:
        capacity = 2 * self.returns.shape[0]
        self.tasks, self.returns, self.alps = (_extended(array, capacity)
                                               for array in (self.tasks, self.returns, self.alps))


def _extended(array: np.ndarray, capacity: int) -> np.ndarray:
    """A copy of ``array`` with its last axis zero-padded to ``capacity``."""
    extended = np.zeros(array.shape[:-1] + (capacity,))
    extended[..., :array.shape[-1]] = array
    return extended
