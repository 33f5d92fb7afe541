"""Statistics for comparing teachers over seeds, as rliable (Agarwal et al., 2021) and TeachMyAgent define them.

Scores are matrices of shape (runs, tasks): one row per run (seed), one column per task (an env, a challenge); a
1-D array is the runs of a single task. Aggregates reduce the last two axes, so that the bootstrap evaluates all its
resamples at once on arrays of shape (resamples, runs, tasks).

- mean: the mean of all scores.
- IQM (interquartile mean): the mean of the middle 50% of all scores, ``scipy.stats.trim_mean(scores, 0.25)``.
- probability of improvement P(X > Y): per task, the mean over all pairs (x, y) of [x > y] + 0.5 [x == y] (the
  Mann-Whitney U statistic over the number of pairs), then the mean over tasks.
- confidence intervals: percentile bootstrap, stratified: every resample draws the runs of each task with
  replacement from that task's runs (each score matrix on its own), with a seeded generator.
- Welch's t-test: unequal variances, Welch-Satterthwaite degrees of freedom, two-sided p-value.
- CVaR at alpha (conditional value at risk, lower tail): the mean of the ceil(alpha * n) lowest of n values; a
  run's score over its test tasks, which says how it does on its worst tasks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import scipy.stats
from numpy.typing import ArrayLike

from teachgym.errors import TeachgymError
from teachgym.validation import check_integer, check_number

__all__ = ["CONFIDENCE", "CVAR_ALPHA", "RESAMPLES", "Interval", "StatisticsError", "WelchTest", "area_under_curve",
           "cvar", "iqm", "mean", "probability_of_improvement", "score_matrix", "stratified_bootstrap_ci",
           "welch_t_test"]

CONFIDENCE = 0.95
RESAMPLES = 2000
IQM_TRIM = 0.25  # cut from each end: the middle 50% remain
CVAR_ALPHA = 0.1  # the worst 10% of test tasks

Aggregate = Callable[..., "float | np.ndarray"]


class StatisticsError(TeachgymError, ValueError):
    """Scores that a statistic cannot use: empty, not finite, of mismatched shapes, too few samples."""


class Interval(NamedTuple):
    """A confidence interval (floats, or arrays for an aggregate that returns one value per point)."""

    low: float | np.ndarray
    high: float | np.ndarray


class WelchTest(NamedTuple):
    """Welch's t statistic, its degrees of freedom and the two-sided p-value."""

    t: float
    dof: float
    p: float


