"""RunConfig: everything that defines one experiment (env x teacher x student x seed), validated before anything runs.

A config is plain data: it is saved as ``config.yaml`` in the run folder, read back on resume, and compared field by
field so that a folder is never reused for a different experiment. Field docstrings are the CLI's help.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from teachgym.errors import TeachgymError, did_you_mean
from teachgym.plain_data import plain_data
from teachgym.teachers.expert import EXPERT_LEVELS
from teachgym.validation import is_integer
from teachgym.vector import VEC_ENVS

SIMULATED = "simulated"  # the simulated student kind's one name (benchmarks.student_kinds.simulated)
DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")
ENV_VERSION = re.compile(r"-v\d+$")
# Upper bounds that catch typos (an extra 0 or three) before a run starts: a trillion steps is beyond any benchmark
# and well within every counter; SB3 seeds numpy's legacy generator, which takes 32-bit seeds; more envs than this
# would be more subprocesses than any machine has cores.
MAX_TIMESTEPS = 10**12
MAX_SEED = 2**32 - 1
MAX_ENVS = 1024
KWARG_EXAMPLES = {"env_kwargs": "body", "teacher_kwargs": "fit_rate", "student_kwargs": "learning_rate"}


class ConfigError(TeachgymError, ValueError):
    """A run or sweep configuration is invalid; ``field`` names the offending key path."""

    def __init__(self, field_path: str, message: str):
        self.field = field_path
        super().__init__(f"{field_path}: {message}")


@dataclass(frozen=True)
class RunConfig:
    """One experiment. Build with keywords; :meth:`validated` checks every field against the registries."""

    env: str
    """registered environment id, e.g. teachgym/StumpTracks-v0"""
    teacher: str = "random"
    """teacher name (teachgym list shows them)"""
    student: str = "sac"
    """SB3 algorithm (sac, ppo, td3, dqn ..., sb3-contrib's tqc, trpo ... when installed) or 'simulated'"""
    total_timesteps: int = 100_000
    """environment steps to train for (episodes, for a simulated student)"""
    env_kwargs: Mapping[str, Any] = field(default_factory=dict)
    """keyword arguments of the environment, e.g. {body: spider, stump_height: [0, 9]}"""
    teacher_kwargs: Mapping[str, Any] = field(default_factory=dict)
    """teacher hyperparameters; 'preset' picks a named set (e.g. tma)"""
    student_kwargs: Mapping[str, Any] = field(default_factory=dict)
    """student hyperparameters; 'preset' picks a named set (tma, tiny)"""
    n_envs: int = 1
    """parallel training environments (in worker processes when more than one)"""
    vec_env: str = "shared-memory"
    """with several envs: shared-memory (teachgym.vector, exact task control) or subproc (SB3's SubprocVecEnv)"""
    eval_every: int = 10_000
    """timesteps between evaluations on the test set"""
    test_set: Any = "default"
    """'default' (the env's), an env's named set, a .csv path, {grid: ...}, {uniform: {n, seed}} or {tasks: [[...]]}"""
    checkpoint_every: int = 50_000
    """timesteps between checkpoints (model, replay buffer, teacher, RNG states)"""
    seed: int = 0
    """seed of the run: student, teacher, environments and challenges"""
    out_dir: str = "runs/run"
    """the run folder"""
    device: str = "auto"
    """torch device of the student: auto (CUDA when present), cpu, cuda or cuda:N"""
    expert_knowledge: str = "low"
    """what the teacher is told: none, low (return bounds, thresholds) or high (plus an easy initial distribution)"""
    reset_student_every: int | None = None
    """challenge 'forgetting student': re-initialise the student every this many timesteps"""
    rugged_difficulty: bool = False
    """challenge 'rugged difficulty': each task dimension cut into 4 intervals permuted with the run seed"""

    # -------------------------------------------------------------------------------------------- conversion
    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, dicts, scalars) for YAML."""
        return plain_data(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "RunConfig") -> RunConfig:
        """Build from plain data; unknown or missing keys raise ConfigError naming them (``where`` prefixes paths)."""
        if not isinstance(data, Mapping):
            raise ConfigError(where, f"expected a mapping of run settings, got {type(data).__name__}")
        names = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in names:
                raise ConfigError(f"{where}.{key}", f"unknown setting{did_you_mean(str(key), names)}; "
                                                    f"expected some of {names}")
        if "env" not in data:
            raise ConfigError(f"{where}.env", "missing: every run needs an environment id")
        return cls(**data)

    def to_yaml(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False))

    @classmethod
    def from_yaml(cls, path: str | Path) -> RunConfig:
        """Read a config file written by :meth:`to_yaml` (or by hand).

        Raises:
            ConfigError: naming the file for unreadable YAML or bad settings.
        """
        return cls.from_dict(read_yaml(path, "the run config"), where=str(path))

    def differences(self, other: RunConfig) -> list[str]:
        """``field: mine != theirs`` for every field that differs (out_dir excluded)."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [f"{name}: {mine[name]!r} != {theirs[name]!r}" for name in mine
                if name != "out_dir" and mine[name] != theirs[name]]

    # -------------------------------------------------------------------------------------------- validation
    def check_scalars(self, where: str = "RunConfig") -> None:
        """Check the fields that need no registry: types, signs, names of levels and devices."""
        _require_str(f"{where}.env", self.env)
        _require_str(f"{where}.teacher", self.teacher)
        _require_str(f"{where}.student", self.student)
        for name in ("env_kwargs", "teacher_kwargs", "student_kwargs"):
            kwargs = getattr(self, name)
            if not isinstance(kwargs, Mapping):
                raise ConfigError(f"{where}.{name}", f"expected a mapping, got {kwargs!r}")
            for key in kwargs:
                if not isinstance(key, str) or not key.isidentifier():
                    raise ConfigError(f"{where}.{name}", f"expected keyword names (such as {KWARG_EXAMPLES[name]}), "
                                                         f"got the key {key!r}")
        if self.env_kwargs.get("max_episode_steps") is not None:
            _require_int(f"{where}.env_kwargs.max_episode_steps", self.env_kwargs["max_episode_steps"], minimum=1,
                         maximum=MAX_TIMESTEPS)
        for name in ("total_timesteps", "eval_every", "checkpoint_every"):
            _require_int(f"{where}.{name}", getattr(self, name), minimum=1, maximum=MAX_TIMESTEPS)
        _require_int(f"{where}.n_envs", self.n_envs, minimum=1, maximum=MAX_ENVS)
        if self.vec_env not in VEC_ENVS:
            raise ConfigError(f"{where}.vec_env", f"unknown vec env {self.vec_env!r}"
                                                  f"{did_you_mean(str(self.vec_env), VEC_ENVS)}; expected one of "
                                                  f"{list(VEC_ENVS)}")
        _require_int(f"{where}.seed", self.seed, minimum=0, maximum=MAX_SEED)
        if self.reset_student_every is not None:
            _require_int(f"{where}.reset_student_every", self.reset_student_every, minimum=1, maximum=MAX_TIMESTEPS)
        if not isinstance(self.rugged_difficulty, bool):
            raise ConfigError(f"{where}.rugged_difficulty", f"expected true or false, got {self.rugged_difficulty!r}")
        _require_str(f"{where}.out_dir", self.out_dir)
        if "\0" in self.out_dir:
            raise ConfigError(f"{where}.out_dir", f"expected a folder path, got {self.out_dir!r} (a NUL character)")
        if not isinstance(self.device, str) or not DEVICE_PATTERN.match(self.device):
            raise ConfigError(f"{where}.device", f"expected auto, cpu, cuda or cuda:N, got {self.device!r}")
        if self.expert_knowledge not in EXPERT_LEVELS:
            suggestion = did_you_mean(str(self.expert_knowledge), EXPERT_LEVELS)
            raise ConfigError(f"{where}.expert_knowledge", f"unknown level {self.expert_knowledge!r}{suggestion}; "
                                                           f"expected one of {list(EXPERT_LEVELS)}")
        # Imported here: the student kinds raise this module's ConfigError.
        from .student_kinds import student_kind

        student_kind(self.student).check_config(self, where)


