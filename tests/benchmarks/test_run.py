"""The run API end to end: run folders, consistent tables, refusal of foreign folders, kill and resume."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from teachgym.benchmarks.config import ConfigError, RunConfig
from teachgym.benchmarks.run import run
from teachgym.benchmarks.run_folder import RunFolder, RunFolderError, load_pickle

SIMULATED = dict(env="teachgym/SimulatedStudent-v0", student="simulated", teacher="alp-gmm",
                 total_timesteps=1200, eval_every=500, checkpoint_every=400, seed=3)
TINY = {"preset": "tiny"}


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def teacher_episodes(folder: Path) -> int:
    checkpoint = RunFolder(folder).latest_checkpoint()
    return load_pickle(checkpoint / "teacher.pkl")["episodes"]


def assert_complete(folder: Path, config: RunConfig, test_tasks: int) -> None:
    """Every table complete and duplicate-free, and consistent with the teacher's own count."""
    curriculum = rows(folder, "curriculum")
    assert [int(r["episode"]) for r in curriculum] == list(range(1, len(curriculum) + 1))
    assert teacher_episodes(folder) == len(curriculum)
    steps = [int(r["timesteps"]) for r in curriculum]
    assert steps == sorted(steps)  # PPO may end a little past total_timesteps: it finishes whole rollouts
    metrics = rows(folder, "metrics")
    evaluated = [int(r["timesteps"]) for r in metrics]
    assert evaluated == sorted(set(evaluated))
    assert evaluated[-1] >= config.total_timesteps
    test_returns = rows(folder, "test_returns")
    assert len(test_returns) == len(metrics) * test_tasks
    assert [int(r["task_index"]) for r in test_returns[:test_tasks]] == list(range(test_tasks))
    assert RunFolder(folder).status()["state"] == "done"
    for name in ("config.yaml", "test_set.csv", "status.json", "environment.json"):
        assert (folder / name).is_file()


# ------------------------------------------------------------------------------------------- simulated students
def test_a_simulated_run_writes_a_complete_folder(tmp_path):
    config = RunConfig(**SIMULATED, out_dir=str(tmp_path / "run"))
    folder = run(config)
    assert_complete(folder, config, test_tasks=100)
    curriculum = rows(folder, "curriculum")
    assert len(curriculum) == 1200
    assert list(curriculum[0]) == ["timesteps", "episode", "env_index", "task.difficulty_x", "task.difficulty_y",
                                   "return", "length", "success"]
    metrics = rows(folder, "metrics")
    assert [int(r["timesteps"]) for r in metrics] == [500, 1000, 1200]
    assert metrics[0]["learning_progress"] == "nan" and float(metrics[1]["learning_progress"]) >= 0.0
    assert float(metrics[-1]["student_mastered_share"]) > 0.0
    assert "teacher.mixture_components" in metrics[0]
    assert RunConfig.from_yaml(folder / "config.yaml") == config
    assert RunFolder(folder).status()["wall_time"] >= float(metrics[-1]["wall_time"]) > 0.0


def test_running_a_done_folder_again_changes_nothing(tmp_path):
    config = RunConfig(**SIMULATED, out_dir=str(tmp_path / "run"))
    folder = run(config)
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    assert run(config) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == before


def test_a_folder_holding_another_run_is_refused_untouched(tmp_path):
    folder = run(RunConfig(**SIMULATED, out_dir=str(tmp_path / "run")))
    before = (folder / "curriculum.csv").read_bytes()
    other = RunConfig(**{**SIMULATED, "teacher": "random"}, out_dir=str(tmp_path / "run"))
    with pytest.raises(RunFolderError, match="holds a different run \\(teacher: 'alp-gmm' != 'random'\\)"):
        run(other)
    assert (folder / "curriculum.csv").read_bytes() == before
    (tmp_path / "stranger").mkdir()
    (tmp_path / "stranger" / "notes.txt").write_text("mine")
    with pytest.raises(RunFolderError, match="holds no run config"):
        run(RunConfig(**SIMULATED, out_dir=str(tmp_path / "stranger")))


def start_and_kill_after_first_checkpoint(config: RunConfig) -> None:
    """Run ``config`` in a subprocess and SIGKILL it as soon as its first checkpoint exists."""
    code = ("import sys, yaml; from teachgym.benchmarks.config import RunConfig; "
            "from teachgym.benchmarks.run import run; run(RunConfig(**yaml.safe_load(sys.argv[1])))")
    import yaml

    process = subprocess.Popen([sys.executable, "-c", code, yaml.safe_dump(config.to_dict())])
    latest = Path(config.out_dir) / "checkpoints" / "LATEST"
    deadline = time.monotonic() + 120
    while not latest.exists():
        assert process.poll() is None, "the run ended before its first checkpoint"
        assert time.monotonic() < deadline, "no checkpoint within 120 s"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert RunFolder(config.out_dir).status()["state"] == "running"


