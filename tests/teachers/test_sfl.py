"""Sampling for Learnability: the evaluation-rollout protocol, the learnability buffer, the mix with uniform tasks."""

import pickle

import gymnasium as gym
import numpy as np
import pytest
from scipy import special

import teachgym  # noqa: F401  (registers the simulated students)
from teachgym import TaskSpace
from teachgym.errors import TeachgymError
from teachgym.teachers import TeacherError, asks_for_evaluations, make_teacher, report_episode

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (-5.0, 5.0)})
NOISE = 60.0  # a wide return noise gives the simulated student success rates between 0 and 1 over many tasks


def noisy_student(warmup: int = 400):
    """A simulated student (return noise NOISE) trained on ``warmup`` easy tasks: competent in a corner."""
    env = gym.make("teachgym/SimulatedStudent-v0", return_noise=NOISE)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(warmup):
        env.reset(options={"task": rng.uniform(0.0, 0.3, 2)})
        env.step(np.zeros(1, dtype=np.float32))
    return env


def true_learnability(student, teacher, unit_tasks: np.ndarray) -> np.ndarray:
    """p (1 - p) of each task, p the student's exact success probability."""
    returns = np.array([student.expected_return(task) for task in teacher.task_space.denormalize(unit_tasks)])
    rate = special.ndtr((returns - student.success_return) / NOISE)
    return rate * (1.0 - rate)


def test_a_plain_loop_without_an_evaluator_gets_an_error_naming_what_is_missing():
    teacher = make_teacher("sfl", SPACE, seed=0)
    assert asks_for_evaluations(teacher)
    before = pickle.dumps(teacher.state_dict())
    with pytest.raises(TeacherError, match="teacher 'sfl' asks for evaluation rollouts .* call "
                                           "set_success_evaluator\\(evaluator\\) first"):
        teacher.sample_task()
    assert pickle.dumps(teacher.state_dict()) == before
    with pytest.raises(TeacherError, match="must be callable"):
        teacher.set_success_evaluator("student")


def test_the_kept_tasks_are_far_more_learnable_than_uniform_ones():
    env = noisy_student()
    student = env.unwrapped
    teacher = make_teacher("sfl", student.task_space, seed=0, n_candidates=1000, n_rollouts=10, buffer_size=20)
    teacher.set_success_evaluator(student.evaluate_successes)
    teacher.sample_task()
    metrics = teacher.metrics()
    # Estimated from 10 rollouts per candidate: the top 20 of 1000 against the mean candidate.
    assert metrics["buffer_learnability"] == pytest.approx(0.2285)
    assert metrics["candidate_learnability"] == pytest.approx(0.0116)
    # The student's exact p (1 - p): every kept task is learnable, uniform tasks almost never are.
    kept = true_learnability(student, teacher, teacher.buffer)
    uniform = true_learnability(student, teacher, np.random.default_rng(1).uniform(0.0, 1.0, (1000, 2)))
    assert kept.min() > 0.11 and kept.mean() == pytest.approx(0.170, abs=1e-3)
    assert uniform.mean() == pytest.approx(0.0129, abs=1e-4)


def test_samples_mix_buffered_and_uniform_tasks_by_buffer_ratio():
    calls = []

    def evaluator(tasks, n_rollouts):
        calls.append((tasks.shape, n_rollouts))
        return np.rint(n_rollouts * SPACE.normalize(tasks)[:, 0])  # success rate = x

    teacher = make_teacher("sfl", SPACE, seed=0, refresh_period=500, n_candidates=300, n_rollouts=4,
                           buffer_size=30, buffer_ratio=0.3)
    teacher.set_success_evaluator(evaluator)
    tasks = np.array([teacher.sample_task() for _ in range(1200)])
    assert calls == [((300, 2), 4)] * 3  # at samples 0, 500 and 1000
    # With 4 rollouts the rates are multiples of 1/4: the kept tasks have x rounding to 0.5 (p (1 - p) = 1/4).
    assert np.all(np.abs(SPACE.normalize(teacher.buffer)[:, 0] - 0.5) <= 0.125)
    buffered = np.abs(SPACE.normalize(tasks)[:, 0] - 0.5) <= 0.125
    assert teacher.metrics()["buffer_share"] == pytest.approx(0.2725)  # 327 of 1200 (0.3 expected, sd 0.013)
    # Uniform samples land in that band a quarter of the time.
    assert buffered.mean() == pytest.approx(0.2725 + 0.7275 * 0.25, abs=0.03)
    assert teacher.metrics()["refreshes"] == 3.0


