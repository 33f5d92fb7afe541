"""One meaning of "an integer" and "a number" at every boundary: numpy values count, bools do not."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from teachgym.benchmarks.config import ConfigError, RunConfig
from teachgym.benchmarks.statistics import StatisticsError, cvar, iqm, stratified_bootstrap_ci
from teachgym.envs.simulated import CompetenceMap, LearningRule, SimulatedStudent
from teachgym.errors import EnvOptionError, TeachgymError
from teachgym.students import ResetStudentCallback, StudentError, make_vec_env
from teachgym.validation import (
    check_integer,
    check_number,
    is_finite_number,
    is_integer,
    is_number,
    is_positive_integer,
)

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
    with pytest.raises(StudentError, match="n_envs must be an integer >= 1, got True"):
        make_vec_env(STUDENT, True)
    with pytest.raises(ConfigError, match="seed"):
        RunConfig(env=STUDENT, student="simulated", seed=True).check_scalars()


@given(st.integers(-10**6, 10**6), st.integers(-10, 10), st.integers(0, 20))
def test_check_integer_returns_an_int_inside_its_bounds_and_names_the_value_outside(value, minimum, width):
    maximum = minimum + width
    for candidate in (value, np.int64(value)):
        if minimum <= value <= maximum:
            assert check_integer("count", candidate, minimum=minimum, maximum=maximum) == value
            assert type(check_integer("count", candidate, minimum=minimum, maximum=maximum)) is int
        else:
            with pytest.raises(StudentError) as caught:
                check_integer("count", candidate, minimum=minimum, maximum=maximum, error=StudentError)
            assert str(caught.value) == f"count must be an integer in [{minimum}, {maximum}], got {candidate!r}"


@given(st.one_of(st.booleans(), st.floats(), st.text(max_size=3), st.none()))
def test_check_integer_refuses_bools_floats_and_text(value):
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1, got "):
        check_integer("n", value, minimum=1)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_check_number_takes_finite_numbers_in_its_interval_only(value):
    inside = math.isfinite(value) and 0 < value <= 1
    for candidate in (value, np.float64(value)):
        if inside:
            assert check_number("share", candidate, low=0, high=1, low_open=True) == value
        else:
            with pytest.raises(EnvOptionError) as caught:
                check_number("share", candidate, low=0, high=1, low_open=True, error=EnvOptionError)
            assert str(caught.value) == f"share must be a finite number in (0, 1], got {candidate!r}"


@pytest.mark.parametrize(("make", "error", "message"), [
    (lambda: SimulatedStudent(n_distractors=-1), EnvOptionError, "n_distractors must be an integer >= 0, got -1"),
    (lambda: SimulatedStudent(n_relevant=np.float64(2.0)), EnvOptionError,
     r"n_relevant must be an integer in \[1, 3\], got np.float64\(2.0\)"),
    (lambda: SimulatedStudent(feasible_difficulty=True), EnvOptionError,
     "feasible_difficulty must be a finite number, got True"),
    (lambda: SimulatedStudent(return_noise=-0.5), EnvOptionError,
     "return_noise must be a finite number >= 0, got -0.5"),
    (lambda: LearningRule(spread=np.float32(-1)), EnvOptionError,
     r"learning-rule parameter 'spread' must be a finite number > 0, got np.float32\(-1.0\)"),
    (lambda: CompetenceMap(np.zeros(2), np.ones(2, bool), [0.5], 1.0, LearningRule()), EnvOptionError,
     r"mastery must be a finite number in \(0, 1\), got 1.0"),
    (lambda: SimulatedStudent().evaluate_successes([[0.5, 0.5]], 0), TeachgymError,
     "n_rollouts must be an integer >= 1, got 0"),
    (lambda: ResetStudentCallback(np.int64(0)), StudentError, r"every must be an integer >= 1, got np.int64\(0\)"),
    (lambda: cvar([1.0, 2.0], alpha=np.float64(1.5)), StatisticsError,
     r"alpha must be a finite number in \(0, 1\], got np.float64\(1.5\)"),
    (lambda: stratified_bootstrap_ci(iqm, [[1.0]], resamples=0), StatisticsError,
     "resamples must be an integer >= 1, got 0"),
])
def test_real_bad_values_get_the_typed_error_naming_the_value(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_numpy_values_are_accepted_where_python_ones_are():
    assert SimulatedStudent(n_relevant=np.int64(2), feasible_difficulty=np.float32(0.5)).n_relevant == 2
    assert LearningRule(learning_rate=np.float64(0.5)).learning_rate == 0.5
    assert ResetStudentCallback(np.int64(10)).every == 10
    assert cvar([4.0, 1.0, 3.0, 2.0], alpha=np.float64(0.5)) == pytest.approx(1.5)
