"""CurriculumCallback and run_curriculum: every episode reported once, credited to the task it ran, tasks in order."""

from collections import defaultdict
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.vec_env import DummyVecEnv

import teachgym  # noqa: F401  (registers the ids)
from teachgym.students import (
    CurriculumCallback,
    EpisodeRecord,
    StudentError,
    make_student,
    make_vec_env,
    run_curriculum,
)
from teachgym.teachers import make_teacher
from teachgym.vector.sb3_env import SharedMemoryVecEnv

STUMPS = "teachgym/StumpTracks-v0"
STUDENT = "teachgym/SimulatedStudent-v0"
SHORT_EPISODES = {"max_episode_steps": 30}


class SpyTeacher:
    """Records what a teacher samples and what it is told, around a real teacher."""

    def __init__(self, teacher):
        self.teacher, self.sampled, self.updates = teacher, [], []
        sample, update = teacher.sample_task, teacher.update
        teacher.sample_task = lambda: self.sampled.append(sample()) or self.sampled[-1]
        teacher.update = lambda task, episode_return, *, success=None: (
            self.updates.append((task, episode_return, success)), update(task, episode_return, success=success))


def sent_tasks(vec_env):
    """Wrap env_method (and teachgym.vector's set_task) so that every set_task is recorded per env index."""
    sent, env_method = defaultdict(list), vec_env.env_method

    def recording(method, *args, indices=None, **kwargs):
        if method == "set_task":
            (index,) = indices
            sent[index].append(np.array(args[0]))
        return env_method(method, *args, indices=indices, **kwargs)

    vec_env.env_method = recording
    if isinstance(vec_env.unwrapped, SharedMemoryVecEnv):
        base, set_task = vec_env.unwrapped, vec_env.unwrapped.set_task
        base.set_task = lambda index, task, **kwargs: (sent[index].append(np.array(task)),
                                                       set_task(index, task, **kwargs))
    return sent


def make_curriculum_teacher(name, env_id, vec_env, **hyperparameters):
    space = vec_env.get_attr("task_space", [0])[0]
    knowledge = gym.make(env_id).unwrapped.expert_knowledge()
    return make_teacher(name, space, seed=0, reward_range=knowledge.reward_range, **hyperparameters)


def check_trace(records, vec_env, teacher, spy, callback, sent, space, *, initial_tasks_sent=True):
    """Every finished episode is reported once, in order, credited to its own task, and tasks run as sent."""
    assert len(records) == callback.episodes == teacher.episodes == len(spy.updates) > 0
    monitor_returns = vec_env.env_method("get_episode_rewards")
    monitor_lengths = vec_env.env_method("get_episode_lengths")
    assert sum(len(returns) for returns in monitor_returns) == len(records)
    for index in range(vec_env.num_envs):
        own = [record for record in records if record.env_index == index]
        assert [r.episode_return for r in own] == pytest.approx(monitor_returns[index], abs=1e-5)
        assert [r.length for r in own] == monitor_lengths[index]
        # The env ran the tasks sent to it, in order, each once (the default task first if none was sent).
        expected = sent[index] if initial_tasks_sent else [space.default] + sent[index]
        for record, task in zip(own, expected):
            np.testing.assert_array_equal(space.to_array(record.task), task)
        # Besides the tasks that ran, one is left pending (sent when the last episode ended), and with the one-episode
        # lag of VecEnvs other than teachgym.vector's, a second (sent at training start).
        lag = 0 if isinstance(vec_env.unwrapped, SharedMemoryVecEnv) else 1
        ran_sent_tasks = len(own) - (0 if initial_tasks_sent else 1)
        assert len(sent[index]) == ran_sent_tasks + 1 + lag
    # The teacher was told exactly these episodes, credited to the tasks the envs reported.
    for record, (task, episode_return, success) in zip(records, spy.updates):
        assert (task, episode_return, success) == (record.task, record.episode_return, record.success)
    assert all(space.contains(task) for tasks in sent.values() for task in tasks)
    assert [r.timesteps for r in records] == sorted(r.timesteps for r in records)
    assert all(isinstance(r.success, bool) and r.success == (r.episode_return > 230) for r in records)


@dataclass
class WiredCurriculum:
    """A teacher (and its spy) wired to ``vec_env`` through a CurriculumCallback, with a tiny student: what a test
    drives with ``model.learn`` and then checks with :func:`check_trace`."""

    vec_env: object
    teacher: object
    model: object = None
    records: list = field(default_factory=list)

    def __post_init__(self):
        self.space = self.vec_env.get_attr("task_space", [0])[0]
        self.spy, self.sent = SpyTeacher(self.teacher), sent_tasks(self.vec_env)
        self.callback = CurriculumCallback(self.teacher, on_episode=self.records.append)

    def check_trace(self, **options):
        check_trace(self.records, self.vec_env, self.teacher, self.spy, self.callback, self.sent, self.space, **options)


def wire_curriculum(vec_env, env_id, teacher_name, student, **hyperparameters):
    """The named teacher on ``env_id`` and a tiny ``student`` (seed 0, CPU), wired to ``vec_env``."""
    wired = WiredCurriculum(vec_env, make_curriculum_teacher(teacher_name, env_id, vec_env, **hyperparameters))
    wired.model = make_student(student, vec_env, preset="tiny", seed=0, device="cpu")
    return wired


