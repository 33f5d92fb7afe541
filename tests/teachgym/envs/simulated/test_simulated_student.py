"""Simulated students: the env contract, the student's persistence across resets, and that each registered variant
separates good curricula from bad ones the way its challenge says."""

import math
import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.error import ResetNeeded
from gymnasium.utils.env_checker import check_env as gymnasium_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import teachgym
from teachgym import TaskError, TeachgymError
from teachgym.envs.simulated import SimulatedStudent
from teachgym.envs.simulated.student import (
    INFEASIBLE_COLOUR,
    MASTERED_COLOUR,
    NOVICE_COLOUR,
    TASK_MARK_COLOUR,
)
from teachgym.errors import EnvOptionError

# The rows over SimulatedStudent itself (the staircase variant has its own class and tests).
SIMULATED_IDS = [env_id for env_id in teachgym.env_ids()
                 if gym.spec(env_id).entry_point == "teachgym.envs.simulated.student:SimulatedStudent"]
SMOOTH = "teachgym/SimulatedStudent-v0"
INFEASIBLE = "teachgym/SimulatedStudent-Infeasible-v0"
DISTRACTORS = "teachgym/SimulatedStudent-Distractors-v0"
FORGETTING = "teachgym/SimulatedStudent-Forgetting-v0"
RUGGED = "teachgym/SimulatedStudent-Rugged-v0"
ACTION = np.zeros(1, dtype=np.float32)


def episode(env: gym.Env, task) -> tuple[float, dict]:
    """One episode (one step) on ``task`` with the env's running student: its return and its step info."""
    env.reset(options={"task": task})
    _, episode_return, terminated, truncated, info = env.step(ACTION)
    assert terminated and not truncated
    return episode_return, info


def cell_task(student: SimulatedStudent, cell, rng: np.random.Generator) -> np.ndarray:
    """A task inside ``cell`` of the student's grid (uniform there), distractors uniform."""
    space = student.task_space
    k = student.n_relevant
    task = space.sample(rng)
    unit = (np.asarray(cell) + rng.random(k)) / np.array(student.competence.shape)
    task[:k] = space.low[:k] + unit * (space.high[:k] - space.low[:k])
    return task


def frontier_task(student: SimulatedStudent, rng: np.random.Generator, explore: float = 0.1) -> np.ndarray:
    """A hand-written frontier curriculum that reads only the competence map: a cell not yet mastered that is being
    learned or touches a mastered cell (90%), or a uniform task (10%, and whenever there is no such cell)."""
    competence = student.competence
    mastered = competence > student.mastery
    touches_mastered = np.zeros_like(mastered)
    for axis in range(mastered.ndim):
        padded = np.pad(mastered, [(1, 1) if a == axis else (0, 0) for a in range(mastered.ndim)])
        for shift in (0, 2):
            touches_mastered |= np.take(padded, np.arange(shift, shift + mastered.shape[axis]), axis=axis)
    frontier = np.argwhere(~mastered & ((competence > 0.02) | touches_mastered))
    if len(frontier) == 0 or rng.random() < explore:
        return student.task_space.sample(rng)
    return cell_task(student, frontier[rng.integers(len(frontier))], rng)


def train(env: gym.Env, curriculum: str, episodes: int, seed: int = 0) -> list[tuple[np.ndarray, float, bool]]:
    """A new student trained for ``episodes`` on ``"random"`` or ``"frontier"`` tasks: (task, return, success)."""
    student = env.unwrapped
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    trace = []
    for _ in range(episodes):
        task = student.task_space.sample(rng) if curriculum == "random" else frontier_task(student, rng)
        episode_return, info = episode(env, task)
        trace.append((task, episode_return, info["success"]))
    return trace


# ------------------------------------------------------------------------------------------------- contract
def test_every_variant_is_registered_as_a_row_over_one_class():
    assert SIMULATED_IDS == [SMOOTH, INFEASIBLE, DISTRACTORS, FORGETTING, RUGGED]
    assert teachgym.env_ids()[:2] == ["teachgym/StumpTracks-v0", "teachgym/HexagonTracks-v0"]
    for env_id in SIMULATED_IDS:
        spec = gym.spec(env_id)
        assert spec.entry_point == "teachgym.envs.simulated.student:SimulatedStudent"
        assert spec.max_episode_steps == 2
        assert type(gym.make(env_id).unwrapped) is SimulatedStudent


