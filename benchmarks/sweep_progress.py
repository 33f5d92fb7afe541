"""What ``teachgym sweep`` shows while it runs: on a terminal, one bar of runs finished / total with the estimated
time left; elsewhere (a log file, CI) one plain line per run this process finishes, with the same estimate.

The estimate is the wall time per run this process finished (not those skipped as done before, or left to another
process) times the runs left; with several workers it is their joint pace.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

from .states import RunStatus

BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} runs [{elapsed}{postfix}]"


class SweepProgress:
    """A progress callback for :func:`~teachgym.benchmarks.executors.run_sweep` (``progress(finished, total, run_id,
    status, detail)``); use as a context manager, which closes the bar."""

    def __init__(self, total: int, name: str, *, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.started = clock()
        self.finished_here = 0
        self.bar = (tqdm(total=total, desc=name, file=self.stream, bar_format=BAR_FORMAT, dynamic_ncols=True)
                    if self.stream.isatty() else None)

    def __call__(self, finished: int, total: int, run_id: str, status: str, detail: str) -> None:
        if status == RunStatus.CLAIMED:
            self._line(f"skipping {run_id}: {detail}")
        elif status != RunStatus.SKIPPED:
            self.finished_here += 1
        left = self.time_left(finished, total)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{run_id}: {status}; {left}", refresh=False)
            self.bar.update(finished - self.bar.n)
        elif status not in (RunStatus.SKIPPED, RunStatus.CLAIMED):
            error = f" ({detail})" if status == RunStatus.FAILED and detail else ""
            self._line(f"[{finished}/{total}] {run_id}: {status}{error}; {left}")

    def time_left(self, finished: int, total: int) -> str:
        """The estimate, in words: "about 3 min left", or why there is none yet."""
        if finished >= total:
            return "all finished"
        if not self.finished_here:
            return "time left unknown until a run finishes"
        seconds = (self.clock() - self.started) / self.finished_here * (total - finished)
        return f"about {_duration(seconds)} left"

    def _line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def __enter__(self) -> SweepProgress:
        return self

    def __exit__(self, *exception: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _duration(seconds: float) -> str:
    """Seconds in the largest two units that matter: "45 s", "3 min 20 s", "2 h 5 min"."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
