"""The competence map's learning rule on small hand-made grids: the zone of proximal development, the spreading
kernel, forgetting and the mastered share."""

import math

import numpy as np
import pytest

from teachgym import TeachgymError
from teachgym.envs.simulated import CompetenceMap, LearningRule
from teachgym.errors import EnvOptionError

WIDTH = 0.05  # task units per cell


def line(difficulties, feasible=None, **rule) -> CompetenceMap:
    """A 1-D map with the given cell difficulties (all feasible unless said otherwise)."""
    difficulty = np.asarray(difficulties, dtype=float)
    feasible = np.ones(difficulty.shape, bool) if feasible is None else np.asarray(feasible)
    return CompetenceMap(difficulty, feasible, [WIDTH], mastery=0.8, rule=LearningRule(**rule))


def ramp(n: int = 10, **rule) -> CompetenceMap:
    """Difficulty rising by 0.05 per cell from 0.025."""
    return line(0.025 + WIDTH * np.arange(n), **rule)


def test_learnability_is_one_up_to_the_supported_level_and_falls_linearly_beyond_it():
    student = ramp()
    learnability = [student.learnability(student.index_of((i,))) for i in range(5)]
    # base 0.1, zpd 0.1: cells 0 and 1 (0.025, 0.075) from scratch, then 1 - (d - 0.1) / 0.1
    assert learnability == pytest.approx([1.0, 1.0, 0.75, 0.25, 0.0])


def test_a_mastered_cell_supports_the_cells_within_the_support_radius():
    student = ramp()
    competence = np.zeros(10)
    competence[3] = 0.9  # mastered, difficulty 0.175
    student.competence = competence
    learnability = [student.learnability(student.index_of((i,))) for i in range(3, 8)]
    # cells 4 and 5 are within 0.1 of cell 3: supported at 0.175; cell 6 is not (only the base level supports it)
    assert learnability == pytest.approx([1.0, 0.5, 0.0, 0.0, 0.0])


def test_training_spreads_to_neighbours_through_the_gaussian_kernel():
    student = ramp(learning_rate=0.5)
    student.train(student.index_of((1,)))
    kernel = [math.exp(-0.5 * k**2) for k in (1, 0, 1, 2, 3)]  # spread 0.05 = one cell
    np.testing.assert_allclose(student.competence[:5], [0.5 * k for k in kernel])
    assert student.competence[5] == 0.0  # beyond 3 standard deviations


def test_training_saturates_towards_full_competence():
    student = ramp()
    for _ in range(50):
        student.train(student.index_of((0,)))
    assert student.competence[0] == pytest.approx(1 - 0.9**50)


def test_infeasible_cells_never_learn_and_training_on_them_teaches_nothing():
    student = line([0.025, 0.075, 0.125], feasible=[True, False, True])
    for _ in range(20):
        student.train(student.index_of((0,)))
    assert student.competence[1] == 0.0 and student.competence[0] > 0.8
    before = student.competence
    assert student.train(student.index_of((1,))) == 0.0
    np.testing.assert_array_equal(student.competence, before)


def test_forgetting_decays_everything_outside_the_kernel():
    student = ramp(forgetting_rate=0.01)
    competence = np.full(10, 0.9)
    student.competence = competence
    student.train(student.index_of((9,)))  # cell 9 is mastered already: learns a little more
    assert student.competence[0] == pytest.approx(0.9 * 0.99)
    neighbour = math.exp(-0.5)  # kernel weight of cell 8: practised in part, so it forgets less, then learns
    decayed = 0.9 * (1 - 0.01 * (1 - neighbour))
    assert student.competence[8] == pytest.approx(decayed + 0.1 * neighbour * (1 - decayed))


def test_mastered_share_reset_and_read_only_views():
    student = CompetenceMap(np.zeros((4, 5)), np.ones((4, 5), bool), [WIDTH, WIDTH], 0.8, LearningRule())
    assert student.mastered_share() == 0.0
    competence = np.zeros((4, 5))
    competence[:2, :3] = 0.81
    competence[3, 4] = 0.8  # not above mastery
    student.competence = competence
    assert student.mastered_share() == pytest.approx(6 / 20)
    with pytest.raises(ValueError, match="read-only"):
        student.competence[0, 0] = 0.0
    student.reset()
    assert student.mastered_share() == 0.0 and not student.competence.any()


def test_bad_inputs_are_refused():
    with pytest.raises(EnvOptionError, match="'zpd_width' must be a finite number > 0, got 0.0"):
        LearningRule(zpd_width=0.0)
    with pytest.raises(EnvOptionError, match="'base_difficulty' must be a finite number, got inf"):
        LearningRule(base_difficulty=math.inf)
    with pytest.raises(TeachgymError, match="same grid"):
        CompetenceMap(np.zeros(3), np.ones(4, bool), [WIDTH], 0.8, LearningRule())
    with pytest.raises(TeachgymError, match=r"mastery must be a finite number in \(0, 1\), got"):
        CompetenceMap(np.zeros(3), np.ones(3, bool), [WIDTH], 1.0, LearningRule())
    student = ramp(3)
    with pytest.raises(TeachgymError, match=r"cell \(3,\) is not in the grid of shape \(3,\)"):
        student.index_of((3,))
    with pytest.raises(TeachgymError, match="values in"):
        student.competence = np.full(3, 1.5)
    with pytest.raises(TeachgymError, match="infeasible"):
        line([0.0, 0.1], feasible=[True, False]).competence = np.array([0.0, 0.5])