@pytest.mark.parametrize("env_id", SIMULATED_IDS)
def test_gymnasium_and_sb3_env_checkers_pass(env_id):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gymnasium_check_env(gym.make(env_id).unwrapped, skip_render_check=True)
        sb3_check_env(gym.make(env_id).unwrapped, warn=True)
        gymnasium_check_env(gym.make(env_id, render_mode="rgb_array").unwrapped)


@pytest.mark.parametrize("env_id", SIMULATED_IDS)
def test_an_episode_is_one_step_that_reports_its_task_and_success(env_id):
    env = gym.make(env_id)
    space = env.unwrapped.task_space
    task = space.sample(np.random.default_rng(4))
    env.unwrapped.set_task(task)
    observation, info = env.reset(seed=0)
    assert info == {"success": False, "task": space.to_dict(task)}
    np.testing.assert_allclose(observation, space.normalize(task), atol=1e-7)
    assert observation.dtype == np.float32
    step_observation, episode_return, terminated, truncated, info = env.step(ACTION)
    np.testing.assert_array_equal(step_observation, observation)
    assert (terminated, truncated) == (True, False)
    assert type(episode_return) is float and type(info["success"]) is bool
    assert info == {"success": False, "task": space.to_dict(task)}
    assert -150.0 <= episode_return < -80.0  # a new student fails every task
    with pytest.raises(ResetNeeded, match="one step"):
        env.unwrapped.step(ACTION)


def test_step_before_any_reset_raises():
    with pytest.raises(ResetNeeded, match="call reset"):
        SimulatedStudent().step(ACTION)


def test_same_seed_and_task_sequence_give_identical_returns_and_another_seed_does_not():
    env, twin = gym.make(RUGGED), gym.make(RUGGED)
    returns = [r for _, r, _ in train(env, "frontier", 300, seed=7)]
    assert [r for _, r, _ in train(twin, "frontier", 300, seed=7)] == returns
    np.testing.assert_array_equal(env.unwrapped.competence, twin.unwrapped.competence)
    assert [r for _, r, _ in train(env, "frontier", 300, seed=8)] != returns
    # the same env after other episodes: reset(seed) starts a new student, so nothing leaks from the old one
    assert [r for _, r, _ in train(env, "frontier", 300, seed=7)] == returns


def test_the_student_persists_across_plain_resets_and_a_seeded_reset_starts_a_new_one():
    env = gym.make(SMOOTH)
    student = env.unwrapped
    env.reset(seed=0)
    easy = student.task_space.default
    returns = [episode(env, easy)[0] for _ in range(30)]
    assert returns[0] < -90.0 and returns[-1] > 230.0  # it learned: one student across the plain resets
    assert student.competence[0, 0] > student.mastery
    assert student.mastered_share == pytest.approx(0.0075)
    env.reset(seed=0)
    assert student.mastered_share == 0.0 and not student.competence.any()
    assert episode(env, easy)[0] == returns[0]


def test_competence_grids_are_read_only_copies_in_the_task_spaces_layout():
    student = SimulatedStudent()
    student.reset(seed=0)
    for _ in range(30):
        student.reset(options={"task": [0.16, 0.01]})  # cell (3, 0): difficulty 0.1, learnable from scratch
        student.step(ACTION)
    competence = student.competence
    assert competence.shape == (20, 20)
    assert competence[3, 0] > student.mastery and competence[0, 3] == 0.0
    with pytest.raises(ValueError, match="read-only"):
        competence[0, 0] = 1.0
    assert student.difficulty[0, 0] == pytest.approx(0.025) and student.difficulty[19, 19] == pytest.approx(0.975)
    assert student.feasible.mean() == pytest.approx(0.815)


