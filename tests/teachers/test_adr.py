"""ADR: the box grows after a queue of high boundary returns, shrinks after low ones, within its limits."""

import gymnasium as gym
import numpy as np
import pytest

import teachgym  # noqa: F401  (registers the ids)
import teachgym.teachers.adr  # noqa: F401  (registers "adr")
from teachgym import TaskSpace
from teachgym.teachers import TeacherError, make_teacher

SPACE = TaskSpace({"x": (0.0, 10.0), "y": (-5.0, 5.0)}, default=[5.0, 0.0])
THRESHOLDS = (0.0, 180.0)


def run(teacher, episodes: int, episode_return) -> np.ndarray:
    """Sample/update ``episodes`` times with ``episode_return(unit_task)``; return the sampled tasks."""
    tasks = []
    for _ in range(episodes):
        task = teacher.sample_task()
        tasks.append(task)
        teacher.update(task, episode_return(SPACE.normalize(task)))
    return np.array(tasks)


def test_a_full_queue_of_high_returns_expands_its_boundary_by_one_step():
    teacher = make_teacher("adr", SPACE, seed=0, reward_thresholds=THRESHOLDS)
    np.testing.assert_array_equal(teacher.box_low, [0.5, 0.5])
    # the box is a single task, so every episode lies on all four boundaries
    run(teacher, 9, lambda unit: 200.0)
    np.testing.assert_array_equal(teacher.box_high, [0.5, 0.5])
    run(teacher, 1, lambda unit: 200.0)
    np.testing.assert_allclose(teacher.box_low, [0.4, 0.4])
    np.testing.assert_allclose(teacher.box_high, [0.6, 0.6])
    assert teacher.metrics()["boundary_expansions"] == 4.0
    assert teacher.metrics()["box_volume_share"] == pytest.approx(0.04)


def test_high_returns_grow_the_box_to_the_whole_space_and_never_beyond():
    teacher = make_teacher("adr", SPACE, seed=0, reward_thresholds=THRESHOLDS)
    tasks = run(teacher, 1500, lambda unit: 200.0)
    np.testing.assert_array_equal(teacher.box_low, [0.0, 0.0])
    np.testing.assert_array_equal(teacher.box_high, [1.0, 1.0])
    assert all(SPACE.contains(task) for task in tasks)
    assert teacher.metrics() | {"episodes": 0.0} == {
        "episodes": 0.0, "box_volume_share": 1.0, "mean_box_width": 1.0,
        "boundary_expansions": 20.0, "boundary_shrinks": 0.0}  # 5 steps of 0.1 on each of the 4 boundaries


def test_low_returns_shrink_the_box_back_to_the_initial_task_and_never_inside_it():
    teacher = make_teacher("adr", SPACE, seed=0, reward_thresholds=THRESHOLDS)
    run(teacher, 1500, lambda unit: 200.0)
    run(teacher, 3000, lambda unit: -10.0)
    np.testing.assert_array_equal(teacher.box_low, [0.5, 0.5])
    np.testing.assert_array_equal(teacher.box_high, [0.5, 0.5])
    assert teacher.metrics()["boundary_shrinks"] == 20.0
    np.testing.assert_array_equal(teacher.sample_task(), [5.0, 0.0])


def test_returns_between_the_thresholds_leave_the_box_alone():
    teacher = make_teacher("adr", SPACE, seed=0, reward_thresholds=THRESHOLDS)
    run(teacher, 200, lambda unit: 90.0)
    np.testing.assert_array_equal(teacher.box_high, [0.5, 0.5])
    assert teacher.metrics()["boundary_expansions"] == teacher.metrics()["boundary_shrinks"] == 0.0


def test_a_boundary_settles_where_returns_cross_the_thresholds():
    teacher = make_teacher("adr", SPACE, seed=0, reward_thresholds=THRESHOLDS)
    run(teacher, 6000, lambda unit: 200.0 if unit[0] < 0.7 else -10.0)
    np.testing.assert_allclose(teacher.box_low, [0.0, 0.0])
    np.testing.assert_allclose(teacher.box_high, [0.6, 1.0])  # 0.7 fails, so it keeps falling back to 0.6


