"""The states a run and a sweep's runs can be in, as types rather than string literals.

Both are ``str`` enums: they compare equal to, and are written to JSON and CSV as, the plain words the run folders and
``runs.csv`` have always held (``"done"``, ``"failed"`` ...), so older folders read back unchanged.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["WRITTEN_STATES", "RunState", "RunStatus"]


class _Word(str, Enum):
    """An enum whose members are their words, in f-strings and files too."""

    def __str__(self) -> str:
        return self.value


class RunState(_Word):
    """Where one run is. A run writes ``running``, ``done`` or ``failed`` to its status.json; a report adds ``damaged``
    (files it cannot read) and ``unknown`` (no status.json), which no run writes."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DAMAGED = "damaged"
    UNKNOWN = "unknown"


WRITTEN_STATES = (RunState.RUNNING, RunState.DONE, RunState.FAILED)


class RunStatus(_Word):
    """What became of a run in one execution of a sweep (``runs.csv``'s status): done or failed here, skipped
    (done before), claimed (being run by another process), pending (not finished yet)."""

    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    CLAIMED = "claimed"
    PENDING = "pending"
