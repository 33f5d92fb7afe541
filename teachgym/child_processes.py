"""Worker processes that end with the process that started them, so that a killed run or sweep leaves none behind.

A :class:`~concurrent.futures.ProcessPoolExecutor` worker outlives a parent that was killed (SIGKILL, SIGTERM, the
OOM killer): it finishes the calls already queued, then waits for the next one forever, holding its memory, its
share of the cores and, for a test-set evaluation, a copy of the policy. The process pools of sweeps and
evaluations start their workers with :func:`end_with_parent`.
"""

from __future__ import annotations

import multiprocessing
import os
import threading


def end_with_parent() -> None:
    """In a process started by :mod:`multiprocessing` (a pool's initializer, say): end this process at once, as a
    kill would (``os._exit(1)``), as soon as the process that started it ends, however it ends. Does nothing in a
    process that multiprocessing did not start."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_after, args=(parent,), daemon=True, name="end-with-parent").start()


def _exit_after(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()
    os._exit(1)
