"""Sweep safety: a sweep killed again and again, then run to its end, gives exactly what an uninterrupted one gives.

Run ``python -m teachgym.benchmarks.sweep_safety``. It writes a sweep of simulated-student runs (random and ALP-GMM on
``teachgym/SimulatedStudent-v0``, ``--seeds`` seeds each, ``--episodes`` episodes, a checkpoint every
``--checkpoint-every``) and runs it uninterrupted into a temporary folder as the reference. Then it starts
``teachgym sweep`` (``--workers`` pool workers) on a second folder and SIGKILLs it ``--kills`` times: the main
process or one pool worker (a process holding a run's claim), drawn from a generator seeded with ``--seed``, after a
random amount of training once the sweep has written new rows (up to ``EPISODES_BEFORE_KILL`` episodes, counted in
bytes of the curriculum tables, so the moments do not depend on the machine's speed) or (the main process only) at a
random moment of its start. After each
kill it waits until no process holds a run, then starts the sweep again; after the last kill the sweep runs to its
end. It compares every run's tables (``metrics.csv`` without its wall-time column, ``test_returns.csv``,
``curriculum.csv``) row by row with the reference's and prints the kills done, the runs done, the rows compared and
the mismatches, and exits with 1 if a run is not done, a row differs, or a sweep that was not killed printed a
traceback.

Killing a worker breaks the process pool: that sweep records its unfinished runs as failed and ends, and the next
start resumes them, which is what a user would do. Linux only (workers are found through ``/proc``).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .arguments import require_positive
from .executors import run_sweep
from .processes import descendants
from .run_folder import TABLES, RunFolder, RunFolderBusy
from .states import RunState
from .sweep import Sweep

ENV_ID = "teachgym/SimulatedStudent-v0"
TEACHERS = ("random", "alp-gmm")
EVALUATIONS = 8
START_KILL_SHARE = 0.25  # the share of kills that land in the sweep's start (imports, validation, first folders)
START_WINDOW = 2.0  # seconds after the start in which such a kill lands
# The other kills land after the sweep trained up to this many more episodes (all runs together): a budget of work,
# not of seconds, so that a fast machine does not finish the sweep before the last kill.
EPISODES_BEFORE_KILL = 1000
POLL = 0.005
PATIENCE = 300.0  # seconds any one wait may take before the measurement gives up


@dataclass(frozen=True)
class Figures:
    """What one measurement found."""

    main_kills: int
    worker_kills: int
    starts: int
    tracebacks: int
    runs: int
    runs_done: int
    rows_compared: int
    mismatches: int
    seconds: float

    @property
    def kills(self) -> int:
        return self.main_kills + self.worker_kills

    @property
    def safe(self) -> bool:
        return self.runs_done == self.runs and self.mismatches == 0 and self.tracebacks == 0


def write_sweep(folder: Path, seeds: int, episodes: int, checkpoint_every: int) -> Path:
    """The sweep file: every teacher of TEACHERS x ``seeds`` seeds, short evaluations and frequent checkpoints."""
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump({
        "name": "sweep-safety",
        "out": str(folder / "killed"),
        "defaults": {"total_timesteps": episodes, "eval_every": max(1, episodes // EVALUATIONS),
                     "checkpoint_every": checkpoint_every},
        "grid": {"envs": [ENV_ID], "teachers": list(TEACHERS), "students": ["simulated"], "seeds": seeds},
    }, sort_keys=False))
    return path


def measure(folder: Path, *, kills: int, seeds: int, episodes: int, checkpoint_every: int, workers: int,
            seed: int) -> Figures:
    """Run the reference, the killed sweep and the comparison in ``folder`` (empty); see the module docstring.

    Raises:
        RuntimeError: if the reference sweep fails, the sweep ends before ``kills`` kills (too little work), or a
            wait takes longer than PATIENCE.
    """
    began = time.monotonic()
    path = write_sweep(folder, seeds, episodes, checkpoint_every)
    sweep = Sweep.from_yaml(path)
    reference = run_sweep(sweep, out=folder / "reference", workers=workers)
    if reference.failed:
        raise RuntimeError(f"the reference sweep failed: {[(o.run_id, o.error) for o in reference.failed]}")
    out = folder / "killed"
    bytes_per_episode = _rows_written(sweep.with_out(folder / "reference")) / (len(sweep.runs) * episodes)
    rng = np.random.default_rng(seed)
    main_kills = worker_kills = starts = tracebacks = 0
    while main_kills + worker_kills < kills:
        # the same four draws every time, so that the moments and targets depend on the seed alone
        worker_draw, start_draw, delay_draw, victim_draw = rng.random(4)
        unfinished = [r for r in sweep.runs if RunFolder(r.config.out_dir).state() is not RunState.DONE]
        if not unfinished:
            raise RuntimeError(f"the sweep was done after {main_kills + worker_kills} kills; give it more work "
                               f"(--episodes)")
        # with one run left (or one worker), the sweep runs it in its main process: there is no worker to kill
        kill_worker = worker_draw < 0.5 and len(unfinished) > 1 and workers > 1
        log = folder / f"start-{starts}.log"
        process = _start(path, out, workers, log)
        starts += 1
        try:
            written = _rows_written(sweep)
            budget = delay_draw * EPISODES_BEFORE_KILL * bytes_per_episode
            if not kill_worker and start_draw < START_KILL_SHARE:
                _wait(lambda: process.poll() is not None or _rows_written(sweep) > written + budget,
                      delay_draw * START_WINDOW)
            else:
                if not _wait(lambda: process.poll() is not None or _rows_written(sweep) > written, PATIENCE):
                    raise RuntimeError(f"the sweep wrote nothing in {PATIENCE:.0f} s")
                progressed = _rows_written(sweep)
                _wait(lambda: process.poll() is not None or _rows_written(sweep) >= progressed + budget, PATIENCE)
            victims = _running_workers(sweep, process) if kill_worker else [process.pid]
            if victims and _kill(victims[int(victim_draw * len(victims))]):
                if kill_worker:
                    worker_kills += 1
                    process.wait(PATIENCE)  # the broken pool ends the sweep: its unfinished runs are recorded failed
                elif process.wait(PATIENCE) == -signal.SIGKILL:
                    main_kills += 1
            process.wait(PATIENCE)
            if process.returncode != -signal.SIGKILL:  # it ended on its own: it must not have printed a traceback
                tracebacks += "Traceback" in log.read_text()
        finally:
            if process.poll() is None:  # a measurement that failed leaves no sweep behind
                process.kill()
                process.wait()
        if not _wait(lambda: not _claimed(sweep), PATIENCE):
            raise RuntimeError(f"the killed sweep's workers still held runs after {PATIENCE:.0f} s")
    log = folder / "last.log"
    process = _start(path, out, workers, log)
    starts += 1
    process.wait(PATIENCE)
    tracebacks += "Traceback" in log.read_text()
    compared = mismatches = 0
    for sweep_run in sweep.runs:
        for table in TABLES:
            expected = computed_rows(folder / "reference" / sweep_run.run_id / f"{table}.csv")
            found = computed_rows(out / sweep_run.run_id / f"{table}.csv")
            compared += len(expected)
            mismatches += sum(a != b for a, b in itertools.zip_longest(expected, found))
    done = sum(RunFolder(out / sweep_run.run_id).state() is RunState.DONE for sweep_run in sweep.runs)
    return Figures(main_kills, worker_kills, starts, tracebacks, len(sweep.runs), done, compared, mismatches,
                   time.monotonic() - began)


def _start(path: Path, out: Path, workers: int, log: Path) -> subprocess.Popen:
    with log.open("w") as handle:
        return subprocess.Popen([sys.executable, "-m", "teachgym.benchmarks.cli", "sweep", str(path), "--out", str(out),
                                 "--workers", str(workers), "--no-report"], stdout=handle, stderr=subprocess.STDOUT)


def _wait(condition, seconds: float) -> bool:
    """Poll ``condition`` for up to ``seconds``; whether it came true."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)
    return True


