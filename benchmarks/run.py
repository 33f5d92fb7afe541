"""``run(config)``: one experiment, end to end, into a run folder that survives being killed.

The teacher lives in this process; training environments may live in subprocesses. Every finished training
episode goes to ``curriculum.csv``; every ``eval_every`` timesteps the student is evaluated on the fixed test set
(``metrics.csv``, ``test_returns.csv``); every ``checkpoint_every`` timesteps a checkpoint is written. Each start and
resume appends the versions, commit, CPU and GPU it ran with to ``environment.json``. A run killed at
any moment is resumed with ``run(config, resume=True)`` from its last checkpoint, with no table row lost or
duplicated.

How exact a resume is:
- simulated students: exactly the uninterrupted run (student, teacher and every random generator are restored);
- RL students: the model, optimiser, replay buffer, teacher and the global numpy/torch/python generators are
  restored, but the environments' episodes in progress are not (Box2D worlds cannot be saved), so the resumed run
  starts fresh episodes and differs from an uninterrupted one from there on.

A run holds its folder's claim (see :mod:`.run_folder`) from start to end: a second process asking for the same run
meanwhile gets :class:`~.run_folder.RunFolderBusy` at once. A resume starts from the latest checkpoint that is
whole (its files match their digests, the tables hold the rows it counts); a damaged one is passed over for the one
before it, and the status record says so.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import random
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import provenance
from .config import RunConfig, check_output_folder
from .experiment import Experiment, prepare
from .run_folder import RunFolder, RunFolderError, load_pickle, writing
from .states import RunState
from .student_kinds import student_kind

NEW, RESUME, DONE = "new", "resume", "done"


def run(config: RunConfig, *, resume: bool = False, progress: Callable[[int], None] | None = None) -> Path:
    """Run (or, with ``resume``, continue) the experiment ``config`` and return its run folder.

    A folder that already holds this config and is done is returned as is. A folder holding another config, or
    any other files, is refused and never overwritten. ``progress`` is called with the timesteps done, now and then
    (for a progress bar).

    Raises:
        ConfigError: for an invalid config, before anything is written; naming config.yaml if the folder's is
            unreadable.
        RunFolderBusy: if another process is running this run (holds the folder's claim).
        RunFolderError: if the folder holds another run, an interrupted run without ``resume``, no usable
            checkpoint, a corrupt file (named), or if the disk fills up.
    """
    experiment = prepare(config)
    kind = student_kind(config.student)
    check_output_folder(config.out_dir, "RunConfig.out_dir")
    folder = RunFolder(config.out_dir)
    with folder.claim():
        state = _check_folder(folder, config, resume)
        if state == DONE:
            return folder.path
        folder.remove_staging()
        start = _resume_point(folder, kind.checkpoint_files) if state == RESUME else None
        # Without a checkpoint the run starts over: rows written before a kill that came before it are dropped.
        folder.restore_tables(start.progress["rows"] if start else {})
        folder.set_status(RunState.RUNNING, timesteps=start.progress["timesteps"] if start else 0)
        if kind.uses_torch:
            import torch  # noqa: F401  the run imports it anyway; imported first, its record names the GPU
        folder.record_environment(provenance.environment_record(start.progress["timesteps"] if start else 0,
                                                                event=RESUME if start else "start"))
        try:
            training = TrainingRun(experiment, folder, start, report=progress)
            timesteps = kind.train(training)
        except BaseException as error:
            with contextlib.suppress(RunFolderError):  # a full disk must not hide the error that stopped the run
                folder.set_status(RunState.FAILED, timesteps=folder.status().get("timesteps", 0),
                                  error="".join(traceback.format_exception_only(error)).strip())
            raise
        finally:
            folder.close()
        folder.set_status(RunState.DONE, timesteps=timesteps, wall_time=training.wall_time())
    return folder.path


def foreign_folder(folder: RunFolder, config: RunConfig) -> str | None:
    """Why ``folder`` cannot hold the run ``config`` (it holds files but no run config, or another run's), or None
    when it is empty or holds this very run. The one check that run, sweeps and failure records all make.

    Raises:
        ConfigError: naming the folder's config.yaml when it cannot be read.
    """
    if folder.is_empty():
        return None
    if not folder.config_path.is_file():
        return f"{folder.path} is not empty and holds no run config"
    differences = RunConfig.from_yaml(folder.config_path).differences(config)
    return f"{folder.path} holds a different run ({'; '.join(differences)})" if differences else None


def _check_folder(folder: RunFolder, config: RunConfig, resume: bool) -> str:
    """Create the folder, or check that it is this config's; say whether the run is new, to resume, or done."""
    problem = foreign_folder(folder, config)
    if problem:
        raise RunFolderError(f"{problem}; choose another out_dir, nothing was overwritten")
    if folder.is_empty():
        folder.create(config)
        return NEW
    try:
        state = folder.state()
    except RunFolderError as error:
        if not resume:
            raise RunFolderError(f"{error}; pass resume=True (teachgym run --resume) to continue the run from its "
                                 f"last checkpoint") from None
        # The status is a marker for people; the checkpoint says where the run is, and the run rewrites the marker.
        folder.notes.append("status.json was unreadable; the run resumed from its checkpoint")
        return RESUME
    if state is RunState.DONE:
        return DONE
    if not resume:
        raise RunFolderError(f"{folder.path} holds an interrupted run (status {state or 'missing'}); pass resume=True "
                             f"(teachgym run --resume) to continue it")
    return RESUME


@dataclass(frozen=True)
class _Start:
    """The checkpoint a resumed run starts from: its folder, progress record and unpickled states."""

    checkpoint: Path
    progress: dict[str, Any]
    states: dict[str, Any]


def _resume_point(folder: RunFolder, student_files: tuple[str, ...]) -> _Start | None:
    """The latest whole checkpoint (with the student kind's ``student_files`` unpickled), or None when there is
    none (the run starts over).

    Raises:
        RunFolderError: naming the damaged file, when LATEST names a checkpoint and neither it nor an earlier one
            is whole.
    """
    candidates = folder.checkpoint_candidates()
    pickles = ["teacher.pkl", "rng.pkl", *student_files]
    problems = []
    for checkpoint in candidates:
        try:
            progress = folder.load_progress(checkpoint)
            folder.table_ends(progress["rows"])
            states = {name: load_pickle(checkpoint / name) for name in pickles}
        except RunFolderError as error:
            problems.append(str(error))
            continue
        for problem in problems:
            folder.notes.append(f"{problem}; resumed from {checkpoint.name} instead")
        return _Start(checkpoint, progress, states)
    if not candidates:
        return None
    others = [problem for problem in problems[1:] if problem != problems[0]]
    if len(problems) == 1:
        earlier = "; there is no earlier checkpoint to resume from"
    else:
        earlier = f"; the earlier checkpoints are unusable too ({'; '.join(others) or 'the same problem'})"
    raise RunFolderError(f"{problems[0]}{earlier}; delete {folder.checkpoints / 'LATEST'} to restart the run from "
                         f"scratch")


class TrainingRun:
    """One run in training: its experiment, folder and teacher, and the bookkeeping every student kind shares
    (tables, evaluations, checkpoints); a :class:`~.student_kinds.StudentKind` trains the student through it."""

    def __init__(self, experiment: Experiment, folder: RunFolder, start: _Start | None,
                 report: Callable[[int], None] | None = None):
        self.report = report or (lambda timesteps: None)
        self.experiment = experiment
        self.config = experiment.config
        self.folder = folder
        self.start = start
        self.names = experiment.task_space.names
        self.teacher = experiment.make_teacher()
        progress = start.progress if start else {}
        self.episodes = int(progress.get("episodes", 0))
        self.next_eval = int(progress.get("next_eval", self.config.eval_every))
        self.next_checkpoint = int(progress.get("next_checkpoint", self.config.checkpoint_every))
        # the timesteps of the last evaluation (-1: none); a checkpoint from before this field existed had its
        # next_eval set to that evaluation's timesteps + eval_every
        self.last_evaluation = int(progress.get("last_evaluation", self.next_eval - self.config.eval_every
                                                if start else -1))
        self.previous_returns = (np.array(progress["previous_returns"]) if progress.get("previous_returns")
                                 else None)
        self.train_returns: list[float] = list(progress.get("train_returns", []))
        self.wall_offset = float(progress.get("wall_time", 0.0))
        self.started = time.monotonic()
        if start is None:
            staging = folder.test_set_path.with_name(f".{folder.test_set_path.name}.{os.getpid()}.tmp")
            with writing(folder.test_set_path, staging):
                experiment.test_set.to_csv(staging)
                os.replace(staging, folder.test_set_path)
        else:
            self.teacher.load_state_dict(start.states["teacher.pkl"])
            _set_rng_states(start.states["rng.pkl"])

    def record_episode(self, timesteps: int, env_index: int, task: Mapping[str, float], episode_return: float,
                       length: int, success: bool) -> None:
        self.episodes += 1
        self.train_returns.append(float(episode_return))
        row = {"timesteps": timesteps, "episode": self.episodes, "env_index": env_index}
        row.update({f"task.{name}": float(task[name]) for name in self.names})
        row.update({"return": float(episode_return), "length": int(length), "success": int(bool(success))})
        self.folder.tables["curriculum"].append(row)

    def record_evaluation(self, timesteps: int, returns: np.ndarray, successes: np.ndarray,
                          extra: Mapping[str, float] | None = None) -> None:
        """Append the metrics row and the per-task rows of one evaluation."""
        progress = (float(np.mean(np.abs(returns - self.previous_returns)))
                    if self.previous_returns is not None else math.nan)
        row = {
            "timesteps": timesteps,
            "episodes": self.episodes,
            "wall_time": round(self.wall_time(), 3),
            "mastered_share": float(np.mean(successes)),
            "mean_test_return": float(np.mean(returns)),
            "median_test_return": float(np.median(returns)),
            "mean_train_return": statistics.fmean(self.train_returns) if self.train_returns else math.nan,
            "learning_progress": progress,
            **(extra or {}),
            **{f"teacher.{name}": value for name, value in self.teacher.metrics().items()},
        }
        self.folder.tables["metrics"].append(row)
        for index, (episode_return, success) in enumerate(zip(returns.tolist(), successes.tolist())):
            self.folder.tables["test_returns"].append(
                {"timesteps": timesteps, "task_index": index, "return": episode_return, "success": int(success)})
        self.previous_returns = returns
        self.train_returns = []
        self.last_evaluation = timesteps

    def wall_time(self) -> float:
        return self.wall_offset + time.monotonic() - self.started

    def save_checkpoint(self, timesteps: int, files: Mapping[str, bytes | Path]) -> None:
        progress = {
            "episodes": self.episodes,
            "next_eval": self.next_eval,
            "next_checkpoint": self.next_checkpoint,
            "last_evaluation": self.last_evaluation,
            "previous_returns": None if self.previous_returns is None else self.previous_returns.tolist(),
            "train_returns": self.train_returns,
            "wall_time": self.wall_time(),
        }
        self.folder.save_checkpoint(timesteps, {
            **files,
            "teacher.pkl": pickle.dumps(self.teacher.state_dict()),
            "rng.pkl": pickle.dumps(_rng_states()),
        }, progress)
        self.folder.set_status(RunState.RUNNING, timesteps=timesteps)


def _rng_states() -> dict[str, Any]:
    """The global generators SB3 and torch draw from (SB3 samples replay batches with numpy's global one); torch's
    only when torch is in use, so simulated runs need no torch."""
    states = {"numpy": np.random.get_state(), "python": random.getstate()}
    if "torch" in sys.modules:
        states["torch"] = sys.modules["torch"].get_rng_state()
    return states


def _set_rng_states(states: Mapping[str, Any]) -> None:
    try:
        np.random.set_state(states["numpy"])
        random.setstate(states["python"])
        if "torch" in states:
            import torch

            torch.set_rng_state(states["torch"])
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise RunFolderError(f"checkpoint random-generator states are corrupt: {error}") from None


