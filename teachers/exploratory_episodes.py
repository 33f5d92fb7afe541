"""Exploratory episodes: an optional interface for teachers that run some episodes only to score a task, so that the
student must not learn from them (robust PLR explores new tasks this way and trains the student only on replays).

A teacher opts in by subclassing :class:`ExploringTeacher`; :func:`has_exploratory_episodes` tells a glue whether it
did and may say "do not train" (plain PLR subclasses it too, and never does). Right after every ``sample_task()``,
the glue reads :func:`trains_on_last_sample` and keeps the answer with *that task*, so that it stays attached to the
episode that really runs the task, however late that episode starts. When the episode ends, the glue reports it with
``update()`` whatever the answer (exploratory episodes are how the teacher scores new tasks); when the answer was
False, the student does not learn from it:

- an SB3 student (:class:`~teachgym.students.CurriculumCallback`, hence the run API): the answer goes into the env
  with the task (``set_task(task, train_student=False)``) and comes back in every step's ``info["train_student"]``;
  PPO and A2C leave those transitions out of their gradient updates, SAC, TD3 and DDPG never put them in their
  replay buffer, and an update with no transition to learn from is skipped
  (:mod:`teachgym.students.exploration_mask`);
- a simulated student (the run API, the teacher benchmark, :func:`~teachgym.students.run_curriculum`): the episode
  runs with ``student.learning = False``, which measures the student's return and leaves its competence untouched;
- any other loop (:func:`~teachgym.students.run_curriculum` with the caller's own student): the episode's record says
  ``trains_student=False``, and the caller does not train on it.

A teacher driven without a glue (a plain ``sample_task``/``update`` loop, the contract tests) simply has every
episode trained on.
"""

from __future__ import annotations

from abc import abstractmethod

from .base import Teacher


class ExploringTeacher(Teacher):
    """Base of the teachers that decide, task by task, whether the student may learn from the episode on the task
    (the protocol is in the module docs).

    A subclass implements :attr:`train_on_last_sample`, and may override :attr:`has_exploratory_episodes` (True
    here) with False when it never withholds an episode, so that glues need not prepare the student for it.
    """

    @property
    def has_exploratory_episodes(self) -> bool:
        """Whether :attr:`train_on_last_sample` may ever be False for this teacher."""
        return True

    @property
    @abstractmethod
    def train_on_last_sample(self) -> bool:
        """Whether the student may learn from its episode on the task the latest ``sample_task()`` returned."""


def has_exploratory_episodes(teacher: Teacher) -> bool:
    """Whether ``teacher`` may ask that an episode not train the student (a glue then follows this module's
    protocol)."""
    return isinstance(teacher, ExploringTeacher) and teacher.has_exploratory_episodes


def trains_on_last_sample(teacher: Teacher) -> bool:
    """Whether the student may learn from its episode on the task ``teacher.sample_task()`` returned last: the
    teacher's answer for an :class:`ExploringTeacher`, True for any other teacher."""
    return not has_exploratory_episodes(teacher) or bool(teacher.train_on_last_sample)
