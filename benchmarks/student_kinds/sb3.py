"""Stable-Baselines3 students: any SB3 algorithm by name (sac, ppo, td3, dqn ...), and sb3-contrib's (tqc, trpo ...)
when it is installed (:data:`teachgym.students.ALGORITHMS`), trained on vectorised envs with the curriculum,
evaluation and checkpoint callbacks. SB3 and torch are imported only when a run checks or trains such a student."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from teachgym.errors import TeachgymError, did_you_mean
from teachgym.teachers import asks_for_evaluations

from ..config import ConfigError
from ..run_folder import writing
from .base import StudentKind

if TYPE_CHECKING:
    import gymnasium as gym

    from ..config import RunConfig
    from ..run import TrainingRun


class SB3Students(StudentKind):
    """Students named by an SB3 (or sb3-contrib) algorithm, case-insensitively; ``student_kwargs`` are its
    hyperparameters, with ``preset`` naming a set."""

    uses_torch = True

    def students(self) -> list[str]:
        from teachgym.students import ALGORITHMS

        return list(ALGORITHMS)

    def claims(self, student: str) -> bool:
        # Every name no other kind claims: whether it names an algorithm is checked when the run is prepared, so
        # that checking a config's scalar fields imports no SB3.
        return True

    def check_student(self, config: RunConfig, env: gym.Env, where: str) -> None:
        from teachgym.students import ALGORITHMS, check_student_options

        from . import student_names

        if config.student.lower() not in ALGORITHMS:
            choices = [*ALGORITHMS, *(name for name in student_names() if name not in ALGORITHMS)]
            raise ConfigError(f"{where}.student", f"unknown student {config.student!r}"
                                                  f"{did_you_mean(config.student, choices)}; expected one of {choices}")
        try:
            check_student_options(config.student, dict(config.student_kwargs), n_envs=config.n_envs,
                                  observation_space=env.observation_space, action_space=env.action_space)
        except TeachgymError as error:
            field_name = "student" if getattr(error, "kind", None) == "student" else "student_kwargs"
            raise ConfigError(f"{where}.{field_name}", str(error)) from None

    def train(self, run: TrainingRun) -> int:
        from stable_baselines3.common.callbacks import BaseCallback, CallbackList

        from teachgym.students import (
            CurriculumCallback,
            ResetStudentCallback,
            load_student,
            make_student,
            make_vec_env,
            preset_normalization,
            success_evaluator,
        )

        config, experiment, kind = run.config, run.experiment, self
        student_kwargs = dict(config.student_kwargs)
        normalization = preset_normalization(config.student, student_kwargs.get("preset"))
        vec_env = make_vec_env(config.env, config.n_envs, env_kwargs=dict(config.env_kwargs), seed=config.seed,
                               wrappers=experiment.wrappers, vec_env=config.vec_env, **normalization)
        if run.start is None:
            model = make_student(config.student, vec_env, device=config.device, seed=config.seed,
                                 tensorboard_log=str(run.folder.tensorboard), **student_kwargs)
        else:
            model = load_student(config.student, run.start.checkpoint, vec_env, device=config.device)
        done_timesteps = int(model.num_timesteps)

        class EvaluateAndCheckpoint(BaseCallback):
            """Evaluates on the test set and checkpoints when due, between rollouts (and once more at the end).

            Between rollouts the model has been updated on every step it counts: an evaluation or checkpoint taken
            inside a rollout would hold PPO's policy before its update on the steps already collected (labelled
            with a count it was not trained on), and a run resumed from such a checkpoint would never train on
            them. Due points stay on the grid of multiples of ``eval_every`` / ``checkpoint_every``; each is taken
            at the first rollout boundary at or after it."""

            def _on_rollout_start(self) -> None:
                timesteps = self.num_timesteps
                if timesteps >= run.next_eval:
                    run.next_eval = next_multiple(timesteps, config.eval_every)
                    kind.evaluate(run, self.model, timesteps)
                if timesteps >= run.next_checkpoint:
                    run.next_checkpoint = next_multiple(timesteps, config.checkpoint_every)
                    kind.checkpoint(run, self.model, timesteps)

            def _on_rollout_end(self) -> None:
                run.report(self.num_timesteps)

            def _on_step(self) -> bool:
                return True

            def _on_training_end(self) -> None:
                timesteps = self.num_timesteps
                if run.last_evaluation != timesteps:  # kept in the checkpoint: a finished run resumed evaluates once
                    kind.evaluate(run, self.model, timesteps)
                kind.checkpoint(run, self.model, timesteps)

        def on_episode(record) -> None:
            run.record_episode(record.timesteps, record.env_index, record.task, record.episode_return,
                               record.length, record.success)

        if asks_for_evaluations(run.teacher):  # rollouts of the current policy, on envs of their own
            run.teacher.set_success_evaluator(success_evaluator(
                model, config.env, env_kwargs=dict(config.env_kwargs), wrappers=experiment.wrappers,
                n_envs=config.n_envs, seed=config.seed))
        curriculum = CurriculumCallback(run.teacher, on_episode=on_episode)
        curriculum.send_initial_tasks(vec_env)
        # A reset due at a checkpoint's step must happen before the checkpoint, or resuming would skip it.
        callbacks = [curriculum]
        if config.reset_student_every:
            callbacks.append(ResetStudentCallback(config.reset_student_every))
        callbacks.append(EvaluateAndCheckpoint())
        try:
            model.learn(config.total_timesteps - done_timesteps, callback=CallbackList(callbacks),
                        reset_num_timesteps=run.start is None, tb_log_name="student")
        finally:
            vec_env.close()
        return int(model.num_timesteps)

    @staticmethod
    def evaluate(run: TrainingRun, model, timesteps: int) -> None:
        """Run the policy on every test task, in as many processes as the run has envs (capped at the cores by
        :func:`~teachgym.students.evaluate`), and record the returns and successes."""
        from teachgym.students import evaluate

        config = run.config
        result = evaluate(model, config.env, run.experiment.test_set.tasks, env_kwargs=dict(config.env_kwargs),
                          n_envs=config.n_envs, seed=config.seed)
        run.record_evaluation(timesteps, np.asarray(result.returns, dtype=np.float64),
                              np.asarray(result.successes, dtype=bool))

    @staticmethod
    def checkpoint(run: TrainingRun, model, timesteps: int) -> None:
        """Save the model (and its replay buffer where it has one) into the run's next checkpoint."""
        from teachgym.students import save_student

        with writing(run.folder.checkpoints / "model.zip"):
            staging = Path(tempfile.mkdtemp(prefix=".model-", dir=run.folder.checkpoints))
        with writing(staging / "model.zip", staging):
            files = {path.name: path for path in save_student(model, staging)}
        try:
            run.save_checkpoint(timesteps, files)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def next_multiple(timesteps: int, every: int) -> int:
    """The first multiple of ``every`` after ``timesteps``: when the next evaluation or checkpoint falls due."""
    return (timesteps // every + 1) * every
