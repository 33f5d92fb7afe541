"""Executors: run the runs of a sweep that are not done yet, in local processes or on a Ray cluster.

Every run goes through :func:`execute`: ``run(config, resume=True)`` (a new run starts, an interrupted one resumes
from its last checkpoint); an exception is recorded as the run's failure (``status.json`` in its folder and the
sweep's ``runs.csv``) and never stops the other runs. A run whose folder is done with the same config is skipped
without starting anything.

Before anything is written, every run folder that exists is checked to hold its run: a folder holding another
config (or anything but a run) refuses the whole sweep, naming the folder and the fields that differ. Several
processes may run one sweep into one folder (a second ``teachgym sweep`` to use more cores): a run is executed by the
process that holds its folder's claim, and the others skip it as ``claimed`` ("running in another process (pid N)"),
which is not a failure. The sweep's own files (``sweep.yaml``, ``runs.csv``) are replaced atomically under a lock on
``<out>/.sweep.lock``; ``runs.csv`` also takes in the runs other processes finished. When they cannot be written (a
full disk), the sweep goes on and says so in :attr:`SweepResult.notes`: the run folders hold each run's status.

``local`` is a :class:`~concurrent.futures.ProcessPoolExecutor` on forkserver processes (spawn where there is no
forkserver): both are safe with torch, and the pool's workers are not daemonic (checked on Python 3.10 to 3.13), so a
run with ``n_envs > 1`` can start its ``SubprocVecEnv`` inside a worker. Each worker pins BLAS, OpenMP and torch to
one thread, so ``n`` workers on ``n`` cores do not oversubscribe, and exits as soon as the sweep's process dies, so a
killed sweep leaves no worker writing into a run folder. With one worker (or one run to do) the runs execute in
this process. A worker that dies (a segfault, the OOM killer) breaks the pool: the runs not finished by then are
recorded as failed ("a worker process died") and keep their last checkpoint, so running the sweep again resumes
them. As with any process pool, a script that calls :func:`run_sweep` needs the ``if __name__ == "__main__":`` guard.

``ray`` sends one task per run to a Ray cluster (``ray start --head``, then the address: ``auto``, ``host:port`` or
``ray://host:port``); Ray retries a run whose worker was lost (it resumes from its checkpoint), never one that
raised. The runs write their folders themselves, so ``out`` must be on storage every node shares.

Over 300 lines because the local pool and Ray share :func:`execute`, the folder checks and the sweep files' locked
bookkeeping; split by executor, each half would reach into the other's private state.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import threadpoolctl

from teachgym.child_processes import end_with_parent
from teachgym.errors import TeachgymError, did_you_mean
from teachgym.validation import is_positive_integer
from teachgym.vector.engine import default_start_method

from .config import ConfigError, RunConfig
from .run import foreign_folder, run
from .run_folder import RunFolder, RunFolderBusy, RunFolderError, atomic_write, holder, locked
from .states import RunState, RunStatus
from .sweep import SWEEP_FILE, Sweep, SweepRun, check_run_ids

EXECUTORS = ("local", "ray")
# What another process's runs.csv may tell this one about a run it did not do.
FINISHED = (RunStatus.DONE, RunStatus.SKIPPED)
RUNS_TABLE = "runs.csv"
SWEEP_LOCK = ".sweep.lock"
RUNS_COLUMNS = ("run_id", "status", "error", "wall_time")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
RAY_RETRIES = 2

Progress = Callable[[int, int, str, str, str], None]
"""``progress(finished, total, run_id, status, detail)``, called once per run as it is skipped or finishes;
``detail`` is the outcome's error (or, for a run claimed by another process, which one)."""


@dataclass(frozen=True)
class RunOutcome:
    """What became of one run in one execution of a sweep: done, failed (with the error), skipped (done before)
    or claimed (being run by another process; ``error`` says which). ``wall_time``: for a done or skipped run, the
    seconds it trained over all its starts and resumes (its status.json's, so a sweep run again keeps it); for a
    failed one, the seconds this execution spent on it."""

    run_id: str
    status: RunStatus
    error: str = ""
    wall_time: float = 0.0