def test_a_killed_simulated_run_resumes_to_exactly_the_uninterrupted_run(tmp_path):
    settings = {**SIMULATED, "total_timesteps": 30000, "eval_every": 5000, "checkpoint_every": 2000}
    reference = run(RunConfig(**settings, out_dir=str(tmp_path / "reference")))
    config = RunConfig(**settings, out_dir=str(tmp_path / "killed"))
    start_and_kill_after_first_checkpoint(config)
    with pytest.raises(RunFolderError, match="interrupted run"):
        run(config)
    resumed = run(config, resume=True)
    assert (resumed / "curriculum.csv").read_bytes() == (reference / "curriculum.csv").read_bytes()
    assert (resumed / "test_returns.csv").read_bytes() == (reference / "test_returns.csv").read_bytes()
    without_clock = [{k: v for k, v in r.items() if k != "wall_time"} for r in rows(resumed, "metrics")]
    assert without_clock == [{k: v for k, v in r.items() if k != "wall_time"} for r in rows(reference, "metrics")]
    # the wall time counts the killed process's part too, as metrics.csv does
    assert RunFolder(resumed).status()["wall_time"] >= float(rows(resumed, "metrics")[-1]["wall_time"])


def test_a_corrupt_checkpoint_is_reported_not_trusted(tmp_path):
    config = RunConfig(**SIMULATED, out_dir=str(tmp_path / "run"))
    folder = run(config)
    latest = RunFolder(folder).latest_checkpoint()
    for checkpoint in (folder / "checkpoints").glob("step-*"):  # the latest and the one before: nothing to fall back to
        (checkpoint / "teacher.pkl").write_bytes(b"not a pickle")
    RunFolder(folder).set_status("running", timesteps=800)
    with pytest.raises(RunFolderError, match=f"checkpoint file {latest / 'teacher.pkl'} is corrupt: .*SHA-256 "
                                             f"mismatch.*the earlier checkpoints are unusable too"):
        run(config, resume=True)
    assert len(rows(folder, "curriculum")) == 1200


# ----------------------------------------------------------------------------------------------- bad configs
@pytest.mark.parametrize(("changes", "field", "fragment"), [
    ({"env": "teachgym/StumpTrack-v0"}, "RunConfig.env", "did you mean 'teachgym/StumpTracks-v0'"),
    ({"teacher": "alp-gmn"}, "RunConfig.teacher", "did you mean 'alp-gmm'"),
    ({"student": "sacc"}, "RunConfig.student", "did you mean 'sac'"),
    ({"student_kwargs": {"preset": "tiny", "learning_rat": 1e-3}}, "RunConfig.student_kwargs", "learning_rate"),
    ({"total_timesteps": -5}, "RunConfig.total_timesteps", "expected an integer >= 1, got -5"),
    ({"n_envs": 0}, "RunConfig.n_envs", "expected an integer >= 1, got 0"),
    ({"n_envs": 2, "vec_env": "subprocess"}, "RunConfig.vec_env", "did you mean 'subproc'"),
    ({"device": "gpu"}, "RunConfig.device", "expected auto, cpu, cuda or cuda:N, got 'gpu'"),
    ({"expert_knowledge": "hihg"}, "RunConfig.expert_knowledge", "did you mean 'high'"),
    ({"test_set": {"tasks": [[1.0, 2.0, 3.0]]}}, "RunConfig.test_set", "3 values, expected 2"),
    ({"env_kwargs": {"body": "spidr"}}, "RunConfig.env_kwargs", "did you mean 'spider'"),
    ({"teacher_kwargs": {"fit_rat": 10}}, "RunConfig.teacher_kwargs", "did you mean 'fit_rate'"),
])
def test_invalid_fields_fail_before_anything_is_written(tmp_path, changes, field, fragment):
    settings = {"env": "teachgym/StumpTracks-v0", "teacher": "alp-gmm", "student": "sac", "student_kwargs": TINY,
                **changes}
    out_dir = tmp_path / "run"
    with pytest.raises(ConfigError) as raised:
        run(RunConfig(**settings, out_dir=str(out_dir)))
    assert raised.value.field == field
    assert fragment in str(raised.value)
    assert not out_dir.exists()


