"""Expert-knowledge levels (TeachMyAgent): what a teacher is told about an environment, and as which hyperparameters.

- ``none``: nothing.
- ``low``: the return bounds (``reward_range``) and the return thresholds of failing and doing well on a task
  (``reward_thresholds``).
- ``high``: also an easy initial task distribution (``initial_distribution``).

A teacher that grows its curriculum from one task (``initial_task``, e.g. ADR) starts at ``none`` and ``low`` from a
uniformly random task drawn by its own seeded generator, as in TeachMyAgent: only ``high`` tells it the easy task.
Each teacher receives only the hyperparameters it takes, so one level can be applied to every teacher.
"""

from __future__ import annotations

from typing import Any

from teachgym.envs import ExpertKnowledge
from teachgym.errors import UnknownNameError

from .adr import RANDOM_INITIAL_TASK
from .base import Teacher
from .registry import teacher_hyperparameters

EXPERT_LEVELS = ("none", "low", "high")


def expert_hyperparameters(cls: type[Teacher], knowledge: ExpertKnowledge, level: str) -> dict[str, Any]:
    """The hyperparameters that the expert-knowledge ``level`` gives a teacher of class ``cls``.

    Raises:
        UnknownNameError: for a level other than none, low and high.
    """
    if level not in EXPERT_LEVELS:
        raise UnknownNameError("expert-knowledge level", level, EXPERT_LEVELS)
    offered: dict[str, Any] = {}
    if level in ("none", "low"):
        offered["initial_task"] = RANDOM_INITIAL_TASK
    if level in ("low", "high"):
        offered["reward_range"] = knowledge.reward_range
        offered["reward_thresholds"] = knowledge.reward_thresholds
    if level == "high":
        offered["initial_distribution"] = knowledge.initial_distribution
    accepted = teacher_hyperparameters(cls)
    return {name: value for name, value in offered.items() if name in accepted}
