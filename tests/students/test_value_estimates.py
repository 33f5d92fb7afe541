"""The student's value estimates for teachers that ask for them (Self-Paced): SB3 critics and value heads, the
per-env episode bookkeeping, and the curriculum callback's side of the protocol."""

from types import SimpleNamespace

import gymnasium as gym
import numpy as np
import pytest
import torch

import teachgym  # noqa: F401  (registers the ids)
from teachgym.students import (
    CurriculumCallback,
    StudentError,
    make_student,
    make_vec_env,
    run_curriculum,
    value_estimator,
)
from teachgym.students.value_estimates import EpisodeStarts
from teachgym.teachers import make_teacher

STUDENT = "teachgym/SimulatedStudent-v0"
OBSERVATIONS = np.array([[0.1, 0.2], [0.9, 0.4], [0.5, 0.5]], dtype=np.float32)


def test_sac_values_are_the_smallest_critic_at_the_actors_deterministic_action():
    model = make_student("sac", make_vec_env(STUDENT, 1, seed=0), preset="tiny", seed=0, device="cpu")
    values = value_estimator(model)(OBSERVATIONS)
    with torch.no_grad():
        observations = torch.as_tensor(OBSERVATIONS)
        actions = model.actor(observations, deterministic=True)
        first, second = model.critic(observations, actions)
    np.testing.assert_allclose(values, torch.minimum(first, second).reshape(-1).numpy(), rtol=1e-6)
    assert values.dtype == np.float64 and values.shape == (3,)
    assert not np.allclose(first.numpy(), second.numpy())  # so the minimum matters


def test_ppo_values_come_from_the_value_head_after_the_current_observation_normalisation():
    vec_env = make_vec_env(STUDENT, 1, seed=0, normalize_observations=True)
    model = make_student("ppo", vec_env, preset="tiny", seed=0, device="cpu")
    estimate = value_estimator(model)
    model.learn(64)  # moves the normalisation statistics away from their start
    with torch.no_grad():
        normalised = torch.as_tensor(vec_env.normalize_obs(OBSERVATIONS))
        expected = model.policy.predict_values(normalised).reshape(-1).numpy()
    np.testing.assert_allclose(estimate(OBSERVATIONS), expected, rtol=1e-6)
    with torch.no_grad():
        raw = model.policy.predict_values(torch.as_tensor(OBSERVATIONS)).reshape(-1).numpy()
    assert not np.allclose(expected, raw)


def test_a_model_without_value_head_or_critic_is_refused():
    with pytest.raises(StudentError, match="neither a value head nor a Q critic"):
        value_estimator(SimpleNamespace(policy=object()))


def test_episode_starts_keep_each_envs_first_observation_and_discounted_return():
    starts = EpisodeStarts(np.array([[1.0], [2.0]]), gamma=0.5)
    assert starts.step([1.0, 4.0], np.array([False, False]), np.array([[1.5], [2.5]])) == {}
    ended = starts.step([2.0, 8.0], np.array([False, True]), np.array([[1.7], [3.0]]))
    assert list(ended) == [1]
    np.testing.assert_array_equal(ended[1][0], [2.0])
    assert ended[1][1] == 4.0 + 0.5 * 8.0
    ended = starts.step([4.0, 1.0], np.array([True, True]), np.array([[9.0], [9.5]]))
    assert ended[0][1] == 1.0 + 0.5 * 2.0 + 0.25 * 4.0 and ended[1] == (pytest.approx([3.0]), 1.0)
    np.testing.assert_array_equal(starts.initial_observations, [[9.0], [9.5]])
    starts.step([1.0, 1.0], np.array([False, False]), np.array([[0.0], [0.0]]))
    observation, discounted_return = starts.ending(0, 2.0)  # what the next step reports if env 0 ends with 2
    assert (observation.tolist(), discounted_return) == ([9.0], 1.0 + 0.5 * 2.0)
    assert starts.step([2.0, 0.0], np.array([True, False]), np.array([[0.0], [0.0]]))[0][1] == discounted_return


@pytest.mark.parametrize("n_envs", [1, 2])  # 2: teachgym.vector, credited inside the step
def test_the_callback_gives_self_paced_the_models_values_and_each_episodes_own_first_observation(n_envs):
    vec_env = make_vec_env(STUDENT, n_envs, seed=0, normalize_observations=True)
    space = vec_env.get_attr("task_space", [0])[0]
    teacher = make_teacher("self-paced", space, seed=0, device="cpu", update_frequency=40, update_offset=40)
    views, tasks = [], []
    record, update = teacher.record_episode, teacher.update
    teacher.record_episode = lambda observation, **view: (views.append((observation, view)),
                                                          record(observation, **view))
    teacher.update = lambda task, episode_return, **kwargs: (tasks.append((task, episode_return)),
                                                             update(task, episode_return, **kwargs))
    model = make_student("ppo", vec_env, preset="tiny", seed=0, device="cpu")
    callback = CurriculumCallback(teacher)
    callback.send_initial_tasks(vec_env)
    model.learn(128, callback=callback)
    assert len(views) == len(tasks) == 128 and teacher.updates == 3
    for (observation, view), (task, episode_return) in zip(views, tasks):
        # A simulated student's observation is its task in the unit cube (here the task itself), unnormalised.
        np.testing.assert_allclose(observation, space.to_array(task), atol=1e-6)
        assert view == {"length": 1, "discounted_return": pytest.approx(episode_return)}
    assert teacher.metrics()["student_values"] == 1.0
    np.testing.assert_array_equal(teacher.value_estimator(OBSERVATIONS), value_estimator(model)(OBSERVATIONS))


def test_run_curriculum_tells_self_paced_each_episodes_first_observation_and_length():
    env = gym.make("teachgym/CartPole-v0")
    teacher = make_teacher("self-paced", env.unwrapped.task_space, seed=0, device="cpu", update_frequency=100,
                           update_offset=100)
    views = []
    record = teacher.record_episode
    teacher.record_episode = lambda observation, **view: (views.append((observation, view)),
                                                          record(observation, **view))
    records = run_curriculum(env, teacher, lambda observation: 0, 12, seed=0)
    assert [view["length"] for _, view in views] == [r.length for r in records]
    assert [view["discounted_return"] for _, view in views] == [r.episode_return for r in records]
    assert teacher.steps == records[-1].timesteps and teacher.updates == records[-1].timesteps // 100
    first, _ = env.reset(seed=0, options={"task": records[0].task})
    np.testing.assert_array_equal(views[0][0], first)
