"""A simulated student's ``learning`` switch: an episode run with it off measures the student, and leaves it as it
was."""

import gymnasium as gym
import numpy as np
import pytest

import teachgym  # noqa: F401  (registers the ids)

ACTION = np.zeros(1, dtype=np.float32)
EASY = [0.05, 0.05]


def trained_student(env_id: str, seed: int = 0) -> gym.Env:
    """A student with some competence (so that forgetting, where on, has something to take away)."""
    env = gym.make(env_id)
    env.reset(seed=seed)
    for _ in range(20):
        env.reset(options={"task": EASY})
        env.step(ACTION)
    return env


@pytest.mark.parametrize("env_id", ["teachgym/SimulatedStudent-v0", "teachgym/SimulatedStudent-Forgetting-v0"])
def test_an_exploratory_episode_leaves_the_competence_untouched_and_a_replay_changes_it(env_id):
    env = trained_student(env_id)
    student = env.unwrapped
    before, expected = np.array(student.competence), student.expected_return([0.15, 0.1])
    student.learning = False
    env.reset(options={"task": [0.15, 0.1]})
    _, episode_return, terminated, _, info = env.step(ACTION)
    assert terminated and info["task"] == {"difficulty_x": 0.15, "difficulty_y": 0.1}
    assert episode_return == pytest.approx(expected, abs=30.0)  # it still measures the student
    np.testing.assert_array_equal(student.competence, before)

    student.learning = True
    env.reset(options={"task": [0.15, 0.1]})
    env.step(ACTION)
    assert not np.array_equal(student.competence, before)
    assert student.expected_return([0.15, 0.1]) > expected


def test_an_exploratory_episode_draws_the_same_noise_as_a_replay():
    learning, measuring = (trained_student("teachgym/SimulatedStudent-v0") for _ in range(2))
    measuring.unwrapped.learning = False
    returns = []
    for env in (learning, measuring):
        env.reset(options={"task": EASY})
        returns.append(env.step(ACTION)[1])
    assert returns[0] == returns[1]  # the same return on the same student: only the training differs
    assert learning.unwrapped.mastered_share >= measuring.unwrapped.mastered_share
    assert not np.array_equal(learning.unwrapped.competence, measuring.unwrapped.competence)
