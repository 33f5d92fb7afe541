"""GoalGAN and Setter-Solver through the run API: a short SAC run on Stump Tracks and a simulated-student run, each
writing complete tables, with the teacher on the student's device and its networks in the checkpoint."""

import csv
from pathlib import Path

import pytest

from teachgym.benchmarks.config import RunConfig
from teachgym.benchmarks.run import run
from teachgym.benchmarks.run_folder import RunFolder, load_pickle

NEURAL = {"goal-gan": "gan_trainings", "setter-solver": "setter_updates"}
# Schedules short enough to train the networks within a few dozen episodes.
FAST = {"goal-gan": {"tasks_per_update": 3, "gan_iterations": 5},
        "setter-solver": {"update_period": 5}}
# Schedules certain to train, whatever the student does: Setter-Solver trains every `update_period` episodes;
# GoalGAN trains only on a labelled batch holding a task of intermediate difficulty, which with the reference band
# depends on which tasks the (float-sensitive) generator happens to propose; counting every success rate as
# intermediate makes every batch train. Nothing is ever solved above the band, so nothing is replayed: every
# `rollouts_per_task * tasks_per_update` episodes end one training.
CERTAIN = {"goal-gan": {**FAST["goal-gan"], "rollouts_per_task": 2, "intermediate_success": (0.0, 1.0)},
           "setter-solver": FAST["setter-solver"]}
EPISODES_PER_TRAINING = {"goal-gan": 2 * 3, "setter-solver": 5}


def finished_run(config: RunConfig) -> tuple[dict, list[dict[str, str]]]:
    """Run ``config``; check it finished with every episode credited to the teacher; return the teacher's last
    checkpointed state and the metrics rows."""
    folder = run(config)
    assert RunFolder(folder).status()["state"] == "done"
    state = load_pickle(RunFolder(folder).latest_checkpoint() / "teacher.pkl")
    assert state["teacher"] == config.teacher and state["networks"] and state["optimisers"]
    assert state["episodes"] == len(table(folder, "curriculum")) > 0
    metrics = table(folder, "metrics")
    assert int(metrics[-1]["timesteps"]) >= config.total_timesteps
    return state, metrics


def table(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("teacher", sorted(NEURAL))
def test_a_short_sac_run_on_stump_tracks(tmp_path, teacher):
    config = RunConfig(env="teachgym/StumpTracks-v0", teacher=teacher, teacher_kwargs=FAST[teacher], student="sac",
                       student_kwargs={"preset": "tiny"}, total_timesteps=200, eval_every=200,
                       checkpoint_every=100, seed=1, device="cpu", expert_knowledge="high",
                       test_set={"grid": {"stump_height": 2, "obstacle_spacing": 1}},
                       env_kwargs={"body": "small_bipedal"}, out_dir=str(tmp_path / "run"))
    _, metrics = finished_run(config)
    assert f"teacher.{NEURAL[teacher]}" in metrics[0]


@pytest.mark.parametrize("teacher", sorted(NEURAL))
def test_a_simulated_student_run_trains_the_networks(tmp_path, teacher):
    config = RunConfig(env="teachgym/SimulatedStudent-v0", student="simulated", teacher=teacher,
                       teacher_kwargs=CERTAIN[teacher], total_timesteps=400, eval_every=200, checkpoint_every=200,
                       seed=3, device="cpu", expert_knowledge="high", out_dir=str(tmp_path / "run"))
    state, metrics = finished_run(config)
    for row in metrics:
        episodes = int(float(row["teacher.episodes"]))
        assert float(row[f"teacher.{NEURAL[teacher]}"]) == episodes // EPISODES_PER_TRAINING[teacher] > 0
