"""The :class:`StudentKind` interface (its registry is :data:`teachgym.benchmarks.student_kinds.STUDENT_KINDS`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import gymnasium as gym

    from ..config import RunConfig
    from ..run import TrainingRun


class StudentKind(ABC):
    """One kind of student: the names it trains, its config checks and its training loop."""

    checkpoint_files: ClassVar[tuple[str, ...]] = ()
    """files of its own in every checkpoint, unpickled on resume into ``TrainingRun.start.states``"""
    uses_torch: ClassVar[bool] = False
    """whether its runs import torch (imported before the run's environment record, so that it names the GPU)"""

    @abstractmethod
    def students(self) -> list[str]:
        """The student names this kind trains (for messages and suggestions)."""

    @abstractmethod
    def claims(self, student: str) -> bool:
        """Whether this kind trains the student named ``student``; cheap (it imports nothing heavy)."""

    def check_config(self, config: RunConfig, where: str) -> None:
        """Check the config's fields that need no registry or env. Raises ConfigError naming the field."""

    @abstractmethod
    def check_student(self, config: RunConfig, env: gym.Env, where: str) -> None:
        """Check the student name and kwargs against ``env`` (one instance of the config's env). Raises
        ConfigError naming the field."""

    @abstractmethod
    def train(self, run: TrainingRun) -> int:
        """Build the student (or restore it from ``run.start``), train it to the config's total timesteps with
        ``run``'s teacher, record episodes, evaluations and checkpoints through ``run``; return the timesteps done."""