@dataclass(frozen=True)
class SweepResult:
    """The outcome of every run of a sweep, in the sweep's order, and the sweep's output folder."""

    out: Path
    runs: list[RunOutcome]
    notes: list[str] = field(default_factory=list)
    """problems that did not stop the sweep (runs.csv could not be written)"""

    def ids(self, status: RunStatus) -> list[str]:
        """The ids of the runs with this status (done, failed, skipped, claimed)."""
        return [outcome.run_id for outcome in self.runs if outcome.status == status]

    @property
    def failed(self) -> list[RunOutcome]:
        return [outcome for outcome in self.runs if outcome.status == RunStatus.FAILED]


def run_sweep(sweep: Sweep, *, out: str | Path | None = None, executor: str = "local", workers: int | None = None,
              address: str | None = None, progress: Progress | None = None) -> SweepResult:
    """Run every run of ``sweep`` that is not done yet and return what became of each.

    ``out`` overrides the sweep's output folder. ``workers`` (local) defaults to the number of CPUs; ``address``
    (ray) is the cluster's, or None for Ray's default (``RAY_ADDRESS``, a cluster started on this machine, else a new
    local one). Writes ``<out>/sweep.yaml`` first, then ``<out>/runs.csv`` (run_id, status, error, wall_time) each
    time a run finishes. Nothing is written outside ``out``.

    Raises:
        ConfigError: for an unknown executor, a bad ``workers`` or ``address``, Ray missing, or a run id that would
            leave ``out``; before anything is written.
        RunFolderError: if a run folder holds another run (or is not a run folder), before anything is run or
            written; if ``sweep.yaml`` cannot be written.
    """
    execute_all = _executor(executor, workers, address)
    sweep = sweep.with_out(Path(sweep.out if out is None else out).resolve())
    check_run_ids(sweep.runs, sweep.source)
    _check_folders(sweep)
    with locked(sweep.out / SWEEP_LOCK):
        for stale in sweep.out.glob(".*.tmp"):  # staging copies of killed writers: every writer holds this lock
            stale.unlink(missing_ok=True)
        atomic_write(sweep.out / SWEEP_FILE, sweep.to_yaml().encode())
    ledger = _Ledger(sweep, progress)
    waiting = []
    for sweep_run in sweep.runs:
        if _is_done(sweep_run.config):
            ledger.record(RunOutcome(sweep_run.run_id, RunStatus.SKIPPED, wall_time=_run_wall_time(sweep_run.config)))
        else:
            waiting.append(sweep_run)
    if waiting:
        for outcome in execute_all(waiting):
            ledger.record(outcome)
    return SweepResult(sweep.out, ledger.outcomes(), ledger.notes)


def execute(sweep_run: SweepRun) -> RunOutcome:
    """Run (or resume) one run; an exception becomes a failed outcome, also written to the run's folder. A run
    another process holds is claimed, one another process finished since the sweep started is skipped."""
    started = time.monotonic()
    try:
        if _is_done(sweep_run.config):
            return RunOutcome(sweep_run.run_id, RunStatus.SKIPPED, "done by another process",
                              _run_wall_time(sweep_run.config))
        run(sweep_run.config, resume=True)
    except RunFolderBusy as error:
        return RunOutcome(sweep_run.run_id, RunStatus.CLAIMED, f"running in {holder(error.pid)}")
    except Exception as error:
        message = "".join(traceback.format_exception_only(error)).strip()
        _mark_failed(sweep_run.config, message)
        return RunOutcome(sweep_run.run_id, RunStatus.FAILED, message, _elapsed(started))
    return RunOutcome(sweep_run.run_id, RunStatus.DONE, wall_time=_run_wall_time(sweep_run.config))


