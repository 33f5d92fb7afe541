"""The Teacher contract, run over every registered teacher (design.md section 2, "Teacher").

Each teacher is driven by the same deterministic synthetic student: a return that depends on the task and on how
often its neighbourhood was practised, so learning teachers have something to learn from.
"""

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teachgym import TaskError, TaskSpace
from teachgym.teachers import Teacher, TeacherError, asks_for_evaluations, available_teachers, make_teacher

REWARD_RANGE = (-150.0, 350.0)
# Expert knowledge some teachers require; a teacher missing here that needs some fails test_required_knowledge.
EXPERT_KNOWLEDGE = {
    "adr": {"reward_thresholds": (0.0, 180.0), "initial_task": [0.25, 0.0]},
    "currot": {"reward_thresholds": (0.0, 180.0)},
    "expert-easy-to-hard": {"initial_distribution": {"mean": [0.0, 4.0], "std": [0.1, 1.0]}},
}
# Optional knowledge: the success threshold of teachers that learn from success, for updates without a success flag.
SUCCESS_KNOWLEDGE = {name: {"reward_thresholds": (0.0, 180.0)} for name in ("goal-gan", "setter-solver")}
# Hyperparameters that bring teachers with a slow schedule into action within the contract's few hundred episodes.
FAST_SCHEDULES = {
    "self-paced": {"update_frequency": 50, "update_offset": 100},
    "goal-gan": {"pretrain_iterations": 20},  # the contract needs a pretrained generator, not a well pretrained one
    "sfl": {"refresh_period": 100, "n_candidates": 200, "buffer_size": 20},
    "currot": {"n_particles": 100, "n_candidates": 20},  # the reference's 500 particles and 100 candidates: slower
}
SPACES = {
    "continuous": TaskSpace({"x": (0.0, 1.0), "y": (-5.0, 5.0)}),
    "with_integer": TaskSpace({"x": (0.0, 1.0), "n": (0, 4)}, integer=["n"]),
}
TEACHERS = sorted(available_teachers())


def make(name: str, space: TaskSpace = SPACES["continuous"], seed: int = 0) -> Teacher:
    teacher = make_teacher(name, space, seed=seed, reward_range=REWARD_RANGE, **EXPERT_KNOWLEDGE.get(name, {}),
                           **SUCCESS_KNOWLEDGE.get(name, {}), **FAST_SCHEDULES.get(name, {}))
    if asks_for_evaluations(teacher):  # a deterministic student: its success rate is the task's first unit value
        teacher.set_success_evaluator(lambda tasks, n_rollouts: np.rint(n_rollouts * space.normalize(tasks)[:, 0]))
    return teacher


class SyntheticStudent:
    """Returns rise where the student practised (the first dimension's lower half only); deterministic."""

    def __init__(self, space: TaskSpace):
        self.space = space
        self.practice = np.zeros(10)

    def episode_return(self, task: np.ndarray) -> float:
        unit = self.space.normalize(task)
        cell = min(int(unit[0] * 10), 9)
        self.practice[cell] += 1
        learnable = unit[0] < 0.5
        return float(-100.0 + (300.0 * (1 - math.exp(-self.practice[cell] / 50)) if learnable else 0.0) + 20 * unit[-1])


def drive(teacher: Teacher, episodes: int, student: SyntheticStudent | None = None) -> np.ndarray:
    """Run ``episodes`` sample/update rounds; return the sampled tasks."""
    student = student or SyntheticStudent(teacher.task_space)
    tasks = []
    for _ in range(episodes):
        task = teacher.sample_task()
        tasks.append(task)
        teacher.update(task, student.episode_return(task), success=bool(len(tasks) % 3 == 0))
    return np.array(tasks)


def assert_same_state(first: dict, second: dict) -> None:
    assert pickle.dumps(first) == pickle.dumps(second)


@pytest.mark.parametrize("name", TEACHERS)
@pytest.mark.parametrize("space_name", sorted(SPACES))
def test_samples_are_always_inside_the_space(name, space_name):
    space = SPACES[space_name]
    tasks = drive(make(name, space), 700)
    assert all(space.contains(task) for task in tasks)
    assert tasks.dtype == np.float64 and tasks.shape == (700, space.ndim)


@pytest.mark.parametrize("name", TEACHERS)
def test_same_seed_gives_the_same_sequence_and_another_seed_another(name):
    first, second, other = drive(make(name), 400), drive(make(name), 400), drive(make(name, seed=1), 400)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("name", TEACHERS)
def test_state_dict_round_trip_gives_the_same_future(name):
    teacher, student = make(name), SyntheticStudent(SPACES["continuous"])
    drive(teacher, 520, student)
    state = pickle.loads(pickle.dumps(teacher.state_dict()))  # checkpoints go through pickle
    practice = student.practice.copy()
    expected = drive(teacher, 300, student)

    resumed = make(name, seed=99)
    resumed.load_state_dict(state)
    student.practice = practice
    np.testing.assert_array_equal(drive(resumed, 300, student), expected)
    assert resumed.episodes == teacher.episodes == 820


