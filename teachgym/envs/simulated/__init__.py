"""Simulated students: fast, deterministic stand-ins for an RL student, so that teachers can be compared in seconds.

:class:`~.student.SimulatedStudent` is a one-step parametric env whose return is a simulated learner's competence at
the episode's task; its :class:`~.competence.CompetenceMap` grows where it trains and spreads to neighbouring tasks.
The registered ``teachgym/SimulatedStudent-*`` ids are rows over that class (see its docstring) and over
:class:`~.staircase.StaircaseStudent`, its variant whose cells unlock one after another (teachDeepRL's toy env).
"""

from .competence import CompetenceMap, LearningRule
from .staircase import StaircaseStudent
from .student import SimulatedStudent

__all__ = ["CompetenceMap", "LearningRule", "SimulatedStudent", "StaircaseStudent"]
