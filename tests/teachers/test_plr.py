"""PLR and robust PLR: replay rate, rank prioritisation, staleness, buffer scores and the robust training flag."""

import numpy as np
import pytest

import teachgym.teachers.plr  # noqa: F401  (registers "plr" and "robust-plr")
from teachgym import TaskSpace
from teachgym.teachers import make_teacher

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
# Ten tasks along x, 0.1 apart, so each one's nearest buffered task is the one before it; the returns give the new
# tasks the scores |return - previous return| = 0, 1, 0.5, 4 (the top), 0.1, 2, 0.2, 3, 0.3, 0.4.
ROW = [[0.05 + 0.1 * i, 0.5] for i in range(10)]
ROW_RETURNS = np.cumsum([0.0, 1.0, 0.5, 4.0, 0.1, 2.0, 0.2, 3.0, 0.3, 0.4])
TOP = 3


def filled(name: str = "plr", **hyperparameters):
    teacher = make_teacher(name, SPACE, seed=0, buffer_size=10, min_fill_ratio=1.0, replay_prob=1.0,
                           **hyperparameters)
    for task, episode_return in zip(ROW, ROW_RETURNS):
        teacher.update(task, episode_return)
    return teacher


def replay_counts(teacher, samples: int) -> np.ndarray:
    """How often each task of ROW is replayed in ``samples`` samples (no updates in between)."""
    tasks = np.array([teacher.sample_task() for _ in range(samples)])
    return np.array([np.sum(np.all(tasks == task, axis=1)) for task in ROW])


def test_new_tasks_are_scored_by_their_return_change_from_the_nearest_buffered_task():
    teacher = filled()
    np.testing.assert_allclose(teacher.buffer_scores, [0, 1, 0.5, 4, 0.1, 2, 0.2, 3, 0.3, 0.4], atol=1e-12)
    assert teacher.metrics()["mean_score"] == pytest.approx(1.15)
    assert teacher.metrics()["buffer_fill"] == 1.0


def test_a_returning_task_is_scored_by_its_return_change_since_its_last_visit():
    teacher = filled(reward_range=(0.0, 10.0))
    teacher.update(ROW[TOP], ROW_RETURNS[TOP] + 2.0)  # normalised: a change of 0.2
    assert teacher.buffer_fill == 10
    assert teacher.buffer_scores[TOP] == pytest.approx(0.2)
    assert teacher.buffer_returns[TOP] == pytest.approx((ROW_RETURNS[TOP] + 2.0) / 10)


def test_replays_follow_the_configured_probability_once_the_buffer_is_filled_enough():
    teacher = make_teacher("plr", SPACE, seed=0, buffer_size=50, replay_prob=0.3)  # replays from 25 tasks on
    replayed = []
    for _ in range(3000):
        task = teacher.sample_task()
        replayed.append(teacher.last_sample_was_replay)
        teacher.update(task, 10.0 * task[0])
    assert not any(replayed[:25])
    assert np.mean(replayed[25:]) == pytest.approx(0.3, abs=0.03)
    assert teacher.metrics()["replay_share"] == pytest.approx(np.mean(replayed))


def test_rank_prioritisation_prefers_high_scores_more_at_low_temperature():
    sharp = replay_counts(filled(temperature=0.1, staleness_coef=0.0), 2000)
    assert sharp[TOP] >= 1990
    # temperature 1: P(rank k) = (1/k) / (1 + 1/2 + ... + 1/10)
    flat = replay_counts(filled(temperature=1.0, staleness_coef=0.0), 4000) / 4000
    harmonic = sum(1 / k for k in range(1, 11))
    assert flat[TOP] == pytest.approx(1 / harmonic, abs=0.03)  # score 4, rank 1
    assert flat[7] == pytest.approx(1 / 2 / harmonic, abs=0.03)  # score 3, rank 2
    assert flat[0] == pytest.approx(1 / 10 / harmonic, abs=0.015)  # score 0, rank 10


def test_staleness_brings_tasks_that_were_not_replayed_for_long_back():
    without = replay_counts(filled(staleness_coef=0.0), 300)
    assert np.count_nonzero(without) <= 2
    with_staleness = replay_counts(filled(staleness_coef=0.5), 300)
    assert np.all(with_staleness > 0)
    assert with_staleness[TOP] > 140  # the top score still takes about half