def test_only_boundary_tasks_feed_the_queues():
    teacher = make_teacher("adr", SPACE, seed=0, reward_thresholds=THRESHOLDS)
    run(teacher, 10, lambda unit: 200.0)
    for _ in range(50):
        teacher.update([5.5, 0.5], 200.0)  # inside the box [4, 6] x [-1, 1]
    assert teacher.queue_sizes.sum() == 0
    for _ in range(10):
        teacher.update([6.0, 0.5], 200.0)  # on the upper boundary of x
    np.testing.assert_allclose(teacher.box_high, [0.7, 0.6])
    np.testing.assert_allclose(teacher.box_low, [0.4, 0.4])


def test_boundary_tasks_are_sampled_with_the_configured_probability():
    teacher = make_teacher("adr", SPACE, seed=1, reward_thresholds=THRESHOLDS, boundary_sampling_p=0.3)
    run(teacher, 10, lambda unit: 200.0)
    units = SPACE.normalize(np.array([teacher.sample_task() for _ in range(4000)]))
    on_boundary = np.isclose(units, teacher.box_low) | np.isclose(units, teacher.box_high)
    assert on_boundary.any(axis=1).mean() == pytest.approx(0.3, abs=0.025)
    assert np.all((units >= teacher.box_low) & (units <= teacher.box_high))


def test_an_initial_task_on_the_edge_grows_inwards_only():
    teacher = make_teacher("adr", SPACE, seed=0, reward_thresholds=THRESHOLDS, initial_task={"x": 0.0, "y": 5.0})
    run(teacher, 1500, lambda unit: 200.0)
    np.testing.assert_allclose(teacher.box_low, [0.0, 0.0])
    np.testing.assert_allclose(teacher.box_high, [1.0, 1.0])
    run(teacher, 3000, lambda unit: -10.0)
    np.testing.assert_array_equal(teacher.box_low, [0.0, 1.0])
    np.testing.assert_array_equal(teacher.box_high, [0.0, 1.0])


def test_the_mean_of_an_initial_distribution_is_the_initial_task():
    teacher = make_teacher("adr", SPACE, reward_thresholds=THRESHOLDS,
                           initial_distribution={"mean": [2.0, -5.0], "std": [1.0, 1.0]})
    np.testing.assert_allclose(teacher.box_low, [0.2, 0.0])
    np.testing.assert_allclose(teacher.sample_task(), [2.0, -5.0])


def test_integer_dimensions_grow_too():
    space = TaskSpace({"x": (0.0, 1.0), "n": (0, 4)}, integer=["n"])
    teacher = make_teacher("adr", space, seed=0, reward_thresholds=THRESHOLDS)
    tasks = []
    for _ in range(2000):
        tasks.append(teacher.sample_task())
        teacher.update(tasks[-1], 200.0)
    np.testing.assert_array_equal(teacher.box_high, [1.0, 1.0])
    assert set(np.array(tasks)[:, 1]) == {0.0, 1.0, 2.0, 3.0, 4.0}


def test_state_round_trip_keeps_the_box_and_the_half_filled_queues():
    def episode_return(unit):
        return 200.0 if unit[0] < 0.7 else -10.0

    teacher = make_teacher("adr", SPACE, seed=2, reward_thresholds=THRESHOLDS)
    run(teacher, 437, episode_return)
    assert teacher.queue_sizes.any() and teacher.metrics()["box_volume_share"] > 0.0
    resumed = make_teacher("adr", SPACE, seed=3, reward_thresholds=THRESHOLDS)
    resumed.load_state_dict(teacher.state_dict())
    np.testing.assert_array_equal(run(resumed, 300, episode_return), run(teacher, 300, episode_return))
    np.testing.assert_array_equal(resumed.box_high, teacher.box_high)


