"""Replay scores: how a level-replay teacher (ACCEL) scores a task from the student's latest episode on it.

The unsupervised-environment-design literature compares a few: positive value loss and MaxMC (regret
approximations, Jiang et al. 2021; dcd's ``positive_value_loss`` and ``max_mc``) and learnability ``p (1 - p)``
(Rutherford et al. 2024). Each is a function of a :class:`TaskHistory`, registered under a name that the teacher's
``score=`` hyperparameter selects. A plug-in adds its own before building the teacher::

    from teachgym.teachers.replay_scores import TaskHistory, register_replay_score

    @register_replay_score("return-gap")
    def return_gap(history: TaskHistory) -> float:
        return history.max_return - history.discounted_return
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from teachgym.errors import UnknownNameError

from .base import TeacherError


@dataclass(frozen=True)
class TaskHistory:
    """What a score may use: the latest episode on a task, and the task's episodes since it entered the buffer
    (the latest included).

    Attributes:
        discounted_return: the latest episode's return, discounted with the student's discount factor (the scale
            of its values; the plain return without a glue, see :mod:`teachgym.teachers.value_estimates`).
        value: the student's value of the episode's initial state, asked when the episode is reported (without a
            value estimator, the discounted return stands for it).
        max_return: the highest discounted return on the task.
        successes: its episodes that succeeded (when success is known: the ``success`` flag, or a return reaching
            the teacher's ``reward_thresholds[1]``).
        episodes: its episodes.
        return_change: PLR's learning-progress signal, the absolute change of the normalised return since the
            task's previous episode (for a task new to the buffer: since the latest episode of the nearest buffered
            task; 0 while the buffer is empty).
    """

    discounted_return: float
    value: float
    max_return: float
    successes: int
    episodes: int
    return_change: float


ReplayScore = Callable[[TaskHistory], float]
_SCORES: dict[str, ReplayScore] = {}
_NEEDS_SUCCESS: set[str] = set()


def register_replay_score(name: str, *, needs_success: bool = False) -> Callable[[ReplayScore], ReplayScore]:
    """Function decorator registering a replay score under ``name``; ``needs_success``: the score reads
    ``successes``, so every episode must come with a known success.

    Raises:
        TeacherError: if ``name`` is taken by another function.
    """

    def decorate(score: ReplayScore) -> ReplayScore:
        if name in _SCORES and _SCORES[name] is not score:
            raise TeacherError(f"replay score {name!r} is already registered ({_SCORES[name].__qualname__})")
        _SCORES[name] = score
        if needs_success:
            _NEEDS_SUCCESS.add(name)
        return score

    return decorate


def replay_score(name: str, *, owner: str = "") -> ReplayScore:
    """The score registered as ``name``.

    Raises:
        UnknownNameError: for an unregistered name, with the closest one.
    """
    if name not in _SCORES:
        raise UnknownNameError("replay score", name, _SCORES, owner=owner)
    return _SCORES[name]


def needs_success(name: str) -> bool:
    """Whether the score registered as ``name`` reads the task's successes."""
    return name in _NEEDS_SUCCESS


def available_replay_scores() -> list[str]:
    """The registered score names."""
    return sorted(_SCORES)


@register_replay_score("positive-value-loss")
def positive_value_loss(history: TaskHistory) -> float:
    """How much better the episode went than the student expected: ``max(G - V(s0), 0)`` at its initial state
    (dcd averages the positive GAE advantages over the episode's steps; both agree on one-step episodes)."""
    return max(history.discounted_return - history.value, 0.0)


@register_replay_score("max-mc")
def max_mc(history: TaskHistory) -> float:
    """MaxMC regret: the best return ever reached on the task minus the student's value of it now."""
    return history.max_return - history.value


@register_replay_score("return-change")
def return_change(history: TaskHistory) -> float:
    """PLR's score in teachgym (:class:`~.plr.PLRTeacher`): how much the return moved since the previous episode,
    an absolute-learning-progress signal that needs neither values nor successes."""
    return history.return_change


@register_replay_score("learnability", needs_success=True)
def learnability(history: TaskHistory) -> float:
    """``p (1 - p)``, ``p`` the task's success rate over its episodes: highest for tasks solved half of the time."""
    rate = history.successes / history.episodes
    return rate * (1.0 - rate)
