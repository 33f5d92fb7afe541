"""ALP-GMM (teachers/alp_gmm.py), the ALP history it learns from (teachers/alp.py) and the hyperparameter checks
it shares with Covar-GMM (teachers/gmm.py)."""

import numpy as np
import pytest
from scipy import stats

import teachgym.teachers.alp_gmm  # noqa: F401  (registers "alp-gmm")
import teachgym.teachers.covar_gmm  # noqa: F401  (registers "covar-gmm", checked with the shared hyperparameters)
from teachgym import TaskSpace
from teachgym.teachers import Teacher, TeacherError, make_teacher
from teachgym.teachers.alp import ALPHistory

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
WIDE = TaskSpace({"angle": (-30.0, 30.0), "length": (0.0, 4.0)})


class CompetenceGridStudent:
    """A synthetic student on the unit square: tasks with ``x < 0.5`` are learnable, the others never change.

    The square is a ``cells x cells`` grid of competences starting at 0. An episode on a learnable cell returns the
    cell's competence, then raises it by ``gain`` (up to 1: mastered); an episode on the unlearnable half returns 0
    whatever the practice. A teacher that finds the progress masters more of the learnable half.

    Args:
        cells: grid cells per side.
        gain: competence gained per episode on a learnable cell (``1 / gain`` episodes master a cell).
    """

    def __init__(self, cells: int = 20, gain: float = 1.0 / 60.0):
        self.cells = cells
        self.gain = gain
        self.competence = np.zeros((cells, cells))

    def episode_return(self, unit_task: np.ndarray) -> float:
        """Play one episode on ``unit_task`` (in [0, 1]^2) and return its return."""
        if not is_learnable(unit_task):
            return 0.0
        column, row = (min(int(value * self.cells), self.cells - 1) for value in unit_task)
        episode_return = float(self.competence[column, row])
        self.competence[column, row] = min(1.0, episode_return + self.gain)
        return episode_return

    @property
    def mastered_share(self) -> float:
        """Share of the learnable half's cells at full competence."""
        learnable = self.competence[: self.cells // 2]
        return float(np.mean(learnable >= 1.0 - 1e-9))


def is_learnable(unit_task: np.ndarray) -> bool:
    """Whether a task lies in :class:`CompetenceGridStudent`'s learnable half."""
    return bool(unit_task[0] < 0.5)


def drive(teacher: Teacher, episodes: int, student: CompetenceGridStudent | None = None) -> np.ndarray:
    """Run ``episodes`` rounds on the competence-grid student; return the sampled unit tasks."""
    student = student or CompetenceGridStudent()
    tasks = np.empty((episodes, teacher.ndim))
    for episode in range(episodes):
        tasks[episode] = teacher.task_space.normalize(teacher.sample_task())
        teacher.update(teacher.task_space.denormalize(tasks[episode]), student.episode_return(tasks[episode]))
    return tasks


# ------------------------------------------------------------------------------------------------- ALP history
def test_alp_is_the_return_gap_to_the_nearest_earlier_task():
    rng = np.random.default_rng(0)
    tasks, returns = rng.uniform(0.0, 1.0, (600, 3)), rng.normal(0.0, 1.0, 600)
    history = ALPHistory(3, capacity=4)  # grows through several doublings
    alps = [history.add(task, episode_return) for task, episode_return in zip(tasks, returns)]
    assert alps[0] == 0.0
    for episode in range(1, 600):
        nearest = np.linalg.norm(tasks[:episode] - tasks[episode], axis=1).argmin()
        assert alps[episode] == abs(returns[episode] - returns[nearest])
    np.testing.assert_array_equal(history.recent_task_alps(250), np.column_stack([tasks[-250:], alps[-250:]]))
    assert history.mean_alp(100) == pytest.approx(np.mean(alps[-100:]))
    assert history.recent_task_alps(1000).shape == (600, 4)


def test_the_earliest_of_equally_near_tasks_counts_and_an_empty_history_has_no_alp():
    history = ALPHistory(2)
    assert history.mean_alp(10) == 0.0
    assert history.add(np.array([0.5, 0.5]), 1.0) == 0.0
    assert history.add(np.array([0.5, 0.5]), 5.0) == 4.0
    assert history.add(np.array([0.5, 0.5]), 2.0) == 1.0
    assert history.mean_alp(2) == 2.5


# ----------------------------------------------------------------------------------------------------- ALP-GMM
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_learnable_half_is_sampled_clearly_more_often_than_uniform(seed):
    tasks = drive(make_teacher("alp-gmm", SPACE, seed=seed), 3000)
    assert np.mean(tasks[:250, 0] < 0.5) == pytest.approx(0.5, abs=0.08)  # uniform until the first fit
    assert np.mean(tasks[-1000:, 0] < 0.5) > 0.75


def test_samples_before_the_first_fit_are_uniform():
    teacher = make_teacher("alp-gmm", SPACE, seed=3, fit_rate=100)
    np.testing.assert_array_equal(drive(teacher, 100), np.random.default_rng(3).random((100, 2)))
    assert teacher.mixture is not None


def test_an_initial_distribution_replaces_uniform_tasks_until_the_first_fit():
    distribution = {"mean": [10.0, 1.0], "std": [3.0, 0.5]}  # task units: 0.05 and 0.125 of the widths
    teacher = make_teacher("alp-gmm", WIDE, seed=4, fit_rate=100, initial_distribution=distribution)
    by_name = make_teacher("alp-gmm", WIDE, seed=4, fit_rate=100, initial_distribution={
        "mean": {"length": 1.0, "angle": 10.0}, "std": {"angle": 3.0, "length": 0.5}})
    unit = np.clip([40.0 / 60.0, 0.25] + np.array([0.05, 0.125]) * np.random.default_rng(4).standard_normal((100, 2)),
                   0.0, 1.0)
    np.testing.assert_allclose(drive(teacher, 100), unit, atol=1e-12)
    np.testing.assert_allclose(drive(by_name, 100), unit, atol=1e-12)
    later = drive(teacher, 400)
    assert np.mean(np.abs(later[:, 0] - 2.0 / 3.0) > 0.2) > 0.1  # afterwards it is the mixture's turn


def test_refits_happen_exactly_every_fit_rate_episodes():
    teacher = make_teacher("alp-gmm", SPACE, seed=5, fit_rate=50)
    student = CompetenceGridStudent()
    refits, components = [], []
    for episode in range(1, 501):
        mixture = teacher.mixture
        drive(teacher, 1, student)
        if teacher.mixture is not mixture:
            refits.append(episode)
        components.append(teacher.metrics()["mixture_components"])
    assert refits == list(range(50, 501, 50))
    assert components[:49] == [0.0] * 49
    assert min(components[49:]) >= 2 and len(set(components[49:])) > 1


def test_a_random_task_ratio_of_one_gives_uniform_tasks():
    tasks = drive(make_teacher("alp-gmm", SPACE, seed=6, random_task_ratio=1.0), 3000)[250:]
    assert stats.kstest(tasks[:, 0], "uniform").pvalue > 0.05
    assert stats.kstest(tasks[:, 1], "uniform").pvalue > 0.05


def two_clusters(episodes: int, rng: np.random.Generator) -> list[tuple[np.ndarray, float, float]]:
    """Tasks alternating near (0.2, 0.2) and (0.8, 0.8), with a random return for each cluster."""
    centres = np.array([[0.2, 0.2], [0.8, 0.8]])
    return [(centres[episode % 2] + 0.02 * rng.standard_normal(2), rng.random(), rng.random())
            for episode in range(episodes)]


@pytest.mark.parametrize(("noisy_near", "noisy_far", "near_share"), [(False, True, 0.0), (False, False, 0.5)])
def test_components_are_chosen_in_proportion_to_their_mean_alp(noisy_near, noisy_far, near_share):
    """A constant return gives ALP 0: such a component is never chosen, unless no component has any ALP, when the
    choice is uniform."""
    teacher = make_teacher("alp-gmm", SPACE, seed=7, fit_rate=100, random_task_ratio=0.0, potential_ks=[2])
    for episode, (task, near_return, far_return) in enumerate(two_clusters(100, np.random.default_rng(0))):
        near = episode % 2 == 0
        noisy = noisy_near if near else noisy_far
        teacher.update(task, (near_return if near else far_return) if noisy else 0.0)
    samples = np.array([teacher.sample_task() for _ in range(1000)])
    assert np.mean(samples[:, 0] < 0.5) == pytest.approx(near_share, abs=0.05)


def test_alp_uses_returns_scaled_by_the_reward_range():
    raw = make_teacher("alp-gmm", SPACE, seed=8)
    scaled = make_teacher("alp-gmm", SPACE, seed=8, reward_range=(-50.0, 50.0))
    student, scaled_student = CompetenceGridStudent(), CompetenceGridStudent()
    for _ in range(200):  # before the first fit both sample the same uniform tasks
        task = raw.sample_task()
        np.testing.assert_array_equal(scaled.sample_task(), task)
        raw.update(task, student.episode_return(task))
        scaled.update(task, 100.0 * scaled_student.episode_return(task) - 50.0)
    assert raw.metrics()["mean_alp"] > 0
    assert scaled.metrics()["mean_alp"] == pytest.approx(raw.metrics()["mean_alp"])


def test_defaults_and_the_teachmyagent_preset():
    default = make_teacher("alp-gmm", SPACE)
    assert (default.fit_rate, default.random_task_ratio, default.potential_ks, default.nb_em_init) == \
        (250, 0.2, tuple(range(2, 11)), 1)
    tma = make_teacher("alp-gmm", SPACE, preset="tma")
    assert (tma.fit_rate, tma.random_task_ratio, tma.potential_ks, tma.normalize_returns) == \
        (150, 0.05, tuple(range(2, 10)), False)
    assert make_teacher("alp-gmm", SPACE, preset="tma", fit_rate=99).fit_rate == 99


@pytest.mark.parametrize("name", ["alp-gmm", "covar-gmm"])
def test_the_tma_preset_fits_raw_returns_even_with_the_low_level_reward_range(name):
    """TeachMyAgent never set ``scale_reward``: the low level's reward_range must not rescale the fitted returns."""
    low_level = {"reward_range": (-150.0, 350.0)}
    tma = make_teacher(name, SPACE, preset="tma", **low_level)
    ours = make_teacher(name, SPACE, **low_level)
    assert tma.fitted_return(100.0) == 100.0
    assert ours.fitted_return(100.0) == pytest.approx(0.5)
    assert make_teacher(name, SPACE, preset="tma", normalize_returns=True, **low_level).fitted_return(100.0) == \
        pytest.approx(0.5)
    with pytest.raises(TeacherError, match=f"teacher '{name}': normalize_returns must be True or False, got 1"):
        make_teacher(name, SPACE, normalize_returns=1)


def test_the_tma_preset_puts_raw_returns_into_the_alp_history():
    tma = make_teacher("alp-gmm", SPACE, seed=8, preset="tma", reward_range=(-50.0, 50.0))
    tma.update([0.2, 0.2], 0.0)
    tma.update([0.21, 0.2], 40.0)
    assert tma.history.mean_alp(2) == pytest.approx(20.0)


# ------------------------------------------------------------------------- hyperparameters shared with Covar-GMM
GMM_TEACHERS = ["alp-gmm", "covar-gmm"]
BAD_HYPERPARAMETERS = [
    ({"fit_rate": 1}, "fit_rate must be an integer >= 2, got 1"),
    ({"fit_rate": 250.0}, "fit_rate must be an integer >= 2, got 250.0"),
    ({"fit_rate": True}, "fit_rate must be an integer >= 2, got True"),
    ({"random_task_ratio": -0.1}, "random_task_ratio must be a finite number in [0, 1], got -0.1"),
    ({"random_task_ratio": 1.5}, "random_task_ratio must be a finite number in [0, 1], got 1.5"),
    ({"random_task_ratio": float("nan")}, "random_task_ratio must be a finite number in [0, 1], got nan"),
    ({"random_task_ratio": "0.2"}, "random_task_ratio must be a finite number in [0, 1], got '0.2'"),
    ({"potential_ks": []}, "potential_ks must be a non-empty sequence of component counts in [1, fit_rate=250]"),
    ({"potential_ks": [0, 2]}, "potential_ks must be a non-empty sequence of component counts in [1, fit_rate=250], "
                               "got [0, 2]"),
    ({"potential_ks": [2.5]}, "potential_ks must be a non-empty sequence"),
    ({"potential_ks": 5}, "potential_ks must be a non-empty sequence"),
    ({"potential_ks": "2345"}, "potential_ks must be a non-empty sequence"),
    ({"fit_rate": 20, "potential_ks": range(2, 30)}, "potential_ks must be a non-empty sequence of "
                                                     "component counts in [1, fit_rate=20], got range(2, 30)"),
    ({"nb_em_init": 0}, "nb_em_init must be an integer >= 1, got 0"),
    ({"initial_distribution": {"mean": [0.5, 0.0]}}, "initial_distribution must be a mapping with exactly the keys"),
    ({"initial_distribution": [0.5, 0.0]}, "initial_distribution must be a mapping with exactly the keys"),
    ({"initial_distribution": {"mean": [0.5, 0.0], "std": [0.1, 1.0], "cov": 1}},
     "initial_distribution must be a mapping with exactly the keys 'mean' and 'std'"),
    ({"initial_distribution": {"mean": [0.5], "std": [0.1, 1.0]}}, "initial_distribution: task has 1 values"),
    ({"initial_distribution": {"mean": [0.5, 9.0], "std": [0.1, 1.0]}}, "initial_distribution: task parameter 'y' = 9"),
    ({"initial_distribution": {"mean": {"x": 0.5, "z": 0.0}, "std": [0.1, 1.0]}},
     "initial_distribution: unknown task parameter 'z'"),
    ({"initial_distribution": {"mean": [0.5, 0.0], "std": [0.1, -1.0]}},
     "initial_distribution: std must be finite and >= 0 in every dimension, got [0.1, -1.0]"),
    ({"initial_distribution": {"mean": [0.5, 0.0], "std": [0.1, "wide"]}}, "initial_distribution: task parameter 'y' "
                                                                          "must be a number"),
]


@pytest.mark.parametrize("name", GMM_TEACHERS)
@pytest.mark.parametrize(("hyperparameters", "message"), BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_are_named_in_the_error(refusal, name, hyperparameters, message):
    space = TaskSpace({"x": (0.0, 1.0), "y": (-5.0, 5.0)})
    assert refusal(name, space, **hyperparameters).startswith(message)


@pytest.mark.parametrize("name", GMM_TEACHERS)
def test_edge_hyperparameters_are_accepted(name):
    teacher = make_teacher(name, SPACE, fit_rate=2, random_task_ratio=0, potential_ks=np.array([2, 1, 2]),
                           initial_distribution={"mean": [0.0, 1.0], "std": [0.0, 0.0]})
    assert teacher.potential_ks == (1, 2) and teacher.random_task_ratio == 0.0
    np.testing.assert_array_equal(teacher.sample_task(), [0.0, 1.0])  # std 0: the mean itself
    drive(teacher, 20)
    assert make_teacher(name, SPACE, random_task_ratio=1, potential_ks=range(1, 4)).potential_ks == (1, 2, 3)
