"""Simulated students (``student: simulated``): the env is the student (``teachgym/SimulatedStudent-*``); a run is
the teacher loop, one step per episode and no model, and resumes exactly (student, teacher and every generator are
restored)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from teachgym.teachers import asks_for_evaluations, report_episode, trains_on_last_sample, uses_value_estimates

from ..config import SIMULATED, ConfigError
from .base import StudentKind

if TYPE_CHECKING:
    import gymnasium as gym

    from ..config import RunConfig
    from ..run import TrainingRun

REPORT_EVERY_EPISODES = 100
STUDENT_FILE = "student.pkl"


class SimulatedStudents(StudentKind):
    """The student named ``simulated``: the simulated-student env trains itself; a teacher's exploratory episodes
    (:mod:`teachgym.teachers.exploratory_episodes`) leave it untouched."""

    checkpoint_files = (STUDENT_FILE,)

    def students(self) -> list[str]:
        return [SIMULATED]

    def claims(self, student: str) -> bool:
        return student == SIMULATED

    def check_config(self, config: RunConfig, where: str) -> None:
        if config.n_envs != 1:
            raise ConfigError(f"{where}.n_envs", "a simulated student trains in one env; set n_envs to 1")
        if config.reset_student_every is not None:
            raise ConfigError(f"{where}.reset_student_every", "the forgetting challenge needs an RL student")

    def check_student(self, config: RunConfig, env: gym.Env, where: str) -> None:
        if not hasattr(env.unwrapped, "expected_return"):
            raise ConfigError(f"{where}.student", f"'simulated' needs a simulated-student env, and {config.env} is "
                                                  f"not one; use an RL student (sac, ppo, ...) or a "
                                                  f"teachgym/SimulatedStudent-* id")
        if config.student_kwargs:
            raise ConfigError(f"{where}.student_kwargs", "a simulated student takes no hyperparameters")

    def train(self, run: TrainingRun) -> int:
        config, teacher = run.config, run.teacher
        env = run.experiment.make_env()
        student = env.unwrapped
        if run.start is None:
            env.reset(seed=config.seed)  # a seeded reset makes a new student
        else:
            student.load_state_dict(run.start.states[STUDENT_FILE])
        action = np.zeros(env.action_space.shape, dtype=env.action_space.dtype)
        set_task = env.get_wrapper_attr("set_task")  # the rugged wrapper's, when the challenge is on
        if uses_value_estimates(teacher):
            teacher.set_value_estimator(student.value_estimates)
        if asks_for_evaluations(teacher):
            teacher.set_success_evaluator(success_evaluator(env))
        for timesteps in range(run.episodes + 1, config.total_timesteps + 1):
            set_task(teacher.sample_task())
            student.learning = trains_on_last_sample(teacher)  # a teacher's exploratory episodes only measure
            observation, _ = env.reset()
            _, episode_return, _, _, info = env.step(action)
            task = info["task"]
            report_episode(teacher, [task[name] for name in run.names], episode_return, success=info["success"],
                           initial_observation=observation)
            run.record_episode(timesteps, 0, task, episode_return, 1, info["success"])
            if timesteps % REPORT_EVERY_EPISODES == 0:
                run.report(timesteps)
            if timesteps >= run.next_eval or timesteps == config.total_timesteps:
                self.evaluate(run, student, timesteps)
                run.next_eval = timesteps + config.eval_every
            if timesteps >= run.next_checkpoint or timesteps == config.total_timesteps:
                run.next_checkpoint = timesteps + config.checkpoint_every
                run.save_checkpoint(timesteps, {STUDENT_FILE: pickle.dumps(student.state_dict())})
        env.close()
        return config.total_timesteps

    @staticmethod
    def evaluate(run: TrainingRun, student, timesteps: int) -> None:
        """Record the student's expected return on every test task (a simulated student's test needs no
        episodes)."""
        returns = np.array([student.expected_return(task) for task in run.experiment.test_set])
        run.record_evaluation(timesteps, returns, returns > student.success_return,
                              {"student_mastered_share": student.mastered_share})


def success_evaluator(env) -> Callable[[np.ndarray, int], np.ndarray]:
    """The simulated student's success evaluator for tasks in the teacher's view (through the rugged-difficulty
    wrapper's task map when the challenge is on)."""
    student = env.unwrapped
    if not hasattr(env, "to_env_task"):  # the rugged wrapper, outermost when the challenge is on
        return student.evaluate_successes
    return lambda tasks, n_rollouts: student.evaluate_successes([env.to_env_task(task) for task in tasks], n_rollouts)