def pin_threads() -> None:
    """One BLAS, OpenMP and torch thread in this process and the processes it starts: the environment variables
    for libraries loaded later (and for subprocess environments), threadpoolctl for the ones already loaded."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    threadpoolctl.threadpool_limits(1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


# ----------------------------------------------------------------------------------------------------- executors
def _executor(name: str, workers: int | None, address: str | None) -> Callable[[list[SweepRun]], Iterator[RunOutcome]]:
    if name not in EXECUTORS:
        raise ConfigError("executor", f"unknown executor {name!r}{did_you_mean(str(name), EXECUTORS)}; expected one "
                                      f"of {list(EXECUTORS)}")
    if workers is not None and not is_positive_integer(workers):
        raise ConfigError("workers", f"expected an integer >= 1, got {workers!r}")
    if name == "local":
        if address is not None:
            raise ConfigError("address", "the local executor takes no address; it is for --executor ray")
        return lambda runs: _run_local(runs, workers or os.cpu_count() or 1)
    if workers is not None:
        raise ConfigError("workers", "the ray executor takes no workers; the cluster's CPUs decide")
    if address is not None and (not isinstance(address, str) or not address):
        raise ConfigError("address", f"expected a Ray address (auto, host:port or ray://host:port), got {address!r}")
    try:
        import ray
    except ImportError:
        raise ConfigError("executor", "the ray executor needs Ray: pip install teachgym[ray]") from None
    return lambda runs: _run_on_ray(ray, runs, address)


def _run_local(runs: list[SweepRun], workers: int) -> Iterator[RunOutcome]:
    workers = min(workers, len(runs))
    if workers == 1:
        yield from map(execute, runs)
        return
    context = multiprocessing.get_context(default_start_method())
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context,
                                                  initializer=_start_worker)
    try:
        futures = {pool.submit(_execute_pinned, sweep_run): sweep_run for sweep_run in runs}
        for future in concurrent.futures.as_completed(futures):
            try:
                yield future.result()
            except concurrent.futures.process.BrokenProcessPool as error:
                yield RunOutcome(futures[future].run_id, RunStatus.FAILED, f"a worker process died: {error}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_on_ray(ray, runs: list[SweepRun], address: str | None) -> Iterator[RunOutcome]:
    connected = not ray.is_initialized()
    if connected:
        ray.init(address=address)
    remote = ray.remote(num_cpus=1, max_retries=RAY_RETRIES, retry_exceptions=False)(_execute_pinned)
    pending = {remote.remote(sweep_run): sweep_run for sweep_run in runs}
    try:
        while pending:
            (ready,), _ = ray.wait(list(pending), num_returns=1)
            sweep_run = pending.pop(ready)
            try:
                yield ray.get(ready)
            except ray.exceptions.RayError as error:  # the run's worker was lost more than RAY_RETRIES times
                yield RunOutcome(sweep_run.run_id, RunStatus.FAILED, f"{type(error).__name__}: {error}")
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if connected:
            ray.shutdown()


def _execute_pinned(sweep_run: SweepRun) -> RunOutcome:
    pin_threads()  # again per run: a run may have loaded libraries (torch) since the worker started
    return execute(sweep_run)


def _start_worker() -> None:
    pin_threads()
    end_with_parent()  # a killed sweep takes its workers, and so their runs, with it


# ------------------------------------------------------------------------------------------------- bookkeeping
class _Ledger:
    """Every run's outcome so far (pending until it finishes), mirrored to runs.csv and the progress callback.

    runs.csv is rewritten under the sweep's lock, taking from the file the runs that another process finished and
    this one did not; a write that fails (a full disk) becomes a note, once, and the sweep goes on.
    """

    def __init__(self, sweep: Sweep, progress: Progress | None):
        self.path = sweep.out / RUNS_TABLE
        self.lock = sweep.out / SWEEP_LOCK
        self.progress = progress
        self.finished = 0
        self.notes: list[str] = []
        self._outcomes = {run.run_id: RunOutcome(run.run_id, RunStatus.PENDING) for run in sweep.runs}
        self._write()

    def record(self, outcome: RunOutcome) -> None:
        self._outcomes[outcome.run_id] = outcome
        self.finished += 1
        self._write()
        if self.progress is not None:
            self.progress(self.finished, len(self._outcomes), outcome.run_id, outcome.status, outcome.error)

    def outcomes(self) -> list[RunOutcome]:
        return list(self._outcomes.values())

    def _write(self) -> None:
        try:
            with locked(self.lock):
                rows = [self._merged(outcome, written) for outcome, written in
                        zip(self._outcomes.values(), map(self._written().get, self._outcomes))]
                text = io.StringIO()
                writer = csv.writer(text)
                writer.writerow(RUNS_COLUMNS)
                writer.writerows(rows)
                atomic_write(self.path, text.getvalue().encode())
        except RunFolderError as error:
            if not self.notes:
                self.notes.append(f"{error}; {RUNS_TABLE} is out of date (each run folder's status.json is not)")

    @staticmethod
    def _merged(outcome: RunOutcome, written: list[str] | None) -> list[Any]:
        """This process's row for a run, or the file's where another process finished the run meanwhile."""
        unfinished = outcome.status in (RunStatus.PENDING, RunStatus.CLAIMED)
        if unfinished and written is not None and written[1] in FINISHED:
            return written
        return [outcome.run_id, outcome.status, outcome.error, outcome.wall_time]

    def _written(self) -> dict[str, list[str]]:
        """The rows of runs.csv as it is (none when it is missing or unreadable: it is rewritten whole)."""
        try:
            with self.path.open(newline="") as handle:
                rows = list(csv.reader(handle))
        except (OSError, csv.Error, UnicodeDecodeError):
            return {}
        return {row[0]: row for row in rows[1:] if len(row) == len(RUNS_COLUMNS)}


def _check_folders(sweep: Sweep) -> None:
    """Refuse the sweep, before it runs or writes anything, if a run folder that exists does not hold its run."""
    problems = []
    for sweep_run in sweep.runs:
        folder = RunFolder(sweep_run.config.out_dir)
        try:
            problem = foreign_folder(folder, sweep_run.config)
        except ConfigError as error:
            problem = str(error)
        except OSError as error:
            problem = f"{folder.path} cannot be read: {error.strerror or error}"
        if problem:
            problems.append(problem)
    if problems:
        more = f" (and {len(problems) - 1} more run folders like it)" if len(problems) > 1 else ""
        raise RunFolderError(f"{problems[0]}{more}; choose another out or move the folder away: nothing was run or "
                             f"written")


def _is_done(config: RunConfig) -> bool:
    """Whether the run's folder is done with this very config (a broken folder is left for ``run`` to report)."""
    folder = RunFolder(config.out_dir)
    try:
        return folder.state() is RunState.DONE and not foreign_folder(folder, config)
    except TeachgymError:
        return False


def _run_wall_time(config: RunConfig) -> float:
    """The seconds a done run trained, over all its starts and resumes, as its status.json records them (0.0 for a
    folder written before runs recorded it, or one that cannot be read)."""
    try:
        return float(RunFolder(config.out_dir).status().get("wall_time", 0.0))
    except (TeachgymError, TypeError, ValueError):
        return 0.0


def _mark_failed(config: RunConfig, error: str) -> None:
    """Write the failure into the run's folder (creating it when the run failed before it could), unless the folder
    holds another run, cannot be read, or another process holds its claim: those are never touched."""
    folder = RunFolder(config.out_dir)
    try:
        with folder.claim():
            if foreign_folder(folder, config):
                return
            if folder.is_empty():
                folder.create(config)
            folder.set_status(RunState.FAILED, timesteps=folder.status().get("timesteps", 0), error=error)
    except (TeachgymError, OSError):
        return


def _elapsed(started: float) -> float:
    return round(time.monotonic() - started, 3)
