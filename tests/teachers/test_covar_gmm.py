"""Covar-GMM (teachers/covar_gmm.py): mixtures over (task, relative time, return), sampled where returns rise.

The hyperparameter checks it shares with ALP-GMM are tested in test_alp_gmm.py."""

import numpy as np
import pytest

import teachgym.teachers.covar_gmm  # noqa: F401  (registers "covar-gmm")
from teachgym import TaskSpace
from teachgym.teachers import Teacher, TeacherError, make_teacher

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})


class TwoRegionStudent:
    """Returns move by ``slope`` per episode practised in each half of the unit square (left: ``x < 0.5``)."""

    def __init__(self, left_slope: float, right_slope: float):
        self.slopes = (left_slope, right_slope)
        self.practice = [0, 0]

    def episode_return(self, task: np.ndarray) -> float:
        region = 0 if task[0] < 0.5 else 1
        self.practice[region] += 1
        return self.slopes[region] * self.practice[region]


def left_share_at_the_end(teacher: Teacher, student: TwoRegionStudent, episodes: int, last: int) -> float:
    lefts = []
    for _ in range(episodes):
        task = teacher.sample_task()
        lefts.append(task[0] < 0.5)
        teacher.update(task, student.episode_return(task))
    return float(np.mean(lefts[-last:]))


@pytest.mark.parametrize("seed", [0, 1])
def test_a_region_whose_returns_rise_is_preferred_to_one_whose_returns_fall(seed):
    teacher = make_teacher("covar-gmm", SPACE, seed=seed)
    assert left_share_at_the_end(teacher, TwoRegionStudent(0.004, -0.004), 2000, 500) > 0.75
    assert teacher.metrics()["mean_positive_covariance"] > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_absolute_lp_also_follows_falling_returns(seed):
    teacher = make_teacher("covar-gmm", SPACE, seed=seed, absolute_lp=True)
    assert left_share_at_the_end(teacher, TwoRegionStudent(0.0, -0.004), 2000, 500) < 0.25


def test_the_mixture_sees_relative_time_and_scaled_returns():
    teacher = make_teacher("covar-gmm", SPACE, seed=2, fit_rate=100, reward_range=(0.0, 10.0))
    rng = np.random.default_rng(0)
    returns = 10.0 * rng.random(100)
    for episode_return in returns:
        teacher.update(teacher.sample_task(), episode_return)
    # EM's weighted component means average to the data mean: time runs evenly from 0 to 1 over the window
    time_mean, return_mean = teacher.mixture.weights @ teacher.mixture.means[:, -2:]
    assert time_mean == pytest.approx(0.5, abs=1e-9)
    assert return_mean == pytest.approx(returns.mean() / 10.0, abs=1e-9)


def test_refits_happen_exactly_every_fit_rate_episodes_on_that_window_alone():
    teacher = make_teacher("covar-gmm", SPACE, seed=3, fit_rate=40)
    student = TwoRegionStudent(0.01, 0.0)
    refits = []
    for episode in range(1, 201):
        mixture = teacher.mixture
        task = teacher.sample_task()
        teacher.update(task, student.episode_return(task))
        if teacher.mixture is not mixture:
            refits.append(episode)
            assert teacher.mixture.n_samples == 40
    assert refits == [40, 80, 120, 160, 200]


def test_defaults_the_teachmyagent_preset_and_a_bad_absolute_lp():
    default = make_teacher("covar-gmm", SPACE)
    assert (default.fit_rate, default.random_task_ratio, default.potential_ks, default.absolute_lp) == \
        (250, 0.2, tuple(range(2, 11)), False)
    tma = make_teacher("covar-gmm", SPACE, preset="tma")
    # TeachMyAgent's scripts: --fit_rate 150 --random_percentage 10 --min_k 2 --max_k 15, ks = arange(min_k, max_k)
    assert (tma.fit_rate, tma.random_task_ratio, tma.potential_ks, tma.normalize_returns) == \
        (150, 0.1, tuple(range(2, 15)), False)
    with pytest.raises(TeacherError, match="teacher 'covar-gmm': absolute_lp must be True or False, got 'yes'"):
        make_teacher("covar-gmm", SPACE, absolute_lp="yes")
    assert default.metrics() == {"episodes": 0.0, "mixture_components": 0.0, "mean_positive_covariance": 0.0}
