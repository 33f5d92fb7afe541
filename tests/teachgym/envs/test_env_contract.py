"""The parametric-env contract, run over every registered id and every body (design.md section 2)."""

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gymnasium_check_env
from helpers import random_actions
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import teachgym
from teachgym import TaskError
from teachgym.envs import ParametricEnv
from teachgym.envs.walkers.track import accepted_bodies
from teachgym.errors import EnvOptionError

WALKERS = "teachgym.envs.walkers."

WALKER_IDS = [env_id for env_id in teachgym.env_ids() if gym.spec(env_id).entry_point.startswith(WALKERS)]
# Walker envs run with every body they take (Parkour: all of them); every other env with its registered kwargs.
CASES = [(env_id, body) for env_id in WALKER_IDS for body in accepted_bodies(env_id)]
CASES += [(env_id, None) for env_id in teachgym.env_ids() if env_id not in WALKER_IDS]
IDS = [f"{env_id.split('/')[1]}-{body}" if body else env_id.split("/")[1] for env_id, body in CASES]


def make(env_id: str, body: str | None, **kwargs) -> gym.Env:
    return gym.make(env_id, **({"body": body} if body else {}), **kwargs)


def rollout(env: gym.Env, seed: int, task, steps: int = 60):
    """Observations, rewards and infos of a seeded random-action rollout on one task."""
    env.unwrapped.set_task(task)
    observation, info = env.reset(seed=seed)
    actions = random_actions(env.action_space, seed, steps)
    observations, rewards, infos = [observation], [], [info]
    for action in actions:
        observation, reward, terminated, truncated, info = env.step(action)
        observations.append(observation)
        rewards.append(reward)
        infos.append(info)
        if terminated or truncated:
            break
    return np.array(observations), np.array(rewards), infos


def some_task(env: gym.Env) -> np.ndarray:
    return env.unwrapped.task_space.sample(np.random.default_rng(3))


@pytest.mark.parametrize(("env_id", "body"), CASES, ids=IDS)
def test_gymnasium_and_sb3_env_checkers(env_id, body):
    env = make(env_id, body)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any checker warning is a contract failure
        gymnasium_check_env(env.unwrapped, skip_render_check=True)
        sb3_check_env(env.unwrapped, warn=True)
    rendered = make(env_id, body, render_mode="rgb_array")
    gymnasium_check_env(rendered.unwrapped)


@pytest.mark.parametrize(("env_id", "body"), CASES, ids=IDS)
def test_same_seed_task_and_actions_give_identical_trajectories(env_id, body):
    env, twin = make(env_id, body), make(env_id, body)
    task = some_task(env)
    observations, rewards, _ = rollout(env, seed=11, task=task)
    twin_observations, twin_rewards, _ = rollout(twin, seed=11, task=task)
    np.testing.assert_array_equal(observations, twin_observations)
    np.testing.assert_array_equal(rewards, twin_rewards)
    # the same env again, after other episodes, gives the same trajectory too: no state leaks across resets
    rollout(env, seed=5, task=env.unwrapped.task_space.default)
    again_observations, again_rewards, _ = rollout(env, seed=11, task=task)
    np.testing.assert_array_equal(observations, again_observations)
    np.testing.assert_array_equal(rewards, again_rewards)
    other_observations, other_rewards, _ = rollout(env, seed=12, task=task)
    if getattr(env.unwrapped, "return_noise", None) == 0:  # a noise-free simulated student (the staircase, as
        return  # teachDeepRL's toy env): its returns are the competence, the same under every seed
    assert not (np.array_equal(observations[:2], other_observations[:2]) and np.array_equal(rewards, other_rewards))


@pytest.mark.parametrize(("env_id", "body"), CASES, ids=IDS)
def test_pickled_env_behaves_like_the_original(env_id, body):
    env = make(env_id, body, render_mode="rgb_array")
    clone = pickle.loads(pickle.dumps(env))
    assert clone.unwrapped.task_space == env.unwrapped.task_space
    assert getattr(clone.unwrapped, "body_spec", None) == getattr(env.unwrapped, "body_spec", None)
    assert clone.render_mode == "rgb_array"
    task = some_task(env)
    np.testing.assert_array_equal(rollout(env, 2, task, steps=20)[0], rollout(clone, 2, task, steps=20)[0])


@pytest.mark.parametrize("env_id", teachgym.env_ids())
def test_info_reports_the_task_on_every_reset_and_step(env_id):
    env = gym.make(env_id)
    assert isinstance(env.unwrapped, ParametricEnv)
    space = env.unwrapped.task_space
    task = some_task(env)
    _, _, infos = rollout(env, seed=0, task=task, steps=30)
    for info in infos:
        assert list(info["task"]) == list(space.names)
        np.testing.assert_array_equal(list(info["task"].values()), task)
        assert all(type(value) is float for value in info["task"].values())
        assert info["success"] is False
    infos[0]["task"][space.names[0]] = -123.0  # a fresh dict each time: mutating one changes nothing else
    assert infos[1]["task"][space.names[0]] == task[0]
    assert env.unwrapped.task[space.names[0]] == task[0]
    assert env.unwrapped.task == dict(zip(space.names, task))


