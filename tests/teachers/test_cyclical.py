"""Cyclical curriculum: the share schedule of every variant, sampling from the easiest share under an expert
difficulty or the teacher's own competence estimate, and hyperparameter checks."""

import math

import numpy as np
import pytest

import teachgym.teachers.cyclical  # noqa: F401  (registers "cyclical")
from teachgym import TaskError, TaskSpace
from teachgym.teachers import make_teacher
from teachgym.teachers.cyclical import share_schedule

STUMPS = TaskSpace({"stump_height": (0.0, 3.0), "obstacle_spacing": (0.0, 6.0)})
STUMP_EXPERT = {"stump_height": 1.0, "obstacle_spacing": -1.0}
# Under STUMP_EXPERT a uniform task's score (normalised height - spacing) is triangular on [-1, 1].
QUARTER_QUANTILE = -1 + 1 / math.sqrt(2)


def units(tasks) -> np.ndarray:
    return STUMPS.normalize(np.asarray(tasks))


def expert_score(tasks) -> np.ndarray:
    unit = units(tasks)
    return unit[:, 0] - unit[:, 1]


def samples(teacher, count: int) -> np.ndarray:
    """``count`` tasks drawn without telling the teacher anything (the stage stays the same)."""
    return np.array([teacher.sample_task() for _ in range(count)])


def feed(teacher, unit_tasks, episode_return) -> None:
    """Tell the teacher of episodes on ``unit_tasks`` with returns ``episode_return(unit_task)``."""
    for unit in unit_tasks:
        teacher.update(STUMPS.denormalize(unit), episode_return(unit))


