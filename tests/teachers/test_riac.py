"""RIAC: region splits where learning progress differs, discards, and sampling by region ALP."""

import numpy as np
import pytest

import teachgym.teachers.riac  # noqa: F401  (registers "riac")
from teachgym import TaskSpace
from teachgym.teachers import make_teacher

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
STUMPS = TaskSpace({"stump_height": (0.0, 3.0), "obstacle_spacing": (0.0, 6.0)})


def feed_progress_left_of(teacher, boundary: float, episodes: int, seed: int = 0) -> None:
    """Uniform tasks; the return counts the practice left of ``boundary`` (so it rises there) and is 0 elsewhere."""
    practice = 0
    for task in np.random.default_rng(seed).uniform(size=(episodes, 2)):
        practice += task[0] < boundary
        teacher.update(task, float(practice) if task[0] < boundary else 0.0)


def test_a_region_splits_once_it_holds_more_than_the_maximum_where_alp_differs():
    teacher = make_teacher("riac", SPACE, seed=0)
    feed_progress_left_of(teacher, 0.3, 200)
    assert len(teacher.regions) == 1 and teacher.regions[0].size == 200

    feed_progress_left_of(teacher, 0.3, 1, seed=1)
    root, left, right = teacher.regions
    root_alp, left_alp, right_alp = teacher.region_alps
    assert root.children == (1, 2) and root.split_dim == 0
    assert root.split_threshold == pytest.approx(0.3, abs=0.05)
    assert left.size + right.size == 201 and min(left.size, right.size) >= 10
    np.testing.assert_array_equal(left.high, [root.split_threshold, 1.0])
    np.testing.assert_array_equal(right.low, [root.split_threshold, 0.0])
    assert np.all(left.tasks[:left.size, 0] < root.split_threshold)
    assert right_alp < 1.0 < root_alp < left_alp
    metrics = teacher.metrics()
    assert metrics["regions"] == 3.0
    assert metrics["max_region_alp"] == left_alp
    assert metrics["mean_region_alp"] == pytest.approx((root_alp + left_alp + right_alp) / 3)


def test_sampling_goes_where_alp_is_high():
    teacher = make_teacher("riac", SPACE, seed=0)
    feed_progress_left_of(teacher, 0.3, 201)
    threshold = teacher.regions[0].split_threshold
    tasks = np.array([teacher.sample_task() for _ in range(4000)])
    # uniform sampling would put a share `threshold` (about 0.3) there
    assert np.mean(tasks[:, 0] < threshold) > 0.6


def test_the_split_goes_to_the_dimension_where_progress_differs():
    teacher = make_teacher("riac", SPACE, seed=3)
    practice = 0
    for task in np.random.default_rng(3).uniform(size=(201, 2)):
        practice += task[1] > 0.6
        teacher.update(task, float(practice) if task[1] > 0.6 else 0.0)
    assert teacher.regions[0].split_dim == 1
    assert teacher.regions[0].split_threshold == pytest.approx(0.6, abs=0.05)


def test_a_full_region_that_cannot_split_forgets_its_oldest_quarter():
    teacher = make_teacher("riac", SPACE, seed=0, min_dims_range_ratio=0.5)  # only a cut at exactly 0.5 is valid
    returns = np.arange(201, dtype=float)
    for task, episode_return in zip(np.random.default_rng(0).uniform(size=(201, 2)), returns):
        teacher.update(task, episode_return)
    (root,) = teacher.regions
    assert root.size == 151
    np.testing.assert_array_equal(root.returns[:151], returns[50:])
    # ALP over the remaining window: mean of the older 76 vs the newer 75 returns
    assert teacher.region_alps[0] == pytest.approx(75.5)


def test_mutation_moves_the_lowest_return_task_of_a_region():
    teacher = make_teacher("riac", SPACE, seed=0, mutation_ratio=1.0, random_task_ratio=0.0)
    for task, episode_return in [([0.1, 0.9], 5.0), ([0.5, 0.4], -3.0), ([0.9, 0.1], 2.0), ([0.3, 0.3], 4.0)]:
        teacher.update(task, episode_return)
    tasks = np.array([teacher.sample_task() for _ in range(3000)])
    np.testing.assert_allclose(tasks.mean(axis=0), [0.5, 0.4], atol=0.01)
    np.testing.assert_allclose(tasks.std(axis=0), [0.1, 0.1], atol=0.01)


def test_returns_are_scaled_by_the_reward_range_when_given():
    raw = make_teacher("riac", SPACE, seed=0)
    scaled = make_teacher("riac", SPACE, seed=0, reward_range=(0.0, 100.0))
    for teacher in (raw, scaled):
        feed_progress_left_of(teacher, 0.3, 201)
    assert scaled.regions[0].split_threshold == raw.regions[0].split_threshold
    assert scaled.metrics()["max_region_alp"] == pytest.approx(raw.metrics()["max_region_alp"] / 100)


def test_leaves_only_sampling_counts_leaves():
    teacher = make_teacher("riac", SPACE, seed=0, sampling_in_leaves_only=True)
    feed_progress_left_of(teacher, 0.3, 201)
    assert teacher.metrics()["regions"] == 2.0


def test_state_round_trip_after_splits_gives_the_same_future():
    teacher = make_teacher("riac", SPACE, seed=5, max_region_size=40)
    feed_progress_left_of(teacher, 0.3, 300)
    assert len(teacher.regions) > 3
    resumed = make_teacher("riac", SPACE, seed=6, max_region_size=40)
    resumed.load_state_dict(teacher.state_dict())
    for _ in range(200):
        task = teacher.sample_task()
        np.testing.assert_array_equal(resumed.sample_task(), task)
        teacher.update(task, float(task[0]))
        resumed.update(task, float(task[0]))
    assert len(resumed.regions) == len(teacher.regions)


def test_tma_preset():
    teacher = make_teacher("riac", STUMPS, preset="tma")
    assert (teacher.max_region_size, teacher.nb_split_attempts, teacher.min_dims_range_ratio) == (150, 75, 0.1)
    assert teacher.min_region_size == 8  # 150 / 20, rounded up


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"max_region_size": 1}, "max_region_size must be an integer >= 2, got 1"),
    ({"max_region_size": 200.0}, "max_region_size must be an integer >= 2, got 200.0"),
    ({"nb_split_attempts": 0}, "nb_split_attempts must be an integer >= 1"),
    ({"alp_window_size": True}, "alp_window_size must be an integer >= 2, got True"),
    ({"min_region_size": 150}, "min_region_size = 150 leaves no valid split of a region of 201 pairs"),
    ({"min_dims_range_ratio": 0.6}, "min_dims_range_ratio must be a finite number in [0, 0.5], got 0.6"),
    ({"discard_ratio": 0.0}, "discard_ratio must be a finite number in (0, 1], got 0.0"),
    ({"random_task_ratio": 0.95}, "random_task_ratio + mutation_ratio = 1.05"),
    ({"mutation_ratio": -0.1}, "mutation_ratio must be a finite number in [0, 1], got -0.1"),
    ({"mutation_std": float("nan")}, "mutation_std must be a finite number >= 0, got nan"),
    ({"sampling_in_leaves_only": "yes"}, "sampling_in_leaves_only must be True or False, got 'yes'"),
])
def test_bad_hyperparameters_are_named(refusal, hyperparameters, fragment):
    assert fragment in refusal("riac", SPACE, **hyperparameters)
