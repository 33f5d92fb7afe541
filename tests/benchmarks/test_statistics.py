"""The report's statistics against hand-computed values and scipy's reference implementations."""

import math

import numpy as np
import pytest
import scipy.stats

from teachgym.benchmarks.statistics import (
    Interval,
    StatisticsError,
    area_under_curve,
    cvar,
    iqm,
    mean,
    probability_of_improvement,
    score_matrix,
    stratified_bootstrap_ci,
    welch_t_test,
)
from teachgym.errors import TeachgymError


def test_mean_and_iqm_by_hand():
    assert iqm(np.arange(100)) == 49.5  # the mean of 25..74
    assert iqm([1.0, 2.0, 3.0, 100.0]) == 2.5  # the outlier and the lowest score are cut
    assert mean([1.0, 2.0, 3.0, 100.0]) == 26.5
    matrix = np.arange(12.0).reshape(4, 3)  # runs x tasks: the IQM is over all 12 scores
    assert iqm(matrix) == pytest.approx(scipy.stats.trim_mean(matrix.ravel(), 0.25)) == 5.5


def test_aggregates_reduce_the_last_two_axes_of_a_batch():
    batch = np.random.default_rng(0).normal(size=(5, 8, 3))
    assert iqm(batch) == pytest.approx([iqm(matrix) for matrix in batch])
    assert mean(batch) == pytest.approx(batch.reshape(5, -1).mean(axis=1))


@pytest.mark.parametrize("scores, message", [(3.0, "scalar"), ([], "empty"), ([1.0, math.nan], "finite"),
                                             ([1.0, math.inf], "finite")])
def test_bad_scores_are_refused(scores, message):
    with pytest.raises(StatisticsError, match=message) as error:
        score_matrix(scores)
    assert isinstance(error.value, TeachgymError)


def test_probability_of_improvement_by_hand():
    assert probability_of_improvement([1, 2, 3], [2, 2]) == 0.5  # pairs: 0, 0, .5, .5, 1, 1
    assert probability_of_improvement([3, 4], [1, 2, 3]) == pytest.approx(5.5 / 6)
    assert probability_of_improvement([1, 2], [3, 4]) == 0.0
    # two tasks: 5.5/6 on the first, 0 on the second
    assert probability_of_improvement([[3, 1], [4, 2]], [[1, 3], [2, 4], [3, 5]]) == pytest.approx(5.5 / 12)
    x, y = np.random.default_rng(1).integers(0, 5, size=(2, 7))  # ties included
    u = scipy.stats.mannwhitneyu(x, y, alternative="greater").statistic
    assert probability_of_improvement(x, y) == pytest.approx(u / 49)
    with pytest.raises(StatisticsError, match="same tasks"):
        probability_of_improvement(np.zeros((3, 2)), np.zeros((3, 1)))


def test_welch_t_test_by_hand():
    # x: mean 2.5, variance 5/3; y: mean 6, variance 10; squared standard error 5/12 + 2 = 29/12
    result = welch_t_test([1, 2, 3, 4], [2, 4, 6, 8, 10])
    assert result.t == pytest.approx(-math.sqrt(3.5**2 * 12 / 29))
    assert result.dof == pytest.approx(2523 / 457)  # (29/12)^2 / ((5/12)^2 / 3 + 2^2 / 4)
    assert result.p == pytest.approx(2 * scipy.stats.t.sf(math.sqrt(147 / 29), 2523 / 457))
    assert result.p == pytest.approx(0.069134, abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_welch_t_test_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 1, size=rng.integers(2, 20)), rng.normal(0.5, 3, size=rng.integers(2, 20))
    reference = scipy.stats.ttest_ind(x, y, equal_var=False)
    result = welch_t_test(x, y)
    assert (result.t, result.dof, result.p) == pytest.approx((reference.statistic, reference.df, reference.pvalue))


def test_welch_t_test_of_constant_samples_follows_scipy():
    assert welch_t_test([1, 1], [2, 2])[::2] == (-math.inf, 0.0)
    assert all(math.isnan(value) for value in welch_t_test([1, 1, 1], [1, 1]))
    with pytest.raises(StatisticsError, match="at least 2"):
        welch_t_test([1.0], [1.0, 2.0])


def test_bootstrap_ci_of_a_constant_is_a_point():
    assert stratified_bootstrap_ci(iqm, np.full((5, 3), 0.25)) == Interval(0.25, 0.25)


