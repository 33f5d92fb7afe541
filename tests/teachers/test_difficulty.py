"""Ordering tasks easy to hard: expert difficulty scores, the competence map, quantile thresholds, easiest-share
sampling."""

import math

import numpy as np
import pytest

from teachgym import TaskError, TaskSpace
from teachgym.teachers import TeacherError
from teachgym.teachers.difficulty import (
    PROBE_COUNT,
    CompetenceMap,
    ExpertDifficulty,
    as_offered,
    fixed_design,
    sample_easiest,
    share_threshold,
)

STUMPS = TaskSpace({"stump_height": (0.0, 3.0), "obstacle_spacing": (0.0, 6.0)})
STUMP_EXPERT = {"stump_height": 1.0, "obstacle_spacing": -1.0}


def test_fixed_designs_are_grids_up_to_two_dimensions_and_seed_independent_draws_above():
    line, square = fixed_design(1, 4), fixed_design(2, PROBE_COUNT)
    np.testing.assert_allclose(line[:, 0], [0.125, 0.375, 0.625, 0.875])
    assert square.shape == (4096, 2)
    np.testing.assert_allclose(np.unique(square[:, 0]), (np.arange(64) + 0.5) / 64)
    cube = fixed_design(3, 100)
    assert cube.shape == (100, 3) and cube.min() >= 0.0 and cube.max() <= 1.0
    np.testing.assert_array_equal(cube, fixed_design(3, 100))


def test_share_threshold_is_the_smallest_score_covering_the_share():
    scores = np.arange(10.0)
    assert share_threshold(scores, 0.25) == 2.0  # 3 of 10 scores are <= 2: the first to reach 25%
    assert share_threshold(scores, 0.3) == 2.0
    assert share_threshold(scores, 0.31) == 3.0
    assert share_threshold(scores, 1.0) == math.inf  # the whole space, even tasks scoring above every probe


def test_linear_weights_score_the_normalised_task():
    difficulty = ExpertDifficulty(STUMPS, STUMP_EXPERT, teacher="t")
    units = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.25]])
    np.testing.assert_allclose(difficulty(units), [-1.0, 1.0, 0.25])
    one_name = ExpertDifficulty(STUMPS, {"obstacle_spacing": -2.0}, teacher="t")  # missing names weigh 0
    np.testing.assert_allclose(one_name(units), [-2.0, 0.0, -0.5])


def test_a_difficulty_function_gets_named_tasks_in_task_units():
    seen = []

    def difficulty(task):
        seen.append(task)
        return task["stump_height"] - task["obstacle_spacing"]

    scores = ExpertDifficulty(STUMPS, difficulty, teacher="t")(np.array([[0.5, 0.5], [1.0, 0.0]]))
    np.testing.assert_allclose(scores, [-1.5, 3.0])
    assert seen == [{"stump_height": 1.5, "obstacle_spacing": 3.0}, {"stump_height": 3.0, "obstacle_spacing": 0.0}]


def test_integer_dimensions_are_scored_as_offered():
    space = TaskSpace({"x": (0.0, 1.0), "n": (0, 4)}, integer=["n"])
    offered = as_offered(space, np.array([[0.3, 0.6]]))  # n = 2.4 is offered as 2
    np.testing.assert_allclose(offered, [[0.3, 0.5]])
    scores = ExpertDifficulty(space, lambda task: task["n"], teacher="t")(offered)
    np.testing.assert_array_equal(scores, [2.0])


@pytest.mark.parametrize(("difficulty", "error", "fragment"), [
    ({"stump_hieght": 1.0}, TaskError, "unknown task parameter 'stump_hieght' (did you mean 'stump_height'?)"),
    ({"stump_height": "hard"}, TeacherError, "difficulty weight of 'stump_height' must be a finite number"),
    ({"stump_height": math.nan}, TeacherError, "must be a finite number, got nan"),
    ({"stump_height": True}, TeacherError, "must be a finite number, got True"),
    ({"stump_height": 0.0}, TeacherError, "are all 0"),
    ({}, TeacherError, "are all 0"),
    ("stump_height", TeacherError, "difficulty must be a callable"),
    ([1.0, -1.0], TeacherError, "difficulty must be a callable"),
])
def test_bad_difficulties_are_refused_clearly(difficulty, error, fragment):
    with pytest.raises(error) as raised:
        ExpertDifficulty(STUMPS, difficulty, teacher="cyclical")
    assert fragment in str(raised.value)
    assert "teacher 'cyclical'" in str(raised.value)


