"""Fixtures shared by the teacher tests."""

import pickle
from collections.abc import Callable

import numpy as np
import pytest

from teachgym.teachers import Teacher


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
