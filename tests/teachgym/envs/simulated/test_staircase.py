"""The staircase student: cells unlock after a previous neighbour is mastered, as teachDeepRL's toy env, with its
noise-free return and a success drawn with the cell's competence as probability (the env contract tests cover it
through the registry)."""

import pickle

import gymnasium as gym
import numpy as np
import pytest

import teachgym
from teachgym.envs.simulated import StaircaseStudent
from teachgym.envs.simulated.staircase import StaircaseMap
from teachgym.errors import EnvOptionError, TeachgymError

ENV_ID = "teachgym/SimulatedStudent-Staircase-v0"
ACTION = np.zeros(1, dtype=np.float32)


def cell_task(column: int, row: int, cells: int = 10) -> list[float]:
    """The centre of a cell, in task units."""
    return [(column + 0.5) / cells, (row + 0.5) / cells]


def episodes_on(student: StaircaseStudent, column: int, row: int, episodes: int) -> list[tuple[float, bool]]:
    """Run ``episodes`` episodes on one cell; return their returns and successes."""
    outcomes = []
    for _ in range(episodes):
        student.reset(options={"task": cell_task(column, row, student.competence.shape[0])})
        _, episode_return, _, _, info = student.step(ACTION)
        outcomes.append((episode_return, info["success"]))
    return outcomes


def train(student: StaircaseStudent, column: int, row: int, episodes: int) -> list[float]:
    """Run ``episodes`` episodes on one cell; return their returns."""
    return [episode_return for episode_return, _ in episodes_on(student, column, row, episodes)]


def with_competence(student: StaircaseStudent, competence: np.ndarray) -> StaircaseStudent:
    """The student with this competence (its generator kept)."""
    student.load_state_dict({"competence": competence, "np_random": student.np_random.bit_generator.state})
    return student


def new_student(**kwargs) -> StaircaseStudent:
    student = StaircaseStudent(**kwargs)
    student.reset(seed=0)
    return student


def test_the_staircase_is_registered_as_a_simulated_student():
    assert ENV_ID in teachgym.env_ids() and gym.spec(ENV_ID).max_episode_steps == 2
    student = gym.make(ENV_ID).unwrapped
    assert isinstance(student, StaircaseStudent)
    assert student.task_space.names == ("difficulty_x", "difficulty_y")
    assert student.competence.shape == (10, 10) and student.mastery == 0.75
    assert student.REWARD_THRESHOLDS == (0.0, 180.0)


def test_the_return_is_the_competence_without_noise_by_default_as_in_the_toy_env():
    student = new_student()
    assert student.return_noise == 0.0 and student.graded_success
    assert train(student, 0, 0, 4) == [-100.0, -96.0, -92.0, -88.0]
    noisy = new_student(return_noise=5.0)
    assert [round(r, 1) for r in train(noisy, 0, 0, 3)] == [-99.4, -92.8, -94.7]


def test_only_the_start_cell_is_learnable_at_first():
    student = new_student()
    assert train(student, 3, 0, 5) == [-100.0] * 5
    assert train(student, 1, 1, 5) == [-100.0] * 5
    assert student.competence.sum() == 0.0
    assert train(student, 0, 0, 3) == [-100.0, -96.0, -92.0]  # each return is the competence before the episode


def test_a_cell_is_mastered_after_76_episodes_and_unlocks_its_next_neighbours():
    student = new_student()
    train(student, 0, 0, 75)
    assert student.competence[0, 0] == 0.75 and student.mastered_share == 0.0
    assert train(student, 1, 0, 2) == [-100.0, -100.0]  # competence 0.75 is not above the mastery level
    train(student, 0, 0, 1)
    assert student.mastered_share == 0.01
    for column, row in [(1, 0), (0, 1), (1, 1)]:  # next neighbours, the diagonal included
        assert train(student, column, row, 2) == [-100.0, -96.0]
    for column, row in [(2, 0), (0, 2), (2, 2), (2, 1)]:  # two steps away: still locked
        assert train(student, column, row, 2) == [-100.0, -100.0]


def test_competence_saturates_and_only_previous_neighbours_unlock_a_cell():
    student = new_student(cells=4)
    for stair in range(3):  # up the diagonal
        train(student, stair, stair, 76)
    train(student, 2, 2, 50)
    assert student.competence[2, 2] == 1.0
    np.testing.assert_array_equal(np.argwhere(student.competence > 0), [[0, 0], [1, 1], [2, 2]])
    assert train(student, 3, 2, 2) == [-100.0, -96.0]  # (2, 2) is a previous neighbour
    assert train(student, 3, 1, 2) == [-100.0, -100.0]  # (2, 2) is a neighbour, but not a previous one