def _require_str(path: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(path, f"expected a non-empty string, got {value!r}")


def _require_int(path: str, value: object, *, minimum: int, maximum: int | None = None) -> None:
    if not is_integer(value) or value < minimum:
        raise ConfigError(path, f"expected an integer >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ConfigError(path, f"expected an integer from {minimum} to {maximum:,}, got {value:,}")


def check_output_folder(path: str | Path, field_path: str) -> None:
    """Check, before anything is written, that ``path`` is a folder or one can be made there: it is not a file, and
    its nearest existing ancestor is a folder this user can write in. ``field_path`` names the setting or flag.

    Raises:
        ConfigError: naming ``field_path`` and the file or folder in the way.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(field_path, f"{path} is a file; expected a folder (or a path where one can be made)")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(field_path, f"{existing} is a file, so no folder can be made at {path}; expected a path "
                                      f"under a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(field_path, f"cannot write in {existing} (permission denied); expected a folder this user "
                                      f"can write in")


def read_yaml(path: str | Path, what: str) -> Any:
    """The plain data of a YAML file; ``what`` names the file's role in errors ("the run config").

    Raises:
        ConfigError: naming the file, for one that cannot be read (missing, a folder, not UTF-8 text) or invalid
            YAML (with the line and column).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(source, f"cannot read {what}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(source, f"cannot read {what}: not UTF-8 text (byte {error.start}); expected YAML") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or getattr(error, "reason", None) or str(error)
        position = getattr(error, "position", None)  # a reader error (a character YAML forbids) has no mark
        where = (f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None
                 else f" at character {position + 1}" if isinstance(position, int) else "")
        raise ConfigError(source, f"cannot read {what}: invalid YAML{where}: {' '.join(str(problem).split())}"
                          ) from None


def field_docs(cls: type) -> dict[str, str]:
    """The docstring written under each field of a dataclass (what the CLI shows as each flag's help)."""
    docs: dict[str, str] = {}
    body = ast.parse(inspect.getsource(cls)).body[0].body
    for statement, following in zip(body, body[1:]):
        if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[statement.target.id] = following.value.value.strip()
    return docs


def env_label(env_id: str) -> str:
    """The default label of an env id in sweeps and reports: without namespace and version
    ("teachgym/StumpTracks-v0" -> "StumpTracks")."""
    return ENV_VERSION.sub("", env_id.rsplit("/", 1)[-1])
