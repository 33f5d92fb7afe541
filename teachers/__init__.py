"""teachgym.teachers: algorithms that choose the next task from the student's results.

    from teachgym import TaskSpace
    from teachgym.teachers import make_teacher

    teacher = make_teacher("alp-gmm", TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)}), seed=0)
    task = teacher.sample_task()
    teacher.update(task, episode_return)
"""

from . import random_teacher  # noqa: F401  (built-in teachers register on import)
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
