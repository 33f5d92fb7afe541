"""teachgym.students: Stable-Baselines3 students and the curriculum glue between them and the teachers.

    import teachgym
    from teachgym.students import CurriculumCallback, evaluate, make_student, make_vec_env
    from teachgym.teachers import make_teacher

    vec_env = make_vec_env("teachgym/StumpTracks-v0", n_envs=4, seed=0)
    model = make_student("sac", vec_env, preset="tma", seed=0)
    teacher = make_teacher("alp-gmm", vec_env.get_attr("task_space", [0])[0], seed=0)
    curriculum = CurriculumCallback(teacher, on_episode=print)
    curriculum.send_initial_tasks(vec_env)          # so the first episodes run teacher tasks
    model.learn(100_000, callback=curriculum)
    evaluate(model, "teachgym/StumpTracks-v0", test_tasks).mastered_share
"""

from .algorithms import (
    ALGORITHMS,
    PRESETS,
    Preset,
    StudentError,
    algorithm_class,
    check_student_options,
    make_student,
    preset_normalization,
    resolve_device,
    student_hyperparameters,
)
from .checkpoints import load_student, save_student
from .curriculum import CurriculumCallback, EpisodeRecord, run_curriculum
from .evaluation import Evaluation, evaluate, success_evaluator
from .forgetting import ResetStudentCallback
from .value_estimates import value_estimator
from .vec_env import EPISODE_INFO_KEYS, build_env, default_start_method, make_vec_env

__all__ = [
    "ALGORITHMS",
    "EPISODE_INFO_KEYS",
    "PRESETS",
    "CurriculumCallback",
    "EpisodeRecord",
    "Evaluation",
    "Preset",
    "ResetStudentCallback",
    "StudentError",
    "algorithm_class",
    "build_env",
    "check_student_options",
    "default_start_method",
    "evaluate",
    "load_student",
    "make_student",
    "make_vec_env",
    "preset_normalization",
    "resolve_device",
    "run_curriculum",
    "save_student",
    "student_hyperparameters",
    "success_evaluator",
    "value_estimator",
]
