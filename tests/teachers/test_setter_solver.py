"""Setter-Solver: proposals and their feasibilities, what the judge and the setter learn, the update schedule, exact
resume."""

import numpy as np
import pytest

from teachgym import TaskSpace
from teachgym.teachers import TeacherError, make_teacher

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (-5.0, 5.0)})
SMALL = {"hidden_size": 16, "flow_blocks": 2, "highway_blocks": 1, "judge_layers": (16, 16)}


def small_setter(**hyperparameters):
    return make_teacher("setter-solver", SPACE, **{"seed": 0, **SMALL, **hyperparameters})


def test_proposals_remember_their_feasibility_until_their_episode_is_back():
    teacher = small_setter(update_period=100)
    tasks = [teacher.sample_task() for _ in range(3)]
    assert len(teacher.pending_tasks) == 3 and np.all((teacher.pending_feasibilities > 0)
                                                      & (teacher.pending_feasibilities < 1))
    feasibilities = teacher.pending_feasibilities.copy()
    teacher.update(tasks[1], 0.0, success=True)
    teacher.update([0.5, 0.0], 0.0, success=False)  # a task the setter did not propose: it trains the judge only
    assert teacher.episode_feasibilities[0] == feasibilities[1]
    assert np.isnan(teacher.episode_feasibilities[1])
    assert teacher.episode_successes == [True, False]
    np.testing.assert_array_equal(teacher.pending_feasibilities, feasibilities[[0, 2]])
    assert teacher.metrics()["pending_tasks"] == 2.0


def test_updates_come_every_update_period_episodes_and_forget_the_episodes_used():
    teacher = small_setter(update_period=5)
    before = teacher.networks["judge"][0].weight.detach().clone()
    for episode in range(1, 11):
        task = teacher.sample_task()
        teacher.update(task, 0.0, success=episode % 2 == 0)
        assert teacher.setter_updates == episode // 5
        assert len(teacher.episode_tasks) == episode % 5
    assert not np.array_equal(before.numpy(), teacher.networks["judge"][0].weight.detach().numpy())
    metrics = teacher.metrics()
    assert metrics["success_rate"] == pytest.approx(0.6)  # episodes 6 to 10: 6, 8 and 10 succeeded
    assert metrics["setter_loss"] == pytest.approx(metrics["validity_loss"] + metrics["feasibility_loss"]
                                                   + metrics["coverage_loss"], abs=1e-5)
    assert len(teacher.proposals) == 0  # proposals from the previous setter are dropped


def test_the_judge_learns_where_the_student_succeeds_and_the_setter_follows_the_asked_feasibility():
    # The student solves exactly the tasks with x < 0.5.
    # 40 steps per update: with 25, the share of easy proposals at x < 0.5 ranged 0.74-0.99 over seeds 0-23 (seed 6
    # under the 0.8 bound, seed 0 at 0.90); with 40, 0.84-0.99 over seeds 0-35 (hard proposals: 0.95-1.0).
    teacher = small_setter(update_period=40, gradient_steps=40, learning_rate=3e-3)
    for _ in range(400):
        task = teacher.sample_task()
        teacher.update(task, 0.0, success=bool(SPACE.normalize(task)[0] < 0.5))
    probe = np.array([[0.1, 0.5], [0.3, 0.5], [0.7, 0.5], [0.9, 0.5]])
    predicted = teacher.predicted_success(probe)
    assert np.all(predicted[:2] > 0.8) and np.all(predicted[2:] < 0.2)
    easy = teacher.propose(np.full(400, 0.95))[:, 0]
    hard = teacher.propose(np.full(400, 0.05))[:, 0]
    assert np.mean(easy < 0.5) > 0.8 and np.mean(hard > 0.5) > 0.8


def test_updates_without_success_use_the_reward_thresholds_or_are_refused():
    teacher = small_setter(reward_thresholds=(0.0, 180.0))
    teacher.update(teacher.sample_task(), 180.0)
    teacher.update(teacher.sample_task(), 179.0)
    assert teacher.episode_successes == [True, False]
    with pytest.raises(TeacherError, match="'setter-solver' learns from each episode's success"):
        small_setter().update([0.5, 0.0], 1.0)


@pytest.mark.parametrize(("hyperparameters", "fragment"), [
    ({"update_period": 0}, "update_period must be an integer >= 1, got 0"),
    ({"task_noise": 0.7}, "task_noise must be a finite number in [0, 0.5], got 0.7"),
    ({"hidden_size": 0}, "hidden_size must be an integer >= 1, got 0"),
    ({"judge_layers": "64"}, "judge_layers must be a non-empty sequence of positive layer sizes, got '64'"),
    ({"gradient_steps": 1.5}, "gradient_steps must be an integer >= 1, got 1.5"),
    ({"device": "cuda:x"}, "device must be"),
])
def test_bad_hyperparameters_are_named(refusal, hyperparameters, fragment):
    assert fragment in refusal("setter-solver", SPACE, **hyperparameters)


def test_a_resumed_setter_continues_exactly(continues_exactly):
    schedule = {"update_period": 7, "reward_thresholds": (0.0, 180.0)}
    teacher = small_setter(**schedule)
    rng = np.random.default_rng(0)
    returns = lambda: float(rng.choice([0.0, 200.0]))  # noqa: E731  (successes through the thresholds)
    for _ in range(30):
        teacher.update(teacher.sample_task(), returns())
    continues_exactly(teacher, small_setter(seed=3, **schedule), returns, 40)
    assert teacher.setter_updates == 10
    with pytest.raises(TeacherError, match="network 'setter' was saved with other sizes"):
        small_setter(hidden_size=8).load_state_dict(teacher.state_dict())


def test_one_dimensional_spaces_work():
    space = TaskSpace({"x": (0.0, 2.0)})
    teacher = make_teacher("setter-solver", space, seed=0, update_period=10, **SMALL)
    for _ in range(30):
        task = teacher.sample_task()
        assert space.contains(task)
        teacher.update(task, 0.0, success=bool(task[0] < 1.0))
    assert teacher.setter_updates == 3
