"""TeachMyAgent's test sets (pickled numpy arrays) as teachgym test sets.

TeachMyAgent saves each test set as a pickled ``n x k`` float array whose columns follow its env's parameter order.
Unpickling runs whatever the file names, so :func:`load_array_pickle` admits only what a numpy array needs to be
rebuilt (:data:`ALLOWED_GLOBALS`: numpy's ``_reconstruct`` and ``_frombuffer`` under ``numpy.core`` or
``numpy._core``, ``numpy.ndarray``, ``numpy.dtype``, and ``_codecs.encode``, which pickle protocol 2 writes for raw
bytes) and refuses any other global before it is called. :func:`import_test_set` maps the columns onto an env's task
space by name, validates every task, and says which of TeachMyAgent's columns teachgym has no parameter for.

Columns (TeachMyAgent's ``param_env_bounds`` order):

| env | columns |
|---|---|
| `Parkour` | CPPN input (3), `water_level`, `creepers_width`, `creepers_height`, `creepers_spacing`, CPPN scale |
| `StumpTracks` | `stump_height`, `obstacle_spacing` |

teachgym's Parkour fixes the creepers' width (0.25 m) and the CPPN scale (10): their columns are dropped, with a
note where the file's values differ (TeachMyAgent's walking set, for one, was drawn with scale 20).
"""

from __future__ import annotations

import io
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import FileFormatError, TaskError, UnknownNameError
from .test_sets import TestSet

__all__ = ["ALLOWED_GLOBALS", "ImportedTestSet", "TEACHMYAGENT_COLUMNS", "import_test_set", "load_array_pickle"]

# (module, name) pairs an array pickle may name: numpy before 2.0 wrote numpy.core, numpy 2 writes numpy._core;
# protocol 5 rebuilds arrays with _frombuffer, protocol 2 writes bytes as _codecs.encode(text, "latin1").
ALLOWED_GLOBALS = frozenset({
    *((f"{package}.multiarray", "_reconstruct") for package in ("numpy.core", "numpy._core")),
    *((f"{package}.numeric", "_frombuffer") for package in ("numpy.core", "numpy._core")),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
})
# Per teachgym env class: TeachMyAgent's columns, and the value teachgym fixes for those it has no parameter for.
TEACHMYAGENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "Parkour": ("cppn_input_0", "cppn_input_1", "cppn_input_2", "water_level", "creepers_width", "creepers_height",
                "creepers_spacing", "terrain_cppn_scale"),
    "StumpTracks": ("stump_height", "obstacle_spacing"),
}
FIXED_IN_TEACHGYM = {"creepers_width": 0.25, "terrain_cppn_scale": 10.0}


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :data:`ALLOWED_GLOBALS` and refuses every other global by name."""

    def __init__(self, file: io.BufferedIOBase, source: str):
        super().__init__(file)
        self._source = source

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED_GLOBALS:
            raise FileFormatError(
                f"{self._source}: the pickle asks for the global {module}.{name}; refused, only numpy arrays are read "
                f"(allowed: {', '.join(sorted(f'{m}.{n}' for m, n in ALLOWED_GLOBALS))})")
        return super().find_class(module, name)


def load_array_pickle(path: str | os.PathLike) -> np.ndarray:
    """The 2-D numeric array pickled at ``path``, read without running anything but numpy's array rebuilding.

    Raises:
        FileFormatError: for a global outside :data:`ALLOWED_GLOBALS` (named in the message), a file that is not a
            pickle, or a pickle whose object is not a 2-D array of numbers.
        OSError: when the file cannot be read.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        loaded = _ArrayUnpickler(io.BytesIO(data), str(path)).load()
    except FileFormatError:
        raise
    except Exception as error:  # a damaged or foreign file fails in many ways inside pickle; all mean the same
        raise FileFormatError(f"{path}: not a readable pickle of a numpy array ({type(error).__name__}: {error})"
                              ) from None
    if not isinstance(loaded, np.ndarray) or loaded.ndim != 2 or loaded.dtype.kind not in "fiu":
        what = (f"a {loaded.ndim}-D {loaded.dtype} array" if isinstance(loaded, np.ndarray)
                else type(loaded).__name__)
        raise FileFormatError(f"{path}: holds {what}; expected a 2-D array of numbers, one task per row")
    return loaded


@dataclass(frozen=True)
class ImportedTestSet:
    """A TeachMyAgent test set as a teachgym :class:`TestSet`, and notes on the columns that were dropped."""

    test_set: TestSet
    notes: tuple[str, ...]


def import_test_set(path: str | os.PathLike, env: Any) -> ImportedTestSet:
    """Read TeachMyAgent's test set at ``path`` (see :func:`load_array_pickle`) as tasks of ``env``'s task space,
    named after the file.

    Raises:
        UnknownNameError: when TeachMyAgent's column order for ``env``'s class is not known.
        FileFormatError: for a refused or malformed pickle, or a column count other than TeachMyAgent's.
        TaskError: for a task outside the task space (naming its row, parameter and bounds).
    """
    path = Path(path)
    env_class = type(env.unwrapped).__name__
    if env_class not in TEACHMYAGENT_COLUMNS:
        raise UnknownNameError("env with a TeachMyAgent test-set format", env_class, TEACHMYAGENT_COLUMNS)
    columns = TEACHMYAGENT_COLUMNS[env_class]
    array = load_array_pickle(path)
    if array.shape[1] != len(columns):
        raise FileFormatError(f"{path}: {array.shape[1]} columns; TeachMyAgent's {env_class} test sets have "
                              f"{len(columns)}: {', '.join(columns)}")
    task_space = env.unwrapped.task_space
    by_name = dict(zip(columns, array.T.astype(np.float64)))
    missing = [name for name in task_space.names if name not in by_name]
    if missing:
        raise TaskError(f"{path}: TeachMyAgent's {env_class} columns lack the task parameters {missing}")
    notes = tuple(note for name, values in by_name.items()
                  if name not in task_space.names and (note := _dropped_note(name, values)))
    tasks = np.column_stack([by_name[name] for name in task_space.names])
    try:
        test_set = TestSet(task_space, tasks, name=path.stem)
    except TaskError as error:
        raise TaskError(f"{path}: {error}; pass env kwargs whose task space holds these tasks (for Parkour's CPPN "
                        "inputs: cppn_input_space 'full')") from None
    return ImportedTestSet(test_set, notes)


def _dropped_note(name: str, values: np.ndarray) -> str:
    """A note for a column teachgym has no parameter for, when its values differ from teachgym's fixed one."""
    fixed = FIXED_IN_TEACHGYM.get(name)
    distinct = sorted({float(value) for value in values})
    if fixed is not None and distinct == [fixed]:
        return ""
    shown = ", ".join(f"{value:g}" for value in distinct[:5]) + (" ..." if len(distinct) > 5 else "")
    return (f"column {name!r} ({shown}) is not a teachgym task parameter and was dropped"
            + (f"; teachgym uses {fixed:g}" if fixed is not None else ""))
