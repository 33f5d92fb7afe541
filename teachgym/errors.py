"""Typed errors raised at teachgym's boundaries, and the "did you mean" helper they share.

Every error names the bad value and what was expected, so a user (or the CLI, which turns these into one line on
stderr) can fix the input without reading the code.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping

__all__ = ["TeachgymError", "EnvOptionError", "FileFormatError", "TaskError", "UnknownNameError", "UnknownOptionError",
           "check_options", "did_you_mean", "keyword_parameters"]


class TeachgymError(Exception):
    """Base class of every error teachgym raises on purpose."""


class TaskError(TeachgymError, ValueError):
    """A task (or a task-space definition) is malformed: unknown or missing dimension, NaN, inf, out of bounds."""


class EnvOptionError(TeachgymError, ValueError):
    """An env's constructor option has a value the env cannot take: a render mode, a physics setting, a body's size."""


class FileFormatError(TeachgymError, ValueError):
    """A file given by the user is not what it should be: not a TensorFlow checkpoint, a damaged one, a pickle holding
    more than numpy arrays, or contents whose shapes do not fit where they go."""


class UnknownNameError(TeachgymError, ValueError):
    """A name (env body, teacher, student ...) is not among the registered choices.

    ``other_forms`` describes what else the value may be besides a name (e.g. "a path to a CSV file"): it is listed
    after the names, so the message gives every accepted form.
    """

    def __init__(self, kind: str, name: object, choices: Iterable[str], *, owner: str = "",
                 other_forms: Iterable[str] = ()):
        self.kind = kind
        self.name = name
        self.choices = sorted(choices)
        forms = [*self.choices, *other_forms]
        expected = f"expected one of: {', '.join(forms)}" if forms else "there are none"
        of_owner = f" of {owner}" if owner else ""
        super().__init__(f"unknown {kind} {name!r}{of_owner}{did_you_mean(str(name), self.choices)}; {expected}")


class UnknownOptionError(TeachgymError, ValueError):
    """A keyword option (a body option, a teacher hyperparameter ...) that the target does not take."""


def keyword_parameters(target: Callable, *, skip: Iterable[str] = ("self",)) -> dict[str, object]:
    """The parameters of ``target`` that can be given by keyword, with their defaults (``inspect.Parameter.empty``
    for required ones); ``*args``/``**kwargs`` and the names in ``skip`` are left out."""
    keyword_kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    skipped = set(skip)
    return {
        name: parameter.default
        for name, parameter in inspect.signature(target).parameters.items()
        if parameter.kind in keyword_kinds and name not in skipped
    }


def check_options(kind: str, name: str, accepted: Iterable[str], options: Mapping[str, object]) -> None:
    """Raise :class:`UnknownOptionError` for any key of ``options`` not in ``accepted``.

    ``kind`` and ``name`` say what is configured (``"body"``, ``"spider"``) so the message can name it.
    """
    accepted = list(accepted)
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