def test_a_replayed_task_that_stops_changing_gives_way():
    teacher = filled(staleness_coef=0.0)
    task = teacher.sample_task()
    np.testing.assert_array_equal(task, ROW[TOP])
    teacher.update(task, ROW_RETURNS[TOP])  # same return as last time: score 0
    np.testing.assert_array_equal(teacher.sample_task(), ROW[7])  # the next best, score 3


def test_a_full_buffer_replaces_its_lowest_score_only_with_a_higher_score():
    teacher = filled()
    teacher.update([0.05, 0.9], ROW_RETURNS[0])  # nearest is ROW[0]: score 0, as low as the lowest: replaces it
    np.testing.assert_array_equal(teacher.buffer_tasks[0], [0.05, 0.9])
    assert teacher.buffer_scores[0] == 0.0
    teacher.update([0.95, 0.9], ROW_RETURNS[9] + 0.05)  # nearest is ROW[9]: score 0.05 replaces the one scoring 0
    np.testing.assert_array_equal(teacher.buffer_tasks[0], [0.95, 0.9])
    assert teacher.buffer_scores.min() == pytest.approx(0.05)
    before = teacher.state_dict()
    teacher.update([0.95, 0.95], ROW_RETURNS[9] + 0.06)  # nearest is the last one: score 0.01 < 0.05, stays out
    np.testing.assert_array_equal(teacher.buffer_tasks, before["algorithm"]["buffer_tasks"])
    assert teacher.buffer_fill == 10


def test_plr_trains_on_every_task_and_robust_plr_only_on_replays():
    for name, robust in (("plr", False), ("robust-plr", True)):
        teacher = make_teacher(name, SPACE, seed=0, buffer_size=20)
        trains, replays = [], []
        for _ in range(400):
            task = teacher.sample_task()
            trains.append(teacher.train_on_last_sample)
            replays.append(teacher.last_sample_was_replay)
            teacher.update(task, float(task.sum()))  # exploratory episodes are reported too
        assert teacher.buffer_fill == 20
        assert teacher.metrics()["trains_only_on_replays"] == float(robust)
        assert 0 < sum(replays) < 400
        assert trains == (replays if robust else [True] * 400)


def test_state_round_trip_keeps_the_replay_flag_and_the_future():
    teacher = make_teacher("robust-plr", SPACE, seed=4, buffer_size=30)
    for _ in range(100):
        teacher.update(teacher.sample_task(), 1.0)
    teacher.sample_task()
    resumed = make_teacher("robust-plr", SPACE, seed=5, buffer_size=30)
    resumed.load_state_dict(teacher.state_dict())
    assert resumed.train_on_last_sample == teacher.train_on_last_sample
    for step in range(200):
        task = teacher.sample_task()
        np.testing.assert_array_equal(resumed.sample_task(), task)
        assert resumed.last_sample_was_replay == teacher.last_sample_was_replay
        teacher.update(task, float(step % 7))
        resumed.update(task, float(step % 7))


def test_dcd_bipedal_preset():
    teacher = make_teacher("robust-plr", SPACE, preset="dcd-bipedal")
    assert (teacher.buffer_size, teacher.replay_prob, teacher.min_fill, teacher.temperature,
            teacher.staleness_coef) == (1000, 0.5, 500, 0.1, 0.5)


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"buffer_size": 0}, "buffer_size must be an integer >= 1, got 0"),
    ({"buffer_size": 10.5}, "buffer_size must be an integer >= 1, got 10.5"),
    ({"replay_prob": 1.2}, "replay_prob must be a finite number in [0, 1], got 1.2"),
    ({"min_fill_ratio": -0.5}, "min_fill_ratio must be a finite number in [0, 1], got -0.5"),
    ({"temperature": 0.0}, "temperature must be a finite number > 0, got 0.0"),
    ({"staleness_coef": "0.1"}, "staleness_coef must be a finite number in [0, 1], got '0.1'"),
])
@pytest.mark.parametrize("name", ["plr", "robust-plr"])
def test_bad_hyperparameters_are_named(refusal, name, hyperparameters, fragment):
    assert fragment in refusal(name, SPACE, **hyperparameters)
