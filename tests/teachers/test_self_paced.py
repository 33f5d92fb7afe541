"""Self-Paced (SPDL): its schedule, the student's value estimates, truncated sampling, and its behaviour on a
simulated student (the contract tests cover seeding, resume without a glue, bad input and metrics)."""

import re

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import teachgym  # noqa: F401  (registers the simulated students)
from teachgym import TaskSpace
from teachgym.teachers import TeacherError, make_teacher, uses_value_estimates
from teachgym.teachers.expert import expert_hyperparameters
from teachgym.teachers.self_paced import SelfPacedTeacher

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (-5.0, 5.0)})


def make(**hyperparameters) -> SelfPacedTeacher:
    return make_teacher("self-paced", SPACE, seed=0, device="cpu", **hyperparameters)


def student_run(env_id: str, episodes: int, seed: int = 0, **env_kwargs) -> tuple[SelfPacedTeacher, list, list]:
    """Self-Paced with the simulated-student schedule and the easy expert start, on a simulated student that gives
    its value estimates; returns the teacher, its KL to the target and the student's mastered share every 200
    episodes."""
    env = gym.make(env_id, **env_kwargs)
    student = env.unwrapped
    env.reset(seed=seed)
    knowledge = expert_hyperparameters(SelfPacedTeacher, student.expert_knowledge(), "high")
    teacher = make_teacher("self-paced", student.task_space, preset="simulated", seed=seed, device="cpu",
                           **knowledge)
    teacher.set_value_estimator(student.value_estimates)
    action = np.zeros(1, dtype=np.float32)
    kls, mastered = [teacher.kl_to_target], [student.mastered_share]
    for episode in range(1, episodes + 1):
        student.set_task(teacher.sample_task())
        observation, _ = env.reset()
        _, episode_return, _, _, info = env.step(action)
        teacher.record_episode(observation, length=1, discounted_return=episode_return)
        teacher.update(list(info["task"].values()), episode_return, success=info["success"])
        if episode % 200 == 0:
            kls.append(teacher.kl_to_target)
            mastered.append(student.mastered_share)
    return teacher, kls, mastered


# ------------------------------------------------------------------------------------------------- behaviour
def test_the_distribution_moves_from_the_easy_start_towards_the_target_as_the_student_improves():
    """One run's figures swing with its seed (over seeds 0-31: the final KL from 0.41 to 0.62 of the first, the
    smallest std from 0.133 to 0.183, against bounds of 0.6 and 0.13), so the schedule and the signs are checked on
    every run and the figures on their mean over four seeds."""
    start_distance = np.linalg.norm(np.array([0.0, 0.0]) - 0.5)  # the easy start: the default task, the corner
    pulled = slice(4, None)  # from episode 800
    figures = []
    for seed in range(4):
        teacher, kls, mastered = student_run("teachgym/SimulatedStudent-v0", 3000, seed=seed)
        assert teacher.updates == 57  # every 50 episodes from the 200th on
        assert mastered[0] == 0.0
        assert teacher.metrics()["student_values"] == 1.0 and teacher.metrics()["alpha"] > 0
        figures.append((mastered[-1], np.corrcoef(kls[pulled], mastered[pulled])[0, 1], kls[-1] / kls[0],
                        kls[-1] / max(kls), np.linalg.norm(teacher.distribution_mean - 0.5) / start_distance,
                        np.sqrt(np.diag(teacher.distribution_covariance)).min()))
    mastered, correlation, kl_to_start, kl_to_peak, distance, std = np.mean(figures, axis=0)
    assert mastered > 0.1
    # Until the target pulls (update 10, episode 650) the values alone narrow the distribution onto what the student
    # masters; from then on, the more the student masters, the closer the distribution comes to the target.
    assert correlation < -0.7
    assert kl_to_start < 0.6 and kl_to_peak < 0.45
    assert distance < 0.8
    assert std > 0.13  # wider than the start's 0.1


def test_a_student_that_cannot_learn_keeps_the_distribution_at_its_start():
    # Nothing is feasible: every value stays at the floor, the performance is negative (no pull to the target) and
    # the values, all equal, point nowhere.
    teacher, kls, mastered = student_run("teachgym/SimulatedStudent-v0", 600, feasible_difficulty=-1.0)
    assert teacher.updates == 9 and mastered[-1] == 0.0
    assert kls == [kls[0]] * len(kls)
    assert teacher.metrics()["alpha"] == 0.0 and teacher.metrics()["step_kl"] == 0.0


