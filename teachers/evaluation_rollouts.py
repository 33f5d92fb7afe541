"""Evaluation rollouts: an optional interface for teachers that ask how the student, as it is now, does on tasks it
is not training on (Sampling for Learnability estimates candidate tasks' success rates this way).

A teacher opts in by subclassing :class:`EvaluatingTeacher`; :func:`asks_for_evaluations` tells a glue whether it
did. The glue, whatever runs a student and a teacher together, calls ``teacher.set_success_evaluator(evaluator)``
once the student exists, and again after restoring the teacher from a ``state_dict`` (the evaluator is the live
student, not teacher state). ``evaluator(tasks, n_rollouts)`` takes tasks in the task space, an array of shape
``(n, ndim)``, runs ``n_rollouts`` episodes of the current student on each, and returns how many succeeded (the env's
``info["success"]``), ``n`` integers in ``[0, n_rollouts]``. These episodes are outside training: the student
learns nothing from them and they count as no training episode or step. The glues:

- the run API with an SB3 student: :func:`teachgym.students.success_evaluator`, the current policy with stochastic
  actions (``deterministic=False``) on envs of its own;
- simulated students (the run API, the teacher benchmark): ``SimulatedStudent.evaluate_successes``, which samples
  the successes from the student's competence without training it.

The teacher asks when it decides (inside ``sample_task()``), so the answers describe the student then. A plain
``sample_task``/``update`` loop must set an evaluator itself: without one, the first question raises a
:class:`~.base.TeacherError` that names what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from teachgym.task_space import TaskSpace

from .base import Teacher, TeacherError

SuccessEvaluator = Callable[[np.ndarray, int], Any]
"""Tasks ``(n, ndim)`` in the task space and a number of rollouts -> successes per task, ``n`` integers."""


class EvaluatingTeacher(Teacher):
    """Base of the teachers that ask for evaluation rollouts (the protocol is in the module docs).

    A subclass asks with :meth:`success_rates` (inside ``_sample``, where the student is as it trains now).
    """

    def __init__(self, task_space: TaskSpace, **base: Any):
        super().__init__(task_space, **base)
        self.success_evaluator: SuccessEvaluator | None = None

    def set_success_evaluator(self, evaluator: SuccessEvaluator | None) -> None:
        """Give the teacher the student's success evaluator (None takes it away).

        Raises:
            TeacherError: if ``evaluator`` is neither callable nor None.
        """
        if evaluator is not None and not callable(evaluator):
            raise TeacherError(f"teacher {self.name!r}: a success evaluator must be callable (tasks, n_rollouts -> "
                               f"successes per task) or None, got {evaluator!r}")
        self.success_evaluator = evaluator

    def check_success_evaluator(self) -> None:
        """Raise unless the teacher has a success evaluator (a subclass may check before it changes any state).

        Raises:
            TeacherError: naming what is missing and how to give it.
        """
        if self.success_evaluator is None:
            raise TeacherError(
                f"teacher {self.name!r} asks for evaluation rollouts of the current student and has no success "
                f"evaluator: call set_success_evaluator(evaluator) first, with evaluator(tasks, n_rollouts) -> "
                f"successes per task (teachgym.students.success_evaluator(model, env_id) for an SB3 student, "
                f"SimulatedStudent.evaluate_successes for a simulated one; the run API and the teacher benchmark do "
                f"it themselves)")

    def success_rates(self, unit_tasks: np.ndarray, n_rollouts: int) -> np.ndarray:
        """The student's share of successful episodes on each of ``unit_tasks`` (rows in the unit cube), from
        ``n_rollouts`` evaluation episodes per task: float64 of shape ``(n,)``.

        Raises:
            TeacherError: without an evaluator (naming what to give), or when it returns the wrong number of counts
                or counts outside ``[0, n_rollouts]``.
        """
        self.check_success_evaluator()
        tasks = self.task_space.denormalize(unit_tasks)
        successes = np.asarray(self.success_evaluator(tasks, n_rollouts), dtype=np.float64).reshape(-1)
        if successes.shape != (len(tasks),):
            raise TeacherError(f"teacher {self.name!r}: the success evaluator returned {successes.size} counts for "
                               f"{len(tasks)} tasks")
        if not np.all((successes >= 0) & (successes <= n_rollouts)):
            raise TeacherError(f"teacher {self.name!r}: the success evaluator returned counts outside [0, "
                               f"{n_rollouts}]: {successes}")
        return successes / n_rollouts


def asks_for_evaluations(teacher: Teacher) -> bool:
    """Whether ``teacher`` asks for evaluation rollouts (a glue then follows this module's protocol)."""
    return isinstance(teacher, EvaluatingTeacher)
