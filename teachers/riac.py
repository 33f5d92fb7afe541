"""RIAC: tasks from the regions of the task space where the student's returns change the most.

Robust Intelligent Adaptive Curiosity (Baranes & Oudeyer, 2009, "R-IAC: Robust Intrinsically Motivated Exploration
and Active Learning"), in the version of Portelas et al. (2019) that TeachMyAgent benchmarks (Romac et al., 2021).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from teachgym.task_space import TaskSpace

from .base import Teacher, TeacherError
from .blas import single_blas_thread
from .checks import checked_integer, checked_real
from .registry import register_teacher


@dataclass
class Region:
    """A box ``[low, high]`` of the unit task space with its latest (task, return) pairs, oldest first.

    A split region keeps collecting the pairs that fall in it (a rolling window of ``max_region_size + 1``) and
    sends each new pair on to the child holding it: left when ``task[split_dim] < split_threshold``.
    """

    low: np.ndarray
    high: np.ndarray
    tasks: np.ndarray
    returns: np.ndarray
    size: int = 0
    split_dim: int = -1
    split_threshold: float = math.nan
    children: tuple[int, int] | None = None


@register_teacher("riac")
class RIACTeacher(Teacher):
    """Splits the task space into a tree of boxes and samples where absolute learning progress (ALP) is high.

    Each region keeps its latest (task, return) pairs; its ALP is ``|mean(older half) - mean(newer half)|`` of the
    returns in its window. A leaf holding more than ``max_region_size`` pairs tries ``nb_split_attempts`` random cuts
    (a random dimension, a threshold uniform in the region) and keeps the valid one whose two children differ most in
    ALP; with no valid cut it forgets its oldest ``discard_ratio`` of pairs instead. Sampling: with probability
    ``mutation_ratio`` the lowest-return task of a region chosen in proportion to ALP, moved by Gaussian noise;
    with probability ``random_task_ratio`` a uniform task; otherwise a uniform task in a region chosen in proportion
    to ALP (uniformly while every ALP is 0).

    Hyperparameters (defaults from Portelas et al. 2019; preset ``"tma"``: TeachMyAgent's benchmark values):
        max_region_size: pairs a leaf holds before it splits (200; TMA 150).
        alp_window_size: number of latest returns a region's ALP is computed over (None: ``max_region_size``).
        nb_split_attempts: random cuts tried per split (50; TMA 75).
        min_region_size: pairs each child needs for a cut to be valid (None: ``max_region_size / 20``).
        min_dims_range_ratio: smallest width of a child along the cut, as a share of the dimension's full range
            (1/6; TMA 0.1). It bounds the depth of the tree.
        discard_ratio: share of ``max_region_size`` forgotten, oldest first, by a full leaf that cannot split (1/4).
        random_task_ratio: probability of a uniform task (0.2).
        mutation_ratio: probability of mutating a region's lowest-return task (0.1).
        mutation_std: standard deviation of that mutation in the unit cube (0.1).
        sampling_in_leaves_only: choose among leaves only instead of every region of the tree (False, as in TMA).

    Returns are rescaled by ``reward_range`` when one is given (``normalized_return``); sampling and splits depend
    only on ratios of ALPs, so the rescaling changes only the logged ALP values.
    """

    presets = {"tma": {"max_region_size": 150, "nb_split_attempts": 75, "min_dims_range_ratio": 0.1}}
    state_attributes = ("regions", "region_alps", "candidates")

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        max_region_size: int = 200,
        alp_window_size: int | None = None,
        nb_split_attempts: int = 50,
        min_region_size: int | None = None,
        min_dims_range_ratio: float = 1 / 6,
        discard_ratio: float = 1 / 4,
        random_task_ratio: float = 0.2,
        mutation_ratio: float = 0.1,
        mutation_std: float = 0.1,
        sampling_in_leaves_only: bool = False,
        **base: Any,
    ):
        name = self.name
        self.max_region_size = checked_integer(name, "max_region_size", max_region_size, minimum=2)
        self.alp_window_size = (self.max_region_size if alp_window_size is None
                                else checked_integer(name, "alp_window_size", alp_window_size, minimum=2))
        self.nb_split_attempts = checked_integer(name, "nb_split_attempts", nb_split_attempts, minimum=1)
        self.min_region_size = (max(1, math.ceil(self.max_region_size / 20)) if min_region_size is None
                                else checked_integer(name, "min_region_size", min_region_size, minimum=1))
        if 2 * self.min_region_size > self.max_region_size + 1:
            raise TeacherError(f"teacher {name!r}: min_region_size = {self.min_region_size} leaves no valid split of "
                               f"a region of {self.max_region_size + 1} pairs; expected at most "
                               f"{(self.max_region_size + 1) // 2}")
        self.min_dims_range_ratio = checked_real(name, "min_dims_range_ratio", min_dims_range_ratio,
                                                  low=0.0, high=0.5)
        # 0 would let a full region that cannot split grow without bound
        self.discard_ratio = checked_real(name, "discard_ratio", discard_ratio, low=0.0, high=1.0, low_open=True)
        self.random_task_ratio = checked_real(name, "random_task_ratio", random_task_ratio, low=0.0, high=1.0)
        self.mutation_ratio = checked_real(name, "mutation_ratio", mutation_ratio, low=0.0, high=1.0)
        if self.random_task_ratio + self.mutation_ratio > 1.0:
            raise TeacherError(f"teacher {name!r}: random_task_ratio + mutation_ratio = "
                               f"{self.random_task_ratio + self.mutation_ratio:g} is a probability and must be <= 1")
        self.mutation_std = checked_real(name, "mutation_std", mutation_std, low=0.0)
        if not isinstance(sampling_in_leaves_only, (bool, np.bool_)):
            raise TeacherError(f"teacher {name!r}: sampling_in_leaves_only must be True or False, "
                               f"got {sampling_in_leaves_only!r}")
        self.sampling_in_leaves_only = bool(sampling_in_leaves_only)
        super().__init__(task_space, **base)
        self.regions: list[Region] = [self._new_region(np.zeros(self.ndim), np.ones(self.ndim))]
        self.region_alps = np.zeros(1)
        # the regions sampling chooses from: every region, or the leaves only
        self.candidates = np.zeros(1, dtype=np.int64)

    # ------------------------------------------------------------------------------------------------ sampling
    def _sample(self) -> np.ndarray:
        mode = self.rng.random()
        if mode < self.mutation_ratio:
            return self._mutated_worst_task()
        if mode < self.mutation_ratio + self.random_task_ratio:
            return self.rng.uniform(0.0, 1.0, self.ndim)
        region = self.regions[self._region_by_alp()]
        return self.rng.uniform(region.low, region.high)

    def _mutated_worst_task(self) -> np.ndarray:
        """The lowest-return task of a region chosen by ALP, moved by Gaussian noise and kept inside the region.

        reference.md says "mutation of the worst task"; TeachMyAgent's code picks the region in proportion to ALP,
        then its lowest-return pair: that is what this does.
        """
        region = self.regions[self._region_by_alp()]
        if region.size == 0:
            return self.rng.uniform(region.low, region.high)
        worst = region.tasks[int(np.argmin(region.returns[:region.size]))]
        return np.clip(self.rng.normal(worst, self.mutation_std), region.low, region.high)

    def _region_by_alp(self) -> int:
        """Index of a region drawn in proportion to its ALP (uniformly when every ALP is 0)."""
        cumulative = np.cumsum(self.region_alps[self.candidates])
        if cumulative[-1] <= 0.0:
            return int(self.candidates[self.rng.integers(len(self.candidates))])
        position = int(np.searchsorted(cumulative, self.rng.random() * cumulative[-1], side="right"))
        return int(self.candidates[min(position, len(self.candidates) - 1)])

    # ------------------------------------------------------------------------------------------------ learning
    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        value = self.normalized_return(episode_return)
        index = 0
        while True:
            region = self.regions[index]
            _append(region, unit_task, value)
            self.region_alps[index] = _alp(region.returns[:region.size], self.alp_window_size)
            if region.children is None:
                break
            left, right = region.children
            index = left if unit_task[region.split_dim] < region.split_threshold else right
        if region.size > self.max_region_size and not self._split(index):
            kept = region.size - max(1, int(self.max_region_size * self.discard_ratio))
            region.tasks[:kept] = region.tasks[region.size - kept:region.size]
            region.returns[:kept] = region.returns[region.size - kept:region.size]
            region.size = kept
            self.region_alps[index] = _alp(region.returns[:kept], self.alp_window_size)

    def _split(self, index: int) -> bool:
        """Try random cuts of region ``index``; on a valid one add its two children and return True.

        The score of a cut is the ALP difference of its children alone: TeachMyAgent multiplies it by
        ``len(child) * len(other child)``, but its children are ``[returns, tasks]`` pairs, so that factor is always 4.
        """
        region = self.regions[index]
        tasks, returns = region.tasks[:region.size], region.returns[:region.size]
        best: tuple[int, float, np.ndarray, float, float] | None = None
        best_score = -math.inf
        with single_blas_thread():
            for _ in range(self.nb_split_attempts):
                dim = int(self.rng.integers(self.ndim))
                threshold = float(self.rng.uniform(region.low[dim], region.high[dim]))
                if min(threshold - region.low[dim], region.high[dim] - threshold) < self.min_dims_range_ratio:
                    continue
                left = tasks[:, dim] < threshold
                left_size = int(left.sum())
                if min(left_size, region.size - left_size) < self.min_region_size:
                    continue
                left_alp = _alp(returns[left], self.alp_window_size)
                right_alp = _alp(returns[~left], self.alp_window_size)
                if abs(left_alp - right_alp) > best_score:
                    best_score = abs(left_alp - right_alp)
                    best = (dim, threshold, left, left_alp, right_alp)
        if best is None:
            return False
        dim, threshold, left, left_alp, right_alp = best
        left_high, right_low = region.high.copy(), region.low.copy()
        left_high[dim] = right_low[dim] = threshold
        for low, high, side in ((region.low.copy(), left_high, left), (right_low, region.high.copy(), ~left)):
            child = self._new_region(low, high)
            child.size = int(side.sum())
            child.tasks[:child.size] = tasks[side]
            child.returns[:child.size] = returns[side]
            self.regions.append(child)
        region.split_dim, region.split_threshold = dim, threshold
        region.children = (len(self.regions) - 2, len(self.regions) - 1)
        self.region_alps = np.append(self.region_alps, [left_alp, right_alp])
        self.candidates = np.array([i for i, region in enumerate(self.regions)
                                    if region.children is None or not self.sampling_in_leaves_only])
        return True

    def _new_region(self, low: np.ndarray, high: np.ndarray) -> Region:
        capacity = self.max_region_size + 1
        return Region(low=low, high=high, tasks=np.zeros((capacity, self.ndim)), returns=np.zeros(capacity))

    def _metrics(self) -> dict[str, float]:
        alps = self.region_alps[self.candidates]
        return {"regions": float(len(alps)), "mean_region_alp": float(alps.mean()), "max_region_alp": float(alps.max())}


def _append(region: Region, task: np.ndarray, value: float) -> None:
    """Add a pair at the end of the region's window; a full window (only split regions fill it) drops its oldest."""
    if region.size == len(region.returns):
        region.tasks[:-1] = region.tasks[1:]
        region.returns[:-1] = region.returns[1:]
        region.size -= 1
    region.tasks[region.size] = task
    region.returns[region.size] = value
    region.size += 1


def _alp(returns: np.ndarray, window: int) -> float:
    """|mean of the older half - mean of the newer half| of the latest ``window`` returns (0 below 3 returns)."""
    count = len(returns)
    if count <= 2:
        return 0.0
    width = min(count, window)
    half = width // 2
    # sums rather than means: this runs for every region on a task's path, and ndarray.mean costs 3x more
    return abs(float(returns[count - width:count - half].sum() / (width - half) - returns[count - half:].sum() / half))
