"""TestSet: construction, grids, seeded uniform sets, CSV files, run-config specs and the envs' default sets."""

import json
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import teachgym
from teachgym import TaskError, TaskSpace, TestSet, UnknownNameError
from teachgym.errors import UnknownOptionError

STUMPS = "teachgym/StumpTracks-v0"
STUDENT = "teachgym/SimulatedStudent-v0"
SPACE = TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)}, default=[0.0, 6.0])
STUMP_HEIGHTS = [0.0, 1 / 3, 2 / 3, 1.0, 4 / 3, 5 / 3, 2.0, 7 / 3, 8 / 3, 3.0]


# ------------------------------------------------------------------------------------------------ construction
def test_a_test_set_holds_validated_read_only_tasks():
    test_set = TestSet(SPACE, [[1.0, 2.0], {"spacing": 5.0, "height": 0.5}], name="two")
    np.testing.assert_array_equal(test_set.tasks, [[1.0, 2.0], [0.5, 5.0]])
    assert test_set.tasks.dtype == np.float64
    assert (len(test_set), test_set.name, test_set.names, test_set.task_space) == (2, "two", ("height", "spacing"),
                                                                                     SPACE)
    with pytest.raises(ValueError, match="read-only"):
        test_set.tasks[0, 0] = 2.0
    rows = list(test_set)
    np.testing.assert_array_equal(rows[1], [0.5, 5.0])
    with pytest.raises(ValueError, match="read-only"):
        rows[0][0] = 2.0
    assert repr(test_set) == "TestSet('two', 2 tasks over height, spacing)"


@pytest.mark.parametrize(("tasks", "message"), [
    ([[1.0, 2.0], [1.0, 7.0]], "test set 'bad', task 1: task parameter 'spacing' = 7 is outside its bounds [0, 6]"),
    ([[1.0, 2.0], [1.0, 2.0], [float("nan"), 1.0]], "task 2: task parameter 'height' is nan"),
    ([{"hieght": 1.0, "spacing": 2.0}], "task 0: unknown task parameter 'hieght' (did you mean 'height'?)"),
    ([[1.0, 2.0, 3.0]], "task 0: task has 3 values, expected 2"),
    ([], "test set 'bad' has no tasks"),
    ("tasks", "tasks must be a sequence of tasks"),
])
def test_a_bad_task_is_named_by_its_row_and_parameter(tasks, message):
    with pytest.raises(TaskError) as caught:
        TestSet(SPACE, tasks, name="bad")
    assert message in str(caught.value)


def test_equality_is_the_same_space_and_tasks_in_order_whatever_the_name():
    a = TestSet(SPACE, [[1.0, 2.0], [0.0, 0.0]], name="a")
    assert a == TestSet(SPACE, np.array([[1.0, 2.0], [0.0, 0.0]]), name="b")
    assert hash(a) == hash(TestSet(SPACE, [[1.0, 2.0], [0.0, 0.0]], name="b"))
    assert a != TestSet(SPACE, [[0.0, 0.0], [1.0, 2.0]], name="a")
    assert a != TestSet(SPACE.with_bounds({"height": (0.0, 9.0)}), [[1.0, 2.0], [0.0, 0.0]], name="a")
    assert a != [[1.0, 2.0], [0.0, 0.0]]


# ------------------------------------------------------------------------------------------------------ grids
def test_a_grid_of_counts_is_linspace_over_the_bounds_first_dimension_slowest():
    grid = TestSet.grid(SPACE, {"height": 3, "spacing": 2})
    np.testing.assert_array_equal(grid.tasks, [[0.0, 0.0], [0.0, 6.0], [1.5, 0.0], [1.5, 6.0], [3.0, 0.0], [3.0, 6.0]])
    assert grid.name == "grid-3x2"
    assert TestSet.grid(SPACE, 2, name="corners") == TestSet(SPACE, [[0, 0], [0, 6], [3, 0], [3, 6]])
    assert TestSet.grid(SPACE, 2, name="corners").name == "corners"


def test_a_grid_takes_explicit_values_and_counts_mixed_in_any_key_order():
    grid = TestSet.grid(SPACE, {"spacing": [5.0, 1.0], "height": 1})
    np.testing.assert_array_equal(grid.tasks, [[0.0, 5.0], [0.0, 1.0]])
    assert grid.to_config() == {"grid": {"height": 1, "spacing": [5.0, 1.0]}, "name": "grid-1x2"}


