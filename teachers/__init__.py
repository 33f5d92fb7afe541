"""teachgym.teachers: algorithms that choose the next task from the student's results.

    from teachgym import TaskSpace
    from teachgym.teachers import make_teacher

    teacher = make_teacher("alp-gmm", TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)}), seed=0)
    task = teacher.sample_task()
    teacher.update(task, episode_return)
"""

# Built-in teachers register on import.
from . import adr, alp_gmm, covar_gmm, cyclical, expert_curriculum, plr, random_teacher, riac  # noqa: F401
from .base import Teacher, TeacherError
from .registry import ENTRY_POINT_GROUP, available_teachers, make_teacher, register_teacher, teacher_hyperparameters

__all__ = [
    "ENTRY_POINT_GROUP",
    "Teacher",
    "TeacherError",
    "available_teachers",
    "make_teacher",
    "register_teacher",
    "teacher_hyperparameters",
]