def _rows_written(sweep: Sweep) -> int:
    """The bytes in the runs' curriculum tables: they grow with every training episode."""
    total = 0
    for sweep_run in sweep.runs:
        try:
            total += (Path(sweep_run.config.out_dir) / "curriculum.csv").stat().st_size
        except FileNotFoundError:
            continue
    return total


def _running_workers(sweep: Sweep, process: subprocess.Popen) -> list[int]:
    """The sweep's workers holding a run, waiting for one (a pool starts its workers one by one); [] if the sweep
    ended first."""
    deadline = time.monotonic() + PATIENCE
    while process.poll() is None and time.monotonic() < deadline:
        found = _workers(sweep, process.pid)
        if found:
            return sorted(found)
        time.sleep(POLL)
    return []


def _kill(pid: int) -> bool:
    """SIGKILL ``pid``; False if it had already ended."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def _workers(sweep: Sweep, main: int) -> set[int]:
    """The pool workers of the sweep ``main`` holding a run's claim now (a killed one's pid may linger in a lock)."""
    below = descendants(main)
    return {pid for sweep_run in sweep.runs
            if (pid := RunFolder(sweep_run.config.out_dir).claimed_by()) is not None and pid in below}


def _claimed(sweep: Sweep) -> bool:
    """Whether any process holds a run of the sweep (probed by claiming each run for an instant)."""
    for sweep_run in sweep.runs:
        try:
            with RunFolder(sweep_run.config.out_dir).claim():
                pass
        except RunFolderBusy:
            return True
    return False


def _all_done(sweep: Sweep, out: Path) -> bool:
    return all(RunFolder(out / sweep_run.run_id).state() is RunState.DONE for sweep_run in sweep.runs)


def computed_rows(path: Path) -> list[dict[str, str]]:
    """A table's rows without the wall-time column, the one a rerun changes ([] for a missing table)."""
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [{k: v for k, v in row.items() if k != "wall_time"} for row in csv.DictReader(handle)]