@pytest.mark.parametrize("teacher_name", ["random", "alp-gmm"])
@pytest.mark.parametrize("n_envs", [1, 2])
def test_on_stump_tracks_every_episode_is_reported_once_and_runs_the_teacher_tasks_in_order(n_envs, teacher_name):
    vec_env = make_vec_env(STUMPS, n_envs, seed=0, env_kwargs=SHORT_EPISODES)
    try:
        wired = wire_curriculum(vec_env, STUMPS, teacher_name, "ppo")
        wired.callback.send_initial_tasks(vec_env)
        wired.model.learn(256, callback=wired.callback)
        wired.check_trace()
        assert len(wired.records) >= 256 // 30  # at least the truncated episodes
        # The first episode of every env already ran a teacher task, not the default.
        for index in range(n_envs):
            first = next(record for record in wired.records if record.env_index == index)
            assert wired.space.to_array(first.task) != pytest.approx(wired.space.default)
    finally:
        vec_env.close()


def test_without_initial_tasks_the_first_episodes_run_the_default_task_and_are_credited_to_it():
    vec_env = make_vec_env(STUMPS, 1, seed=1, env_kwargs=SHORT_EPISODES)
    wired = wire_curriculum(vec_env, STUMPS, "random", "sac")
    wired.model.learn(150, callback=wired.callback)
    wired.check_trace(initial_tasks_sent=False)
    assert wired.records[0].task == wired.space.to_dict(wired.space.default)


def test_a_simulated_student_under_alp_gmm_reports_one_step_episodes_and_logs_the_teacher_metrics():
    vec_env = make_vec_env(STUDENT, 1, seed=0, normalize_observations=True)  # set_task goes through VecNormalize
    wired = wire_curriculum(vec_env, STUDENT, "alp-gmm", "ppo", fit_rate=20)
    teacher, callback, model, records = wired.teacher, wired.callback, wired.model, wired.records
    callback.send_initial_tasks(vec_env)
    model.learn(128, callback=callback)
    wired.check_trace()
    assert [r.timesteps for r in records] == list(range(1, 129))
    assert {r.length for r in records} == {1}
    assert teacher.metrics()["mixture_components"] >= 2  # the GMMs were fitted on these episodes
    callback.on_rollout_end()
    logged = model.logger.name_to_value
    assert (logged["teacher/episodes"], logged["teacher/mixture_components"]) == (128.0, teacher.metrics()[
        "mixture_components"])
    # A second learn() goes on with the tasks already pending, and reports from where it was.
    model.learn(64, callback=callback, reset_num_timesteps=False)
    assert len(records) == callback.episodes == teacher.episodes == 192
    assert records[-1].timesteps == 192
    wired.check_trace()


def test_envs_without_the_monitor_episode_task_are_refused_with_a_pointer_to_make_vec_env():
    vec_env = DummyVecEnv([lambda: gym.make(STUDENT)])
    space = vec_env.get_attr("task_space", [0])[0]
    callback = CurriculumCallback(make_teacher("random", space, seed=0))
    model = make_student("ppo", vec_env, preset="tiny", device="cpu")
    with pytest.raises(StudentError, match=r"env 0 finished an episode without info\['episode'\].*make_vec_env"):
        model.learn(64, callback=callback)


def test_the_callback_needs_a_teacher():
    with pytest.raises(StudentError, match="needs a teachgym Teacher, got str"):
        CurriculumCallback("random")


# ----------------------------------------------------------------------------------------------- plain loop
def run_plain(seed):
    env = gym.make(STUDENT)
    teacher = make_teacher("alp-gmm", env.unwrapped.task_space, seed=seed, fit_rate=20)
    spy, seen = SpyTeacher(teacher), []
    records = run_curriculum(env, teacher, lambda observation: np.zeros(1, dtype=np.float32), 60,
                             on_episode=seen.append, seed=seed)
    return records, seen, spy, teacher, env


def test_run_curriculum_runs_one_episode_per_teacher_task_and_credits_what_the_env_reported():
    records, seen, spy, teacher, env = run_plain(seed=0)
    assert len(records) == 60 and seen == records and teacher.episodes == 60
    assert all(isinstance(record, EpisodeRecord) for record in records)
    assert [r.timesteps for r in records] == list(range(1, 61)) and {r.length for r in records} == {1}
    space = env.unwrapped.task_space
    for record, task, update in zip(records, spy.sampled, spy.updates):
        np.testing.assert_array_equal(space.to_array(record.task), task)
        assert update == (record.task, record.episode_return, record.success)
    assert all(r.success == (r.episode_return > 230) for r in records)
    # One student through the whole loop, seeded once: the same tasks on a freshly seeded student give every return.
    replay = gym.make(STUDENT)
    replay.reset(seed=0)
    for record in records:
        replay.reset(options={"task": record.task})
        assert replay.step(np.zeros(1, dtype=np.float32))[1] == record.episode_return


def test_run_curriculum_is_deterministic_for_a_seed():
    first, second, other = run_plain(seed=0)[0], run_plain(seed=0)[0], run_plain(seed=1)[0]
    assert first == second
    assert first != other


def test_run_curriculum_counts_the_steps_of_longer_episodes():
    env = gym.make(STUMPS, max_episode_steps=25)
    teacher = make_teacher("random", env.unwrapped.task_space, seed=0)
    records = run_curriculum(env, teacher, lambda observation: np.zeros(4, dtype=np.float32), 3, seed=0)
    assert [r.length for r in records] == [25, 25, 25]
    assert [r.timesteps for r in records] == [25, 50, 75]
    with pytest.raises(StudentError, match="episodes must be an integer >= 0, got -1"):
        run_curriculum(env, teacher, lambda observation: observation, -1)