# -------------------------------------------------------------------------------------------------- schedule
# Updates fall on multiples of 100 steps from 250 on: 300, 400 ...; an episode that passes several of them brings one.
@pytest.mark.parametrize(("length", "episodes", "updates"), [(1, 299, 0), (1, 300, 1), (1, 400, 2), (30, 10, 1),
                                                              (30, 13, 1), (30, 14, 2), (250, 3, 2)])
def test_updates_come_every_update_frequency_steps_from_the_offset_on(length, episodes, updates):
    teacher = make(update_frequency=100, update_offset=250)
    for _ in range(episodes):
        task = teacher.sample_task()
        teacher.record_episode(SPACE.normalize(task), length=length, discounted_return=1.0)
        teacher.update(task, 1.0)
    assert teacher.steps == length * episodes and teacher.updates == updates


def test_without_a_glue_every_episode_is_one_step_and_returns_stand_in_for_values():
    teacher = make(update_frequency=20, update_offset=0)
    for index in range(40):
        teacher.update(teacher.sample_task(), float(index))
    assert (teacher.steps, teacher.updates) == (40, 2)
    metrics = teacher.metrics()
    assert metrics["student_values"] == 0.0 and metrics["mean_value"] == pytest.approx(np.mean(range(20, 40)))


# ------------------------------------------------------------------------------------------ value estimates
def test_values_are_asked_for_at_update_time_for_the_recorded_initial_observations():
    teacher = make(update_frequency=5, update_offset=0, use_average_performance=True)
    assert uses_value_estimates(teacher)
    calls = []

    def estimator(observations):
        calls.append(observations.copy())
        return observations[:, 0] * 10.0

    teacher.set_value_estimator(estimator)
    for index in range(5):
        task = teacher.sample_task()
        teacher.record_episode([index, 2 * index, 0.5], length=1, discounted_return=-float(index))
        teacher.update(task, 100.0)
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0], [[i, 2 * i, 0.5] for i in range(5)])
    metrics = teacher.metrics()
    assert metrics["student_values"] == 1.0 and metrics["mean_value"] == 20.0
    assert metrics["alpha"] == 0.0  # average performance: the mean discounted return, -2, is negative
    assert teacher.buffer_tasks == [] and teacher.buffer_observations == []  # each update starts a new batch


def test_a_resumed_teacher_carries_the_buffered_observations_and_continues_exactly():
    def drive(teacher, episodes, start):
        tasks = []
        for index in range(start, start + episodes):
            tasks.append(teacher.sample_task())
            teacher.record_episode([np.sin(index), tasks[-1][0]], length=3, discounted_return=float(index % 7))
            teacher.update(tasks[-1], float(index % 7))
        return np.array(tasks)

    def estimator(observations):
        return 50.0 * observations[:, 1] - 10.0 * observations[:, 0]

    teacher = make(update_frequency=30, update_offset=30)
    teacher.set_value_estimator(estimator)
    drive(teacher, 25, 0)
    state = teacher.state_dict()
    expected = drive(teacher, 60, 25)
    resumed = make_teacher("self-paced", SPACE, seed=5, device="cpu", update_frequency=30, update_offset=30)
    resumed.load_state_dict(state)
    resumed.set_value_estimator(estimator)  # the estimator is the live student, not state
    np.testing.assert_array_equal(drive(resumed, 60, 25), expected)
    assert resumed.metrics() == teacher.metrics() and teacher.updates >= 4


@pytest.mark.parametrize(("estimator", "fragment"), [
    (lambda observations: np.zeros(len(observations) + 1), "returned 4 values for 3 observations"),
    (lambda observations: np.full(len(observations), np.nan), "non-finite values"),
])
def test_a_faulty_estimator_is_named(estimator, fragment):
    teacher = make(update_frequency=3, update_offset=0)
    teacher.set_value_estimator(estimator)
    with pytest.raises(TeacherError, match=fragment):
        for _ in range(3):
            teacher.record_episode([0.0], length=1, discounted_return=0.0)
            teacher.update(teacher.sample_task(), 0.0)


def test_an_estimator_without_recorded_observations_is_an_error_that_names_the_missing_call():
    teacher = make(update_frequency=2, update_offset=0)
    teacher.set_value_estimator(lambda observations: np.zeros(len(observations)))
    teacher.record_episode([0.0], length=1, discounted_return=0.0)
    teacher.update(teacher.sample_task(), 0.0)
    with pytest.raises(TeacherError, match="1 of the 2 episodes .* call record_episode before every update"):
        teacher.update(teacher.sample_task(), 0.0)  # no record_episode: a view never carries over