def computed_tables(run_folder: Path) -> dict[str, list[dict[str, str]]]:
    """What a run computed: each of its tables as :func:`computed_rows`."""
    return {name: computed_rows(run_folder / f"{name}.csv") for name in TABLES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs to deal before the last, undisturbed start")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per teacher (runs: 2 x seeds)")
    parser.add_argument("--episodes", type=int, default=20000, help="episodes per run")
    parser.add_argument("--checkpoint-every", type=int, default=50, help="episodes between checkpoints")
    parser.add_argument("--workers", type=int, default=2, help="pool workers of each sweep")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments and targets")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("kills", "seeds", "episodes", "checkpoint_every", "workers"))
    if not Path("/proc/self/stat").exists():
        parser.error("needs Linux's /proc to find the sweep's workers")
    with tempfile.TemporaryDirectory(prefix="teachgym-sweep-safety-") as folder:
        figures = measure(Path(folder), kills=args.kills, seeds=args.seeds, episodes=args.episodes,
                          checkpoint_every=args.checkpoint_every, workers=args.workers, seed=args.seed)
    print(f"{figures.runs} runs of {args.episodes} episodes ({', '.join(TEACHERS)} on {ENV_ID}), {args.workers} "
          f"workers, a checkpoint every {args.checkpoint_every} episodes, kill seed {args.seed}")
    print(f"kills: {figures.kills} ({figures.main_kills} of the main process, {figures.worker_kills} of a worker); "
          f"starts: {figures.starts}; tracebacks: {figures.tracebacks}")
    print(f"runs done: {figures.runs_done} of {figures.runs}; rows compared: {figures.rows_compared}; "
          f"mismatches: {figures.mismatches}; {figures.seconds:.1f} s")
    return 0 if figures.safe else 1


if __name__ == "__main__":
    sys.exit(main())
