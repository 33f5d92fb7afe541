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


# The bodies of TeachMyAgent's benchmark scripts: old_classic_bipedal for challenges 1-4 and the Parkour walker,
# the spider and the small bipedal for challenge 5 (variety of students), each Parkour kind's own body.
PAPER_BODIES = {
    "stump-tracks": {"StumpTracks": "old_classic_bipedal"},
    "challenges": {"infeasible": "old_classic_bipedal", "trivial": "old_classic_bipedal",
                   "forgetting": "old_classic_bipedal", "rugged": "old_classic_bipedal", "spider": "spider",
                   "small-bipedal": "small_bipedal"},
    "parkour": {"parkour-walker": "old_classic_bipedal", "parkour-climber": "climbing_profile_chimpanzee",
                "parkour-swimmer": "fish"},
}


@pytest.mark.parametrize("name", TMA_CONFIGS)
def test_every_env_runs_the_body_teachmyagent_ran_there(name):
    bodies = {}
    for run in sweep(name).runs:
        env_label = run.run_id.split("/")[0]
        challenge = env_label.rsplit("-", 1)[0] if name == "challenges" else env_label
        bodies.setdefault(challenge, set()).add(run.config.env_kwargs.get("body"))
    assert bodies == {challenge: {body} for challenge, body in PAPER_BODIES[name].items()}


def test_self_paced_at_high_takes_the_easy_start_unless_told_teachmyagents_way():
    """TeachMyAgent's scripts give Self-Paced no initial distribution at ``high``; ours does, and ``null`` undoes it."""
    from teachgym.benchmarks.config import RunConfig
    from teachgym.benchmarks.experiment import prepare

    def initial(**teacher_kwargs):
        config = RunConfig(env="teachgym/StumpTracks-v0", teacher="self-paced", student="sac", expert_knowledge="high",
                           teacher_kwargs={"preset": "tma", **teacher_kwargs}, out_dir="unused")
        return prepare(config).teacher_hyperparameters["initial_distribution"]

    easy = initial()
    assert easy["mean"] == pytest.approx([0.0, 6.0]) and easy["std"] == pytest.approx([0.3, 0.6])
    assert initial(initial_distribution=None) is None
