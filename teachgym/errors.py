"""Typed errors raised at teachgym's boundaries, and the "did you mean" helper they share.

Every error names the bad value and what was expected, so a user (or the CLI, which turns these into one line on
stderr) can fix the input without reading the code.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping

__all__ = ["TeachgymError", "TaskError", "UnknownNameError", "UnknownOptionError", "check_options", "did_you_mean"]


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


class UnknownOptionError(TeachgymError, ValueError):
    """A keyword option (a body option, a teacher hyperparameter ...) that the target does not take."""


def check_options(kind: str, name: str, target: Callable, options: Mapping[str, object]) -> None:
    """Raise :class:`UnknownOptionError` for any key of ``options`` that is not a keyword parameter of ``target``.

    ``kind`` and ``name`` say what is configured (``"body"``, ``"spider"``) so the message can name it.
    """
    parameters = inspect.signature(target).parameters
    accepted = [p for p, spec in parameters.items() if spec.kind in (spec.KEYWORD_ONLY, spec.POSITIONAL_OR_KEYWORD)]
    for option in options:
        if option not in accepted:
            raise UnknownOptionError(
                f"unknown option {option!r} for {kind} {name!r}{did_you_mean(option, accepted)}; "
                f"its options are {accepted}"
            )


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice to ``name``, or ``""`` when none is close."""
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
