"""Expert easy-to-hard: from the expert's easy Gaussian to the target, linearly, optionally gated by returns."""

import math

import numpy as np
import pytest

import teachgym.teachers.expert_curriculum  # noqa: F401  (registers "expert-easy-to-hard")
from teachgym import TaskSpace
from teachgym.teachers import TeacherError, make_teacher

STUMPS = TaskSpace({"stump_height": (0.0, 3.0), "obstacle_spacing": (0.0, 6.0)})
# TeachMyAgent's "high" expert knowledge for Stump Tracks: no stumps, widest spacing, std 10% of each range.
EASY_STUMPS = {"mean": [0.0, 6.0], "std": [0.3, 0.6]}
# A Gaussian N(0, 0.1) clipped at 0 (the bound the expert's mean sits on): mean 0.1 / sqrt(2 pi), std
# 0.1 * sqrt(1/2 - 1/(2 pi)).
CLIPPED_MEAN, CLIPPED_STD = 0.1 / math.sqrt(2 * math.pi), 0.1 * math.sqrt(0.5 - 1 / (2 * math.pi))
UNIFORM_STD = 1 / math.sqrt(12)


def unit_samples(teacher, count: int) -> np.ndarray:
    return STUMPS.normalize(np.array([teacher.sample_task() for _ in range(count)]))


def feed(teacher, episodes: int, episode_return: float) -> None:
    for _ in range(episodes):
        teacher.update(teacher.sample_task(), episode_return)


def test_the_curriculum_starts_at_the_expert_distribution_and_ends_uniform():
    teacher = make_teacher("expert-easy-to-hard", STUMPS, seed=0, initial_distribution=EASY_STUMPS,
                           curriculum_length=1000)
    start = unit_samples(teacher, 4000)
    assert start.mean(axis=0) == pytest.approx([CLIPPED_MEAN, 1 - CLIPPED_MEAN], abs=0.005)
    assert start.std(axis=0) == pytest.approx([CLIPPED_STD, CLIPPED_STD], abs=0.005)
    feed(teacher, 500, 0.0)
    assert teacher.metrics()["progress"] == 0.5
    halfway = unit_samples(teacher, 4000)  # half expert, half uniform: the mean moves linearly
    assert halfway.mean(axis=0) == pytest.approx([(CLIPPED_MEAN + 0.5) / 2, (1 - CLIPPED_MEAN + 0.5) / 2], abs=0.01)
    feed(teacher, 600, 0.0)
    assert teacher.metrics()["progress"] == 1.0
    end = unit_samples(teacher, 4000)
    assert end.mean(axis=0) == pytest.approx([0.5, 0.5], abs=0.015)
    assert end.std(axis=0) == pytest.approx([UNIFORM_STD, UNIFORM_STD], abs=0.01)


def test_a_gaussian_target_is_reached():
    target = {"mean": {"stump_height": 2.4, "obstacle_spacing": 1.2}, "std": {"stump_height": 0.15,
                                                                                "obstacle_spacing": 0.3}}
    teacher = make_teacher("expert-easy-to-hard", STUMPS, seed=1, initial_distribution=EASY_STUMPS,
                           target_distribution=target, curriculum_length=50)
    feed(teacher, 50, 0.0)
    end = unit_samples(teacher, 4000)
    assert end.mean(axis=0) == pytest.approx([0.8, 0.2], abs=0.005)
    assert end.std(axis=0) == pytest.approx([0.05, 0.05], abs=0.005)


def test_with_a_success_threshold_the_curriculum_waits_for_good_returns():
    teacher = make_teacher("expert-easy-to-hard", STUMPS, seed=0, initial_distribution=EASY_STUMPS,
                           curriculum_length=100, success_threshold=0.6, success_window=10, reward_range=(0, 100))
    feed(teacher, 50, 40.0)  # normalised 0.4 < 0.6: no progress
    assert teacher.metrics() == {"episodes": 50.0, "progress": 0.0, "recent_return": pytest.approx(0.4)}
    feed(teacher, 5, 100.0)  # recent mean 0.7: the curriculum moves again
    assert teacher.metrics()["progress"] == 0.02  # from the 4th good episode on: (4 * 1.0 + 6 * 0.4) / 10 >= 0.6
    feed(teacher, 200, 100.0)
    assert teacher.metrics()["progress"] == 1.0


def test_a_restored_teacher_continues_exactly(continues_exactly):
    teacher = make_teacher("expert-easy-to-hard", STUMPS, seed=2, initial_distribution=EASY_STUMPS,
                           curriculum_length=300, success_threshold=0.5, success_window=20, reward_range=(0, 1))
    rng = np.random.default_rng(2)
    for _ in range(150):
        teacher.update(teacher.sample_task(), float(rng.uniform()))
    resumed = make_teacher("expert-easy-to-hard", STUMPS, seed=9, initial_distribution=EASY_STUMPS,
                           curriculum_length=300, success_threshold=0.5, success_window=20, reward_range=(0, 1))
    continues_exactly(teacher, resumed, lambda: float(rng.uniform()), 200)
    assert 0.0 < teacher.metrics()["progress"] < 1.0


def test_the_initial_distribution_is_required():
    with pytest.raises(TeacherError, match=r"teacher 'expert-easy-to-hard' needs expert knowledge of easy tasks: "
                                           r"pass initial_distribution=\{'mean'"):
        make_teacher("expert-easy-to-hard", STUMPS)


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"initial_distribution": {"mean": [0.0, 6.0]}}, "initial_distribution must be a mapping with exactly"),
    ({"initial_distribution": {"mean": [0.0, 7.0], "std": [0.3, 0.6]}}, "'obstacle_spacing' = 7 is outside"),
    ({"target_distribution": "uniformly"}, "target_distribution must be 'uniform' or a Gaussian"),
    ({"target_distribution": {"mean": [0.0, 6.0], "std": [-1.0, 0.6]}}, "target_distribution: std must be finite"),
    ({"curriculum_length": 0}, "curriculum_length must be an integer >= 1, got 0"),
    ({"success_window": 0, "reward_range": (0, 1)}, "success_window must be an integer >= 1, got 0"),
    ({"success_threshold": math.inf, "reward_range": (0, 1)}, "success_threshold must be a finite number, got inf"),
    ({"success_threshold": 0.5}, ("success_threshold is a normalised return, which needs expert knowledge of the "
                                  "returns: pass reward_range=(low, high)")),
])
def test_bad_hyperparameters_are_named(refusal, hyperparameters, fragment):
    hyperparameters = {"initial_distribution": EASY_STUMPS, **hyperparameters}
    assert fragment in refusal("expert-easy-to-hard", STUMPS, **hyperparameters)