def test_pickling_and_state_dicts_keep_the_student():
    env = gym.make(FORGETTING)
    train(env, "frontier", 500, seed=3)
    clone = pickle.loads(pickle.dumps(env))
    np.testing.assert_array_equal(clone.unwrapped.competence, env.unwrapped.competence)
    restored = gym.make(FORGETTING)
    restored.reset(seed=99)
    restored.unwrapped.load_state_dict(env.unwrapped.state_dict())
    tasks = [env.unwrapped.task_space.sample(np.random.default_rng(i)) for i in range(50)]
    returns = [episode(env, task)[0] for task in tasks]
    assert [episode(clone, task)[0] for task in tasks] == returns
    assert [episode(restored, task)[0] for task in tasks] == returns
    with pytest.raises(TeachgymError, match="does not fit"):
        restored.unwrapped.load_state_dict({"competence": np.zeros((3, 3)), "np_random": None})


def test_sb3_training_keeps_one_student_across_its_automatic_resets():
    from stable_baselines3 import PPO

    env = gym.make(SMOOTH)
    model = PPO("MlpPolicy", env, n_steps=64, batch_size=32, n_epochs=1, policy_kwargs={"net_arch": [8]}, seed=0)
    model.learn(128)  # 128 one-step episodes on the default (easiest) task
    student = env.unwrapped
    assert student.competence[0, 0] > 0.99 and student.mastered_share == pytest.approx(0.015)


# ------------------------------------------------------------------------------------------------- learning
def test_training_at_the_frontier_masters_more_than_random_tasks():
    env = gym.make(SMOOTH)
    train(env, "random", 2000)
    random_share = env.unwrapped.mastered_share
    train(env, "frontier", 2000)
    frontier_share = env.unwrapped.mastered_share
    assert (random_share, frontier_share) == pytest.approx((0.0225, 0.335))


def test_mastered_share_starts_at_zero_stays_in_the_unit_interval_and_counts_mastered_cells():
    env = gym.make(SMOOTH)
    student = env.unwrapped
    assert student.mastered_share == 0.0
    env.reset(seed=1)
    rng = np.random.default_rng(1)
    for step in range(1500):
        episode(env, frontier_task(student, rng))
        if step % 100 == 0:
            assert 0.0 <= student.mastered_share <= 1.0
            assert student.mastered_share == np.mean(student.competence > student.mastery)
    assert student.mastered_share == pytest.approx(0.2225)
    assert student.mastered_share <= student.feasible.mean()


def test_a_far_too_hard_task_teaches_nothing_and_a_task_at_the_frontier_does():
    student = SimulatedStudent()
    student.reset(seed=0)
    for _ in range(20):
        student.reset(options={"task": [0.6, 0.6]})  # difficulty 0.6: far beyond the base level, nothing mastered
        student.step(ACTION)
    assert not student.competence.any()
    for _ in range(40):
        student.reset(options={"task": [0.01, 0.01]})
        student.step(ACTION)
    before = student.competence
    student.reset(options={"task": [0.16, 0.01]})  # 3 cells beyond the mastered corner
    student.step(ACTION)
    assert student.competence[3, 0] > before[3, 0]


def test_infeasible_tasks_never_become_successful():
    env = gym.make(INFEASIBLE)
    student = env.unwrapped
    trace = train(env, "frontier", 5000)
    feasible = student.feasible
    assert student.mastered_share == pytest.approx(feasible.mean(), abs=0.005)
    assert not student.competence[~feasible].any()
    hard = [episode_return for task, episode_return, _ in trace if task.mean() > 0.75]  # clearly infeasible
    assert len(hard) == 551 and max(hard) < -80.0
    # even drilled on, an infeasible task is never learned
    assert max(episode(env, [0.8, 0.7])[0] for _ in range(200)) < -80.0


def test_random_tasks_master_nothing_in_a_mostly_infeasible_space():
    env = gym.make(INFEASIBLE)
    train(env, "random", 3000)
    assert env.unwrapped.mastered_share == 0.0


def test_distractor_dimensions_change_nothing():
    env, twin = gym.make(DISTRACTORS), gym.make(DISTRACTORS)
    env.reset(seed=5)
    twin.reset(seed=5)
    rng = np.random.default_rng(5)
    for _ in range(400):
        task = frontier_task(env.unwrapped, rng)
        other = task.copy()
        other[2:] = rng.random(4)
        (episode_return, info), (twin_return, twin_info) = episode(env, task), episode(twin, other)
        assert episode_return == twin_return and info["success"] == twin_info["success"]
    np.testing.assert_array_equal(env.unwrapped.competence, twin.unwrapped.competence)
    assert env.unwrapped.competence.shape == (20, 20)
    assert env.unwrapped.mastered_share > 0.05