@pytest.mark.parametrize(("points", "error", "message"), [
    ({"hight": 2, "spacing": 2}, TaskError, "grid: unknown task parameter 'hight' (did you mean 'height'?)"),
    ({"height": 2}, TaskError, "grid: no points for ['spacing']"),
    ({"height": 0, "spacing": 2}, TaskError, "grid: the count of 'height' must be an integer >= 1, got 0"),
    ({"height": [], "spacing": 2}, TaskError, "points of 'height' must be a count >= 1 or a non-empty list"),
    ({"height": ["1"], "spacing": 2}, TaskError, "grid: values of 'height' must be numbers, got '1'"),
    ({"height": [1.0, 4.0], "spacing": 1}, TaskError, "task 1: task parameter 'height' = 4 is outside its bounds"),
    (2.5, TaskError, "grid points must be a count per dimension"),
    (True, TaskError, "grid points must be a count per dimension"),
    (1000, TaskError, "grid 1000x1000: 1,000,000 tasks; a test set holds at most 100,000"),
    ({"height": 10**9, "spacing": [0.0, 1.0]}, TaskError, "grid 1000000000x2: 2,000,000,000 tasks"),
])
def test_bad_grid_points_raise(points, error, message):
    with pytest.raises(error) as caught:
        TestSet.grid(SPACE, points)
    assert message in str(caught.value)


# ---------------------------------------------------------------------------------------------------- uniform
def test_a_uniform_set_is_seeded_and_inside_the_space():
    uniform = TestSet.uniform(SPACE, 50, seed=3)
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(uniform.tasks, [SPACE.sample(rng) for _ in range(50)])
    np.testing.assert_allclose(uniform.tasks[0], [0.256948, 1.420863], atol=1e-6)
    assert uniform == TestSet.uniform(SPACE, 50, seed=3)
    assert uniform != TestSet.uniform(SPACE, 50, seed=4)
    assert np.all((uniform.tasks >= SPACE.low) & (uniform.tasks <= SPACE.high))
    assert uniform.name == "uniform-50-seed-3"
    assert uniform.to_config() == {"uniform": {"n": 50, "seed": 3}, "name": "uniform-50-seed-3"}


@pytest.mark.parametrize(("n", "seed", "message"), [
    (0, 0, "uniform test set: n must be an integer >= 1, got 0"),
    (10, -1, "uniform test set: seed must be an integer >= 0, got -1"),
    (10.0, 0, "n must be an integer >= 1, got 10.0"),
    (10**9, 0, "uniform test set: n: 1,000,000,000 tasks; a test set holds at most 100,000"),
])
def test_a_uniform_set_needs_a_positive_size_and_a_seed(n, seed, message):
    with pytest.raises(TaskError) as caught:
        TestSet.uniform(SPACE, n, seed)
    assert message in str(caught.value)


# -------------------------------------------------------------------------------------------------------- CSV
def test_a_csv_round_trip_is_exact(tmp_path):
    test_set = TestSet.uniform(SPACE, 20, seed=1, name="tasks")
    path = tmp_path / "tasks.csv"
    test_set.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "height,spacing"
    assert lines[1] == ",".join(repr(float(v)) for v in test_set.tasks[0])
    assert len(lines) == 21
    back = TestSet.from_csv(path, SPACE)
    assert back == test_set
    assert back.name == "tasks"
    assert back.to_config() == {"csv": str(path), "name": "tasks"}


@pytest.mark.parametrize("as_given", [str, Path])
def test_a_bare_csv_path_is_a_test_set_spec(tmp_path, as_given):
    path = tmp_path / "hard.CSV"
    TestSet.uniform(SPACE, 5, seed=2).to_csv(path)
    from_path = TestSet.from_spec(as_given(path), SPACE)
    assert from_path == TestSet.from_spec({"csv": str(path)}, SPACE)
    assert from_path.name == "hard" and from_path.to_config() == {"csv": str(path), "name": "hard"}
    with pytest.raises(TaskError, match=r"missing\.csv"):
        TestSet.from_spec(str(tmp_path / "missing.csv"), SPACE)


def test_csv_columns_may_come_in_any_order_and_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("spacing, height\n6,0\n\n 2.5 ,1e-1\n")
    test_set = TestSet.from_csv(path, SPACE, name="custom")
    np.testing.assert_array_equal(test_set.tasks, [[0.0, 6.0], [0.1, 2.5]])
    assert test_set.name == "custom"


