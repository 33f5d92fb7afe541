"""CURROT: the constrained transport of its particles, the trust region, its threshold and estimate, resume, bad
hyperparameters, and a short SB3 run through the run API (the contract tests cover seeding, bad input and metrics)."""

import csv

import numpy as np
import pytest

from teachgym import TaskSpace
from teachgym.benchmarks.config import RunConfig
from teachgym.benchmarks.run import run
from teachgym.benchmarks.run_folder import RunFolder, load_pickle
from teachgym.teachers import TeacherError, make_teacher
from teachgym.teachers.currot import CurrotTeacher

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
EPSILON = 0.1
# Particles start on the left; the target is on the right.
LEFT_TO_RIGHT = {
    "initial_distribution": {"mean": [0.1, 0.5], "std": [0.05, 0.1]},
    "target_distribution": {"mean": [0.9, 0.5], "std": [0.05, 0.05]},
}


def make(seed: int = 0, **hyperparameters) -> CurrotTeacher:
    settings = {"delta": 0.5, "n_particles": 100, "episodes_per_update": 20, "epsilon": EPSILON, **hyperparameters}
    return make_teacher("currot", SPACE, seed=seed, **settings)


def wall_run(wall: float, seed: int, episodes: int = 1000) -> tuple[CurrotTeacher, list[float], list[float]]:
    """Episodes succeed (return 1) left of ``wall`` and fail (0) right of it; returns the teacher, its step
    distance and its particles' largest x after every update."""
    teacher = make(seed, **LEFT_TO_RIGHT)
    steps, rightmost = [], []
    for _ in range(episodes):
        task = teacher.sample_task()
        teacher.update(task, float(task[0] < wall))
        if teacher.batch_episodes == 0:
            steps.append(teacher.metrics()["step_distance"])
            rightmost.append(float(teacher.particles[:, 0].max()))
    return teacher, steps, rightmost


# ------------------------------------------------------------------------------------------------- behaviour
@pytest.mark.parametrize("seed", range(3))
def test_without_an_obstacle_the_particles_reach_the_target_in_steps_of_at_most_epsilon(seed):
    teacher, steps, rightmost = wall_run(wall=2.0, seed=seed)
    assert teacher.updates == 50 and max(steps) <= EPSILON + 1e-12
    # The rightmost particles go epsilon further per update, then every particle is at its target.
    np.testing.assert_allclose(np.diff(rightmost[:5]), EPSILON, atol=1e-3)
    assert teacher.particles[:, 0].mean() == pytest.approx(0.9, abs=0.02)
    assert teacher.metrics()["target_distance"] < 1e-3
    assert teacher.metrics()["reseated"] == 0 and teacher.metrics()["share_above_delta"] == 1.0


@pytest.mark.parametrize("seed", range(3))
def test_the_particles_stop_where_the_student_stops_succeeding(seed):
    """The student fails right of x = 0.5: the particles move right until they meet that wall and stay on its
    successful side (the estimate blurs the wall by about a bandwidth, 0.03), however much the target pulls."""
    teacher, steps, rightmost = wall_run(wall=0.5, seed=seed)
    assert max(steps) <= EPSILON + 1e-12
    # A particle steps at most epsilon into tasks not yet tried; past the wall it sees failures and is moved back.
    assert max(rightmost[10:]) < 0.5 + EPSILON
    assert teacher.particles[:, 0].mean() == pytest.approx(0.5, abs=0.01)
    assert teacher.metrics()["target_distance"] == pytest.approx(0.4, abs=0.02)
    estimate = teacher.performance_estimate(teacher.particles)
    assert np.mean(estimate > teacher.delta) > 0.9


def test_failing_particles_are_moved_onto_the_nearest_successful_tasks():
    teacher = make(n_particles=4, episodes_per_update=8, initial_distribution={"mean": [0.8, 0.8], "std": [0, 0]})
    for x in (0.1, 0.12, 0.14, 0.16):  # successes near the left edge, failures where the particles are
        teacher.update([x, 0.5], 1.0)
        teacher.update([0.8, 0.8], 0.0)
    assert teacher.updates == 1 and teacher.metrics()["reseated"] == 4
    # Moved onto the successes (plus a search noise of 0.005 * epsilon), then at most epsilon towards the target.
    assert np.all(teacher.particles[:, 0] < 0.16 + EPSILON + 0.01)
    assert np.all(teacher.performance_estimate(teacher.particles) > 0.5)


def test_before_any_success_the_particles_climb_towards_the_best_returns():
    teacher = make(n_particles=50, episodes_per_update=50, delta=100.0)
    for _ in range(200):
        task = teacher.sample_task()
        teacher.update(task, 10.0 * (1.0 - task[0]))  # never reaches delta; better to the left
    assert teacher.updates == 4 and teacher.metrics()["share_above_delta"] == 0.0
    assert teacher.particles[:, 0].mean() < 0.15  # from 0.5 for uniform particles