def test_unknown_settings_in_a_config_file_are_named(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("env: teachgym/StumpTracks-v0\nteachr: random\n")
    with pytest.raises(ConfigError, match=r"config.yaml.teachr: unknown setting \(did you mean 'teacher'\?\)"):
        RunConfig.from_yaml(path)


# ------------------------------------------------------------------------------------------------ RL students
@pytest.mark.parametrize(("student", "teacher", "n_envs", "vec_env"), [
    ("ppo", "alp-gmm", 1, "shared-memory"), ("ppo", "random", 2, "shared-memory"), ("sac", "alp-gmm", 2, "subproc"),
    ("sac", "random", 1, "shared-memory"),
])
def test_sb3_students_train_on_stump_tracks_with_a_teacher(tmp_path, student, teacher, n_envs, vec_env):
    config = RunConfig(env="teachgym/StumpTracks-v0", teacher=teacher, student=student, student_kwargs=TINY,
                       total_timesteps=400, n_envs=n_envs, vec_env=vec_env, eval_every=200, checkpoint_every=200,
                       seed=1, test_set={"grid": {"stump_height": 2, "obstacle_spacing": 2}},
                       env_kwargs={"body": "small_bipedal"}, out_dir=str(tmp_path / "run"))
    folder = run(config)
    assert_complete(folder, config, test_tasks=4)
    assert {int(r["env_index"]) for r in rows(folder, "curriculum")} <= set(range(n_envs))
    assert (folder / "tensorboard").is_dir() and any((folder / "tensorboard").rglob("events.*"))
    checkpoint = RunFolder(folder).latest_checkpoint()
    assert (checkpoint / "model.zip").is_file()
    assert (checkpoint / "replay_buffer.pkl").is_file() == (student == "sac")


@pytest.mark.parametrize("body", ["climbing_chest_profile_chimpanzee", "fish"])
def test_sac_trains_on_parkour_with_its_grasp_and_water_bodies(tmp_path, body):
    tasks = [[-0.15, 0.8, 0.1, water, 2.0, 2.0] for water in (0.0, 1.0)]
    config = RunConfig(env="teachgym/Parkour-v0", teacher="alp-gmm", student="sac", student_kwargs=TINY,
                       total_timesteps=300, eval_every=300, checkpoint_every=300, seed=3, test_set={"tasks": tasks},
                       env_kwargs={"body": body, "max_episode_steps": 100}, out_dir=str(tmp_path / "run"))
    folder = run(config)
    assert_complete(folder, config, test_tasks=2)
    assert len(rows(folder, "curriculum")) >= 3
    names = ("cppn_input_0", "cppn_input_1", "cppn_input_2", "water_level", "creepers_height", "creepers_spacing")
    assert all(f"task.{name}" in rows(folder, "curriculum")[0] for name in names)


def test_a_killed_ppo_run_resumes_and_finishes_complete_and_duplicate_free(tmp_path):
    config = RunConfig(env="teachgym/StumpTracks-v0", teacher="alp-gmm", student="ppo", student_kwargs=TINY,
                       total_timesteps=3000, eval_every=1000, checkpoint_every=500, seed=2,
                       test_set={"grid": {"stump_height": 2, "obstacle_spacing": 1}},
                       env_kwargs={"body": "small_bipedal"}, out_dir=str(tmp_path / "run"))
    start_and_kill_after_first_checkpoint(config)
    folder = run(config, resume=True)
    assert_complete(folder, config, test_tasks=2)
    # the tiny preset's rollouts are 64 steps: each due point is taken at the first rollout boundary after it
    assert [int(r["timesteps"]) for r in rows(folder, "metrics")] == [1024, 2048, 3008]


def test_a_ppo_run_evaluates_and_checkpoints_the_policy_updated_on_every_step_it_counts(tmp_path):
    from stable_baselines3 import PPO

    from teachgym.students import evaluate

    config = RunConfig(env="teachgym/StumpTracks-v0", teacher="random", student="ppo", student_kwargs=TINY,
                       total_timesteps=300, eval_every=100, checkpoint_every=100, seed=2,
                       test_set={"grid": {"stump_height": 2, "obstacle_spacing": 1}},
                       env_kwargs={"body": "small_bipedal"}, out_dir=str(tmp_path / "run"))
    folder = run(config)
    metrics = rows(folder, "metrics")
    assert [int(r["timesteps"]) for r in metrics] == [128, 256, 320]  # 64-step rollouts
    checkpoints = sorted((folder / "checkpoints").glob("step-*"))
    assert [int(path.name.removeprefix("step-")) for path in checkpoints] == [256, 320]  # the two newest kept
    for path in checkpoints:  # one update (of n_epochs) per 64-step rollout collected, the last one included
        model = PPO.load(path / "model.zip", device="cpu")
        assert model._n_updates == model.n_epochs * model.num_timesteps // 64
    # the last evaluation is of the policy the run ends with (its final checkpoint)
    final = PPO.load(checkpoints[-1] / "model.zip", device="cpu")
    returns = [float(r["return"]) for r in rows(folder, "test_returns") if r["timesteps"] == "320"]
    again = evaluate(final, config.env, np.loadtxt(folder / "test_set.csv", delimiter=",", skiprows=1, ndmin=2),
                     env_kwargs=config.env_kwargs, seed=config.seed)
    assert list(again.returns) == pytest.approx(returns)


def test_the_rugged_challenge_keeps_the_teacher_in_its_own_coordinates(tmp_path):
    plain = run(RunConfig(**SIMULATED, out_dir=str(tmp_path / "plain")))
    rugged_config = RunConfig(**SIMULATED, rugged_difficulty=True, out_dir=str(tmp_path / "rugged"))
    rugged = run(rugged_config)
    assert_complete(rugged, rugged_config, test_tasks=100)
    teacher_tasks = [(r["task.difficulty_x"], r["task.difficulty_y"]) for r in rows(rugged, "curriculum")]
    assert teacher_tasks != [(r["task.difficulty_x"], r["task.difficulty_y"]) for r in rows(plain, "curriculum")]
    # the test set is the env's own, so both runs score the same tasks
    assert (rugged / "test_set.csv").read_bytes() == (plain / "test_set.csv").read_bytes()


def test_the_forgetting_challenge_resets_an_rl_student_on_schedule(tmp_path):
    config = RunConfig(env="teachgym/StumpTracks-v0", teacher="random", student="ppo", student_kwargs=TINY,
                       total_timesteps=256, eval_every=128, checkpoint_every=128, reset_student_every=128, seed=4,
                       test_set={"tasks": [[0.0, 6.0]]}, env_kwargs={"body": "small_bipedal"},
                       out_dir=str(tmp_path / "run"))
    folder = run(config)
    assert_complete(folder, config, test_tasks=1)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    resets = []
    for events in (folder / "tensorboard").rglob("events.*"):
        accumulator = EventAccumulator(str(events))
        accumulator.Reload()
        if "student/resets" in accumulator.Tags()["scalars"]:
            resets += [event.value for event in accumulator.Scalars("student/resets")]
    assert max(resets) == 2.0  # at 128 and 256 timesteps


# ---------------------------------------------------------------------------------- teachers that use the student
def test_a_sac_run_on_stump_tracks_gives_self_paced_the_critics_values(tmp_path):
    config = RunConfig(env="teachgym/StumpTracks-v0", teacher="self-paced", student="sac", student_kwargs=TINY,
                       teacher_kwargs={"update_frequency": 80, "update_offset": 80}, total_timesteps=300,
                       eval_every=300, checkpoint_every=300, seed=1, device="cpu",
                       test_set={"tasks": [[0.0, 6.0]]}, env_kwargs={"body": "small_bipedal", "max_episode_steps": 60},
                       out_dir=str(tmp_path / "run"))
    folder = run(config)
    assert_complete(folder, config, test_tasks=1)
    last = rows(folder, "metrics")[-1]
    # Updates fall at 80, 160 and 240 steps; an episode that passes several brings one, so without a time limit the
    # count hung on how long the walker kept falling (2 or 3 for seed 1, depending on the CPU's float kernels). With
    # episodes of at most 60 steps, the finished ones hold over 240 steps and pass each update alone: exactly 3.
    assert float(last["teacher.updates"]) == 3 and float(last["teacher.student_values"]) == 1.0
    state = load_pickle(RunFolder(folder).latest_checkpoint() / "teacher.pkl")
    assert state["algorithm"]["steps"] == int(rows(folder, "curriculum")[-1]["timesteps"])  # lengths were counted


def test_a_simulated_run_gives_self_paced_the_students_expected_returns(tmp_path):
    config = RunConfig(**{**SIMULATED, "teacher": "self-paced", "total_timesteps": 600},
                       teacher_kwargs={"preset": "simulated"}, expert_knowledge="high", out_dir=str(tmp_path / "run"))
    folder = run(config)
    assert_complete(folder, config, test_tasks=100)
    last = rows(folder, "metrics")[-1]
    assert float(last["teacher.updates"]) == 9 and float(last["teacher.student_values"]) == 1.0
    assert float(last["teacher.mean_value"]) > -100.0  # the expected returns of the (easy) tasks it chose


def test_the_run_passes_its_device_to_teachers_that_take_one():
    from teachgym.benchmarks.experiment import prepare

    settings = dict(env="teachgym/SimulatedStudent-v0", student="simulated", device="cpu")
    assert prepare(RunConfig(**settings, teacher="self-paced")).teacher_hyperparameters["device"] == "cpu"
    explicit = prepare(RunConfig(**settings, teacher="self-paced", teacher_kwargs={"device": "auto"}))
    assert explicit.teacher_hyperparameters["device"] == "auto"
    assert "device" not in prepare(RunConfig(**settings, teacher="alp-gmm")).teacher_hyperparameters
    with pytest.raises(ConfigError, match="RunConfig.teacher_kwargs: .*device 'cuda:7'"):
        prepare(RunConfig(**{**settings, "device": "cuda:7"}, teacher="self-paced"))