@pytest.mark.parametrize(("content", "where", "message"), [
    ("height,spacnig\n1,2\n", "line 1, column 2", "unknown task parameter 'spacnig' (did you mean 'spacing'?)"),
    ("height,spacing,width\n1,2,3\n", "line 1, column 3", "unknown task parameter 'width'"),
    ("height,spacing,height\n1,2,3\n", "line 1, column 3", "task parameter 'height' appears twice (also column 1)"),
    ("height\n1\n", "line 1", "missing column(s) ['spacing']"),
    ("height,spacing\n1,2\n1,2,3\n", "line 3", "3 values, expected 2 (height,spacing)"),
    ("height,spacing\n1,2\n\n1\n", "line 4", "1 values, expected 2"),
    ("height,spacing\n1,abc\n", "line 2, column 2 ('spacing')", "'abc' is not a number"),
    ("spacing,height\n1,2\n2,3.5\n", "line 3, column 2 ('height')",
     "task parameter 'height' = 3.5 is outside its bounds [0, 3]"),
    ("height,spacing\nnan,2\n", "line 2, column 1 ('height')", "task parameter 'height' is nan"),
    ("height,spacing\n", "no tasks after the header (line 1)", ""),
    ("", "empty file; expected a header row height,spacing", ""),
])
def test_csv_errors_name_the_file_the_line_and_the_column(tmp_path, content, where, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(TaskError) as caught:
        TestSet.from_csv(path, SPACE)
    assert f"{path}, {where}" in str(caught.value) or f"{path}: {where}" in str(caught.value)
    assert message in str(caught.value)


def test_a_spreadsheets_byte_order_mark_before_the_header_is_read_as_utf8(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffheight,spacing\r\n1,2\r\n".encode())
    np.testing.assert_array_equal(TestSet.from_csv(path, SPACE).tasks, [[1.0, 2.0]])


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfeh\x00e\x00", "not a UTF-8 text file (byte 0: invalid start byte)"),
    (("height,spacing\n" + "1,2\n" * 100_001).encode(), "more than 100,000 tasks (line 100002)"),
])
def test_a_csv_that_is_not_text_or_too_long_is_refused(tmp_path, content, message):
    path = tmp_path / "tasks.csv"
    path.write_bytes(content)
    with pytest.raises(TaskError, match=f"^{path}: ") as caught:
        TestSet.from_csv(path, SPACE)
    assert message in str(caught.value)


def test_a_missing_csv_file_is_named(tmp_path):
    with pytest.raises(TaskError, match="cannot read test-set file .*nowhere.csv"):
        TestSet.from_csv(tmp_path / "nowhere.csv", SPACE)


# ------------------------------------------------------------------------------------------------------ specs
@pytest.mark.parametrize("spec", [
    {"grid": 3},
    {"grid": {"height": [0.5, 1.5], "spacing": 4}, "name": "mixed"},
    {"uniform": {"n": 7, "seed": 2}},
    {"tasks": [[0.0, 6.0], {"height": 1.5, "spacing": 3.0}], "name": "two"},
])
def test_every_spec_kind_round_trips_through_plain_config(spec):
    test_set = TestSet.from_spec(spec, SPACE)
    config = test_set.to_config()
    assert json.loads(json.dumps(config)) == config  # plain values only: YAML and JSON can hold it
    again = TestSet.from_config(config, SPACE)
    assert again == test_set and again.name == test_set.name
    assert again.to_config() == config


def test_specs_build_the_sets_they_name(tmp_path):
    np.testing.assert_array_equal(TestSet.from_spec({"grid": 2}, SPACE).tasks, [[0, 0], [0, 6], [3, 0], [3, 6]])
    assert TestSet.from_spec({"uniform": {"n": 5, "seed": 0}}, SPACE) == TestSet.uniform(SPACE, 5, 0)
    assert TestSet.from_spec({"tasks": [[1, 2]], "name": "one"}, SPACE).name == "one"
    path = tmp_path / "set.csv"
    TestSet.grid(SPACE, 2).to_csv(path)
    from_file = TestSet.from_spec({"csv": str(path)}, SPACE)
    assert from_file == TestSet.grid(SPACE, 2) and from_file.name == "set"
    assert TestSet.from_config(TestSet.grid(SPACE, 2).to_config(), SPACE).to_config() == {
        "grid": {"height": 2, "spacing": 2}, "name": "grid-2x2"}


@pytest.mark.parametrize("spec", [None, "default"])
def test_the_default_spec_is_the_envs_default_test_set(spec):
    env = gym.make(STUMPS)
    space = env.unwrapped.task_space
    test_set = TestSet.from_spec(spec, space, env)
    assert test_set == env.unwrapped.default_test_set()
    assert test_set.name == "stump-tracks-grid-10x10"
    assert TestSet.from_config(test_set.to_config(), space) == test_set