def test_the_simulated_student_answers_without_learning():
    env = noisy_student()
    student = env.unwrapped
    competence = student.competence.copy()
    tasks = [[0.05, 0.05], [0.9, 0.9]]
    successes = np.array([student.evaluate_successes(tasks, 50) for _ in range(40)])
    np.testing.assert_array_equal(student.competence, competence)
    expected = special.ndtr((np.array([student.expected_return(t) for t in tasks]) - student.success_return) / NOISE)
    np.testing.assert_allclose(successes.mean(axis=0) / 50, expected, atol=0.02)
    assert successes[:, 1].max() == 0  # far too hard: never a success
    with pytest.raises(TeachgymError, match="n_rollouts must be an integer >= 1, got 0"):
        student.evaluate_successes(tasks, 0)


def run_on_student(teacher, env, episodes: int) -> list[np.ndarray]:
    student, tasks = env.unwrapped, []
    for _ in range(episodes):
        task = teacher.sample_task()
        tasks.append(task)
        observation, _ = env.reset(options={"task": task})
        _, episode_return, _, _, info = env.step(np.zeros(1, dtype=np.float32))
        report_episode(teacher, task, episode_return, success=info["success"], initial_observation=observation)
    assert student.learning
    return tasks


def sfl_on_a_student(seed: int = 0):
    env = noisy_student(warmup=0)
    teacher = make_teacher("sfl", env.unwrapped.task_space, seed=seed, refresh_period=40, n_candidates=200,
                           buffer_size=10)
    teacher.set_success_evaluator(env.unwrapped.evaluate_successes)
    return teacher, env


def test_a_restored_teacher_and_student_continue_exactly():
    teacher, env = sfl_on_a_student()
    run_on_student(teacher, env, 130)
    teacher_state = pickle.loads(pickle.dumps(teacher.state_dict()))
    student_state = pickle.loads(pickle.dumps(env.unwrapped.state_dict()))
    expected = run_on_student(teacher, env, 130)

    resumed, resumed_env = sfl_on_a_student(seed=5)
    resumed.load_state_dict(teacher_state)
    resumed_env.unwrapped.load_state_dict(student_state)
    np.testing.assert_array_equal(run_on_student(resumed, resumed_env, 130), expected)
    assert resumed.metrics() == teacher.metrics()


def test_the_seed_decides_the_curriculum():
    first, second, other = (run_on_student(*sfl_on_a_student(seed), 100) for seed in (0, 0, 1))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_an_evaluator_answering_wrongly_is_refused():
    teacher = make_teacher("sfl", SPACE, seed=0, n_candidates=10, buffer_size=5, n_rollouts=3)
    teacher.set_success_evaluator(lambda tasks, n_rollouts: np.zeros(len(tasks) - 1))
    with pytest.raises(TeacherError, match="returned 9 counts for 10 tasks"):
        teacher.sample_task()
    teacher.set_success_evaluator(lambda tasks, n_rollouts: np.full(len(tasks), 4))
    with pytest.raises(TeacherError, match="counts outside \\[0, 3\\]"):
        teacher.sample_task()


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"refresh_period": 0}, "refresh_period must be an integer >= 1, got 0"),
    ({"n_candidates": 2.5}, "n_candidates must be an integer >= 1, got 2.5"),
    ({"n_rollouts": -1}, "n_rollouts must be an integer >= 1, got -1"),
    ({"buffer_size": 0}, "buffer_size must be an integer >= 1, got 0"),
    ({"buffer_size": 20, "n_candidates": 10}, "buffer_size (20) cannot exceed n_candidates (10)"),
    ({"buffer_ratio": 1.5}, "buffer_ratio must be a finite number in [0, 1], got 1.5"),
])
def test_bad_hyperparameters_are_named(refusal, hyperparameters, fragment):
    assert fragment in refusal("sfl", SPACE, **hyperparameters)


def test_presets():
    assert make_teacher("sfl", SPACE, preset="minigrid").buffer_size == 1000
    assert make_teacher("sfl", SPACE, preset="simulated").refresh_period == 200