@pytest.mark.parametrize("env_id", teachgym.env_ids())
def test_set_task_applies_from_the_next_reset_on_and_options_override_once(env_id):
    env = gym.make(env_id).unwrapped
    space = env.task_space
    first, second = space.sample(np.random.default_rng(1)), space.sample(np.random.default_rng(2))
    _, info = env.reset(seed=0)
    assert list(info["task"].values()) == list(space.default)
    env.set_task(first)
    assert list(env.task.values()) == list(space.default)  # the running episode keeps its task
    for _ in range(2):
        _, info = env.reset()
        np.testing.assert_array_equal(list(info["task"].values()), first)
    _, info = env.reset(options={"task": space.to_dict(second)})
    np.testing.assert_array_equal(list(info["task"].values()), second)
    _, info = env.reset()
    np.testing.assert_array_equal(list(info["task"].values()), first)


@pytest.mark.parametrize("env_id", teachgym.env_ids())
def test_bad_tasks_raise_and_leave_the_env_usable(env_id):
    env = gym.make(env_id)
    env.reset(seed=0)  # gymnasium's passive checker cannot recover when the very first reset raises
    space = env.unwrapped.task_space
    good = some_task(env)
    env.unwrapped.set_task(good)
    outside = space.high + 1.0
    with pytest.raises(TaskError, match="outside its bounds"):
        env.unwrapped.set_task(outside)
    with pytest.raises(TaskError, match="outside its bounds"):
        env.reset(options={"task": outside})
    with pytest.raises(TaskError, match="is nan"):
        env.reset(options={"task": np.full(space.ndim, np.nan)})
    with pytest.raises(TaskError, match="did you mean 'task'"):
        env.reset(options={"tsk": good})
    _, info = env.reset(seed=0)
    np.testing.assert_array_equal(list(info["task"].values()), good)
    _, _, _, _, info = env.step(env.action_space.sample())
    np.testing.assert_array_equal(list(info["task"].values()), good)


def test_task_space_is_narrowed_per_instance_not_globally():
    wide = gym.make("teachgym/StumpTracks-v0", stump_height=(0.0, 9.0)).unwrapped
    default = gym.make("teachgym/StumpTracks-v0").unwrapped
    assert wide.task_space.high[0] == 9.0
    assert default.task_space.high[0] == 3.0
    wide.set_task([8.0, 1.0])
    with pytest.raises(TaskError):
        default.set_task([8.0, 1.0])


@pytest.mark.parametrize("env_id", teachgym.env_ids())
def test_expert_knowledge_is_consistent_with_the_space(env_id):
    env = gym.make(env_id).unwrapped
    knowledge = env.expert_knowledge()
    low, high = knowledge.reward_range
    assert low < knowledge.reward_thresholds[0] <= knowledge.reward_thresholds[1] < high
    space = env.task_space
    assert knowledge.initial_distribution["mean"] == space.default.tolist()
    np.testing.assert_allclose(knowledge.initial_distribution["std"], 0.1 * (space.high - space.low))


def test_stump_tracks_expert_knowledge_is_teachmyagents():
    knowledge = gym.make("teachgym/StumpTracks-v0", stump_height=(0.0, 9.0)).unwrapped.expert_knowledge()
    assert knowledge.reward_range == (-150.0, 350.0)
    assert knowledge.reward_thresholds == (0.0, 180.0)
    assert knowledge.initial_distribution["mean"] == [0.0, 6.0]
    np.testing.assert_allclose(knowledge.initial_distribution["std"], [0.9, 0.6])


@pytest.mark.filterwarnings("ignore:.*render_mode='holographic'")  # gymnasium's make warns before the env refuses
@pytest.mark.parametrize("env_id", teachgym.env_ids())
def test_a_render_mode_the_env_lacks_is_a_typed_error_naming_it(env_id):
    expected = r"render_mode 'holographic' is not supported; expected one of \[.*'rgb_array'"
    with pytest.raises(EnvOptionError, match=expected):
        gym.make(env_id, render_mode="holographic")


@pytest.mark.parametrize(("env_id", "options", "message"), [
    ("teachgym/Parkour-v0", {"water_clip": 0}, "water_clip must be a finite number > 0, got 0"),
    ("teachgym/Parkour-v0", {"movable_creepers": "yes"}, "movable_creepers must be True or False, got 'yes'"),
])
def test_a_bad_constructor_option_is_a_typed_error_naming_it(env_id, options, message):
    with pytest.raises(EnvOptionError, match=message):
        gym.make(env_id, **options)
