"""The student's value estimates: an optional interface for teachers that judge a task by what the student expects
to get from it (Self-Paced Deep RL asks for the value of each episode's initial state).

A teacher opts in by subclassing :class:`ValueEstimateTeacher`; :func:`uses_value_estimates` tells a glue whether
it did. The glue, whatever runs a student and a teacher together (:class:`~teachgym.students.CurriculumCallback`,
the run API, the teacher benchmark), then:

1. calls ``teacher.set_value_estimator(estimator)`` once the student exists, and again after restoring the teacher
   from a ``state_dict`` (the estimator is the live student, not teacher state). ``estimator(observations)`` takes
   raw initial observations, an array of shape ``(n, *observation_shape)`` as the env returned them, and returns the
   student's value of each, shape ``(n,)``, computed with the student as it is *at the time of the call* (an SB3
   model: its critic or value head, after its own observation normalisation; a simulated student: its noise-free
   expected return of the task);
2. for every finished episode, right before ``teacher.update(task, episode_return, success=...)``, calls
   ``teacher.record_episode(initial_observation, length=..., discounted_return=...)``: the episode's first
   observation (raw), its number of environment steps, and its return discounted with the student's discount
   factor (the scale of the student's values). :func:`report_episode` does both calls for any teacher.

The teacher keeps the observations and asks for their values when it decides, so the values describe the student
then, not when the episode ran. A teacher driven without a glue (a plain ``sample_task``/``update`` loop, the
contract tests) gets neither: each episode then counts as one step and its own return stands for the value of its
initial state (a Monte-Carlo sample of it, from the policy that ran the episode).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from teachgym.task_space import TaskSpace

from .base import Teacher, TeacherError
from .checks import checked_integer, checked_real

ValueEstimator = Callable[[np.ndarray], Any]
"""Raw observations ``(n, *observation_shape)`` -> the student's value of each, array-like of ``n`` floats."""


@dataclass(frozen=True)
class EpisodeView:
    """What the student saw of one episode: its first observation (None without a glue), its number of environment
    steps, and its return discounted with the student's discount factor."""

    initial_observation: np.ndarray | None
    length: int
    discounted_return: float


class ValueEstimateTeacher(Teacher):
    """Base of the teachers that use the student's value estimates (the protocol is in the module docs).

    A subclass reads the view of each episode with :meth:`_episode_view` inside ``_update`` and asks for values
    with :meth:`estimate_values`.
    """

    def __init__(self, task_space: TaskSpace, **base: Any):
        super().__init__(task_space, **base)
        self.value_estimator: ValueEstimator | None = None
        self._pending_view: EpisodeView | None = None

    def set_value_estimator(self, estimator: ValueEstimator | None) -> None:
        """Give the teacher the student's value estimator (None takes it away: returns stand in for values).

        Raises:
            TeacherError: if ``estimator`` is neither callable nor None.
        """
        if estimator is not None and not callable(estimator):
            raise TeacherError(f"teacher {self.name!r}: a value estimator must be callable (raw observations -> "
                               f"values) or None, got {estimator!r}")
        self.value_estimator = estimator

    def record_episode(self, initial_observation: Any, *, length: int, discounted_return: float) -> None:
        """Tell the teacher how the episode that the next :meth:`update` reports started and went, for the student.

        Raises:
            TeacherError: for a non-numeric or non-finite observation, a length below 1, or a non-finite return.
        """
        try:
            observation = np.array(initial_observation, dtype=np.float64)
        except (TypeError, ValueError):
            raise TeacherError(f"teacher {self.name!r}: initial_observation must be an array of numbers, got "
                               f"{initial_observation!r}") from None
        if not np.all(np.isfinite(observation)):
            raise TeacherError(f"teacher {self.name!r}: initial_observation must be finite, got {observation}")
        checked_integer(self.name, "length", length, minimum=1)
        checked_real(self.name, "discounted_return", discounted_return)
        self._pending_view = EpisodeView(observation, int(length), float(discounted_return))

    def estimate_values(self, observations: np.ndarray) -> np.ndarray:
        """The student's values of ``observations`` (stacked raw initial observations), as float64 of shape ``(n,)``.

        Raises:
            TeacherError: without an estimator, or when it returns the wrong number of values or non-finite ones.
        """
        if self.value_estimator is None:
            raise TeacherError(f"teacher {self.name!r} has no value estimator: call set_value_estimator first")
        values = np.asarray(self.value_estimator(observations), dtype=np.float64).reshape(-1)
        if values.shape != (len(observations),):
            raise TeacherError(f"teacher {self.name!r}: the value estimator returned {values.size} values for "
                               f"{len(observations)} observations")
        if not np.all(np.isfinite(values)):
            raise TeacherError(f"teacher {self.name!r}: the value estimator returned non-finite values: {values}")
        return values

    def update(self, task: Any, episode_return: float, *, success: bool | None = None) -> None:
        """:meth:`Teacher.update`; the recorded view of the episode is used by it and dropped, even when it raises
        (a view never carries over to another episode)."""
        try:
            super().update(task, episode_return, success=success)
        finally:
            self._pending_view = None

    def _episode_view(self, episode_return: float) -> EpisodeView:
        """Inside ``_update``: the view recorded for the episode being reported, or the no-glue one (one step, no
        observation, the return undiscounted)."""
        return self._pending_view if self._pending_view is not None else EpisodeView(None, 1, episode_return)


def report_episode(teacher: Teacher, task: Any, episode_return: float, *, success: bool | None = None,
                   initial_observation: Any = None, length: int = 1, discounted_return: float | None = None) -> None:
    """Tell ``teacher`` about a finished episode as the protocol says: the student's view of it first when the teacher
    uses value estimates (``discounted_return`` defaults to the return, as for one-step episodes), then
    ``update(task, episode_return, success=success)``."""
    if uses_value_estimates(teacher):
        teacher.record_episode(initial_observation, length=length,
                               discounted_return=episode_return if discounted_return is None else discounted_return)
    teacher.update(task, episode_return, success=success)


def uses_value_estimates(teacher: Teacher) -> bool:
    """Whether ``teacher`` takes the student's value estimates (a glue then follows this module's protocol)."""
    return isinstance(teacher, ValueEstimateTeacher)
