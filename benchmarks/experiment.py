"""From a RunConfig to the parts of an experiment, checking every field against the registries first.

:func:`prepare` builds one environment (to read its task space), the teacher and the test set, so that any bad
field fails here, before a run writes anything, with a :class:`~teachgym.benchmarks.config.ConfigError` naming the
field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

import teachgym
from teachgym import TaskSpace, TestSet
from teachgym.envs import ParametricEnv
from teachgym.envs.rugged import RuggedDifficulty
from teachgym.errors import TeachgymError, did_you_mean
from teachgym.teachers import Teacher, available_teachers, make_teacher
from teachgym.teachers import teacher_hyperparameters as accepted_hyperparameters
from teachgym.teachers.expert import expert_hyperparameters

from .config import ConfigError, RunConfig
from .student_kinds import student_kind

RUGGED_INTERVALS = 4


@dataclass
class Experiment:
    """A validated config with what it takes to build its environments and its teacher.

    ``task_space`` is the teacher's view of the tasks (with the rugged-difficulty challenge, the permuted one);
    the test set is in the environment's own coordinates, so evaluation environments carry no challenge wrapper.
    """

    config: RunConfig
    task_space: TaskSpace
    test_set: TestSet
    teacher_hyperparameters: dict[str, Any]
    wrappers: tuple[Callable[[gym.Env], gym.Env], ...] = field(default_factory=tuple)

    def make_env(self) -> gym.Env:
        """A fresh training environment with the config's kwargs and challenge wrappers."""
        env = gym.make(self.config.env, **self.config.env_kwargs)
        for wrap in self.wrappers:
            env = wrap(env)
        return env

    def make_teacher(self) -> Teacher:
        return make_teacher(self.config.teacher, self.task_space, seed=self.config.seed,
                            **self.teacher_hyperparameters)


def prepare(config: RunConfig, where: str = "RunConfig") -> Experiment:
    """Validate ``config`` completely and return its :class:`Experiment`.

    Raises:
        ConfigError: naming the first bad field (``where`` prefixes the field paths, e.g. a sweep cell).
    """
    config.check_scalars(where)
    env = _make_checked_env(config, where)
    student_kind(config.student).check_student(config, env, where)
    try:
        test_set = TestSet.from_spec(config.test_set, env.unwrapped.task_space, env.unwrapped)
    except (TeachgymError, OSError) as error:
        raise ConfigError(f"{where}.test_set", str(error)) from None
    wrappers = (_rugged(config.seed),) if config.rugged_difficulty else ()
    for wrap in wrappers:
        env = wrap(env)
    task_space = env.get_wrapper_attr("task_space")
    teacher_hyperparameters = _teacher_hyperparameters(config, env, where)
    env.close()
    experiment = Experiment(config, task_space, test_set, teacher_hyperparameters, wrappers)
    try:
        experiment.make_teacher()
    except TeachgymError as error:
        raise ConfigError(f"{where}.teacher_kwargs", str(error)) from None
    return experiment


def _make_checked_env(config: RunConfig, where: str) -> gym.Env:
    if config.env not in gym.registry:
        known = teachgym.env_ids()
        raise ConfigError(f"{where}.env", f"unknown environment id {config.env!r}"
                                          f"{did_you_mean(config.env, list(gym.registry))}; teachgym's are {known}")
    try:
        env = gym.make(config.env, **config.env_kwargs)
    except (TeachgymError, TypeError, ValueError) as error:
        raise ConfigError(f"{where}.env_kwargs", f"{config.env} rejects {dict(config.env_kwargs)}: {error}") from None
    if not isinstance(env.unwrapped, ParametricEnv):
        raise ConfigError(f"{where}.env", f"{config.env} is not a parametric env (it has no task space); "
                                          f"teachgym's are {teachgym.env_ids()}")
    return env


def _teacher_hyperparameters(config: RunConfig, env: gym.Env, where: str) -> dict[str, Any]:
    teachers = available_teachers()
    if config.teacher not in teachers:
        raise ConfigError(f"{where}.teacher", f"unknown teacher {config.teacher!r}"
                                              f"{did_you_mean(config.teacher, teachers)}; expected one of "
                                              f"{sorted(teachers)}")
    knowledge = env.get_wrapper_attr("expert_knowledge")()
    hyperparameters = {**expert_hyperparameters(teachers[config.teacher], knowledge, config.expert_knowledge),
                       **config.teacher_kwargs}
    if "device" in accepted_hyperparameters(teachers[config.teacher]):
        # A neural teacher computes on the student's device unless its own kwargs say otherwise.
        hyperparameters.setdefault("device", config.device)
    return hyperparameters


def _rugged(seed: int) -> Callable[[gym.Env], gym.Env]:
    def wrap(env: gym.Env) -> gym.Env:
        return RuggedDifficulty(env, intervals=RUGGED_INTERVALS, seed=seed)

    return wrap