def test_a_teacher_following_the_frontier_masters_the_grid_in_76_episodes_per_cell():
    student = new_student(cells=3)
    for stair in range(3):
        for column in range(3):
            for row in range(3):
                if max(column, row) == stair:
                    train(student, column, row, 76)
    assert student.mastered_share == 1.0
    np.testing.assert_array_equal(student.difficulty, [[0, 1, 2], [1, 1, 2], [2, 2, 2]])
    assert student.feasible.all()


def test_success_is_drawn_with_the_cells_competence_as_probability():
    student = new_student()
    successes = [success for _, success in episodes_on(student, 0, 0, 100)]
    # competence 0 to 0.49 over the first 50 episodes, 0.5 to 0.99 over the last 50
    assert (sum(successes[:50]), sum(successes[50:])) == (9, 35)
    assert successes[0] is False  # competence 0 never succeeds
    assert not any(success for _, success in episodes_on(student, 5, 5, 20))  # a locked cell never succeeds
    student.learning = False
    with_competence(student, np.where(np.arange(100).reshape(10, 10) == 0, 0.5, 1.0))
    assert sum(success for _, success in episodes_on(student, 0, 0, 1000)) == 507
    assert all(success for _, success in episodes_on(student, 9, 9, 20))  # competence 1 always succeeds


def test_evaluated_successes_are_binomial_in_the_competence_and_do_not_train():
    student = with_competence(new_student(), np.where(np.arange(100).reshape(10, 10) == 0, 0.5, 0.0))
    counts = student.evaluate_successes([[0.05, 0.05], [0.05, 0.05], [0.15, 0.15], [0.95, 0.95]], 1000)
    np.testing.assert_array_equal(counts, [521, 501, 0, 0])
    assert student.competence[0, 0] == 0.5
    with pytest.raises(TeachgymError, match="n_rollouts must be an integer >= 1, got 0"):
        student.evaluate_successes([[0.05, 0.05]], 0)


def test_the_threshold_success_and_return_noise_of_other_simulated_students_remain_options():
    student = new_student(graded_success=False, return_noise=5.0)
    outcomes = episodes_on(student, 0, 0, 90)[70:80]  # competence 0.70 to 0.79: returns around 200
    assert [success for _, success in outcomes] == [False] * 4 + [True, False] + [True] * 4
    assert all(success == (episode_return > 200.0) for episode_return, success in outcomes)
    np.testing.assert_array_equal(student.evaluate_successes([[0.05, 0.05], [0.95, 0.95]], 100), [100, 0])
    sharp = new_student(graded_success=False)
    assert [success for _, success in episodes_on(sharp, 0, 0, 78)[-3:]] == [False, True, True]  # above 200


def test_state_and_pickles_restore_the_student_exactly():
    student = StaircaseStudent(return_noise=5.0)
    student.reset(seed=4)
    train(student, 0, 0, 80)
    train(student, 1, 0, 10)
    clone = pickle.loads(pickle.dumps(student))
    restored = StaircaseStudent(return_noise=5.0)
    restored.load_state_dict(student.state_dict())
    np.testing.assert_array_equal(restored.competence, student.competence)
    expected = episodes_on(student, 1, 0, 20)
    assert episodes_on(clone, 1, 0, 20) == expected and episodes_on(restored, 1, 0, 20) == expected
    assert 0 < sum(success for _, success in expected) < 20  # competence 0.10 to 0.29: successes are drawn
    threshold = pickle.loads(pickle.dumps(StaircaseStudent(graded_success=False)))
    assert not threshold.graded_success and threshold.return_noise == 0.0


def test_bad_arguments_and_states_are_refused():
    with pytest.raises(TeachgymError, match="cells must be an integer >= 1, got 0"):
        StaircaseStudent(cells=0)
    with pytest.raises(TeachgymError, match="competence_steps must be an integer >= 1, got 0"):
        StaircaseStudent(competence_steps=0)
    with pytest.raises(TeachgymError, match="multiples of 1/100"):
        StaircaseStudent().load_state_dict({"competence": np.full((10, 10), 0.005), "np_random": None})
    with pytest.raises(TeachgymError, match="mastery must lie in"):
        StaircaseMap((2, 2), 10, 1.0)
    with pytest.raises(EnvOptionError, match="graded_success must be True or False, got 1"):
        StaircaseStudent(graded_success=1)


def test_value_estimates_and_rendering_come_from_the_simulated_student():
    student = StaircaseStudent(render_mode="rgb_array")
    student.reset(seed=0)
    train(student, 0, 0, 50)
    np.testing.assert_allclose(student.value_estimates([[0.05, 0.05], [0.95, 0.95]]), [100.0, -100.0])
    assert student.render().shape == (120, 120, 3)
