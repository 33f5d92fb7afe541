"""The rugged-difficulty wrapper: a seeded, exactly invertible shuffle of each dimension's intervals."""

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env
from hypothesis import given
from hypothesis import strategies as st
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv

from teachgym import TaskError, TaskSpace, TeachgymError
from teachgym.envs import ParametricEnv
from teachgym.envs.rugged import RuggedDifficulty, interval_permutations

STUMPS = "teachgym/StumpTracks-v0"
STUDENT = "teachgym/SimulatedStudent-v0"


def rugged_stumps(seed: int = 0, **kwargs) -> RuggedDifficulty:
    return RuggedDifficulty(gym.make(STUMPS), seed=seed, **kwargs)


# ------------------------------------------------------------------------------------------------ permutations
def test_permutations_are_fixed_by_the_seed_and_never_the_identity():
    np.testing.assert_array_equal(interval_permutations(2, 4, seed=0), [[2, 0, 1, 3], [3, 2, 1, 0]])
    np.testing.assert_array_equal(interval_permutations(2, 4, seed=1), [[3, 0, 2, 1], [3, 0, 1, 2]])
    for seed in range(30):
        for permutation in interval_permutations(3, 4, seed):
            assert sorted(permutation) == [0, 1, 2, 3]
            assert not np.array_equal(permutation, np.arange(4))
    np.testing.assert_array_equal(interval_permutations(2, 1, seed=0), [[0], [0]])


def test_the_wrapper_uses_the_seeds_permutations_and_different_seeds_differ():
    env = rugged_stumps(seed=0)
    np.testing.assert_array_equal(env.permutations, [[2, 0, 1, 3], [3, 2, 1, 0]])
    assert not np.array_equal(rugged_stumps(seed=5).permutations, env.permutations)
    np.testing.assert_array_equal(rugged_stumps(seed=0).permutations, env.permutations)
    with pytest.raises(ValueError, match="read-only"):
        env.permutations[0][0] = 1


def test_every_teacher_interval_maps_onto_a_distinct_env_interval():
    env = rugged_stumps(seed=0)  # stump_height intervals are 0.75 wide, obstacle_spacing ones 1.5
    widths = np.array([0.75, 1.5])
    for k in range(4):
        image = np.array([permutation[k] for permutation in env.permutations])
        np.testing.assert_array_equal(env.to_env_task(k * widths), image * widths)
        np.testing.assert_allclose(env.to_env_task((k + 0.3) * widths), (image + 0.3) * widths, rtol=0, atol=1e-15)
    images = {tuple(np.floor(env.to_env_task((k + 0.5) * widths) / widths).astype(int)) for k in range(4)}
    assert images == {(2, 3), (0, 2), (1, 1), (3, 0)}
    np.testing.assert_array_equal(env.to_env_task([0.0, 0.0]), [1.5, 4.5])
    np.testing.assert_array_equal(env.to_env_task([0.75, 1.5]), [0.0, 3.0])
    np.testing.assert_array_equal(env.to_env_task([2.0, 5.0]), [1.25, 0.5])


