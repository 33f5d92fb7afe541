"""Student kinds: how a run names, checks and trains each kind of student.

A run's ``student`` names a student; the first kind in :data:`STUDENT_KINDS` that claims the name trains it. Each
kind says which names it trains, checks the config fields it cares about (before any env is made, then against the
env), and trains one run through the :class:`~teachgym.benchmarks.run.TrainingRun` bookkeeping that every kind
shares. Adding a kind is a module with a :class:`StudentKind` subclass and one line in :data:`STUDENT_KINDS`.
"""

from __future__ import annotations

from .base import StudentKind
from .sb3 import SB3Students
from .simulated import SimulatedStudents

# The first kind that claims a name trains it; SB3's claims every name left (checked when the run is prepared).
STUDENT_KINDS: tuple[StudentKind, ...] = (SimulatedStudents(), SB3Students())


def student_kind(student: str) -> StudentKind:
    """The kind that trains the student named ``student``."""
    return next(kind for kind in STUDENT_KINDS if kind.claims(student))


def student_names() -> list[str]:
    """Every student name a run accepts, kind by kind (SB3's imports stable-baselines3)."""
    return [name for kind in STUDENT_KINDS for name in kind.students()]
