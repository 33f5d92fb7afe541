"""The training set-up the speed scripts share: an SB3 student on a vector env, with a teacher choosing every
episode's task through the run API's curriculum callback, as a run trains. The student logs nowhere (SB3's own
default would leave an empty ``SB3-<date>`` folder in the temporary directory at every ``learn``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.vec_env import VecEnv

from teachgym.students import CurriculumCallback, make_student, make_vec_env
from teachgym.teachers import make_teacher


def curriculum_student(env_id: str, n_envs: int, algo: str, teacher: str | None, *, seed: int, device: str,
                       env_kwargs: Mapping[str, Any] | None = None, vec_env_options: Mapping[str, Any] | None = None,
                       **hyperparameters: Any) -> tuple[VecEnv, BaseAlgorithm, CurriculumCallback | None]:
    """A vector env of ``env_id``, the student ``algo`` on it, and the curriculum callback of ``teacher`` (None: no
    teacher, the env's default task) with its first tasks sent. ``vec_env_options`` go to ``make_vec_env`` (e.g.
    ``vec_env``, normalisation), ``hyperparameters`` to ``make_student``. The caller closes the vector env."""
    vec_env = make_vec_env(env_id, n_envs, env_kwargs=env_kwargs, seed=seed, **(vec_env_options or {}))
    try:
        model = make_student(algo, vec_env, device=device, seed=seed, **hyperparameters)
        model.set_logger(Logger(folder=None, output_formats=[]))  # the callbacks still record into it
        if teacher is None:
            return vec_env, model, None
        knowledge = vec_env.env_method("expert_knowledge", indices=[0])[0]
        space = vec_env.get_attr("task_space", indices=[0])[0]
        callback = CurriculumCallback(make_teacher(teacher, space, seed=seed, reward_range=knowledge.reward_range))
        callback.send_initial_tasks(vec_env)
        return vec_env, model, callback
    except BaseException:
        vec_env.close()
        raise
