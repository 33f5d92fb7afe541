"""TeachMyAgent's configs (stump-tracks, challenges, parkour) run the paper's teachers with the paper's settings."""

from functools import cache
from pathlib import Path

import pytest

from teachgym.benchmarks.sweep import Sweep
from teachgym.teachers import available_teachers

CONFIGS = Path(__file__).parents[2] / "benchmarks" / "configs"
TMA_CONFIGS = ["stump-tracks", "challenges", "parkour"]
NEURAL_TEACHERS = {"self-paced", "goal-gan", "setter-solver"}
# TeachMyAgent's teacher_args_handler.py refuses these without a definition of success or reward thresholds.
NEED_LOW_KNOWLEDGE = {"adr", "goal-gan", "setter-solver"}


@cache
def sweep(name: str) -> Sweep:
    return Sweep.from_yaml(CONFIGS / f"{name}.yaml")


@pytest.mark.parametrize("name", TMA_CONFIGS)
def test_every_teacher_with_a_tma_preset_runs_with_it(name):
    teachers = available_teachers()
    with_preset = {teacher for teacher, cls in teachers.items() if "tma" in cls.presets}
    assert {"alp-gmm", "covar-gmm", "riac", "adr", "self-paced", "goal-gan"} <= with_preset
    for run in sweep(name).runs:
        if run.config.teacher in with_preset:
            assert run.config.teacher_kwargs.get("preset") == "tma", run.run_id


@pytest.mark.parametrize("name", TMA_CONFIGS)
def test_the_neural_teachers_are_in_the_benchmark(name):
    taught = {run.config.teacher for run in sweep(name).runs}
    assert NEURAL_TEACHERS | {"alp-gmm", "covar-gmm", "riac", "adr", "random"} <= taught


def test_the_challenges_give_each_teacher_the_levels_teachmyagent_ran_it_at():
    levels: dict[str, set[str]] = {}
    for run in sweep("challenges").runs:
        levels.setdefault(run.config.teacher, set()).add(run.config.expert_knowledge)
    for teacher, seen in levels.items():
        if teacher in NEED_LOW_KNOWLEDGE:
            assert seen == {"low", "high"}, teacher
        elif teacher == "expert-easy-to-hard":
            assert seen == {"high"}
        else:
            assert seen == {"none", "low", "high"}, teacher