@pytest.mark.parametrize(("spec", "error", "message"), [
    ({"gird": 10}, UnknownNameError, "unknown test-set spec key 'gird' (did you mean 'grid'?); expected one of: csv, "
                                     "grid, name, tasks, uniform"),
    ({"grid": 2, "uniform": {"n": 1, "seed": 0}}, TaskError, "needs exactly one of ['csv', 'grid', 'tasks', "
                                                             "'uniform'], got ['grid', 'uniform']"),
    ({"name": "x"}, TaskError, "needs exactly one of"),
    ("defualt", UnknownNameError, "unknown test-set spec 'defualt' (did you mean 'default'?); expected one of: "
                                  "default, a path to a .csv file, a mapping with one of csv, grid, tasks, uniform"),
    ([[0.0, 1.0]], TaskError, "a test-set spec must be 'default' or a mapping"),
    ({"uniform": {"n": 5, "sed": 0}}, UnknownOptionError, "unknown option 'sed' for test-set kind 'uniform' "
                                                          "(did you mean 'seed'?)"),
    ({"uniform": {"n": 5}}, TaskError, "test-set spec 'uniform' is missing ['seed']"),
    ({"uniform": 5}, TaskError, "'uniform' must be a mapping {n: ..., seed: ...}, got 5"),
    ({"csv": 3}, TaskError, "test-set spec 'csv' must be a file path, got 3"),
    ({"tasks": [[0.0, 9.0]]}, TaskError, "task 0: task parameter 'spacing' = 9 is outside its bounds"),
    ({"grid": 2, "name": ""}, TaskError, "name must be a non-empty string"),
])
def test_bad_specs_raise_with_the_closest_valid_choice(spec, error, message):
    with pytest.raises(error) as caught:
        TestSet.from_spec(spec, SPACE)
    assert message in str(caught.value)


def test_the_default_spec_needs_the_env_and_a_fitting_space():
    with pytest.raises(TaskError, match="pass the env to TestSet.from_spec"):
        TestSet.from_spec("default", SPACE)
    env = gym.make(STUMPS)
    narrow = env.unwrapped.task_space.with_bounds({"obstacle_spacing": (0.0, 5.0)})
    with pytest.raises(TaskError, match="task 8: task parameter 'obstacle_spacing' = 5.33333 is outside its bounds"):
        TestSet.from_spec("default", narrow, env)


# ------------------------------------------------------------------------------------------- env defaults
def test_stump_tracks_default_is_the_reference_10_by_10_grid():
    test_set = gym.make(STUMPS).unwrapped.default_test_set()
    assert len(test_set) == 100
    np.testing.assert_allclose(test_set.tasks[:3], [[0.0, 0.0], [0.0, 2 / 3], [0.0, 4 / 3]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(test_set.tasks[-2:], [[3.0, 16 / 3], [3.0, 6.0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.unique(test_set.tasks[:, 0]), STUMP_HEIGHTS, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(test_set.tasks[::10, 1], 0.0)


@pytest.mark.parametrize("bounds", [{"stump_height": (0.0, 9.0)}, {"stump_height": (-3.0, 3.0)},
                                    {"obstacle_spacing": (0.0, 10.0)}])
def test_widened_stump_tracks_keep_the_same_test_set(bounds):
    reference = gym.make(STUMPS).unwrapped.default_test_set()
    env = gym.make(STUMPS, **bounds).unwrapped
    widened = env.default_test_set()
    np.testing.assert_array_equal(widened.tasks, reference.tasks)
    assert widened.task_space == env.task_space


def test_narrowed_stump_tracks_ask_for_an_explicit_test_set():
    with pytest.raises(TaskError) as caught:
        gym.make(STUMPS, stump_height=(0.0, 2.0)).unwrapped.default_test_set()
    message = str(caught.value)
    assert "Stump Tracks' default test set" in message
    assert "task parameter 'stump_height' = 2.33333 is outside its bounds [0, 2]" in message
    assert "pass a test set explicitly" in message


def test_simulated_students_get_100_seeded_uniform_tasks():
    env = gym.make(STUDENT).unwrapped
    test_set = env.default_test_set()
    assert test_set == TestSet.uniform(env.task_space, 100, seed=0)
    assert test_set == gym.make(STUDENT).unwrapped.default_test_set()
    np.testing.assert_allclose(test_set.tasks[0], [0.636962, 0.269787], atol=1e-6)
    assert test_set.to_config() == {"uniform": {"n": 100, "seed": 0}, "name": "uniform-100-seed-0"}


@pytest.mark.parametrize("env_id", teachgym.env_ids())
def test_every_registered_env_has_a_default_test_set_inside_its_space(env_id):
    env = gym.make(env_id).unwrapped
    test_set = env.default_test_set()
    assert len(test_set) == 100
    assert test_set.task_space == env.task_space
    assert all(env.task_space.contains(task) for task in test_set)
