"""Hyperparameter checks shared by every teacher: the message names the teacher, the value and the expected range."""

import math

import numpy as np
import pytest

from teachgym import TaskSpace
from teachgym.teachers import TeacherError
from teachgym.teachers.checks import checked_distribution, checked_integer, checked_real

SPACE = TaskSpace({"x": (0.0, 2.0), "n": (0, 4)}, integer=["n"])


def test_hyperparameter_checks_name_the_value_and_the_range():
    assert checked_integer("t", "stage_length", np.int64(3), minimum=1) == 3
    assert checked_real("t", "alpha", 0.5, low=0.0, high=1.0, low_open=True, high_open=True) == 0.5
    with pytest.raises(TeacherError, match=r"teacher 't': stage_length must be an integer >= 1, got 2.5"):
        checked_integer("t", "stage_length", 2.5, minimum=1)
    with pytest.raises(TeacherError, match=r"alpha must be a finite number in \(0, 1\), got 1.0"):
        checked_real("t", "alpha", 1.0, low=0.0, high=1.0, low_open=True, high_open=True)
    with pytest.raises(TeacherError, match=r"threshold must be a finite number, got inf"):
        checked_real("t", "threshold", math.inf)


def test_distributions_are_checked_and_converted_to_the_unit_cube():
    mean, std = checked_distribution("t", "initial_distribution", SPACE, {"mean": [1.0, 2], "std": {"x": 0.2, "n": 0}})
    np.testing.assert_allclose(mean, [0.5, 0.5])
    np.testing.assert_allclose(std, [0.1, 0.0])
    assert checked_distribution("t", "initial_distribution", SPACE, None) is None
    for bad, fragment in [({"mean": [1.0, 2]}, "exactly the keys 'mean' and 'std'"),
                          ({"mean": [3.0, 2], "std": [0.1, 0.1]}, "'x' = 3 is outside its bounds"),
                          ({"mean": [1.0, 2], "std": [-0.1, 0.1]}, "std must be finite and >= 0"),
                          ({"mean": [1.0, 2], "std": [0.1]}, "task has 1 values")]:
        with pytest.raises(TeacherError, match="teacher 't': target_distribution") as raised:
            checked_distribution("t", "target_distribution", SPACE, bad)
        assert fragment in str(raised.value)
    assert math.isfinite(float(mean[0]))
