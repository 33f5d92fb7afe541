"""Fixtures shared by the teacher tests."""

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from teachgym.task_space import TaskSpace
from teachgym.teachers import Teacher, TeacherError, make_teacher


def _continues_exactly(teacher: Teacher, resumed: Teacher, returns: Callable[[], float], steps: int) -> None:
    """Load ``teacher``'s pickled state into ``resumed`` and check both sample and report alike for ``steps``."""
    resumed.load_state_dict(pickle.loads(pickle.dumps(teacher.state_dict())))
    for _ in range(steps):
        task = teacher.sample_task()
        np.testing.assert_array_equal(resumed.sample_task(), task)
        episode_return = returns()
        teacher.update(task, episode_return)
        resumed.update(task, episode_return)
    assert resumed.metrics() == teacher.metrics()


@pytest.fixture
def continues_exactly() -> Callable[[Teacher, Teacher, Callable[[], float], int], None]:
    """``continues_exactly(teacher, resumed, returns, steps)``: a restored teacher carries on identically."""
    return _continues_exactly


def _refusal(name: str, task_space: TaskSpace, **hyperparameters: Any) -> str:
    """Build teacher ``name`` with bad ``hyperparameters``: it must raise a TeacherError that names the teacher
    first; returns the rest of the message."""
    with pytest.raises(TeacherError) as raised:
        make_teacher(name, task_space, **hyperparameters)
    message = str(raised.value)
    prefix = f"teacher {name!r}: "
    assert message.startswith(prefix), message
    return message.removeprefix(prefix)


@pytest.fixture
def refusal() -> Callable[..., str]:
    """``refusal(name, task_space, **hyperparameters)``: the message of the TeacherError a bad teacher gets."""
    return _refusal
