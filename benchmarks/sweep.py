"""Sweeps: a YAML grid of envs x teachers x students x seeds, expanded to validated RunConfigs with stable ids.

The format (everything but the grids is optional)::

    name: quickstart                  # default: the file's stem
    out: runs/quickstart              # default: runs/<name>; each run's folder is <out>/<run id>
    defaults: {total_timesteps: 3000, eval_every: 500}
    grids:                            # a union of grids, or `grid:` for one
      - envs: [teachgym/SimulatedStudent-v0, {id: teachgym/StumpTracks-v0, kwargs: {body: spider}, label: spider}]
        teachers: [random, {name: alp-gmm, kwargs: {fit_rate: 100}, label: alp-gmm-100}]
        students: [simulated]         # a name or {name, kwargs, label}
        seeds: 3                      # n (seeds 0..n-1) or a list of seeds
        defaults: {total_timesteps: 5000}
    overrides:                        # in file order, on the cells whose labels all match (fnmatch patterns)
      - where: {env: "Stump*", student: ppo}
        set: {total_timesteps: 20000}

A run's id is ``<env>/<teacher>/<student>/seed-<n>`` from the labels (by default the env id without namespace and
version, the teacher's name, the student's name). Its config is built from the top-level defaults, the grid's
defaults, the cell's names and kwargs, then the matching overrides; ``env_kwargs``, ``teacher_kwargs`` and
``student_kwargs`` are merged key by key at each step, every other setting is replaced; ``out_dir`` comes last.
:meth:`Sweep.save` writes the resolved sweep (``runs:``, a list of ``{id, config}``), which reads back as the same
sweep. Paths in configs (``out``, test-set CSVs) are relative to the working directory.

Over 300 lines because the format's validation (each error names the path of the bad entry in the file) sits beside
the expansion it checks: they change together whenever the format does.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from teachgym.errors import did_you_mean
from teachgym.validation import is_integer

from .config import ConfigError, RunConfig, env_label, read_yaml
from .experiment import prepare
from .run_folder import atomic_write, writing

SWEEP_FILE = "sweep.yaml"
SWEEP_KEYS = ("name", "out", "defaults", "grids", "grid", "overrides", "runs")
GRID_KEYS = ("envs", "teachers", "students", "seeds", "defaults")
# A grid's axis -> the RunConfig field it sets and the key that names it in an entry mapping.
AXES = {"envs": ("env", "id"), "teachers": ("teacher", "name"), "students": ("student", "name")}
LABEL_KEYS = ("env", "teacher", "student", "seed")
MERGED_FIELDS = ("env_kwargs", "teacher_kwargs", "student_kwargs")
SET_BY_THE_SWEEP = {"env": "the grid's envs", "teacher": "the grid's teachers", "student": "the grid's students",
                    "seed": "the grid's seeds", "out_dir": "the sweep (<out>/<run id>; set out instead)"}
LABEL_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+=-]*")  # never '.', '..' or a path: a label names a folder
RUN_IDS_EXPECTED = "labels joined by '/', each of letters, digits and '._+=-' and starting with a letter or digit"
PLACEHOLDER_ENV = "<set by the grid>"  # lets a partial layer of settings be type-checked as a RunConfig


@dataclass(frozen=True)
class SweepRun:
    """One cell of a sweep: its id (also its folder under the sweep's ``out``) and its complete config."""

    run_id: str
    config: RunConfig


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: its name, output folder and runs, in a stable order. Build with :meth:`from_yaml`."""

    name: str
    out: Path
    runs: list[SweepRun]
    source: str = "sweep"

    @classmethod
    def from_yaml(cls, path: str | Path) -> Sweep:
        """Read and validate a sweep file completely (every run is checked with ``prepare``); nothing is written.

        Raises:
            ConfigError: naming the file and the key path (the line, for invalid YAML) and what was expected.
        """
        source = str(path)
        data = read_yaml(path, "the sweep file")
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "sweep") -> Sweep:
        """Validate the plain data of a sweep file (``source`` names it in errors and gives the default name).

        Raises:
            ConfigError: as :meth:`from_yaml`.
        """
        reader = _Reader(source)
        data = reader.mapping(data, "", SWEEP_KEYS, "a sweep mapping (name, out, defaults, grids, overrides)")
        name = reader.text(data.get("name", Path(source).stem), "name")
        out = Path(reader.text(data.get("out", f"runs/{name}"), "out"))
        if "runs" in data:
            cells = reader.resolved_runs(data, out)
        else:
            cells = _expand(reader.spec(data), out, reader)
        runs = _unique(cells, reader)
        check_run_ids(runs, source)
        _validate(runs, source)
        return cls(name, out, runs, source)

    def with_out(self, out: str | Path) -> Sweep:
        """The same sweep writing to ``out`` (every run's ``out_dir`` moves with it)."""
        out = Path(out)
        runs = [SweepRun(r.run_id, dataclasses.replace(r.config, out_dir=str(out / r.run_id))) for r in self.runs]
        return dataclasses.replace(self, out=out, runs=runs)

    def to_dict(self) -> dict[str, Any]:
        """The resolved sweep as plain data: name, out and every run's id and config."""
        return {"name": self.name, "out": str(self.out),
                "runs": [{"id": r.run_id, "config": r.config.to_dict()} for r in self.runs]}

    def to_yaml(self) -> str:
        """The resolved sweep as YAML (see :meth:`to_dict`)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def save(self, folder: str | Path) -> Path:
        """Write the resolved sweep to ``<folder>/sweep.yaml`` (atomically) and return its path.

        Raises:
            RunFolderError: if it cannot be written (a full disk).
        """
        path = Path(folder) / SWEEP_FILE
        with writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, self.to_yaml().encode())
        return path


# ------------------------------------------------------------------------------------------------------ parsing
@dataclass(frozen=True)
class _Choice:
    """An entry of a grid axis: the env id (or teacher, student name), its kwargs, its label and key path."""

    name: str
    kwargs: dict[str, Any]
    label: str
    path: str


@dataclass(frozen=True)
class _Grid:
    envs: list[_Choice]
    teachers: list[_Choice]
    students: list[_Choice]
    seeds: list[int]
    defaults: dict[str, Any]


@dataclass(frozen=True)
class _Override:
    path: str
    where: dict[str, str]
    settings: dict[str, Any]

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(fnmatch.fnmatchcase(labels[key], pattern) for key, pattern in self.where.items())


@dataclass(frozen=True)
class _Spec:
    defaults: dict[str, Any]
    grids: list[_Grid]
    overrides: list[_Override]


class _Reader:
    """Checks the plain data of one sweep file; every error names the file and the key path."""

    def __init__(self, source: str):
        self.source = source

    def where(self, path: str) -> str:
        """The prefix of error paths: the file, then the key path."""
        return f"{self.source}: {path}" if path else self.source

    def error(self, path: str, message: str) -> ConfigError:
        return ConfigError(self.where(path), message)

    def mapping(self, value: Any, path: str, allowed: Sequence[str], expected: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"expected {expected}, got {_shown(value)}")
        for key in value:
            if key not in allowed:
                raise self.error(_join(path, key), f"unknown key{did_you_mean(str(key), allowed)}; expected some of "
                                                   f"{list(allowed)}")
        return value

    def entries(self, value: Any, path: str, expected: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.error(path, f"expected a non-empty list of {expected}, got {_shown(value)}")
        return value

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.error(path, f"expected a non-empty string, got {_shown(value)}")
        return value

    def require(self, data: Mapping[str, Any], keys: Sequence[str], path: str, what: str) -> None:
        for key in keys:
            if key not in data:
                raise self.error(_join(path, key), f"missing: {what} needs {', '.join(keys)}")

    def spec(self, data: Mapping[str, Any]) -> _Spec:
        if "grid" in data and "grids" in data:
            raise self.error("grid", "give either grid (one grid) or grids (a list of grids), not both")
        if "grid" in data:
            grids = [self.grid(data["grid"], "grid")]
        elif "grids" in data:
            grids = [self.grid(grid, f"grids[{i}]")
                     for i, grid in enumerate(self.entries(data["grids"], "grids", "grid mappings"))]
        else:
            raise self.error("grids", "missing: a sweep needs grids (a list of grids), grid (one grid) or runs")
        overrides = [self.override(item, f"overrides[{i}]")
                     for i, item in enumerate(self.entries(data["overrides"], "overrides", "{where, set} mappings"))
                     ] if "overrides" in data else []
        return _Spec(self.settings(data.get("defaults", {}), "defaults"), grids, overrides)

    def grid(self, value: Any, path: str) -> _Grid:
        data = self.mapping(value, path, GRID_KEYS, f"a grid mapping ({', '.join(GRID_KEYS)})")
        self.require(data, ("envs", "teachers", "students", "seeds"), path, "a grid")
        axes = {}
        for key, (field_name, name_key) in AXES.items():
            expected = f"{field_name} names or {{{name_key}, kwargs, label}} mappings"
            axes[key] = [self.choice(item, f"{path}.{key}[{i}]", field_name, name_key)
                         for i, item in enumerate(self.entries(data[key], f"{path}.{key}", expected))]
        return _Grid(axes["envs"], axes["teachers"], axes["students"], self.seeds(data["seeds"], f"{path}.seeds"),
                     self.settings(data.get("defaults", {}), f"{path}.defaults"))

    def choice(self, value: Any, path: str, field_name: str, name_key: str) -> _Choice:
        if isinstance(value, str):
            name, kwargs, label, label_path = self.text(value, path), {}, None, path
        else:
            data = self.mapping(value, path, (name_key, "kwargs", "label"),
                                f"a {field_name} name or a {{{name_key}, kwargs, label}} mapping")
            self.require(data, (name_key,), path, f"a {field_name} entry")
            name = self.text(data[name_key], f"{path}.{name_key}")
            kwargs = data.get("kwargs", {})
            if not isinstance(kwargs, Mapping):
                raise self.error(f"{path}.kwargs", f"expected a mapping of keyword arguments, got {_shown(kwargs)}")
            label, label_path = data.get("label"), f"{path}.label"
        derived = label is None
        if derived:
            label = env_label(name) if field_name == "env" else name
        if not isinstance(label, str) or not LABEL_PATTERN.fullmatch(label):
            hint = "; give the entry a label" if derived else ""
            raise self.error(label_path, f"the label {label!r} cannot name a folder; expected letters, digits and "
                                         f"'._+=-', starting with a letter or digit{hint}")
        return _Choice(name, dict(kwargs), label, path)

    def seeds(self, value: Any, path: str) -> list[int]:
        if is_integer(value):
            if value < 1:
                raise self.error(path, f"expected a number of seeds >= 1 or a list of seeds, got {value!r}")
            return list(range(value))
        if not isinstance(value, list) or not value:
            raise self.error(path, f"expected a number of seeds >= 1 or a non-empty list of seeds, got "
                                   f"{_shown(value)}")
        for i, seed in enumerate(value):
            if not is_integer(seed) or seed < 0:
                raise self.error(f"{path}[{i}]", f"expected an integer >= 0, got {_shown(seed)}")
            if seed in value[:i]:
                raise self.error(f"{path}[{i}]", f"seed {seed} is listed twice")
        return list(value)

    def settings(self, value: Any, path: str) -> dict[str, Any]:
        """A layer of run settings (defaults, an override's set), type-checked as RunConfig fields."""
        for key in value if isinstance(value, Mapping) else ():
            if key in SET_BY_THE_SWEEP:
                raise self.error(f"{path}.{key}", f"set by {SET_BY_THE_SWEEP[key]}, not here")
        fields = [f.name for f in dataclasses.fields(RunConfig) if f.name not in SET_BY_THE_SWEEP]
        data = dict(self.mapping(value, path, fields, "a mapping of run settings (RunConfig fields)"))
        RunConfig(**{"env": PLACEHOLDER_ENV, **data}).check_scalars(self.where(path))
        return data

    def override(self, value: Any, path: str) -> _Override:
        data = self.mapping(value, path, ("where", "set"), "an override mapping {where, set}")
        self.require(data, ("where", "set"), path, "an override")
        where = self.mapping(data["where"], f"{path}.where", LABEL_KEYS,
                             f"a mapping of label patterns ({', '.join(LABEL_KEYS)})")
        for key, pattern in where.items():
            if not isinstance(pattern, (str, int)) or isinstance(pattern, bool):
                raise self.error(f"{path}.where.{key}", f"expected a label pattern such as 'Stump*', got "
                                                        f"{_shown(pattern)}")
        return _Override(path, {key: str(pattern) for key, pattern in where.items()},
                         self.settings(data["set"], f"{path}.set"))

    def resolved_runs(self, data: Mapping[str, Any], out: Path) -> list[tuple[SweepRun, str]]:
        """The ``runs:`` form that :meth:`Sweep.save` writes: explicit ids and complete configs."""
        for key in ("grid", "grids", "defaults", "overrides"):
            if key in data:
                raise self.error(key, "a sweep with runs (a resolved sweep) takes no grids, defaults or overrides")
        cells = []
        for i, entry in enumerate(self.entries(data["runs"], "runs", "{id, config} mappings")):
            path = f"runs[{i}]"
            entry = self.mapping(entry, path, ("id", "config"), "a run mapping {id, config}")
            self.require(entry, ("id", "config"), path, "a run")
            run_id = self.text(entry["id"], f"{path}.id")
            if not all(LABEL_PATTERN.fullmatch(part) for part in run_id.split("/")):
                raise self.error(f"{path}.id", f"the run id {run_id!r} cannot name a folder; expected "
                                               f"{RUN_IDS_EXPECTED}")
            config = RunConfig.from_dict(entry["config"], where=self.where(f"{path}.config"))
            cells.append((SweepRun(run_id, dataclasses.replace(config, out_dir=str(out / run_id))), path))
        return cells


# ---------------------------------------------------------------------------------------------------- expansion
def _expand(spec: _Spec, out: Path, reader: _Reader) -> list[tuple[SweepRun, str]]:
    """Every cell of every grid, in file order, with the key paths of the entries that made it."""
    cells = []
    matched: set[int] = set()
    for grid in spec.grids:
        base = _merged(spec.defaults, grid.defaults)
        for env, teacher, student, seed in itertools.product(grid.envs, grid.teachers, grid.students, grid.seeds):
            labels = {"env": env.label, "teacher": teacher.label, "student": student.label, "seed": str(seed)}
            settings = _merged(base, {"env_kwargs": env.kwargs, "teacher_kwargs": teacher.kwargs,
                                      "student_kwargs": student.kwargs})
            for index, override in enumerate(spec.overrides):
                if override.matches(labels):
                    settings = _merged(settings, override.settings)
                    matched.add(index)
            run_id = f"{env.label}/{teacher.label}/{student.label}/seed-{seed}"
            config = RunConfig(**settings, env=env.name, teacher=teacher.name, student=student.name, seed=seed,
                               out_dir=str(out / run_id))
            cells.append((SweepRun(run_id, config), f"{env.path} x {teacher.path} x {student.path} x seed {seed}"))
    for index, override in enumerate(spec.overrides):
        if index not in matched:
            seen = "; ".join(f"{key}: {', '.join(_labels(spec, key))}" for key in ("env", "teacher", "student"))
            raise reader.error(f"{override.path}.where", f"matches no run; the labels are {seen}")
    return cells


def _labels(spec: _Spec, key: str) -> list[str]:
    """The distinct labels of one axis (env, teacher, student) across the grids, in file order."""
    return list(dict.fromkeys(choice.label for grid in spec.grids for choice in getattr(grid, f"{key}s")))


def _merged(base: Mapping[str, Any], layer: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**base, **layer}
    for name in MERGED_FIELDS:
        if name in layer:
            merged[name] = {**base.get(name, {}), **layer[name]}
    return merged


def _unique(cells: list[tuple[SweepRun, str]], reader: _Reader) -> list[SweepRun]:
    origins: dict[str, str] = {}
    for sweep_run, origin in cells:
        if sweep_run.run_id in origins:
            raise reader.error(origin, f"the run id {sweep_run.run_id!r} is also the id of "
                                       f"{origins[sweep_run.run_id]}; give one of their entries a label")
        origins[sweep_run.run_id] = origin
    return [sweep_run for sweep_run, _ in cells]


def check_run_ids(runs: Sequence[SweepRun], source: str = "sweep") -> None:
    """Check that every run's folder, ``<out>/<run id>``, lies inside ``out``, apart from the others: each id is
    labels joined by '/' (no '.', '..', empty or absolute part), no two ids are the same and no run's folder is
    inside another's.

    Raises:
        ConfigError: naming the id (``source`` prefixes the message).
    """
    ids: set[str] = set()
    for sweep_run in runs:
        if sweep_run.run_id in ids:
            raise ConfigError(f"{source}: {sweep_run.run_id}", f"the run id {sweep_run.run_id!r} is given to two runs")
        ids.add(sweep_run.run_id)
    for run_id in ids:
        parts = run_id.split("/")
        if not all(LABEL_PATTERN.fullmatch(part) for part in parts):
            raise ConfigError(f"{source}: {run_id}", f"the run id {run_id!r} cannot name a folder inside the sweep's "
                                                     f"out; expected {RUN_IDS_EXPECTED}")
        for end in range(1, len(parts)):
            if "/".join(parts[:end]) in ids:
                raise ConfigError(f"{source}: {run_id}", f"the folder of run {run_id!r} would lie inside the folder "
                                                         f"of run {'/'.join(parts[:end])!r}")


def _validate(runs: list[SweepRun], source: str) -> None:
    """Check every run: its scalars each, and ``prepare`` once per distinct config, because a seed never changes
    whether a config is valid and preparing builds an env (a sweep repeats each config over many seeds)."""
    prepared = set()
    for sweep_run in runs:
        where = f"{source}: {sweep_run.run_id}"
        sweep_run.config.check_scalars(where)
        key = json.dumps({**sweep_run.config.to_dict(), "seed": 0, "out_dir": ""}, sort_keys=True, default=repr)
        if key not in prepared:
            prepared.add(key)
            prepare(sweep_run.config, where=where)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _shown(value: Any) -> str:
    """A value as an error message shows it: containers say what they are, long ones are cut."""
    text = repr(value)
    if isinstance(value, list):
        text = f"a list {text}"
    elif isinstance(value, Mapping):
        text = f"a mapping {text}"
    return text if len(text) <= 80 else f"{text[:77]}..."