def test_bootstrap_ci_is_seeded_and_contains_the_estimate():
    scores = np.random.default_rng(2).uniform(size=(10, 3))
    interval = stratified_bootstrap_ci(iqm, scores, seed=7)
    assert interval == stratified_bootstrap_ci(iqm, scores, seed=7)
    assert interval != stratified_bootstrap_ci(iqm, scores, seed=8)
    assert interval.low < iqm(scores) < interval.high
    assert interval.high - interval.low < 0.5


def test_bootstrap_resamples_within_each_task():
    # Task 0's runs are all 0 and task 1's all 1: a stratified resample keeps one of each per run, so the mean is
    # always 0.5 (a resample over the whole matrix would not).
    scores = np.array([[0.0, 1.0]] * 4)
    assert stratified_bootstrap_ci(mean, scores, resamples=200) == Interval(0.5, 0.5)


def test_bootstrap_ci_matches_a_percentile_bootstrap_by_hand():
    scores = np.array([0.1, 0.4, 0.5, 0.9, 0.2])
    picks = np.random.default_rng(3).integers(0, 5, size=(300, 5, 1))  # resamples x runs x tasks, as it draws
    means = scores[picks[..., 0]].mean(axis=1)
    interval = stratified_bootstrap_ci(mean, scores, resamples=300, seed=3)
    assert (interval.low, interval.high) == pytest.approx(tuple(np.percentile(means, [2.5, 97.5])))


def test_probability_of_improvement_ci():
    better, worse = np.linspace(0.5, 1.0, 8), np.linspace(0.0, 0.6, 8)
    point = probability_of_improvement(better, worse)
    interval = stratified_bootstrap_ci(probability_of_improvement, better, worse, seed=0)
    assert 0 <= interval.low < point < interval.high <= 1
    assert stratified_bootstrap_ci(probability_of_improvement, [1.0, 1.0], [0.0, 0.0]) == Interval(1.0, 1.0)


def test_pointwise_interval_for_an_aggregate_per_task():
    curves = np.array([[0.0, 0.5], [0.0, 1.0], [0.0, 0.0]])  # runs x evaluations
    interval = stratified_bootstrap_ci(lambda matrix: matrix.mean(axis=-2), curves, resamples=500)
    assert interval.low.tolist()[0] == interval.high.tolist()[0] == 0.0
    assert 0 <= interval.low[1] < 0.5 < interval.high[1] <= 1


@pytest.mark.parametrize("options, message", [({"resamples": 0}, "resamples"), ({"confidence": 1.0}, "confidence")])
def test_bootstrap_options_are_checked(options, message):
    with pytest.raises(StatisticsError, match=message):
        stratified_bootstrap_ci(mean, [1.0, 2.0], **options)


def test_area_under_curve():
    assert area_under_curve([100, 200, 400], [0.0, 0.2, 0.2]) == pytest.approx((10 + 40) / 300)
    assert area_under_curve([100], [0.3]) == 0.3
    with pytest.raises(StatisticsError, match="increase"):
        area_under_curve([100, 100], [0.0, 1.0])


def test_cvar_is_the_mean_of_the_ceil_alpha_n_lowest_values():
    assert cvar([5.0, 1.0, 3.0, 2.0, 4.0]) == 1.0  # ceil(0.1 * 5) = 1: the worst task alone
    assert cvar([5.0, 1.0, 3.0, 2.0, 4.0], alpha=0.5) == 2.0  # ceil(2.5) = 3: mean of 1, 2, 3
    assert cvar(np.arange(30.0)) == 1.0  # 0.1 * 30 is 3.0000000000000004 in floating point: still 3 values
    assert cvar(np.arange(11.0)) == 0.5  # ceil(1.1) = 2: mean of 0 and 1
    assert cvar([-2.0, 7.0, -8.0, 1.0], alpha=1) == -0.5  # alpha 1: the mean
    assert cvar(np.arange(100.0)[::-1]) == 4.5  # the 10 lowest of 100, whatever their order


@pytest.mark.parametrize(("values", "alpha", "message"), [
    ([], 0.1, "at least one score"),
    ([1.0, np.nan], 0.1, "finite"),
    ([[1.0, 2.0]], 0.1, "1-D array"),
    ([1.0], 0.0, r"alpha must be a finite number in \(0, 1\], got 0.0"),
    ([1.0], 1.5, r"alpha must be a finite number in \(0, 1\], got 1.5"),
])
def test_cvar_refuses_bad_input(values, alpha, message):
    with pytest.raises(StatisticsError, match=message):
        cvar(values, alpha)
