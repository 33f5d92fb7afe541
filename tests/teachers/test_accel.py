"""ACCEL: edits of replayed tasks, their entry into the buffer, and the pluggable replay scores."""

import math
import pickle

import gymnasium as gym
import numpy as np
import pytest

import teachgym  # noqa: F401  (registers the simulated students)
from teachgym import TaskSpace
from teachgym.errors import UnknownNameError
from teachgym.teachers import TeacherError, make_teacher, report_episode, trains_on_last_sample
from teachgym.teachers.replay_scores import (
    TaskHistory,
    available_replay_scores,
    learnability,
    max_mc,
    positive_value_loss,
    register_replay_score,
)

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0), "z": (0.0, 1.0)})


@register_replay_score("test-not-finite")
def not_finite(history: TaskHistory) -> float:
    return math.nan


@register_replay_score("test-episodes")
def episode_count(history: TaskHistory) -> float:
    return float(history.episodes)


def drive(teacher, episodes: int, env=None) -> list[tuple[np.ndarray, bool, bool]]:
    """Run ``episodes`` episodes (on a simulated student when given, else with return = x); returns every sample
    with whether it was a replay and whether it trained the student."""
    samples = []
    for _ in range(episodes):
        task = teacher.sample_task()
        trains = trains_on_last_sample(teacher)
        samples.append((task, teacher.last_sample_was_replay, trains))
        if env is None:
            teacher.update(task, float(task[0]), success=bool(task[1] > 0.5))
            continue
        env.unwrapped.learning = trains
        observation, _ = env.reset(options={"task": task})
        _, episode_return, _, _, info = env.step(np.zeros(1, dtype=np.float32))
        report_episode(teacher, task, episode_return, success=info["success"], initial_observation=observation)
    return samples


def simulated_accel(seed: int = 0, **hyperparameters):
    env = gym.make("teachgym/SimulatedStudent-v0")
    env.reset(seed=seed)
    student = env.unwrapped
    teacher = make_teacher("accel", student.task_space, preset="simulated", seed=seed, buffer_size=100,
                           reward_range=student.REWARD_RANGE, **hyperparameters)
    teacher.set_value_estimator(student.value_estimates)
    return teacher, env


def test_every_replay_is_followed_by_its_edit_which_only_measures_the_student():
    teacher = make_teacher("accel", SPACE, seed=0, buffer_size=50, n_edits=2, mutation_step=0.05)
    samples = drive(teacher, 3000)
    pairs = [(samples[i][0], samples[i + 1]) for i in range(len(samples) - 1) if samples[i][1]]
    assert len(pairs) == 1410 and teacher.metrics()["edit_share"] == pytest.approx(1410 / 3000, abs=1e-3)
    assert all(not replay and not trains for _, (_, replay, trains) in pairs)  # edits are exploratory ...
    assert all(trains for _, replay, trains in samples if replay)  # ... replays train the student
    steps = np.array([child - parent for parent, (child, _, _) in pairs])
    # Two edits, each along one dimension: at most two coordinates move, by Gaussian steps of std 0.05.
    assert np.count_nonzero(steps, axis=1).max() == 2
    moved = steps[steps != 0]
    # A pair of edits moves one coordinate (variance 2 std^2) a third of the time, else two: E[step^2] = 1.2 std^2
    # (clipping at the cube's faces takes a little off).
    assert np.std(moved) == pytest.approx(0.05 * math.sqrt(1.2), rel=0.05)
    assert np.abs(moved).max() < 0.05 * 6


def test_edited_tasks_enter_the_buffer_near_their_parents():
    teacher, env = simulated_accel()
    samples = drive(teacher, 3000, env)
    edits = {tuple(child): parent for (parent, replayed, _), (child, _, _) in zip(samples, samples[1:]) if replayed}
    buffered = {tuple(teacher.task_space.denormalize(unit)) for unit in teacher.buffer_tasks[:teacher.buffer_fill]}
    in_buffer = [child for child in edits if child in buffered]
    assert len(in_buffer) == 93 and teacher.buffer_fill == 100
    for child in in_buffer:
        assert np.abs(np.array(child) - edits[child]).max() < 0.04 * 6  # 3 steps of std 0.04: at most 0.2 here
    assert env.unwrapped.mastered_share == pytest.approx(0.235)


def history(**fields) -> TaskHistory:
    base = dict(discounted_return=5.0, value=3.0, max_return=8.0, successes=1, episodes=4, return_change=0.5)
    return TaskHistory(**{**base, **fields})


def test_the_scores_as_the_literature_defines_them():
    assert positive_value_loss(history()) == 2.0
    assert positive_value_loss(history(value=7.0)) == 0.0
    assert max_mc(history()) == 5.0
    assert learnability(history()) == pytest.approx(0.1875)
    assert learnability(history(successes=2)) == 0.25
    assert {"positive-value-loss", "max-mc", "learnability", "return-change"} <= set(available_replay_scores())


