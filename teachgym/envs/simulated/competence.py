"""The competence map of a simulated student: what it can do, and how training on one task changes that.

A :class:`CompetenceMap` is a grid of cells over the relevant task dimensions; every cell holds a competence in
[0, 1], a difficulty and whether it is feasible at all. The learning rule (:class:`LearningRule`) is a zone of
proximal development: a task is learnable when it is easy from scratch, or only a little harder than cells already
mastered close to it; training on it raises competence in a Gaussian neighbourhood (skills spread to neighbouring
tasks) and lets every cell it does not touch decay a little (forgetting). The map knows nothing of gymnasium or of
task units: the env (:mod:`.student`) maps tasks to cells.

Cost: one ``train`` touches only the kernel's and the support's neighbourhood of the trained cell (a padded flat
grid, so no bounds checks), plus one multiplication of the whole grid when forgetting is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from ...errors import EnvOptionError, TeachgymError
from ...validation import check_number

__all__ = ["CompetenceMap", "LearningRule"]

# The learning rule's bounded parameters (check_number's bounds): a width or radius, and a share per episode.
POSITIVE = {"low": 0.0, "low_open": True}
SHARE = {"low": 0.0, "high": 1.0}
# The kernel is cut where it falls below exp(-KERNEL_CUTOFF**2 / 2) of its peak: 3 standard deviations.
KERNEL_CUTOFF = 3.0


@dataclass(frozen=True)
class LearningRule:
    """How a simulated student learns and forgets. Difficulties and distances are in task units.

    Attributes:
        learning_rate: share of the missing competence ``1 - c`` gained by the trained cell per episode when the
            task is fully learnable.
        spread: standard deviation of the Gaussian kernel that spreads learning (and practice) to neighbouring
            cells.
        base_difficulty: tasks at most this difficult are learnable from scratch.
        zpd_width: width of the zone of proximal development: a task ``g`` harder than the hardest mastered cell
            within ``support_radius`` (or than ``base_difficulty``) is learnable at rate ``1 - g / zpd_width``.
        support_radius: how far a mastered cell supports learning the tasks around it.
        forgetting_rate: share of its competence an unpractised cell loses per episode (0: no forgetting).
    """

    learning_rate: float = 0.1
    spread: float = 0.05
    base_difficulty: float = 0.1
    zpd_width: float = 0.1
    support_radius: float = 0.1
    forgetting_rate: float = 0.0

    def __post_init__(self) -> None:
        bounds = {"spread": POSITIVE, "zpd_width": POSITIVE, "support_radius": POSITIVE, "learning_rate": SHARE,
                  "forgetting_rate": SHARE}
        for item in fields(self):
            check_number(f"learning-rule parameter {item.name!r}", getattr(self, item.name),
                         **bounds.get(item.name, {}), error=EnvOptionError)


class CompetenceMap:
    """A student's competence over a grid of cells, trained one cell per episode.

    Args:
        difficulty: difficulty of every cell (an array of the grid's shape, one axis per relevant dimension).
        feasible: which cells can be learned at all (same shape); infeasible cells stay at competence 0.
        cell_widths: width of a cell along each axis, in task units (the kernel and the support radius are in task
            units, so a wider task space is a coarser grid to the same student).
        mastery: competence above which a cell counts as mastered (it then supports learning around it).
        rule: the learning rule.

    Raises:
        EnvOptionError: for non-positive widths or a mastery level outside (0, 1).
        TeachgymError: on mismatched shapes.
    """

    def __init__(
        self,
        difficulty: np.ndarray,
        feasible: np.ndarray,
        cell_widths: Sequence[float],
        mastery: float,
        rule: LearningRule,
    ):
        difficulty = np.asarray(difficulty, dtype=np.float64)
        feasible = np.asarray(feasible, dtype=bool)
        if difficulty.shape != feasible.shape or difficulty.ndim != len(cell_widths):
            raise TeachgymError(f"difficulty {difficulty.shape}, feasible {feasible.shape} and cell widths "
                                f"{tuple(cell_widths)} must describe the same grid")
        if any(not width > 0 for width in cell_widths):
            raise EnvOptionError(f"cell widths must be positive, got {tuple(cell_widths)}")
        check_number("mastery", mastery, low=0, high=1, low_open=True, high_open=True, error=EnvOptionError)
        self.rule = rule
        self.mastery = float(mastery)
        self.shape = difficulty.shape
        widths = np.asarray(cell_widths, dtype=np.float64)
        kernel_offsets, kernel_distances = _stencil(widths, KERNEL_CUTOFF * rule.spread)
        support_offsets, _ = _stencil(widths, rule.support_radius)
        pad = np.maximum(np.abs(kernel_offsets).max(axis=0), np.abs(support_offsets).max(axis=0))
        self._padded_shape = tuple(int(n + 2 * p) for n, p in zip(self.shape, pad))
        self._interior = tuple(slice(int(p), int(p) + n) for n, p in zip(self.shape, pad))
        # Padding cells are infinitely hard and infeasible: they never learn and never support, so the stencils
        # can be applied to any cell without bounds checks.
        self._difficulty = np.full(self._padded_shape, np.inf)
        self._difficulty[self._interior] = difficulty
        self._feasible = np.zeros(self._padded_shape)
        self._feasible[self._interior] = feasible
        self._difficulty = self._difficulty.ravel()
        self._feasible = self._feasible.ravel()
        self._strides = tuple(int(np.prod(self._padded_shape[axis + 1:])) for axis in range(len(self.shape)))
        self._origin = sum(int(p) * stride for p, stride in zip(pad, self._strides))
        self._kernel_offsets = self._flat_offsets(kernel_offsets)
        self._kernel = np.exp(-0.5 * (kernel_distances / rule.spread) ** 2)
        self._support_offsets = self._flat_offsets(support_offsets)
        self._competence = np.zeros(int(np.prod(self._padded_shape)))
        self._view = self._competence.reshape(self._padded_shape)[self._interior]

    # --------------------------------------------------------------------------------------------- learning
    def index_of(self, cell: Sequence[int]) -> int:
        """The flat index of a cell (a tuple of grid indices), as :meth:`train` and :meth:`learnability` take it.

        Raises:
            TeachgymError: if the cell is not in the grid.
        """
        if len(cell) != len(self.shape) or not all(0 <= int(i) < n for i, n in zip(cell, self.shape)):
            raise TeachgymError(f"cell {tuple(cell)} is not in the grid of shape {self.shape}")
        return int(self._origin + sum(int(i) * stride for i, stride in zip(cell, self._strides)))

    def train(self, index: int) -> float:
        """One episode of training on the cell at flat ``index``: learning around it, forgetting elsewhere.

        Every feasible cell ``j`` gains ``learning_rate * learnability * kernel(j) * (1 - c_j)``, where the
        learnability is the trained cell's (0 for an infeasible one); every cell loses ``forgetting_rate *
        (1 - kernel(j))`` of its competence. Returns the learnability.
        """
        learnability = self.learnability(index)
        neighbourhood = self._kernel_offsets + index
        competence = self._competence[neighbourhood]
        rate = self.rule.forgetting_rate
        if rate > 0:
            self._competence *= 1.0 - rate
            competence *= 1.0 - rate * (1.0 - self._kernel)
        if learnability > 0:
            gain = (self.rule.learning_rate * learnability) * self._kernel * self._feasible[neighbourhood]
            competence += gain * (1.0 - competence)
        self._competence[neighbourhood] = competence
        return learnability

    def learnability(self, index: int) -> float:
        """How learnable the cell at flat ``index`` is now, in [0, 1]: 1 up to the hardest mastered cell within the
        support radius (or the base difficulty), falling linearly to 0 at ``zpd_width`` beyond it; 0 if infeasible.
        """
        if not self._feasible[index]:
            return 0.0
        around = self._support_offsets + index
        mastered = self._competence[around] > self.mastery
        support = self.rule.base_difficulty
        if mastered.any():
            support = max(support, float(self._difficulty[around][mastered].max()))
        gap = float(self._difficulty[index]) - support
        return 1.0 if gap <= 0 else max(0.0, 1.0 - gap / self.rule.zpd_width)

    def competence_at(self, index: int) -> float:
        """Competence of the cell at flat ``index``."""
        return float(self._competence[index])

    def reset(self) -> None:
        """Forget everything: a new student with competence 0 everywhere."""
        self._competence[:] = 0.0

    # ------------------------------------------------------------------------------------------------ state
    @property
    def competence(self) -> np.ndarray:
        """Competence of every cell (a read-only copy, the grid's shape)."""
        return _read_only(self._view)

    @competence.setter
    def competence(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        if values.shape != self.shape or not np.all((values >= 0) & (values <= 1)):
            raise TeachgymError(f"competence must be an array of shape {self.shape} with values in [0, 1]")
        if np.any(values[self._view_feasible() == 0] > 0):
            raise TeachgymError("competence must be 0 on infeasible cells")
        self._view[...] = values

    @property
    def difficulty(self) -> np.ndarray:
        """Difficulty of every cell (a read-only copy)."""
        return _read_only(self._difficulty.reshape(self._padded_shape)[self._interior])

    @property
    def feasible(self) -> np.ndarray:
        """Which cells can be learned at all (a read-only boolean copy)."""
        return _read_only(self._view_feasible() > 0)

    def mastered_share(self) -> float:
        """Share of the cells whose competence is above the mastery level."""
        return float(np.count_nonzero(self._view > self.mastery)) / self._view.size

    # ---------------------------------------------------------------------------------------------- helpers
    def _view_feasible(self) -> np.ndarray:
        return self._feasible.reshape(self._padded_shape)[self._interior]

    def _flat_offsets(self, offsets: np.ndarray) -> np.ndarray:
        return offsets @ np.array(self._strides, dtype=np.int64)


def _stencil(cell_widths: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Integer cell offsets within ``radius`` (task units) of a cell, and their distances; always holds the cell."""
    reach = np.floor(radius / cell_widths).astype(int)
    axes = [np.arange(-r, r + 1) for r in reach]
    offsets = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(cell_widths))
    distances = np.sqrt((((offsets * cell_widths) ** 2).sum(axis=1)))
    keep = distances <= radius
    return offsets[keep], distances[keep]


def _read_only(array: np.ndarray) -> np.ndarray:
    copy = np.array(array)
    copy.flags.writeable = False
    return copy