def test_the_tma_preset_moves_a_boundary_by_0_1_task_units_in_every_dimension():
    """TeachMyAgent's ADR adds ``step_size`` = 0.1 to a boundary in task units, whatever the dimension's range."""
    stump_tracks = gym.make("teachgym/StumpTracks-v0").unwrapped.task_space
    initial = stump_tracks.low + 0.5 * (stump_tracks.high - stump_tracks.low)
    teacher = make_teacher("adr", stump_tracks, seed=0, preset="tma", initial_task=initial)
    assert (teacher.step_size, teacher.step_in_task_units) == (0.1, True)
    for _ in range(10):  # the box is one task, so each episode feeds all the boundaries' queues
        teacher.update(teacher.sample_task(), 200.0)
    assert teacher.expansions == 2 * stump_tracks.ndim
    np.testing.assert_allclose(stump_tracks.denormalize(teacher.box_high) - initial, 0.1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(initial - stump_tracks.denormalize(teacher.box_low), 0.1, rtol=0, atol=1e-12)
    # the default step is a share of each range: 0.3 and 0.6 task units on Stump Tracks
    ours = make_teacher("adr", stump_tracks, seed=0, reward_thresholds=THRESHOLDS, initial_task=initial)
    for _ in range(10):
        ours.update(ours.sample_task(), 200.0)
    np.testing.assert_allclose(stump_tracks.denormalize(ours.box_high) - initial,
                               0.1 * (stump_tracks.high - stump_tracks.low), rtol=0, atol=1e-12)


def test_a_step_in_task_units_may_exceed_a_range_and_stops_at_the_edge():
    teacher = make_teacher("adr", SPACE, seed=0, reward_thresholds=THRESHOLDS, step_size=20.0,
                           step_in_task_units=True)
    run(teacher, 10, lambda unit: 200.0)
    np.testing.assert_array_equal(teacher.box_low, [0.0, 0.0])
    np.testing.assert_array_equal(teacher.box_high, [1.0, 1.0])


def test_a_random_initial_task_comes_from_the_seeded_generator():
    first, again, other = (make_teacher("adr", SPACE, seed=seed, reward_thresholds=THRESHOLDS,
                                        initial_task="random") for seed in (4, 4, 5))
    np.testing.assert_array_equal(first.initial_unit, again.initial_unit)
    assert not np.array_equal(first.initial_unit, other.initial_unit)
    starts = [make_teacher("adr", SPACE, seed=seed, reward_thresholds=THRESHOLDS, initial_task="random").initial_unit
              for seed in range(200)]
    assert np.all((np.array(starts) >= 0.0) & (np.array(starts) <= 1.0))
    assert np.mean(starts, axis=0) == pytest.approx([0.5, 0.5], abs=0.06)
    np.testing.assert_array_equal(first.box_low, first.initial_unit)
    np.testing.assert_array_equal(first.box_high, first.initial_unit)
    # a resumed teacher keeps the saved start, whatever its own seed drew
    other.load_state_dict(first.state_dict())
    np.testing.assert_array_equal(run(other, 50, lambda unit: 200.0), run(again, 50, lambda unit: 200.0))


def test_reward_thresholds_are_required_expert_knowledge():
    with pytest.raises(TeacherError, match=r"pass reward_thresholds=\(low, high\)"):
        make_teacher("adr", SPACE)
    assert make_teacher("adr", SPACE, preset="tma").reward_thresholds == (0.0, 180.0)


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"reward_thresholds": (180.0, 0.0)}, "reward_thresholds must have low < high, got (180, 0)"),
    ({"reward_thresholds": (0.0,)}, "reward_thresholds must be a (low, high) pair of numbers, got (0.0,)"),
    ({"reward_thresholds": "0,180"}, "reward_thresholds must be a (low, high) pair"),
    ({"reward_thresholds": (0.0, float("inf"))}, "reward_thresholds must be a finite number, got inf"),
    ({"initial_task": [20.0, 0.0]}, "initial_task: task parameter 'x' = 20 is outside its bounds"),
    ({"initial_task": {"z": 1.0}}, "initial_task: unknown task parameter 'z'"),
    ({"initial_distribution": {"mean": [5.0, 0.0]}}, "initial_distribution must be a mapping with exactly the keys"),
    ({"initial_distribution": {"mean": [5.0, 9.0], "std": [1.0, 1.0]}},
     "initial_distribution: task parameter 'y' = 9 is outside its bounds"),
    ({"initial_task": [5.0, 0.0], "initial_distribution": {"mean": [5.0, 0.0], "std": [0.0, 0.0]}}, "not both"),
    ({"step_size": 0.0}, "step_size must be a finite number in (0, 1], got 0.0"),
    ({"step_size": 2.0}, "step_size must be a finite number in (0, 1], got 2.0"),
    ({"step_size": 0.0, "step_in_task_units": True}, "step_size must be a finite number"),
    ({"step_in_task_units": "yes"}, "step_in_task_units must be True or False, got 'yes'"),
    ({"initial_task": "easy"}, "initial_task must be a task or 'random', got 'easy'"),
    ({"boundary_sampling_p": 1.5}, "boundary_sampling_p must be a finite number in [0, 1], got 1.5"),
    ({"queue_len": 0}, "queue_len must be an integer >= 1, got 0"),
])
def test_bad_hyperparameters_are_named(refusal, hyperparameters, fragment):
    assert fragment in refusal("adr", SPACE, **{"reward_thresholds": THRESHOLDS, **hyperparameters})
