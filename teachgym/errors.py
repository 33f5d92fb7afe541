"""Typed errors raised at teachgym's boundaries, and the "did you mean" helper they share.

Every error names the bad value and what was expected, so a user (or the CLI, which turns these into one line on
stderr) can fix the input without reading the code.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["TeachgymError", "TaskError", "UnknownNameError", "did_you_mean"]


class TeachgymError(Exception):
    """Base class of every error teachgym raises on purpose."""


class TaskError(TeachgymError, ValueError):
    """A task (or a task-space definition) is malformed: unknown or missing dimension, NaN, inf, out of bounds."""


class UnknownNameError(TeachgymError, ValueError):
    """A name (env body, teacher, student ...) is not among the registered choices."""

    def __init__(self, kind: str, name: object, choices: Iterable[str]):
        self.kind = kind
        self.name = name
        self.choices = sorted(choices)
        super().__init__(
            f"unknown {kind} {name!r}{did_you_mean(str(name), self.choices)}; "
            f"expected one of: {', '.join(self.choices)}"
        )


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice to ``name``, or ``""`` when none is close."""
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