def test_forgetting_lowers_the_competence_of_unpractised_cells():
    forgetful, steady = gym.make(FORGETTING), gym.make(SMOOTH)
    for env in (forgetful, steady):
        env.reset(seed=0)
        for _ in range(40):
            episode(env, [0.01, 0.01])
    learned = forgetful.unwrapped.competence[0, 0]
    assert learned > forgetful.unwrapped.mastery
    for env in (forgetful, steady):
        for _ in range(1000):
            episode(env, [0.99, 0.99])  # far away (and infeasible): no practice of the corner
    assert steady.unwrapped.competence[0, 0] == pytest.approx(learned, abs=0.02)
    assert forgetful.unwrapped.competence[0, 0] == pytest.approx(learned * (1 - 0.0003) ** 1000)
    assert forgetful.unwrapped.mastered_share == 0.0 and steady.unwrapped.mastered_share > 0.0


def test_practice_keeps_skills_under_forgetting():
    env = gym.make(FORGETTING)
    env.reset(seed=0)
    for _ in range(1000):
        episode(env, [0.01, 0.01])
    assert env.unwrapped.competence[0, 0] > 0.99


def test_the_rugged_ordering_is_a_seeded_permutation_of_the_smooth_one():
    smooth = gym.make(SMOOTH).unwrapped.difficulty
    rugged = gym.make(RUGGED).unwrapped.difficulty
    assert not np.array_equal(rugged, smooth)
    np.testing.assert_array_equal(np.sort(rugged, axis=None), np.sort(smooth, axis=None))
    np.testing.assert_array_equal(gym.make(RUGGED).unwrapped.difficulty, rugged)
    assert not np.array_equal(gym.make(RUGGED, rugged_seed=1).unwrapped.difficulty, rugged)
    # seed 0 shows the intervals of the smooth difficulty_x in the order 2, 0, 1, 3 and those of difficulty_y in
    # the order 3, 2, 1, 0 (difficulty_x's first cell of each interval, with difficulty_y's first cell: 0.775)
    np.testing.assert_allclose(rugged[::5, 0], [0.65, 0.4, 0.525, 0.775])
    np.testing.assert_allclose(rugged[0, ::5], [0.65, 0.525, 0.4, 0.275])
    # the default task is the easiest one, wherever the permutation puts it
    student = gym.make(RUGGED).unwrapped
    assert student.task_space.default.tolist() == [0.25, 0.75]
    assert student.difficulty[5, 15] == rugged.min()


def test_rugged_ordering_slows_a_frontier_curriculum_down_but_not_random_tasks():
    shares = {}
    for env_id in (SMOOTH, RUGGED):
        env = gym.make(env_id)
        train(env, "frontier", 2000)
        shares[env_id] = env.unwrapped.mastered_share
    assert shares[RUGGED] < shares[SMOOTH]


# ------------------------------------------------------------------------------------- configuration, pictures
@pytest.mark.parametrize("n_relevant", [1, 2, 3])
def test_one_to_three_relevant_dimensions(n_relevant):
    env = gym.make(SMOOTH, n_relevant=n_relevant, n_distractors=1, render_mode="rgb_array")
    space = env.unwrapped.task_space
    assert space.names == ("difficulty_x", "difficulty_y", "difficulty_z")[:n_relevant] + ("distractor_0",)
    assert env.observation_space.shape == (n_relevant + 1,)
    student = env.unwrapped
    env.reset(seed=0)
    for _ in range(30):
        episode(env, student.task_space.default)
    assert student.competence.shape == (20,) * n_relevant
    assert student.competence[(0,) * n_relevant] > student.mastery
    assert student.mastered_share == pytest.approx({1: 0.1, 2: 0.0075, 3: 0.0005}[n_relevant])
    image = env.render()
    assert image.dtype == np.uint8 and image.shape == ((1 if n_relevant == 1 else 20) * 12, 240, 3)