@pytest.mark.parametrize("value", [math.inf, "easy", None, np.bool_(True)])
def test_a_difficulty_function_must_return_finite_numbers(value):
    difficulty = ExpertDifficulty(STUMPS, lambda task: value, teacher="cyclical")
    with pytest.raises(TeacherError, match="difficulty must return a finite number for every task"):
        difficulty(np.array([[0.5, 0.5]]))


def test_easiest_share_samples_are_uniform_below_the_threshold():
    difficulty = ExpertDifficulty(STUMPS, STUMP_EXPERT, teacher="t")
    threshold = share_threshold(difficulty(fixed_design(2, PROBE_COUNT)), 0.25)
    # The score h - s of a uniform task is triangular on [-1, 1]: its 0.25-quantile is -1 + 1/sqrt(2).
    assert threshold == pytest.approx(-1 + 1 / math.sqrt(2), abs=0.005)
    rng = np.random.default_rng(0)
    samples = np.array([sample_easiest(rng, STUMPS, difficulty, threshold, 0.25) for _ in range(2000)])
    scores = difficulty(samples)
    assert scores.max() <= threshold
    # Uniform over {score <= q}: E[score] = -1 + (2/3)(1/sqrt(2)) = -0.529 (not just anywhere below q).
    assert scores.mean() == pytest.approx(-0.5286, abs=0.01)
    # ... and over the whole triangle (0, 0.29), (0, 1), (0.71, 1): its centroid.
    assert samples.mean(axis=0) == pytest.approx([0.236, 0.764], abs=0.01)


def test_the_whole_space_is_uniform_and_an_empty_easy_share_raises():
    rng = np.random.default_rng(1)
    samples = np.array([sample_easiest(rng, STUMPS, lambda u: u[:, 0], math.inf, 1.0) for _ in range(2000)])
    assert samples.mean(axis=0) == pytest.approx([0.5, 0.5], abs=0.02)
    with pytest.raises(TeacherError, match="the easiest 0.25 of the space has almost no volume"):
        sample_easiest(rng, STUMPS, lambda u: np.ones(len(u)), 0.0, 0.25)


def test_competence_regions_are_grid_cells_with_moving_averages():
    competence = CompetenceMap.empty(2, 100, 0.5)
    assert competence.anchors.shape == (100, 2)  # a 10 x 10 grid
    np.testing.assert_array_equal(competence.region_of(np.array([[0.05, 0.05], [0.05, 0.15], [0.99, 0.99]])),
                                  [0, 1, 99])
    competence.record(np.array([0.01, 0.01]), 0.8)  # the first return sets the estimate
    competence.record(np.array([0.09, 0.02]), 0.2)  # then a moving average with rate 0.5
    competence.record(np.array([0.55, 0.55]), 0.9)
    assert competence.estimate[0] == pytest.approx(0.5)
    assert competence.estimate[55] == pytest.approx(0.9)
    assert competence.visits[[0, 55]].tolist() == [2, 1] and competence.visits.sum() == 3


def test_competence_ranks_tried_regions_by_return_and_untried_ones_last():
    competence = CompetenceMap.empty(2, 4, 0.1)  # 2 x 2 cells
    competence.record(np.array([0.9, 0.9]), -5.0)  # cell 3: tried and failed
    competence.record(np.array([0.1, 0.9]), 3.0)  # cell 1: tried and succeeded
    ranks = competence.ranks(np.random.default_rng(0))
    assert ranks[1] == 0 and ranks[3] == 1  # the failed cell still comes before cells never tried
    assert sorted(ranks[[0, 2]]) == [2, 3]


def test_ties_between_untried_regions_are_broken_by_the_generator():
    competence = CompetenceMap.empty(2, 100, 0.1)
    orders = {tuple(competence.ranks(np.random.default_rng(seed))) for seed in range(3)}
    assert len(orders) == 3
    np.testing.assert_array_equal(competence.ranks(np.random.default_rng(5)),
                                  competence.ranks(np.random.default_rng(5)))
