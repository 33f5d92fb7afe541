"""One meaning of "an integer" and "a number" at every boundary: numpy values count, bools do not."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from teachgym.benchmarks.config import ConfigError, RunConfig
from teachgym.students import StudentError, make_vec_env
from teachgym.validation import is_finite_number, is_integer, is_number, is_positive_integer

STUDENT = "teachgym/SimulatedStudent-v0"


@given(st.integers(-10**6, 10**6))
def test_python_and_numpy_integers_are_integers(value):
    for candidate in (value, np.int64(value), np.int32(value) if abs(value) < 2**31 else value):
        assert is_integer(candidate) and is_number(candidate) and is_finite_number(candidate)
        assert is_positive_integer(candidate) == (value >= 1)


@pytest.mark.parametrize("value", [True, False, np.bool_(True), 1.0, "1", None, [1]])
def test_bools_floats_and_text_are_not_integers(value):
    assert not is_integer(value) and not is_positive_integer(value)


def test_numbers_include_numpy_floats_and_finite_excludes_nan_and_infinities():
    assert is_number(np.float32(0.5)) and is_finite_number(2.5)
    assert is_number(math.inf) and not is_finite_number(math.inf) and not is_finite_number(np.float64("nan"))
    assert not is_number(True) and not is_number("0.5")


def test_every_boundary_takes_a_numpy_integer_and_refuses_a_bool():
    env = make_vec_env(STUDENT, np.int64(2), workers=0)
    assert env.num_envs == 2
    env.close()
    config = RunConfig(env=STUDENT, student="simulated", seed=np.int64(3), n_envs=np.int64(1))
    config.check_scalars()
    assert config.to_dict()["seed"] == 3 and type(config.to_dict()["seed"]) is int
    with pytest.raises(StudentError, match="n_envs must be a positive integer, got True"):
        make_vec_env(STUDENT, True)
    with pytest.raises(ConfigError, match="seed"):
        RunConfig(env=STUDENT, student="simulated", seed=True).check_scalars()