@pytest.mark.parametrize(("arguments", "fragment"), [
    ((["a"], 1, 0.0), "initial_observation must be an array of numbers"),
    (([np.inf], 1, 0.0), "initial_observation must be finite"),
    (([0.0], 0, 0.0), "length must be an integer >= 1"),
    (([0.0], 2.5, 0.0), "length must be an integer >= 1"),
    (([0.0], 1, np.nan), "discounted_return must be a finite number"),
])
def test_record_episode_rejects_bad_views(arguments, fragment):
    observation, length, discounted_return = arguments
    with pytest.raises(TeacherError, match=fragment):
        make().record_episode(observation, length=length, discounted_return=discounted_return)
    with pytest.raises(TeacherError, match="must be callable"):
        make().set_value_estimator("critic")


# ----------------------------------------------------------------------------------------- distribution
@settings(max_examples=20, deadline=None)
@given(mean=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2), seed=st.integers(0, 2**16))
def test_samples_come_from_the_gaussian_truncated_to_the_space_not_clipped_onto_its_faces(mean, seed):
    distribution = {"mean": SPACE.denormalize(mean).tolist(), "std": [0.2, 2.0]}
    teacher = make_teacher("self-paced", SPACE, seed=seed, device="cpu", initial_distribution=distribution)
    tasks = np.array([teacher.sample_task() for _ in range(200)])
    assert np.all((tasks >= SPACE.low) & (tasks <= SPACE.high))
    assert not np.any((tasks == SPACE.low) | (tasks == SPACE.high))  # clipping would put ~half the mass there


def test_an_expert_start_and_target_are_taken_in_task_units():
    teacher = make(initial_distribution={"mean": [0.0, 5.0], "std": [0.1, 1.0]},
                   target_distribution={"mean": [0.5, 0.0], "std": [0.25, 2.5]})
    np.testing.assert_allclose(teacher.distribution_mean, [0.0, 5.0])
    np.testing.assert_allclose(teacher.distribution_covariance, np.diag([0.01, 1.0]), atol=1e-12)
    # KL of independent Gaussians in unit-cube coordinates: the same in task units.
    expected = sum(np.log(st_ / s) + (s**2 + (m - mt) ** 2) / (2 * st_**2) - 0.5
                   for m, s, mt, st_ in [(0.0, 0.1, 0.5, 0.25), (1.0, 0.1, 0.5, 0.25)])
    assert teacher.kl_to_target == pytest.approx(expected)


def test_the_std_lower_bound_holds_while_the_distribution_is_far_from_the_target():
    teacher = make(update_frequency=10, update_offset=0, std_lower_bound=[0.3, 3.0], kl_threshold=0.0,
                   initial_distribution={"mean": [0.2, 0.0], "std": [0.05, 0.5]})
    for index in range(10):
        task = teacher.sample_task()
        teacher.update(task, float(100.0 * np.exp(-((task[0] - 0.2) ** 2) / 0.001)))
    assert teacher.updates == 1
    assert np.all(np.diag(teacher.distribution_covariance) >= np.array([0.3, 3.0]) ** 2 - 1e-12)


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"std_lower_bound": 0.1}, "std_lower_bound and kl_threshold go together"),
    ({"kl_threshold": 0.1}, "std_lower_bound and kl_threshold go together"),
    ({"std_lower_bound": [0.1, 0.2, 0.3], "kl_threshold": 1.0}, "std_lower_bound must be a number or 2 numbers"),
    ({"std_lower_bound": -1.0, "kl_threshold": 1.0}, "std_lower_bound must be finite and > 0"),
    ({"max_kl": 0.0}, "max_kl must be a finite number > 0, got 0.0"),
    ({"update_frequency": 0}, "update_frequency must be an integer >= 1"),
    ({"use_average_performance": "yes"}, "use_average_performance must be True or False"),
    ({"device": "tpu"}, "device must be"),
    ({"target_distribution": {"mean": [0.5, 9.0], "std": [0.1, 0.1]}}, "target_distribution.*'y' = 9"),
])
def test_bad_hyperparameters_are_named(refusal, hyperparameters, fragment):
    assert re.search(fragment, refusal("self-paced", SPACE, seed=0, **hyperparameters))


def test_presets_hold_teachmyagents_benchmark_values():
    tma = make_teacher("self-paced", SPACE, preset="tma", device="cpu")
    assert (tma.update_frequency, tma.update_offset, tma.alpha_offset, tma.zeta, tma.max_kl) == (
        50_000, 200_000, 10, 0.25, 0.1)
    assert tma.use_average_performance
    simulated = make_teacher("self-paced", SPACE, preset="simulated", device="cpu")
    assert (simulated.update_frequency, simulated.update_offset) == (50, 200)
