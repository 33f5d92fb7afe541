"""TaskSpace: construction, validation errors, conversions, sampling and serialisation."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from teachgym import TaskError, TaskSpace

STUMPS = {"stump_height": (0.0, 3.0), "obstacle_spacing": (0.0, 6.0)}


@pytest.fixture
def space() -> TaskSpace:
    return TaskSpace(STUMPS, default={"stump_height": 0.0, "obstacle_spacing": 6.0})


def test_properties_follow_the_given_order(space):
    assert space.names == ("stump_height", "obstacle_spacing")
    np.testing.assert_array_equal(space.low, [0.0, 0.0])
    np.testing.assert_array_equal(space.high, [3.0, 6.0])
    np.testing.assert_array_equal(space.default, [0.0, 6.0])
    assert space.ndim == len(space) == 2
    assert space.bounds == STUMPS


def test_default_task_is_the_centre_when_omitted():
    np.testing.assert_array_equal(TaskSpace(STUMPS).default, [1.5, 3.0])


def test_arrays_are_read_only(space):
    with pytest.raises(ValueError):
        space.low[0] = -1.0


@pytest.mark.parametrize(
    ("task", "fragment"),
    [
        (
            {"stump_heigt": 1.0, "obstacle_spacing": 1.0},
            "unknown task parameter 'stump_heigt' (did you mean 'stump_height'?)",
        ),
        ({"stump_height": 1.0}, "missing parameter(s) ['obstacle_spacing']"),
        ([1.0, 2.0, 3.0], "task has 3 values, expected 2 (stump_height, obstacle_spacing)"),
        ([math.nan, 1.0], "'stump_height' is nan; expected a finite value in [0, 3]"),
        ([1.0, math.inf], "'obstacle_spacing' is inf; expected a finite value in [0, 6]"),
        ([3.5, 1.0], "'stump_height' = 3.5 is outside its bounds [0, 3]"),
        ([1.0, -0.1], "'obstacle_spacing' = -0.1 is outside its bounds [0, 6]"),
        (["1", 2.0], "'stump_height' must be a number, got '1'"),
        ("12", "a task must be a mapping"),
        (np.zeros((2, 1)), "must be 1-D with 2 values"),
    ],
)
def test_validate_names_the_bad_value(space, task, fragment):
    with pytest.raises(TaskError) as raised:
        space.validate(task)
    assert fragment in str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert not space.contains(task)


def test_validate_accepts_dicts_and_vectors_and_returns_fresh_arrays(space):
    task = np.array([1.0, 2.0])
    validated = space.validate(task)
    validated[0] = 99.0
    assert task[0] == 1.0
    np.testing.assert_array_equal(space.validate({"obstacle_spacing": 2.0, "stump_height": 1.0}), [1.0, 2.0])
    assert [1.0, 2.0] in space


def test_rounding_noise_on_a_bound_is_accepted_and_snapped(space):
    np.testing.assert_array_equal(space.validate([3.0 + 1e-12, -1e-12]), [3.0, 0.0])


@pytest.mark.parametrize(
    ("bounds", "fragment"),
    [
        ({"x": (1.0, 0.0)}, "low 1 > high 0"),
        ({"x": (0.0, math.inf)}, "must be finite"),
        ({"x": (0.0,)}, "must be a (low, high) pair"),
        ({}, "non-empty mapping"),
        ([("x", (0, 1))], "non-empty mapping"),
    ],
)
def test_bad_bounds_are_rejected(bounds, fragment):
    with pytest.raises(TaskError) as raised:
        TaskSpace(bounds)
    assert fragment in str(raised.value)


def test_default_outside_the_bounds_is_rejected():
    with pytest.raises(TaskError, match="outside its bounds"):
        TaskSpace(STUMPS, default=[4.0, 1.0])


def test_normalize_and_denormalize_are_inverse(space):
    tasks = np.array([[0.0, 0.0], [1.5, 3.0], [3.0, 6.0]])
    unit = space.normalize(tasks)
    np.testing.assert_allclose(unit, [[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
    np.testing.assert_allclose(space.denormalize(unit), tasks)


def test_a_fixed_dimension_normalises_to_zero():
    space = TaskSpace({"x": (2.0, 2.0), "y": (0.0, 1.0)})
    np.testing.assert_array_equal(space.normalize([2.0, 0.5]), [0.0, 0.5])
    np.testing.assert_array_equal(space.denormalize([0.7, 0.5]), [2.0, 0.5])


def test_integer_dimensions_sample_and_denormalise_to_integers():
    space = TaskSpace({"n": (0, 4), "x": (0.0, 1.0)}, integer=["n"])
    samples = np.array([space.sample(np.random.default_rng(seed)) for seed in range(200)])
    assert set(samples[:, 0]) == {0.0, 1.0, 2.0, 3.0, 4.0}
    assert len(set(samples[:, 1])) == 200
    np.testing.assert_array_equal(space.denormalize([0.49, 0.5]), [2.0, 0.5])
    with pytest.raises(TaskError, match="'n' = 1.5 must be an integer"):
        space.validate([1.5, 0.5])
    with pytest.raises(TaskError, match="unknown task parameter 'm'"):
        TaskSpace({"n": (0, 4)}, integer=["m"])
    with pytest.raises(TaskError, match="need integer bounds"):
        TaskSpace({"n": (0, 4.5)}, integer=["n"])


def test_sample_is_seeded_and_inside(space):
    first = [space.sample(np.random.default_rng(7)) for _ in range(3)]
    second = [space.sample(np.random.default_rng(7)) for _ in range(3)]
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first[0], np.random.default_rng(7).uniform([0, 0], [3, 6]))
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        space.sample(7)


def test_to_dict_and_to_array(space):
    assert space.to_dict(np.array([1.0, 2.0])) == {"stump_height": 1.0, "obstacle_spacing": 2.0}
    assert all(type(v) is float for v in space.to_dict(np.array([1, 2])).values())
    np.testing.assert_array_equal(space.to_array({"stump_height": 1.0, "obstacle_spacing": 2.0}), [1.0, 2.0])
    with pytest.raises(TaskError, match="task has 1 values"):
        space.to_dict([1.0])


def test_to_box(space):
    box = space.to_box()
    np.testing.assert_array_equal(box.low, [0.0, 0.0])
    np.testing.assert_array_equal(box.high, [3.0, 6.0])
    assert box.dtype == np.float64


def test_config_round_trip(space):
    config = space.to_config()
    assert config == {
        "bounds": {"stump_height": [0.0, 3.0], "obstacle_spacing": [0.0, 6.0]},
        "default": {"stump_height": 0.0, "obstacle_spacing": 6.0},
    }
    assert TaskSpace.from_config(config) == space
    discrete = TaskSpace({"n": (0, 3)}, integer=["n"])
    assert TaskSpace.from_config(discrete.to_config()) == discrete
    with pytest.raises(TaskError, match="unknown task-space config key"):
        TaskSpace.from_config({**config, "colour": 1})
    with pytest.raises(TaskError, match="needs a 'bounds' mapping"):
        TaskSpace.from_config({"default": {}})


def test_with_bounds_widens_and_moves_the_default_inside(space):
    wide = space.with_bounds({"stump_height": (0.0, 9.0)})
    np.testing.assert_array_equal(wide.high, [9.0, 6.0])
    np.testing.assert_array_equal(wide.default, [0.0, 6.0])
    narrow = space.with_bounds({"obstacle_spacing": (1.0, 2.0)})
    np.testing.assert_array_equal(narrow.default, [0.0, 2.0])
    with pytest.raises(TaskError, match="did you mean 'obstacle_spacing'"):
        space.with_bounds({"obstacle_spasing": (0.0, 1.0)})


def test_equality_and_repr(space):
    assert space == TaskSpace(STUMPS, default=[0.0, 6.0])
    assert space != TaskSpace(STUMPS)
    assert hash(space) == hash(TaskSpace(STUMPS, default=[0.0, 6.0]))
    assert repr(space) == "TaskSpace({'stump_height': (0, 3), 'obstacle_spacing': (0, 6)}, " \
                          "default={'stump_height': 0, 'obstacle_spacing': 6})"


# ------------------------------------------------------------------------------------------------ properties
bound_pairs = st.tuples(
    st.floats(-1e6, 1e6, allow_nan=False), st.floats(0.0, 1e6, allow_nan=False)
).map(lambda pair: (pair[0], pair[0] + pair[1]))
spaces = st.lists(bound_pairs, min_size=1, max_size=6).map(
    lambda pairs: TaskSpace({f"p{i}": pair for i, pair in enumerate(pairs)})
)


@given(spaces, st.integers(0, 2**32 - 1))
def test_samples_are_valid_and_normalise_into_the_unit_cube(space, seed):
    task = space.sample(np.random.default_rng(seed))
    assert space.contains(task)
    unit = space.normalize(task)
    assert np.all((unit >= 0.0) & (unit <= 1.0))
    assert space.contains(space.denormalize(unit))
    np.testing.assert_allclose(space.denormalize(unit), task, rtol=1e-9, atol=1e-9 * np.max(np.abs(task) + 1))


@given(spaces, st.data())
def test_any_value_outside_is_rejected_with_its_name(space, data):
    index = data.draw(st.integers(0, space.ndim - 1))
    width = space.high[index] - space.low[index]
    excess = data.draw(st.floats(1e-6, 1e6)) * max(1.0, width)
    value = data.draw(st.sampled_from([space.low[index] - excess, space.high[index] + excess, math.nan, -math.inf]))
    task = space.default.copy()
    task[index] = value
    with pytest.raises(TaskError) as raised:
        space.validate(task)
    assert f"'{space.names[index]}'" in str(raised.value)


@given(spaces, st.data())
def test_dict_and_vector_forms_agree(space, data):
    unit = data.draw(st.lists(st.floats(0.0, 1.0), min_size=space.ndim, max_size=space.ndim))
    task = space.denormalize(unit)
    as_dict = space.to_dict(task)
    np.testing.assert_array_equal(space.validate(as_dict), space.validate(task))