def test_the_picture_shows_competence_feasibility_and_the_episode_cell():
    env = gym.make(SMOOTH, render_mode="rgb_array")
    env.reset(seed=0)
    for _ in range(40):
        episode(env, [0.01, 0.01])
    env.reset(options={"task": [0.5, 0.5]})
    image = env.render()
    assert image.shape == (240, 240, 3)
    assert tuple(image[-6, 6]) == MASTERED_COLOUR  # bottom left: the easy corner, mastered
    assert tuple(image[6, -6]) == INFEASIBLE_COLOUR  # top right: the hardest corner
    assert tuple(image[6 + 12 * 8, 6 + 12 * 8]) == NOVICE_COLOUR
    assert tuple(image[240 - 11 * 12, 10 * 12]) == TASK_MARK_COLOUR  # the outline of cell (10, 10)
    assert gym.make(SMOOTH).unwrapped.render() is None


def test_wider_bounds_keep_the_student_and_make_most_of_the_space_infeasible():
    wide = gym.make(SMOOTH, difficulty_x=(0.0, 3.0), difficulty_y=(0.0, 3.0)).unwrapped
    assert wide.competence.shape == (60, 60)  # cells of 0.05 task units, as in [0, 1]
    assert wide.feasible.mean() == pytest.approx(0.10778, abs=1e-5)
    assert gym.make(INFEASIBLE).unwrapped.task_space == wide.task_space


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_relevant": 4}, EnvOptionError, r"n_relevant must be an integer in \[1, 3\], got 4"),
        ({"n_distractors": -1}, EnvOptionError, "n_distractors must be an integer >= 0"),
        ({"resolution": 18, "rugged_intervals": 4}, EnvOptionError, "multiple of rugged_intervals 4, e.g. 20"),
        ({"resolution": 5}, EnvOptionError, "support_radius 0.1 is smaller than a cell along 'difficulty_x'"),
        ({"difficulty_xx": (0, 2)}, TaskError, "did you mean 'difficulty_x'"),
        ({"success_return": 400.0}, EnvOptionError, "low < success_return < high"),
        ({"learning_rate": 1.5}, EnvOptionError, r"'learning_rate' must be a finite number in \[0, 1\], got 1.5"),
        ({"spread": 0.0}, EnvOptionError, "'spread' must be a finite number > 0, got 0.0"),
        ({"feasible_difficulty": math.inf}, EnvOptionError, "feasible_difficulty must be a finite number, got inf"),
        ({"return_noise": math.nan}, EnvOptionError, "return_noise must be a finite number >= 0, got nan"),
    ],
)
def test_bad_configurations_are_refused_with_a_clear_message(kwargs, error, message):
    with pytest.raises(error, match=message):
        SimulatedStudent(**kwargs)


def test_expected_return_scores_a_task_without_training_on_it():
    student = gym.make("teachgym/SimulatedStudent-v0").unwrapped
    student.reset(seed=0)
    assert student.expected_return([0.05, 0.05]) == -100.0
    before = student.competence.copy()
    student.expected_return([0.05, 0.05])
    np.testing.assert_array_equal(student.competence, before)
    for _ in range(50):
        student.set_task([0.05, 0.05])
        student.reset()
        _, episode_return, _, _, _ = student.step(np.zeros(1))
    assert student.expected_return([0.05, 0.05]) > 290.0
    assert abs(student.expected_return([0.05, 0.05]) - episode_return) < 40.0
    with pytest.raises(TaskError, match="outside its bounds"):
        student.expected_return([2.0, 0.0])


@pytest.mark.parametrize("env_id", [INFEASIBLE, DISTRACTORS, RUGGED])
def test_value_estimates_are_the_expected_returns_of_the_tasks_the_initial_observations_stand_for(env_id):
    env = gym.make(env_id)
    student = env.unwrapped
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    easiest = student.task_space.default
    tasks = [student.task_space.sample(rng) for _ in range(30)] + [student.task_space.high, student.task_space.low,
                                                                   easiest]
    for _ in range(20):  # practice on the easiest task, so that the values differ
        env.reset(options={"task": easiest})
        env.step(ACTION)
    observations, expected = [], []
    for task in tasks:
        observations.append(env.reset(options={"task": task})[0])
        expected.append(student.expected_return(task))
    assert student.value_estimates(np.array(observations)).tolist() == pytest.approx(expected)
    assert len(set(expected)) > 1