@pytest.mark.parametrize(("variant", "expected"), [
    ("cycle", [0.25, 0.5, 1.0, 0.5, 0.25, 0.5, 1.0, 0.5, 0.25, 0.5]),
    ("sharp", [0.25, 0.5, 1.0, 0.25, 0.5, 1.0, 0.25, 0.5, 1.0, 0.25]),
    ("easy-to-hard", [0.25, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    ("hard-to-easy", [1.0, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]),
])
def test_each_variant_offers_its_sequence_of_shares(variant, expected):
    teacher = make_teacher("cyclical", STUMPS, seed=0, variant=variant)
    assert [teacher.stage_share(stage) for stage in range(10)] == expected


def test_shares_are_capped_at_the_ends_like_the_reference_implementation():
    # Kesgin & Amasyali's get_cycle_sizes(0.3, 1.0, 0.5): 0.3, 0.6, 1.0 (capped), 0.5, 0.3 (floored), 0.6 ...
    assert share_schedule("cycle", 0.3, 1.0, 0.5) == ((0.3, 0.6, 1.0, 0.5), True)
    assert share_schedule("cycle", 0.1, 0.8, 0.25) == ((0.1, 0.4, 0.8, 0.2), True)
    assert share_schedule("hard-to-easy", 0.1, 0.8, 0.25) == ((0.8, 0.2, 0.1), False)
    # 0.09 / 0.3 / 0.3 is 0.9999999999999998 in floats: no extra stage for it.
    assert share_schedule("sharp", 0.09, 1.0, 0.3) == ((0.09, 0.3, 1.0), True)
    assert share_schedule("cycle", 0.5, 0.5, 0.5) == ((0.5,), True)


def test_stages_follow_the_episodes_reported():
    teacher = make_teacher("cyclical", STUMPS, seed=0, stage_length=3)
    shares = []
    for _ in range(15):
        shares.append(teacher.metrics()["share"])
        teacher.update(teacher.sample_task(), 0.0)
    assert shares == [0.25] * 3 + [0.5] * 3 + [1.0] * 3 + [0.5] * 3 + [0.25] * 3
    assert teacher.metrics()["stage"] == 5.0


def test_expert_difficulty_offers_the_easiest_quarter_then_half_then_everything():
    teacher = make_teacher("cyclical", STUMPS, seed=0, stage_length=1000, difficulty=STUMP_EXPERT)
    quarter = expert_score(samples(teacher, 1500))
    assert quarter.max() <= QUARTER_QUANTILE + 0.005  # all in the easiest quarter of the space
    assert quarter.mean() == pytest.approx(-0.529, abs=0.01)  # and uniform over it
    feed(teacher, np.full((1000, 2), 0.5), lambda unit: 0.0)
    half = expert_score(samples(teacher, 1500))
    assert half.max() <= 0.005 and half.mean() == pytest.approx(-1 / 3, abs=0.01)
    feed(teacher, np.full((1000, 2), 0.5), lambda unit: 0.0)
    everything = expert_score(samples(teacher, 1500))
    assert everything.min() < -0.9 and everything.max() > 0.9 and everything.mean() == pytest.approx(0.0, abs=0.02)


def test_a_difficulty_function_orders_like_the_same_linear_weights():
    by_weights = make_teacher("cyclical", STUMPS, seed=3, difficulty=STUMP_EXPERT)
    by_function = make_teacher("cyclical", STUMPS, seed=3,
                               difficulty=lambda task: task["stump_height"] / 3 - task["obstacle_spacing"] / 6)
    np.testing.assert_allclose(samples(by_function, 300), samples(by_weights, 300))


def test_without_difficulty_the_tasks_with_high_returns_come_first():
    teacher = make_teacher("cyclical", STUMPS, seed=0, stage_length=100)
    rng = np.random.default_rng(0)
    feed(teacher, rng.uniform(size=(400, 2)), lambda unit: 100.0 * (1.0 - unit[0]))  # low stumps: high returns
    assert teacher.metrics()["share"] == 0.25 and teacher.metrics()["regions_tried"] == 0.99
    offered = units(samples(teacher, 1000))
    assert offered[:, 0].max() < 0.3  # the easiest quarter: the lowest stumps, whatever the spacing
    assert offered[:, 0].mean() == pytest.approx(0.136, abs=0.01)
    assert offered[:, 1].mean() == pytest.approx(0.5, abs=0.03)


def test_regions_never_tried_count_as_hardest():
    teacher = make_teacher("cyclical", STUMPS, seed=0, stage_length=300)
    rng = np.random.default_rng(1)
    # Low stumps were tried and failed badly; high stumps never tried: at share 0.5 the low ones are still offered.
    feed(teacher, rng.uniform(size=(300, 2)) * [0.5, 1.0], lambda unit: -100.0)
    assert teacher.metrics()["share"] == 0.5
    assert units(samples(teacher, 500))[:, 0].max() < 0.5


def test_the_ranking_holds_for_a_stage_and_is_renewed_at_the_next():
    teacher = make_teacher("cyclical", STUMPS, seed=0, stage_length=100)
    rng = np.random.default_rng(2)
    feed(teacher, rng.uniform(size=(400, 2)), lambda unit: 1.0 - unit[0])
    assert units(samples(teacher, 200))[:, 0].max() < 0.3  # stage 4, share 0.25: low stumps
    high_stumps = rng.uniform(size=(100, 2)) * [0.3, 1.0] + [0.7, 0.0]
    feed(teacher, high_stumps[:50], lambda unit: 10.0)  # now high stumps look easiest ...
    assert units(samples(teacher, 200))[:, 0].max() < 0.3  # ... but stage 4 keeps its ranking
    feed(teacher, high_stumps[50:], lambda unit: 10.0)
    assert teacher.metrics()["share"] == 0.5
    offered = units(samples(teacher, 1000))[:, 0]
    assert np.mean(offered >= 0.7) == pytest.approx(0.6, abs=0.05)  # stage 5: the high stumps come first


@pytest.mark.parametrize("difficulty", [None, STUMP_EXPERT])
def test_a_restored_teacher_continues_mid_stage_exactly(difficulty, continues_exactly):
    teacher = make_teacher("cyclical", STUMPS, seed=4, stage_length=50, difficulty=difficulty)
    rng = np.random.default_rng(4)
    for _ in range(130):
        task = teacher.sample_task()
        teacher.update(task, float(rng.normal()))
    resumed = make_teacher("cyclical", STUMPS, seed=77, stage_length=50, difficulty=difficulty)
    continues_exactly(teacher, resumed, lambda: float(rng.normal()), 100)


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"start_share": 0.0}, "start_share must be a finite number in (0, 1], got 0.0"),
    ({"start_share": 1.5}, "start_share must be a finite number in (0, 1], got 1.5"),
    ({"start_share": math.nan}, "start_share must be a finite number in (0, 1], got nan"),
    ({"end_share": 0.2}, "end_share must be a finite number in [0.25, 1], got 0.2"),
    ({"end_share": 1.01}, "end_share must be a finite number in [0.25, 1], got 1.01"),
    ({"alpha": 1.0}, "alpha must be a finite number in (0, 1), got 1.0"),
    ({"alpha": 0}, "alpha must be a finite number in (0, 1), got 0"),
    ({"alpha": "0.5"}, "alpha must be a finite number in (0, 1), got '0.5'"),
    ({"stage_length": 0}, "stage_length must be an integer >= 1, got 0"),
    ({"stage_length": 500.0}, "stage_length must be an integer >= 1, got 500.0"),
    ({"stage_length": True}, "stage_length must be an integer >= 1, got True"),
    ({"variant": "cycel"}, "unknown variant 'cycel' (did you mean 'cycle'?); expected one of"),
    ({"variant": "easy_to_hard"}, "unknown variant 'easy_to_hard' (did you mean 'easy-to-hard'?)"),
    ({"competence_regions": 1}, "competence_regions must be an integer >= 2, got 1"),
    ({"competence_rate": 0.0}, "competence_rate must be a finite number in (0, 1], got 0.0"),
    ({"difficulty": "stump_height"}, "difficulty must be a callable"),
])
def test_bad_hyperparameters_are_named(refusal, hyperparameters, fragment):
    assert fragment in refusal("cyclical", STUMPS, **hyperparameters)


def test_difficulty_weights_on_unknown_parameters_suggest_the_closest():
    with pytest.raises(TaskError, match=r"'obstacle_spcing' \(did you mean 'obstacle_spacing'\?\)"):
        make_teacher("cyclical", STUMPS, difficulty={"obstacle_spcing": -1.0})