@pytest.mark.parametrize("name", TEACHERS)
def test_updates_accept_edge_returns_and_success_values(name):
    teacher = make(name)
    for episode_return, success in [(1e9, True), (-1e9, False), (0.0, None), (REWARD_RANGE[0], None),
                                    (REWARD_RANGE[1], True), (np.float32(3.5), np.bool_(False)), (7, None)]:
        teacher.update(teacher.sample_task(), episode_return, success=success)
    teacher.update(SPACES["continuous"].low, 0.0)
    teacher.update(SPACES["continuous"].high, 0.0)
    teacher.update({"x": 0.5, "y": 0.0}, 1.0)
    assert teacher.episodes == 10
    assert SPACES["continuous"].contains(teacher.sample_task())


BAD_UPDATES = [
    (lambda t: ([0.5, 0.0], math.nan), TeacherError, "finite"),
    (lambda t: ([0.5, 0.0], math.inf), TeacherError, "finite"),
    (lambda t: ([0.5, 0.0], "1.0"), TeacherError, "episode_return must be a finite number, got '1.0'"),
    (lambda t: ([0.5, 9.0], 1.0), TaskError, "'y' = 9 is outside its bounds"),
    (lambda t: ([0.5], 1.0), TaskError, "task has 1 values"),
    (lambda t: ([math.nan, 0.0], 1.0), TaskError, "'x' is nan"),
]


@pytest.mark.parametrize("name", TEACHERS)
@pytest.mark.parametrize(("bad", "error", "fragment"), BAD_UPDATES)
def test_bad_input_is_rejected_without_changing_the_teacher(name, bad, error, fragment):
    teacher = make(name)
    drive(teacher, 260)
    before = teacher.state_dict()
    task, episode_return = bad(teacher)
    with pytest.raises(error) as raised:
        teacher.update(task, episode_return)
    assert fragment in str(raised.value)
    assert_same_state(teacher.state_dict(), before)
    with pytest.raises(TeacherError, match="success must be True, False or None"):
        teacher.update([0.5, 0.0], 1.0, success="yes")
    assert_same_state(teacher.state_dict(), before)


@pytest.mark.parametrize("name", TEACHERS)
def test_metrics_are_floats_and_count_episodes(name):
    teacher = make(name)
    drive(teacher, 300)
    metrics = teacher.metrics()
    assert metrics["episodes"] == 300.0
    assert all(type(value) is float and math.isfinite(value) for value in metrics.values())


@pytest.mark.parametrize("name", TEACHERS)
def test_load_state_dict_refuses_foreign_or_broken_states(name):
    teacher = make(name)
    state = teacher.state_dict()
    with pytest.raises(TeacherError, match="missing"):
        teacher.load_state_dict({"teacher": name})
    with pytest.raises(TeacherError, match="cannot be loaded"):
        teacher.load_state_dict({**state, "teacher": "someone-else"})
    with pytest.raises(TeacherError, match="another task space"):
        teacher.load_state_dict({**state, "task_space": TaskSpace({"z": (0.0, 1.0)}).to_config()})
    if teacher.state_attributes:
        broken = {**state, "algorithm": {}}
        with pytest.raises(TeacherError, match="lacks"):
            teacher.load_state_dict(broken)


@pytest.mark.parametrize("name", TEACHERS)
def test_required_knowledge_is_asked_for_clearly(name):
    space = SPACES["continuous"]
    if name in EXPERT_KNOWLEDGE:
        with pytest.raises(TeacherError) as raised:
            make_teacher(name, space, seed=0)
        assert any(key in str(raised.value) for key in EXPERT_KNOWLEDGE[name])
    else:
        make_teacher(name, space, seed=0)


@pytest.mark.parametrize("name", TEACHERS)
def test_unknown_hyperparameters_suggest_the_closest(name):
    with pytest.raises(ValueError, match="did you mean 'seed'"):
        make_teacher(name, SPACES["continuous"], sed=0, **EXPERT_KNOWLEDGE.get(name, {}))


def test_unknown_teacher_names_suggest_the_closest():
    with pytest.raises(ValueError, match="unknown teacher 'randon' \\(did you mean 'random'\\?\\)"):
        make_teacher("randon", SPACES["continuous"])


def test_presets_override_defaults_and_explicit_values_win():
    for name in TEACHERS:
        cls = available_teachers()[name]
        for preset, values in cls.presets.items():
            teacher = make_teacher(name, SPACES["continuous"], preset=preset, **EXPERT_KNOWLEDGE.get(name, {}))
            assert isinstance(teacher, cls)
            assert values, f"preset {preset!r} of {name!r} is empty"
    with pytest.raises(ValueError, match="unknown preset 'nope' of teacher 'random'"):
        make_teacher("random", SPACES["continuous"], preset="nope")


@pytest.mark.parametrize("name", TEACHERS)
@settings(max_examples=15)
@given(data=st.data())
def test_any_valid_sequence_of_updates_keeps_samples_inside(name, data):
    space = SPACES["continuous"]
    teacher = make(name, seed=data.draw(st.integers(0, 2**31)))
    returns = st.floats(-1e6, 1e6, allow_nan=False)
    units = st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2)
    for unit, episode_return in data.draw(st.lists(st.tuples(units, returns), min_size=1, max_size=60)):
        teacher.update(space.denormalize(unit), episode_return)
        assert space.contains(teacher.sample_task())
