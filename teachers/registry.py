"""The teacher registry: built-in teachers register with a decorator, other packages through entry points.

A third-party package adds a teacher by declaring, in its own metadata::

    [project.entry-points."teachgym.teachers"]
    my-teacher = "my_package.module:MyTeacher"

and ``make_teacher("my-teacher", space)`` finds it. Built-in names take precedence over plug-ins.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, TypeVar

from teachgym.errors import UnknownNameError, check_options, keyword_parameters
from teachgym.task_space import TaskSpace

from .base import Teacher, TeacherError

ENTRY_POINT_GROUP = "teachgym.teachers"
_BUILTIN: dict[str, type[Teacher]] = {}

TeacherClass = TypeVar("TeacherClass", bound=type[Teacher])


def register_teacher(name: str) -> Callable[[TeacherClass], TeacherClass]:
    """Class decorator registering a :class:`Teacher` subclass under ``name`` (its ``name`` attribute is set)."""

    def decorate(cls: TeacherClass) -> TeacherClass:
        if not (isinstance(cls, type) and issubclass(cls, Teacher)):
            raise TeacherError(f"register_teacher({name!r}) decorates Teacher subclasses, got {cls!r}")
        if name in _BUILTIN and _BUILTIN[name] is not cls:
            raise TeacherError(f"teacher name {name!r} is already taken by {_BUILTIN[name].__qualname__}")
        cls.name = name
        _BUILTIN[name] = cls
        return cls

    return decorate


def available_teachers() -> dict[str, type[Teacher]]:
    """Every teacher by name: the built-ins, then those that installed packages declare as entry points."""
    teachers = dict(_BUILTIN)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in teachers:
            if teachers[entry_point.name].__module__.startswith("teachgym."):
                warnings.warn(f"plug-in teacher {entry_point.name!r} ({entry_point.value}) is shadowed by the "
                              f"built-in teacher of that name", stacklevel=2)
            continue
        try:
            cls = entry_point.load()
        except Exception as error:  # a broken plug-in must not break the others
            warnings.warn(f"could not load plug-in teacher {entry_point.name!r} ({entry_point.value}): {error}",
                          stacklevel=2)
            continue
        if not (isinstance(cls, type) and issubclass(cls, Teacher)):
            warnings.warn(f"plug-in teacher {entry_point.name!r} ({entry_point.value}) is not a Teacher subclass",
                          stacklevel=2)
            continue
        if not cls.name:
            cls.name = entry_point.name
        teachers[entry_point.name] = cls
    return teachers


def teacher_hyperparameters(cls: type[Teacher]) -> dict[str, Any]:
    """A teacher's hyperparameters with their defaults: its own, then the base ones (``seed``, ``reward_range``).

    Teachers declare their own as keyword arguments of ``__init__`` and pass the base ones on in ``**base``.
    """
    skip = ("self", "task_space")
    return {**keyword_parameters(cls.__init__, skip=skip), **keyword_parameters(Teacher.__init__, skip=skip)}


def make_teacher(name: str, task_space: TaskSpace, *, preset: str | None = None, **hyperparameters: Any) -> Teacher:
    """Build the teacher called ``name`` for ``task_space``.

    Args:
        name: a registered teacher name (see :func:`available_teachers`).
        task_space: the tasks it may choose.
        preset: a named set of hyperparameters of that teacher (e.g. ``"tma"``), overridden by explicit ones.
        **hyperparameters: ``seed``, ``reward_range`` and the teacher's own hyperparameters.

    Raises:
        UnknownNameError: for an unknown teacher or preset, with the closest name.
        UnknownOptionError: for a hyperparameter the teacher does not take, with the closest one.
    """
    teachers = available_teachers()
    if name not in teachers:
        raise UnknownNameError("teacher", name, teachers)
    cls = teachers[name]
    if preset is not None:
        if preset not in cls.presets:
            raise UnknownNameError("preset", preset, cls.presets, owner=f"teacher {name!r}")
        hyperparameters = {**cls.presets[preset], **hyperparameters}
    check_options("teacher", name, teacher_hyperparameters(cls), hyperparameters)
    return cls(task_space, **hyperparameters)
