"""The run API with ACCEL and SFL: evaluation rollouts for SFL (simulated and SB3 students), exact resume."""

import csv
from pathlib import Path

import numpy as np
import pytest

from teachgym.benchmarks.config import RunConfig
from teachgym.benchmarks.run import run
from teachgym.benchmarks.run_folder import RunFolder

TEACHERS = {
    "sfl": {"refresh_period": 100, "n_candidates": 200, "buffer_size": 10},
    "accel": {"buffer_size": 40},
}
SIMULATED = dict(env="teachgym/SimulatedStudent-v0", student="simulated", total_timesteps=900, eval_every=300,
                 checkpoint_every=300, seed=3)
PENDULUM = dict(env="teachgym/Pendulum-v0", student="ppo", student_kwargs={"preset": "tiny"}, total_timesteps=256,
                n_envs=2, eval_every=128, checkpoint_every=128, seed=1, test_set={"tasks": [[1.0, 1.0, 10.0, 2.0]]},
                env_kwargs={"max_episode_steps": 8})


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


class Stop(Exception):
    pass


def stop_at(timesteps: int):
    def progress(done: int) -> None:
        if done >= timesteps:
            raise Stop

    return progress


@pytest.mark.parametrize("teacher", sorted(TEACHERS))
def test_a_simulated_run_stopped_midway_resumes_to_exactly_the_uninterrupted_run(tmp_path, teacher):
    settings = {**SIMULATED, "teacher": teacher, "teacher_kwargs": TEACHERS[teacher]}
    reference = run(RunConfig(**settings, out_dir=str(tmp_path / "reference")))
    config = RunConfig(**settings, out_dir=str(tmp_path / "stopped"))
    with pytest.raises(Stop):
        run(config, progress=stop_at(500))  # after the checkpoint at 300
    resumed = run(config, resume=True)
    assert (resumed / "curriculum.csv").read_bytes() == (reference / "curriculum.csv").read_bytes()
    assert (resumed / "test_returns.csv").read_bytes() == (reference / "test_returns.csv").read_bytes()
    metrics = rows(resumed, "metrics")
    assert len(rows(resumed, "curriculum")) == 900 and len(metrics) == 3
    if teacher == "sfl":  # refreshed at samples 0, 100, ..., 800: evaluation episodes are not training episodes
        assert float(metrics[-1]["teacher.refreshes"]) == 9.0
    else:
        assert 0.3 < float(metrics[-1]["teacher.edit_share"]) < 0.5


@pytest.mark.parametrize("teacher", sorted(TEACHERS))
def test_an_sb3_student_runs_with_the_teacher_to_the_end(tmp_path, teacher):
    kwargs = {"refresh_period": 10, "n_candidates": 4, "n_rollouts": 2, "buffer_size": 2} if teacher == "sfl" else {
        "buffer_size": 6}
    folder = run(RunConfig(**PENDULUM, teacher=teacher, teacher_kwargs=kwargs, out_dir=str(tmp_path / "run")))
    assert RunFolder(folder).status()["state"] == "done"
    curriculum = rows(folder, "curriculum")
    # Evaluation rollouts (8 per refresh for SFL) are not training steps: the curriculum holds the 256 steps only.
    assert len(curriculum) == 256 // 8 and int(curriculum[-1]["timesteps"]) == 256
    metrics = rows(folder, "metrics")
    assert [int(r["timesteps"]) for r in metrics] == [128, 256]
    if teacher == "sfl":
        assert float(metrics[-1]["teacher.refreshes"]) == 4.0  # samples 0, 10, 20, 30 of 34 (32 + 2 pending)
    else:
        assert float(metrics[-1]["teacher.edit_share"]) > 0.0


def test_stochastic_evaluation_episodes_depend_only_on_their_seed():
    from teachgym.students import evaluate, make_student, make_vec_env, success_evaluator

    env_kwargs = {"max_episode_steps": 8}
    vec_env = make_vec_env("teachgym/Pendulum-v0", n_envs=1, env_kwargs=env_kwargs, seed=0)
    model = make_student("ppo", vec_env, preset="tiny", seed=0)
    tasks = np.array([[1.0, 1.0, 10.0, 2.0], [2.0, 2.0, 15.0, 0.5]] * 2)

    def returns(**options) -> np.ndarray:
        return evaluate(model, "teachgym/Pendulum-v0", tasks, env_kwargs=env_kwargs, seed=4, **options).returns

    stochastic = returns(deterministic=False)
    np.testing.assert_array_equal(returns(deterministic=False), stochastic)  # the seed decides the actions
    assert not np.array_equal(stochastic, returns(deterministic=True))  # the actions were sampled
    assert stochastic[0] != stochastic[2]  # same task, another seed: another episode
    # The teacher's evaluator: one count per task, within [0, n_rollouts]; the model never stepped.
    evaluator = success_evaluator(model, "teachgym/Pendulum-v0", env_kwargs=env_kwargs, seed=4)
    counts = evaluator(tasks[:2], 3)
    assert counts.shape == (2,) and np.all((counts >= 0) & (counts <= 3))
    assert model.num_timesteps == 0
    vec_env.close()


def test_with_the_rugged_challenge_the_simulated_student_is_asked_in_its_own_coordinates(tmp_path):
    from teachgym.benchmarks.experiment import prepare
    from teachgym.benchmarks.student_kinds.simulated import success_evaluator

    config = RunConfig(**SIMULATED, teacher="sfl", rugged_difficulty=True, out_dir=str(tmp_path / "run"))
    env = prepare(config).make_env()
    student = env.unwrapped
    student.reset(seed=0)
    for _ in range(300):  # master the easiest corner, in the student's coordinates
        student.reset(options={"task": [0.02, 0.02]})
        student.step(np.zeros(1, dtype=np.float32))
    corner = env.to_teacher_task([0.02, 0.02])
    assert np.abs(corner - 0.02).max() > 0.2  # the teacher sees the corner elsewhere
    np.testing.assert_array_equal(success_evaluator(env)([corner, [0.02, 0.02]], 10), [10, 0])
