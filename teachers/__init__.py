"""teachgym.teachers: algorithms that choose the next task from the student's results.

    from teachgym import TaskSpace
    from teachgym.teachers import make_teacher

    teacher = make_teacher("alp-gmm", TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)}), seed=0)
    task = teacher.sample_task()
    teacher.update(task, episode_return)
"""

# Built-in teachers register on import; the neural ones (goal_gan, self_paced, setter_solver) import torch only when
# one is built.
from . import (  # noqa: F401
    accel,
    adr,
    alp_gmm,
    covar_gmm,
    currot,
    cyclical,
    expert_curriculum,
    goal_gan,
    plr,
    random_teacher,
    riac,
    self_paced,
    setter_solver,
    sfl,
)
from .base import Teacher, TeacherError
from .evaluation_rollouts import EvaluatingTeacher, SuccessEvaluator, asks_for_evaluations
from .exploratory_episodes import ExploringTeacher, has_exploratory_episodes, trains_on_last_sample
from .registry import ENTRY_POINT_GROUP, available_teachers, make_teacher, register_teacher, teacher_hyperparameters
from .value_estimates import ValueEstimateTeacher, ValueEstimator, report_episode, uses_value_estimates

__all__ = [
    "ENTRY_POINT_GROUP",
    "EvaluatingTeacher",
    "ExploringTeacher",
    "SuccessEvaluator",
    "Teacher",
    "TeacherError",
    "ValueEstimateTeacher",
    "ValueEstimator",
    "asks_for_evaluations",
    "available_teachers",
    "has_exploratory_episodes",
    "make_teacher",
    "register_teacher",
    "report_episode",
    "teacher_hyperparameters",
    "trains_on_last_sample",
    "uses_value_estimates",
]
