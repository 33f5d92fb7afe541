"""Test sets: the fixed tasks a student is evaluated on, as first-class objects.

A :class:`TestSet` is an immutable, named ``n x d`` array of tasks of a :class:`~teachgym.TaskSpace`, checked against
the space when it is made. It is built from a grid, a seeded uniform draw, a CSV file or explicit tasks, and it
says how it was built (:meth:`TestSet.to_config`), so a run config can name it in one line of YAML::

    test_set: default                                   # the env's own (``ParametricEnv.default_test_set``)
    test_set: parkour-climbers                          # one of the env's named sets (``named_test_sets()``)
    test_set: {grid: 10}                                # 10 points per dimension over the bounds
    test_set: {grid: {stump_height: 10, obstacle_spacing: [0.0, 3.0, 6.0]}}   # counts or explicit values
    test_set: {uniform: {n: 100, seed: 0}}
    test_set: {csv: runs/tasks.csv}
    test_set: {tasks: [[0.0, 6.0], [1.5, 3.0]], name: two-tasks}   # ``name`` is optional with every kind

Over 300 lines because the spec parser, with an error for every malformed form, lives with the builders it calls.
"""

from __future__ import annotations

import csv
import itertools
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import TaskError, UnknownNameError, check_options
from .plain_data import plain_data
from .task_space import TaskLike, TaskSpace
from .validation import is_integer, is_number

__all__ = ["DEFAULT_TEST_SET_SEED", "DEFAULT_TEST_SET_SIZE", "MAX_TEST_SET_SIZE", "TestSet"]

# The default test set of an env without its own: this many uniform tasks from this seed, the same in every run.
DEFAULT_TEST_SET_SIZE = 100
DEFAULT_TEST_SET_SEED = 0
# The most tasks a test set may hold: every evaluation runs one episode per task, so a larger set is a typo (and a
# grid of 1000 points per dimension would not even fit in memory).
MAX_TEST_SET_SIZE = 100_000

SPEC_KINDS = ("csv", "grid", "tasks", "uniform")
SPEC_KEYS = (*SPEC_KINDS, "name")
CSV_SUFFIX = ".csv"
# What a test-set spec may be besides "default" or an env's named set, for the error that lists every form.
OTHER_SPEC_FORMS = (f"a path to a {CSV_SUFFIX} file",
                    f"a mapping with one of {', '.join(SPEC_KINDS)} (e.g. {{uniform: {{n: 100, seed: 0}}}})")
DEFAULT_SPEC = "default"
UNIFORM_OPTIONS = ("n", "seed")

GridPoints = int | Mapping[str, int | Sequence[float]]
PathLike = str | os.PathLike