def score_matrix(scores: ArrayLike) -> np.ndarray:
    """``scores`` as a float array of shape (..., runs, tasks); a 1-D array becomes one task's column.

    Raises:
        StatisticsError: for a scalar, an empty array or a score that is NaN or infinite.
    """
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim == 0:
        raise StatisticsError(f"expected an array of scores (runs x tasks), got the scalar {matrix.item()!r}")
    if matrix.size == 0:
        raise StatisticsError(f"expected at least one score, got an empty array of shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise StatisticsError(f"scores must be finite, got {matrix[~np.isfinite(matrix)][:3].tolist()} among them")
    return matrix[:, None] if matrix.ndim == 1 else matrix


def mean(scores: ArrayLike) -> float | np.ndarray:
    """The mean of all scores (per leading batch index)."""
    return np.mean(_flat(score_matrix(scores)), axis=-1)


def iqm(scores: ArrayLike) -> float | np.ndarray:
    """The interquartile mean: the mean of the middle 50% of all scores (per leading batch index)."""
    return scipy.stats.trim_mean(_flat(score_matrix(scores)), IQM_TRIM, axis=-1)


def probability_of_improvement(x: ArrayLike, y: ArrayLike) -> float | np.ndarray:
    """P(X > Y): per task, the share of run pairs where x beats y (ties count half), averaged over tasks.

    Raises:
        StatisticsError: when ``x`` and ``y`` have different numbers of tasks.
    """
    x, y = score_matrix(x), score_matrix(y)
    if x.shape[-1] != y.shape[-1]:
        raise StatisticsError(f"x has {x.shape[-1]} tasks and y {y.shape[-1]}; both need the same tasks")
    pairs_x, pairs_y = x[..., :, None, :], y[..., None, :, :]
    per_task = np.mean((pairs_x > pairs_y) + 0.5 * (pairs_x == pairs_y), axis=(-3, -2))
    return np.mean(per_task, axis=-1)


def area_under_curve(timesteps: ArrayLike, values: ArrayLike) -> float:
    """The trapezoid area under ``values`` over ``timesteps``, divided by the span from the first to the last
    timestep: the curve's mean height, in the units of ``values`` (a single point gives its value).

    Raises:
        StatisticsError: for empty or mismatched arrays, or timesteps that do not increase.
    """
    steps, heights = np.asarray(timesteps, dtype=np.float64), np.asarray(values, dtype=np.float64)
    if steps.ndim != 1 or steps.shape != heights.shape or steps.size == 0:
        raise StatisticsError(f"expected two 1-D arrays of the same non-zero length, got shapes {steps.shape} "
                              f"and {heights.shape}")
    if np.any(np.diff(steps) <= 0):
        raise StatisticsError(f"timesteps must increase, got {steps.tolist()}")
    if steps.size == 1:
        return float(heights[0])
    area = np.sum(np.diff(steps) * (heights[1:] + heights[:-1]) / 2)
    return float(area / (steps[-1] - steps[0]))


def cvar(values: ArrayLike, alpha: float = CVAR_ALPHA) -> float:
    """The conditional value at risk of the lower tail: the mean of the ``k = ceil(alpha * n)`` lowest of the ``n``
    values (at least one value, so every task counts when ``alpha * n < 1``; a whole value, never a fraction of
    one). With alpha = 0.1 and 25 test tasks it is the mean of the 3 worst; ``alpha = 1`` gives the mean.

    Raises:
        StatisticsError: for values that are not a non-empty 1-D array of finite numbers, or ``alpha`` outside
            (0, 1].
    """
    check_number("alpha", alpha, low=0, high=1, low_open=True, error=StatisticsError)
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise StatisticsError(f"expected a 1-D array of values (one per task), got shape {array.shape}")
    ordered = np.sort(score_matrix(array)[:, 0])
    # the rounding error of alpha * n (0.1 * 30 = 3.0000000000000004) must not take one value more
    count = max(1, math.ceil(round(alpha * ordered.size, 9)))
    return float(np.mean(ordered[:count]))


def stratified_bootstrap_ci(aggregate: Aggregate, *scores: ArrayLike, resamples: int = RESAMPLES,
                            confidence: float = CONFIDENCE, seed: int | np.random.Generator = 0) -> Interval:
    """The percentile-bootstrap confidence interval of ``aggregate(*scores)``.

    Each resample redraws, for every score matrix and every task, that task's runs with replacement. ``aggregate``
    must reduce the last two axes (as :func:`mean`, :func:`iqm` and :func:`probability_of_improvement` do); when it
    returns several values per resample (e.g. one per task) the interval is an array per value.

    Raises:
        StatisticsError: for invalid scores, ``resamples < 1`` or ``confidence`` outside (0, 1).
    """
    check_integer("resamples", resamples, minimum=1, error=StatisticsError)
    check_number("confidence", confidence, low=0, high=1, low_open=True, high_open=True, error=StatisticsError)
    if not scores:
        raise StatisticsError("expected at least one score matrix to resample")
    rng = np.random.default_rng(seed)
    resampled = []
    for matrix in map(score_matrix, scores):
        if matrix.ndim != 2:
            raise StatisticsError(f"expected a (runs x tasks) matrix, got shape {matrix.shape}")
        runs, tasks = matrix.shape
        picks = rng.integers(0, runs, size=(resamples, runs, tasks))
        resampled.append(np.take_along_axis(matrix[None], picks, axis=1))
    values = np.asarray(aggregate(*resampled))
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(values, [tail, 100 - tail], axis=0)
    return Interval(_scalar_or_array(low), _scalar_or_array(high))


def welch_t_test(x: ArrayLike, y: ArrayLike) -> WelchTest:
    """Welch's t-test of mean(x) == mean(y) without assuming equal variances.

    When both samples are constant the t statistic is infinite (p = 0) if their means differ and NaN (p = NaN)
    if they are equal, as in ``scipy.stats.ttest_ind(x, y, equal_var=False)``; the degrees of freedom are NaN.

    Raises:
        StatisticsError: when a sample is not 1-D, has fewer than 2 values, or holds a NaN or infinite value.
    """
    samples = []
    for name, sample in (("x", x), ("y", y)):
        values = np.asarray(sample, dtype=np.float64)
        if values.ndim != 1 or values.size < 2:
            raise StatisticsError(f"Welch's t-test needs 1-D samples of at least 2 values; {name} has shape "
                                  f"{values.shape}")
        samples.append(score_matrix(values)[:, 0])
    x_values, y_values = samples
    x_share = np.var(x_values, ddof=1) / x_values.size
    y_share = np.var(y_values, ddof=1) / y_values.size
    squared_error = x_share + y_share
    difference = np.mean(x_values) - np.mean(y_values)
    if squared_error == 0:
        if difference == 0:
            return WelchTest(np.nan, np.nan, np.nan)
        return WelchTest(float(np.copysign(np.inf, difference)), np.nan, 0.0)
    t = difference / np.sqrt(squared_error)
    dof = squared_error**2 / (x_share**2 / (x_values.size - 1) + y_share**2 / (y_values.size - 1))
    return WelchTest(float(t), float(dof), float(2 * scipy.stats.t.sf(abs(t), dof)))


def _flat(matrix: np.ndarray) -> np.ndarray:
    """Runs and tasks merged into the last axis."""
    return matrix.reshape(*matrix.shape[:-2], -1)


def _scalar_or_array(value: np.ndarray) -> float | np.ndarray:
    return float(value) if np.ndim(value) == 0 else value