def test_intervals_are_right_open_and_the_upper_bound_is_fixed():
    env = rugged_stumps(seed=0)
    np.testing.assert_array_equal(env.to_env_task([3.0, 6.0]), [3.0, 6.0])
    just_below = np.nextafter(np.array([0.75, 1.5]), 0.0)  # the last values of the first intervals
    mapped = env.to_env_task(just_below)
    assert 1.5 <= mapped[0] < 2.25 and 4.5 <= mapped[1] < 6.0
    np.testing.assert_allclose(mapped, [2.25, 6.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(env.to_teacher_task(mapped), just_below, rtol=0, atol=1e-15)
    assert env.to_env_task(np.nextafter(np.array([3.0, 6.0]), 0.0))[0] < 3.0  # the last interval's values move


RUGGED_BY_SEED = [rugged_stumps(seed) for seed in range(21)]


@given(st.floats(0.0, 3.0), st.floats(0.0, 6.0), st.integers(0, 20))
def test_the_map_is_exactly_invertible(stump_height, obstacle_spacing, seed):
    env = RUGGED_BY_SEED[seed]
    task = np.array([stump_height, obstacle_spacing])
    env_task = env.to_env_task(task)
    assert env.task_space.contains(env_task)
    np.testing.assert_allclose(env.to_teacher_task(env_task), task, rtol=0, atol=1e-12)
    np.testing.assert_allclose(env.to_env_task(env.to_teacher_task(task)), task, rtol=0, atol=1e-12)


def test_interval_edges_and_their_neighbours_round_trip():
    env = rugged_stumps(seed=3, intervals=5)
    for k in range(6):
        for offset in (0.0, -1e-15, 1e-15, -1e-9, 1e-9):
            task = np.clip(np.array([0.6, 1.2]) * k + offset, [0.0, 0.0], [3.0, 6.0])
            np.testing.assert_allclose(env.to_teacher_task(env.to_env_task(task)), task, rtol=0, atol=1e-12)
            np.testing.assert_allclose(env.to_env_task(env.to_teacher_task(task)), task, rtol=0, atol=1e-12)


def test_the_map_is_a_bijection_of_a_fine_grid_of_interval_cells():
    env = rugged_stumps(seed=2)
    centres = (np.arange(40) + 0.5) / 40  # 10 cells per interval, so cells map onto cells
    cells = {tuple(np.floor(env.to_env_task([3.0 * u, 6.0 * v]) / [0.075, 0.15]).astype(int))
             for u in centres for v in centres}
    assert cells == {(i, j) for i in range(40) for j in range(40)}


# ------------------------------------------------------------------------------------------ the env contract
def test_the_teachers_space_has_the_envs_bounds_and_its_default_in_teacher_coordinates():
    env = rugged_stumps(seed=0)
    inner = env.unwrapped.task_space
    assert env.task_space.bounds == inner.bounds and env.task_space.names == inner.names
    np.testing.assert_array_equal(env.task_space.default, [0.75, 6.0])
    np.testing.assert_array_equal(env.to_env_task(env.task_space.default), inner.default)
    knowledge = env.expert_knowledge()
    assert knowledge.initial_distribution["mean"] == [0.75, 6.0]
    np.testing.assert_allclose(knowledge.initial_distribution["std"], [0.3, 0.6])
    assert knowledge.reward_thresholds == env.unwrapped.expert_knowledge().reward_thresholds


def test_reset_and_step_report_the_teachers_task():
    env = rugged_stumps(seed=0)
    observation, info = env.reset(seed=1, options={"task": {"stump_height": 0.2, "obstacle_spacing": 5.0}})
    np.testing.assert_allclose(list(info["task"].values()), [0.2, 5.0], rtol=0, atol=1e-12)
    assert env.unwrapped.task == pytest.approx({"stump_height": 1.7, "obstacle_spacing": 0.5})
    assert env.task == pytest.approx({"stump_height": 0.2, "obstacle_spacing": 5.0})
    env.set_task([2.9, 1.0])
    env.reset(seed=2)
    assert env.unwrapped.task == pytest.approx({"stump_height": 2.9, "obstacle_spacing": 5.5})
    for _ in range(3):
        *_, info = env.step(env.action_space.sample())
        assert list(info["task"]) == ["stump_height", "obstacle_spacing"]
        np.testing.assert_allclose(list(info["task"].values()), [2.9, 1.0], rtol=0, atol=1e-12)
    _, info = env.reset()
    np.testing.assert_allclose(list(info["task"].values()), [2.9, 1.0], rtol=0, atol=1e-12)


def test_bad_tasks_raise_and_leave_the_pending_task():
    env = rugged_stumps(seed=0)
    env.set_task([0.2, 5.0])
    with pytest.raises(TaskError, match="'stump_height' = 4 is outside its bounds"):
        env.set_task([4.0, 5.0])
    with pytest.raises(TaskError, match="unknown task parameter 'stump_hight'"):
        env.reset(options={"task": {"stump_hight": 1.0, "obstacle_spacing": 1.0}})
    _, info = env.reset(seed=0)
    np.testing.assert_allclose(list(info["task"].values()), [0.2, 5.0], rtol=0, atol=1e-12)


def test_sb3_env_method_reaches_the_wrapper_not_the_inner_env():
    vec_env = DummyVecEnv([lambda: Monitor(RuggedDifficulty(gym.make(STUDENT), seed=0), info_keywords=("task",))])
    teacher_task = [0.1, 0.9]
    vec_env.env_method("set_task", teacher_task, indices=[0])
    rugged = vec_env.envs[0].env
    np.testing.assert_array_equal(rugged.unwrapped._pending_task, rugged.to_env_task(teacher_task))
    np.testing.assert_allclose(rugged.to_env_task(teacher_task), [0.6, 0.15], rtol=0, atol=1e-15)
    assert vec_env.get_attr("task_space")[0] is rugged.task_space
    vec_env.reset()
    _, _, dones, infos = vec_env.step(np.zeros((1, 1), dtype=np.float32))
    assert dones[0]
    np.testing.assert_allclose(list(infos[0]["episode"]["task"].values()), teacher_task, rtol=0, atol=1e-12)
    np.testing.assert_allclose(list(infos[0]["task"].values()), teacher_task, rtol=0, atol=1e-12)


def test_the_wrapped_simulated_student_is_the_registered_rugged_student():
    rugged = RuggedDifficulty(gym.make(STUDENT), seed=0)
    registered = gym.make("teachgym/SimulatedStudent-Rugged-v0", rugged_seed=0).unwrapped
    smooth_difficulty = rugged.unwrapped.difficulty
    for u in (np.arange(20) + 0.5) / 20:
        for v in (np.arange(20) + 0.5) / 20:
            cell = tuple(np.floor(rugged.to_env_task([u, v]) * 20).astype(int))
            assert smooth_difficulty[cell] == registered.difficulty[int(u * 20), int(v * 20)]


def test_gymnasium_check_env_passes_on_the_wrapper():
    for env in (rugged_stumps(seed=0), RuggedDifficulty(gym.make(STUDENT), seed=0)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any checker warning but the one about checking a wrapper is a failure
            warnings.filterwarnings("ignore", message=".*is different from the unwrapped version.*")
            check_env(env, skip_render_check=True)


def test_a_zero_width_dimension_stays_put_and_one_interval_is_the_identity():
    env = RuggedDifficulty(gym.make(STUDENT, difficulty_y=(0.3, 0.3)), seed=0)
    np.testing.assert_allclose(env.to_env_task([0.1, 0.3]), [0.6, 0.3], rtol=0, atol=1e-15)
    np.testing.assert_allclose(env.to_teacher_task([0.6, 0.3]), [0.1, 0.3], rtol=0, atol=1e-15)
    assert env.to_env_task([0.1, 0.3])[1] == 0.3
    smooth = rugged_stumps(seed=0, intervals=1)
    np.testing.assert_array_equal(smooth.to_env_task([1.234, 5.678]), [1.234, 5.678])


class IntegerTaskEnv(ParametricEnv):
    observation_space = spaces.Box(0.0, 1.0, (1,))
    action_space = spaces.Box(-1.0, 1.0, (1,))
    task_space = TaskSpace({"n_gaps": (0, 4), "width": (0.0, 1.0)}, integer=["n_gaps"])


@pytest.mark.parametrize(("make", "message"), [
    (lambda: rugged_stumps(intervals=0), "intervals must be an integer >= 1, got 0"),
    (lambda: rugged_stumps(intervals=2.0), "intervals must be an integer >= 1, got 2.0"),
    (lambda: rugged_stumps(seed=-1), "seed must be an integer >= 0, got -1"),
    (lambda: RuggedDifficulty(gym.make("CartPole-v1"), seed=0), "needs a parametric env with a task_space"),
    (lambda: RuggedDifficulty(IntegerTaskEnv(), seed=0), "continuous dimensions; ['n_gaps'] are integer"),
])
def test_bad_arguments_raise(make, message):
    with pytest.raises(TeachgymError) as caught:
        make()
    assert message in str(caught.value)