# ----------------------------------------------------------------------------------------------- threshold
@pytest.mark.parametrize(
    ("knowledge", "delta"),
    [
        ({"delta": 7.0, "reward_thresholds": (0.0, 180.0)}, 7.0),
        ({"reward_thresholds": (0.0, 180.0)}, 180.0),
        ({"reward_range": (-100.0, 300.0)}, 100.0),
        ({"reward_range": (-100.0, 300.0), "reward_thresholds": (0, 50)}, 50),
    ],
)
def test_delta_comes_from_the_most_specific_knowledge(knowledge, delta):
    assert make_teacher("currot", SPACE, **knowledge).delta == delta


def test_the_estimate_averages_nearby_returns_and_falls_back_to_the_nearest():
    teacher = make(episodes_per_update=1000)
    assert teacher.performance_estimate([[0.5, 0.5]])[0] == -np.inf
    for task, episode_return in [([0.2, 0.2], 1.0), ([0.2, 0.21], 3.0), ([0.9, 0.9], 10.0)]:
        teacher.update(task, episode_return)
    # Halfway between the first two; nearest to the third; 0.1 (3 bandwidths) from the first two, equally far.
    estimate = teacher.performance_estimate([[0.2, 0.205], [0.95, 0.95], [0.1, 0.205]])
    np.testing.assert_allclose(estimate, [2.0, 10.0, 2.0], rtol=1e-6)


# --------------------------------------------------------------------------------------------------- state
def test_a_resumed_teacher_mid_batch_continues_exactly(continues_exactly):
    teacher = make(seed=3, **LEFT_TO_RIGHT)
    rng = np.random.default_rng(0)
    for _ in range(130):  # 6 updates and 10 episodes of the next batch
        task = teacher.sample_task()
        teacher.update(task, float(task[0] < 0.4) + rng.normal(0, 0.1))
    resumed = make(seed=99, **LEFT_TO_RIGHT)
    continues_exactly(teacher, resumed, lambda: float(rng.random()), 100)
    assert teacher.updates == 11
    np.testing.assert_array_equal(resumed.particles, teacher.particles)


BAD = [
    ({"n_particles": 0}, "n_particles must be an integer >= 1, got 0"),
    ({"episodes_per_update": 2.5}, "episodes_per_update must be an integer >= 1, got 2.5"),
    ({"epsilon": 0.0}, r"epsilon must be a finite number > 0, got 0.0"),
    ({"epsilon": float("nan")}, "epsilon must be a finite number"),
    ({"n_candidates": -1}, "n_candidates must be an integer >= 1, got -1"),
    ({"history_size": 0}, "history_size must be an integer >= 1, got 0"),
    ({"delta": "high"}, "delta must be a finite number, got 'high'"),
    ({"reward_thresholds": (180.0, 0.0)}, "reward_thresholds must have low <= high, got \\(180, 0\\)"),
    ({"target_distribution": {"mean": [2.0, 0.5], "std": [0.1, 0.1]}}, "target_distribution: .*'x' = 2"),
    ({"initial_distribution": {"mean": [0.5, 0.5]}}, "initial_distribution must be a mapping with exactly"),
]


@pytest.mark.parametrize(("hyperparameters", "message"), BAD)
def test_bad_hyperparameters_are_refused_clearly(hyperparameters, message):
    with pytest.raises(TeacherError, match=message):
        make_teacher("currot", SPACE, **{"delta": 1.0, **hyperparameters})


def test_without_a_threshold_it_asks_for_one():
    with pytest.raises(TeacherError, match="needs a performance threshold: pass delta, reward_thresholds"):
        make_teacher("currot", SPACE)


# ------------------------------------------------------------------------------------------------- run API
def test_a_short_sac_run_on_stump_tracks(tmp_path):
    config = RunConfig(
        env="teachgym/StumpTracks-v0",
        teacher="currot",
        student="sac",
        teacher_kwargs={"n_particles": 20, "episodes_per_update": 2, "n_candidates": 10},
        student_kwargs={"preset": "tiny"},
        total_timesteps=200,
        eval_every=200,
        checkpoint_every=100,
        seed=1,
        device="cpu",
        test_set={"grid": {"stump_height": 2, "obstacle_spacing": 1}},
        env_kwargs={"body": "small_bipedal"},
        out_dir=str(tmp_path / "run"),
    )
    folder = run(config)
    assert RunFolder(folder).status()["state"] == "done"
    state = load_pickle(RunFolder(folder).latest_checkpoint() / "teacher.pkl")
    with (folder / "curriculum.csv").open(newline="") as handle:
        episodes = len(list(csv.DictReader(handle)))
    assert state["teacher"] == "currot" and state["episodes"] == episodes > 0
    assert state["algorithm"]["updates"] == episodes // 2
    assert state["algorithm"]["particles"].shape == (20, 2)
    with (folder / "metrics.csv").open(newline="") as handle:
        metrics = list(csv.DictReader(handle))
    assert float(metrics[-1]["teacher.updates"]) == episodes // 2 and "teacher.step_distance" in metrics[-1]
