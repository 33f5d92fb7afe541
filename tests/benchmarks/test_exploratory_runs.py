"""The run API honours a teacher's exploratory episodes: robust PLR's new tasks do not train the student."""

import csv
from pathlib import Path

import pytest

from teachgym.benchmarks.config import RunConfig
from teachgym.benchmarks.run import run
from teachgym.benchmarks.run_folder import RunFolder

BUFFER_SIZE = 40  # robust PLR explores min_fill_ratio (0.5) x 40 = 20 new tasks before its first replay
SIMULATED = dict(env="teachgym/SimulatedStudent-v0", student="simulated", teacher_kwargs={"buffer_size": BUFFER_SIZE},
                 total_timesteps=600, eval_every=300, checkpoint_every=300, seed=3)


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_robust_plr_and_plr_with_the_same_seed_explore_alike_but_train_different_students(tmp_path):
    folders = {name: run(RunConfig(**SIMULATED, teacher=name, out_dir=str(tmp_path / name)))
               for name in ("plr", "robust-plr")}
    curricula = {name: rows(folder, "curriculum") for name, folder in folders.items()}
    first = BUFFER_SIZE // 2

    def tasks(name, count):
        return [(r["task.difficulty_x"], r["task.difficulty_y"]) for r in curricula[name][:count]]

    # Before the first replay both propose the same new tasks (scores draw nothing from the teacher's generator) ...
    assert tasks("plr", first) == tasks("robust-plr", first)
    # ... but only PLR's student learns from them: robust PLR's stays at competence 0 (return -100 +- noise 5).
    robust_returns = [float(r["return"]) for r in curricula["robust-plr"][:first + 1]]
    assert max(robust_returns) < -100 + 4 * 5
    assert [r["return"] for r in curricula["plr"]] != [r["return"] for r in curricula["robust-plr"]]
    mastered = {name: [float(r["student_mastered_share"]) for r in rows(folder, "metrics")]
                for name, folder in folders.items()}
    assert mastered["plr"] != mastered["robust-plr"]
    metrics = rows(folders["robust-plr"], "metrics")[-1]
    assert float(metrics["teacher.trains_only_on_replays"]) == 1.0 and float(metrics["teacher.replay_share"]) > 0.2


@pytest.mark.parametrize("student", ["ppo", "sac"])
def test_an_rl_student_runs_with_robust_plr_to_the_end(tmp_path, student):
    config = RunConfig(env="teachgym/Pendulum-v0", teacher="robust-plr", teacher_kwargs={"buffer_size": 6},
                       student=student, student_kwargs={"preset": "tiny"}, total_timesteps=256, n_envs=2,
                       eval_every=128, checkpoint_every=128, seed=1, test_set={"tasks": [[1.0, 1.0, 10.0, 2.0]]},
                       env_kwargs={"max_episode_steps": 8}, out_dir=str(tmp_path / "run"))
    folder = run(config)
    assert RunFolder(folder).status()["state"] == "done"
    assert len(rows(folder, "curriculum")) >= 256 // 8 - 2
    metrics = rows(folder, "metrics")
    assert [int(r["timesteps"]) for r in metrics] == [128, 256]
    assert float(metrics[-1]["teacher.replay_share"]) > 0.0  # both exploratory and replayed episodes ran
    assert (RunFolder(folder).latest_checkpoint() / "model.zip").is_file()
