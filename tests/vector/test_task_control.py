"""Exact task control: the task queued for env i when its episode ends is the task of its very next episode, its
autoreset included, whatever the episode lengths (chosen by hypothesis), on both faces and in the curriculum."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import teachgym  # noqa: F401  (registers the ids)
from teachgym.students import CurriculumCallback, make_student, make_vec_env
from teachgym.teachers import make_teacher
from teachgym.vector import make_gym_vec_env
from teachgym.vector import make_vec_env as make_shared_vec_env

from .helpers import PENDULUM, EpisodeLengths

N_ENVS = 3
lengths = st.lists(st.integers(1, 6), min_size=1, max_size=5).map(tuple)


def task_of(episode: int, index: int) -> list[float]:
    """A different task for every (env, episode): length 1 + episode / 100, mass 1 + index / 10."""
    return [1.0 + episode / 100, 1.0 + index / 10, 10.0, 2.0]


def wrappers_for(episode_lengths):
    return (lambda env: EpisodeLengths(env, episode_lengths),)


def check_sb3_face(episode_lengths, workers, steps):
    vec_env = make_shared_vec_env(PENDULUM, N_ENVS, workers=workers, seed=0, wrappers=wrappers_for(episode_lengths))
    episodes = [0] * N_ENVS
    expected = {index: task_of(0, index) for index in range(N_ENVS)}
    rewards = {index: [] for index in range(N_ENVS)}  # the rewards of each running episode but its last

    def on_end(index, reward, info):
        assert reward == pytest.approx(info["episode"]["r"] - sum(rewards[index]), abs=1e-4)
        assert list(info["episode"]["task"].values()) == expected[index]
        rewards[index] = []
        episodes[index] += 1
        expected[index] = task_of(episodes[index], index)
        vec_env.set_task(index, expected[index])

    try:
        for index in range(N_ENVS):
            vec_env.set_task(index, task_of(0, index))
        vec_env.set_episode_end_hook(on_end)
        vec_env.reset()
        for _ in range(steps):
            _, step_rewards, dones, _ = vec_env.step(np.zeros((N_ENVS, 1), dtype=np.float32))
            for index in np.flatnonzero(~dones):
                rewards[index].append(float(step_rewards[index]))
            for index in np.flatnonzero(dones):  # the autoreset started the task queued in the hook
                assert list(vec_env.reset_infos[index]["task"].values()) == expected[index]
        assert sum(episodes) >= N_ENVS * (steps // max(episode_lengths))
    finally:
        vec_env.close()


@given(lengths)
def test_sb3_face_runs_the_task_set_at_an_episode_end_next(episode_lengths):
    check_sb3_face(episode_lengths, workers=0, steps=20)


def test_sb3_face_runs_the_task_set_at_an_episode_end_next_in_workers():
    check_sb3_face((3, 1, 5, 2), workers=2, steps=25)


@given(lengths)
def test_gymnasium_face_runs_the_task_set_after_an_episode_end_next(episode_lengths):
    envs = make_gym_vec_env(PENDULUM, N_ENVS, workers=0, wrappers=wrappers_for(episode_lengths))
    episodes = [0] * N_ENVS
    try:
        for index in range(N_ENVS):
            envs.set_task(index, task_of(0, index))
        _, infos = envs.reset(seed=0)
        for _ in range(20):
            _, rewards, terminated, truncated, infos = envs.step(np.zeros((N_ENVS, 1), dtype=np.float32))
            for index in range(N_ENVS):
                assert [infos["task"][name][index] for name in ("length", "mass", "gravity", "max_torque")] == \
                    task_of(episodes[index], index)
            for index in np.flatnonzero(terminated | truncated):
                episodes[index] += 1
                envs.set_task(int(index), task_of(episodes[index], int(index)))
    finally:
        envs.close()


@pytest.mark.parametrize("vec_env", ["shared-memory", "subproc"])
def test_curriculum_runs_each_teacher_sample_as_the_next_episode_of_the_env_that_asked(vec_env):
    """Shared memory: the sample drawn right after env i's episode is credited is env i's next task. SubprocVecEnv
    (the old path) runs it one episode later."""
    env = make_vec_env(PENDULUM, 2, seed=0, vec_env=vec_env, workers=1, wrappers=wrappers_for((4, 7, 5)))
    teacher = make_teacher("random", env.get_attr("task_space", [0])[0], seed=0)
    events = []
    sample = teacher.sample_task

    def logged_sample():
        task = sample()
        events.append(("sample", task.tolist()))
        return task

    teacher.sample_task = logged_sample
    curriculum = CurriculumCallback(teacher, on_episode=lambda record: events.append(("episode", record)))
    try:
        model = make_student("ppo", env, preset="tiny", seed=0)
        curriculum.send_initial_tasks(env)
        model.learn(120, callback=curriculum)
    finally:
        env.close()
    sent = {0: [], 1: []}  # per env, the tasks sent to it in order
    ran = {0: [], 1: []}
    initial = [task for kind, task in events[:2]]
    sent[0].append(initial[0]), sent[1].append(initial[1])
    for position, (kind, value) in enumerate(events[2:], start=2):
        if kind == "episode":
            ran[value.env_index].append(list(value.task.values()))
            sent[value.env_index].append(events[position + 1][1])  # the sample right after the credit
    lag = 0 if vec_env == "shared-memory" else 1
    for index in (0, 1):
        assert len(ran[index]) >= 4
        np.testing.assert_allclose(ran[index][1 + lag:], sent[index][1:len(ran[index]) - lag])
