"""Episode success for the teachers that learn from it (GoalGAN, Setter-Solver): the ``success`` flag given to
``update`` (the env's ``info["success"]``), or, for callers without one, a return threshold given as expert
knowledge."""

from __future__ import annotations

from collections.abc import Sequence

from .base import TeacherError
from .checks import checked_pair


def checked_success_thresholds(teacher: str, reward_thresholds: object) -> tuple[float, float] | None:
    """The optional ``reward_thresholds=(low, high)`` hyperparameter checked (``high`` is the success return)."""
    return None if reward_thresholds is None else checked_pair(teacher, "reward_thresholds", reward_thresholds)


def episode_success(teacher: str, episode_return: float, success: bool | None,
                    reward_thresholds: Sequence[float] | None) -> bool:
    """``success`` when given; otherwise whether the return reaches ``reward_thresholds[1]``.

    Raises:
        TeacherError: when neither a success flag nor thresholds are available.
    """
    if success is not None:
        return success
    if reward_thresholds is None:
        raise TeacherError(f"teacher {teacher!r} learns from each episode's success: pass success= to update() "
                           f"(the env's info['success']), or build the teacher with reward_thresholds=(low, high) "
                           f"so that a return of at least high counts as a success")
    return episode_return >= reward_thresholds[1]