class TestSet:
    """An immutable, named set of tasks of a task space.

    Args:
        task_space: the space every task must lie in.
        tasks: the tasks, each a mapping or a vector (an ``n x d`` array works too); at least one.
        name: a label for reports and file names.

    Raises:
        TaskError: for an empty set, or a task outside the space (naming the task's row and the bad parameter).
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, task_space: TaskSpace, tasks: Sequence[TaskLike] | np.ndarray, *, name: str = "tasks"):
        if not isinstance(task_space, TaskSpace):
            raise TaskError(f"a test set needs a TaskSpace, got {task_space!r}")
        if not isinstance(name, str) or not name:
            raise TaskError(f"a test set's name must be a non-empty string, got {name!r}")
        if isinstance(tasks, (str, bytes, Mapping)) or not isinstance(tasks, (Sequence, np.ndarray)):
            raise TaskError(f"test set {name!r}: tasks must be a sequence of tasks, got {tasks!r}")
        if len(tasks) == 0:
            raise TaskError(f"test set {name!r} has no tasks; expected at least one")
        _check_size(f"test set {name!r}", len(tasks))
        rows = []
        for index, task in enumerate(tasks):
            try:
                rows.append(task_space.validate(task))
            except TaskError as error:
                raise TaskError(f"test set {name!r}, task {index}: {error}") from None
        self._tasks = np.array(rows, dtype=np.float64)
        self._tasks.flags.writeable = False
        self._task_space = task_space
        self._name = name
        self._spec: dict[str, Any] = {"tasks": self._tasks.tolist()}  # how it was built; the constructors refine it

    # ---------------------------------------------------------------------------------------- constructors
    @classmethod
    def grid(cls, task_space: TaskSpace, points: GridPoints, *, name: str | None = None) -> TestSet:
        """A grid: every combination of per-dimension values, the first dimension varying slowest.

        ``points`` is a count per dimension (one int for all, or ``name -> int``: that many evenly spaced values
        from low to high, as ``numpy.linspace``), or explicit values per dimension (``name -> [v, ...]``); a
        mapping may mix both and must name every dimension.

        Raises:
            TaskError: for unknown or missing dimensions, a count below 1, empty or non-numeric values, or values
                outside the space.
        """
        spec = _grid_spec(task_space, points)
        # Counted before anything is built: a typo such as 1000 points per dimension would not fit in memory.
        sizes = [int(value) if is_integer(value) else len(value) if isinstance(value, Sequence) else 1
                 for value in spec.values()]
        _check_size(f"grid {'x'.join(map(str, sizes))}", math.prod(sizes))
        axes = [_grid_axis(name_, spec[name_], low, high)
                for name_, low, high in zip(task_space.names, task_space.low, task_space.high)]
        default_name = "grid-" + "x".join(str(len(axis)) for axis in axes)
        test_set = cls(task_space, list(itertools.product(*axes)), name=default_name if name is None else name)
        return test_set._built_from({"grid": spec})

    @classmethod
    def uniform(cls, task_space: TaskSpace, n: int, seed: int, *, name: str | None = None) -> TestSet:
        """``n`` tasks drawn uniformly from the space with ``numpy.random.default_rng(seed)``.

        Raises:
            TaskError: if ``n`` is not an integer >= 1 or ``seed`` not an integer >= 0.
        """
        _check_integer("uniform test set: n", n, 1)
        _check_integer("uniform test set: seed", seed, 0)
        _check_size("uniform test set: n", n)
        rng = np.random.default_rng(seed)
        tasks = [task_space.sample(rng) for _ in range(n)]
        test_set = cls(task_space, tasks, name=f"uniform-{n}-seed-{seed}" if name is None else name)
        return test_set._built_from({"uniform": {"n": int(n), "seed": int(seed)}})

    @classmethod
    def from_csv(cls, path: PathLike, task_space: TaskSpace, *, name: str | None = None) -> TestSet:
        """Read a CSV file: a header row of the space's parameter names (in any order), then one row per task.

        The name defaults to the file's stem. The file is UTF-8, with or without the byte-order mark that
        spreadsheets write before the header.

        Raises:
            TaskError: naming the file, the line and the column, for a missing, unreadable or non-text file, a
                missing header, unknown, duplicate or missing columns, a row of the wrong length, a non-number, a
                task outside the space, or more than ``MAX_TEST_SET_SIZE`` tasks.
        """
        path = Path(path)
        records = []
        try:
            with path.open(newline="", encoding="utf-8-sig") as file:
                for line, row in _numbered_rows(csv.reader(file)):
                    if any(field.strip() for field in row):
                        records.append((line, row))
                    if len(records) > MAX_TEST_SET_SIZE + 1:  # the header, then the tasks
                        raise TaskError(f"{path}: more than {MAX_TEST_SET_SIZE:,} tasks (line {line}); a test set "
                                        f"holds at most {MAX_TEST_SET_SIZE:,}")
        except OSError as error:
            raise TaskError(f"cannot read test-set file {str(path)!r}: {error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise TaskError(f"{path}: not a UTF-8 text file (byte {error.start}: {error.reason}); expected a CSV "
                            f"file with a header row {','.join(task_space.names)}") from None
        except csv.Error as error:
            raise TaskError(f"{path}: not a readable CSV file ({error}); expected a header row "
                            f"{','.join(task_space.names)} and one row per task") from None
        if not records:
            raise TaskError(f"{path}: empty file; expected a header row {','.join(task_space.names)} and one row "
                            f"per task")
        header_line, header = records[0]
        columns = _csv_columns(path, header_line, [field.strip() for field in header], task_space)
        tasks = [_csv_task(path, line, row, header, columns, task_space) for line, row in records[1:]]
        if not tasks:
            raise TaskError(f"{path}: no tasks after the header (line {header_line}); expected one row per task")
        return cls(task_space, tasks, name=path.stem if name is None else name)._built_from({"csv": str(path)})

    @classmethod
    def from_config(cls, config: Mapping[str, Any], task_space: TaskSpace) -> TestSet:
        """Build a test set from a spec dict (:meth:`to_config`'s form): exactly one of ``grid``, ``uniform``,
        ``csv`` or ``tasks``, and optionally ``name``.

        Raises:
            TaskError: for a spec that is not a mapping, has no kind or two kinds, or bad values.
            UnknownNameError: for an unknown key (with the closest valid one).
            UnknownOptionError: for an unknown ``uniform`` option.
        """
        if not isinstance(config, Mapping):
            raise TaskError(f"a test-set spec must be 'default' or a mapping with one of {list(SPEC_KINDS)}, "
                            f"got {config!r}")
        for key in config:
            if key not in SPEC_KEYS:
                raise UnknownNameError("test-set spec key", key, SPEC_KEYS)
        kinds = [key for key in SPEC_KINDS if key in config]
        if len(kinds) != 1:
            raise TaskError(f"a test-set spec needs exactly one of {list(SPEC_KINDS)}, got {sorted(config)}")
        kind, value, name = kinds[0], config[kinds[0]], config.get("name")
        if kind == "grid":
            return cls.grid(task_space, value, name=name)
        if kind == "uniform":
            if not isinstance(value, Mapping):
                raise TaskError(f"test-set spec 'uniform' must be a mapping {{n: ..., seed: ...}}, got {value!r}")
            check_options("test-set kind", "uniform", UNIFORM_OPTIONS, value)
            missing = [option for option in UNIFORM_OPTIONS if option not in value]
            if missing:
                raise TaskError(f"test-set spec 'uniform' is missing {missing}; expected {{n: ..., seed: ...}}")
            return cls.uniform(task_space, value["n"], value["seed"], name=name)
        if kind == "csv":
            if not isinstance(value, (str, os.PathLike)):
                raise TaskError(f"test-set spec 'csv' must be a file path, got {value!r}")
            return cls.from_csv(value, task_space, name=name)
        return cls(task_space, value, name="tasks" if name is None else name)

    @classmethod
    def from_spec(cls, spec: str | Mapping[str, Any] | None, task_space: TaskSpace, env: Any = None) -> TestSet:
        """The test set a run config asks for: ``None`` or ``"default"`` is the env's default test set
        (``env.unwrapped.default_test_set()``, checked against ``task_space``); a path ending in ``.csv`` (a string
        or a path object) is a CSV file (:meth:`from_csv`, as ``{csv: PATH}``); another string names one of the env's
        own sets (``env.unwrapped.named_test_sets()``, e.g. Parkour's ``parkour-climbers``); a mapping goes to
        :meth:`from_config`.

        Raises:
            TaskError: for the default or a named set without an env, or an env's set that does not fit
                ``task_space``; and whatever :meth:`from_config` raises.
            UnknownNameError: for a string that is neither ``"default"``, a CSV path nor one of the env's named sets
                (the message lists every accepted form).
        """
        if isinstance(spec, os.PathLike) or (isinstance(spec, str) and spec.lower().endswith(CSV_SUFFIX)):
            return cls.from_csv(spec, task_space)
        if spec is None or isinstance(spec, str):
            spec = DEFAULT_SPEC if spec is None else spec
            named = env.unwrapped.named_test_sets() if env is not None else {}
            if spec != DEFAULT_SPEC and spec not in named:
                raise UnknownNameError("test-set spec", spec, [DEFAULT_SPEC, *named], other_forms=OTHER_SPEC_FORMS)
            if env is None:
                raise TaskError("the default test set is the env's: pass the env to TestSet.from_spec, or give a "
                                "test-set spec such as {'uniform': {'n': 100, 'seed': 0}}")
            chosen = env.unwrapped.default_test_set() if spec == DEFAULT_SPEC else named[spec]
            return cls(task_space, chosen.tasks, name=chosen.name)._built_from(chosen._spec)
        return cls.from_config(spec, task_space)

    def _built_from(self, spec: Mapping[str, Any]) -> TestSet:
        self._spec = plain_data(spec)
        return self

    # ------------------------------------------------------------------------------------------------ output
    def to_config(self) -> dict[str, Any]:
        """How the set was built, as a plain dict for YAML (with its ``name``); :meth:`from_config` reads it back."""
        return {**plain_data(self._spec), "name": self._name}

    def to_csv(self, path: PathLike) -> None:
        """Write the set as CSV: a header of parameter names, then one row per task (floats written exactly)."""
        with Path(path).open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(self._task_space.names)
            writer.writerows([repr(float(value)) for value in row] for row in self._tasks)

    # ------------------------------------------------------------------------------------------- properties
    @property
    def tasks(self) -> np.ndarray:
        """The tasks: a read-only ``n x d`` float64 array, in the space's dimension order."""
        return self._tasks

    @property
    def names(self) -> tuple[str, ...]:
        """The parameter names of the tasks' columns."""
        return self._task_space.names

    @property
    def name(self) -> str:
        """The set's label."""
        return self._name

    @property
    def task_space(self) -> TaskSpace:
        """The space the tasks belong to."""
        return self._task_space

    # ---------------------------------------------------------------------------------------------- dunder
    def __len__(self) -> int:
        return len(self._tasks)

    def __iter__(self) -> Iterator[np.ndarray]:
        """The task vectors (read-only), in order."""
        return iter(self._tasks)

    def __eq__(self, other: object) -> bool:
        """Same space and same tasks in the same order; the name is a label and is not compared."""
        if not isinstance(other, TestSet):
            return NotImplemented
        return self._task_space == other._task_space and np.array_equal(self._tasks, other._tasks)

    def __hash__(self) -> int:
        return hash((self._task_space, self._tasks.tobytes()))

    def __repr__(self) -> str:
        return f"TestSet({self._name!r}, {len(self)} tasks over {', '.join(self.names)})"


# ------------------------------------------------------------------------------------------------------ grids
def _grid_spec(task_space: TaskSpace, points: object) -> dict[str, Any]:
    """``points`` as a plain ``name -> count | [values]`` dict in the space's order."""
    if isinstance(points, Mapping):
        for name in points:
            task_space.check_name(name, "grid: ")
        missing = [name for name in task_space.names if name not in points]
        if missing:
            raise TaskError(f"grid: no points for {missing}; give a count or a list of values for every one of "
                            f"{list(task_space.names)}")
        return {name: plain_data(points[name]) for name in task_space.names}
    if is_integer(points):
        return {name: int(points) for name in task_space.names}
    raise TaskError(f"grid points must be a count per dimension (an int) or a mapping of parameter name to a "
                    f"count or a list of values, got {points!r}")


def _grid_axis(name: str, points: object, low: float, high: float) -> list[float]:
    """One dimension's grid values: ``linspace(low, high, count)`` or the explicit values."""
    if is_integer(points):
        _check_integer(f"grid: the count of {name!r}", points, 1)
        return np.linspace(low, high, int(points)).tolist()
    if isinstance(points, (str, bytes, Mapping)) or not isinstance(points, (Sequence, np.ndarray)) or not len(points):
        raise TaskError(f"grid: points of {name!r} must be a count >= 1 or a non-empty list of values, "
                        f"got {points!r}")
    for value in points:
        if not is_number(value):
            raise TaskError(f"grid: values of {name!r} must be numbers, got {value!r}")
    return [float(value) for value in points]


# ------------------------------------------------------------------------------------------------------- CSV
def _numbered_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """The reader's rows with the line each starts on (1-based)."""
    line = 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def _csv_columns(path: Path, line: int, header: list[str], task_space: TaskSpace) -> list[int]:
    """For every dimension of the space, the index of its column in ``header``."""
    for column, name in enumerate(header, start=1):
        task_space.check_name(name, f"{path}, line {line}, column {column}: ")
        if header.index(name) != column - 1:
            raise TaskError(f"{path}, line {line}, column {column}: task parameter {name!r} appears twice "
                            f"(also column {header.index(name) + 1})")
    missing = [name for name in task_space.names if name not in header]
    if missing:
        raise TaskError(f"{path}, line {line}: missing column(s) {missing}; expected the columns "
                        f"{list(task_space.names)}")
    return [header.index(name) for name in task_space.names]


def _csv_task(path: Path, line: int, row: list[str], header: list[str], columns: list[int],
              task_space: TaskSpace) -> np.ndarray:
    """One CSV row as a task vector in the space's order; every error names the file, line and column."""
    if len(row) != len(header):
        raise TaskError(f"{path}, line {line}: {len(row)} values, expected {len(header)} ({','.join(header)})")
    task = np.array(task_space.default, dtype=np.float64)
    for dimension, column in enumerate(columns):
        where = f"{path}, line {line}, column {column + 1} ({header[column]!r})"
        try:
            value = float(row[column])
        except ValueError:
            raise TaskError(f"{where}: {row[column]!r} is not a number") from None
        # Checked one column at a time (on the valid default task) so the error names the column at fault.
        alone = np.array(task_space.default, dtype=np.float64)
        alone[dimension] = value
        try:
            task_space.validate(alone)
        except TaskError as error:
            raise TaskError(f"{where}: {error}") from None
        task[dimension] = value
    return task


# ----------------------------------------------------------------------------------------------------- helpers
def _check_integer(what: str, value: object, minimum: int) -> None:
    if not is_integer(value) or value < minimum:
        raise TaskError(f"{what} must be an integer >= {minimum}, got {value!r}")


def _check_size(what: str, size: int) -> None:
    if size > MAX_TEST_SET_SIZE:
        raise TaskError(f"{what}: {size:,} tasks; a test set holds at most {MAX_TEST_SET_SIZE:,} (every evaluation "
                        f"runs one episode per task)")