def test_values_come_from_the_students_estimator_and_successes_from_the_flags():
    teacher = make_teacher("accel", SPACE, seed=0, score="positive-value-loss")
    teacher.set_value_estimator(lambda observations: np.full(len(observations), 2.0))
    report_episode(teacher, [0.5, 0.5, 0.5], 5.0, initial_observation=[0.0])
    report_episode(teacher, [0.1, 0.5, 0.5], 1.0, initial_observation=[0.0])
    np.testing.assert_array_equal(teacher.buffer_scores[:2], [3.0, 0.0])
    teacher = make_teacher("accel", SPACE, seed=0, score="max-mc")
    for episode_return in (5.0, 1.0):  # without a glue the return stands for the value
        teacher.update([0.5, 0.5, 0.5], episode_return)
    assert teacher.buffer_scores[0] == 4.0 and teacher.buffer_max_returns[0] == 5.0
    teacher = make_teacher("accel", SPACE, seed=0, score="learnability")
    for success in (True, False, False):
        teacher.update([0.5, 0.5, 0.5], 0.0, success=success)
    assert teacher.buffer_scores[0] == pytest.approx(2 / 9) and teacher.buffer_episodes[0] == 3
    with pytest.raises(TeacherError, match="pass success= to update\\(\\) .* reward_thresholds"):
        teacher.update([0.5, 0.5, 0.5], 0.0)
    thresholds = make_teacher("accel", SPACE, seed=0, score="learnability", reward_thresholds=(0.0, 10.0))
    thresholds.update([0.5, 0.5, 0.5], 12.0)
    assert thresholds.buffer_successes[0] == 1


def test_a_plug_in_score_is_selected_by_name_and_checked():
    teacher = make_teacher("accel", SPACE, seed=0, score="test-episodes")
    for _ in range(3):
        teacher.update([0.5, 0.5, 0.5], 1.0)
    assert teacher.buffer_scores[0] == 3.0
    broken = make_teacher("accel", SPACE, seed=0, score="test-not-finite")
    before = pickle.dumps(broken.state_dict())
    with pytest.raises(TeacherError, match="the replay score returned nan"):
        broken.update([0.5, 0.5, 0.5], 1.0)
    assert pickle.dumps(broken.state_dict()) == before
    with pytest.raises(UnknownNameError, match="unknown replay score 'max_mc' of teacher 'accel' \\(did you mean "
                                               "'max-mc'\\?\\)"):
        make_teacher("accel", SPACE, score="max_mc")
    with pytest.raises(TeacherError, match="already registered"):
        register_replay_score("max-mc")(episode_count)


def test_a_teacher_restored_between_a_replay_and_its_edit_continues_exactly(continues_exactly):
    teacher = make_teacher("accel", SPACE, seed=0, buffer_size=20)
    drive(teacher, 200)
    while not teacher.last_sample_was_replay:
        teacher.update(teacher.sample_task(), 0.3)
    assert teacher.pending_edit is not None
    returns = iter(np.linspace(0.0, 1.0, 300))
    continues_exactly(teacher, make_teacher("accel", SPACE, seed=7, buffer_size=20), lambda: next(returns), 300)


def test_on_a_simulated_student_the_seed_decides_everything():
    runs = [drive(teacher, 400, env) for teacher, env in map(simulated_accel, (0, 0, 1))]
    first, second, other = ([sample[0] for sample in samples] for samples in runs)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"n_edits": 0}, "n_edits must be an integer >= 1, got 0"),
    ({"mutation_step": 0.0}, "mutation_step must be a finite number > 0, got 0.0"),
    ({"mutation_step": math.inf}, "mutation_step must be a finite number > 0, got inf"),
    ({"replay_prob": 1.5}, "replay_prob must be a finite number in [0, 1], got 1.5"),
    ({"reward_thresholds": (5.0, 1.0)}, "reward_thresholds must have low < high, got (5, 1)"),
])
def test_bad_hyperparameters_are_named(refusal, hyperparameters, fragment):
    assert fragment in refusal("accel", SPACE, **hyperparameters)


def test_defaults_and_presets_are_dcds():
    teacher = make_teacher("accel", SPACE)
    assert (teacher.replay_prob, teacher.staleness_coef, teacher.n_edits, teacher.buffer_size) == (0.9, 0.5, 3, 1000)
    assert teacher.has_exploratory_episodes
    maze = make_teacher("accel", SPACE, preset="dcd-minigrid")
    assert (maze.buffer_size, maze.replay_prob, maze.temperature, maze.n_edits) == (4000, 0.8, 0.3, 5)
