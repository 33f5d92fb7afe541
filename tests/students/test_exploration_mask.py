"""Exploratory episodes and SB3 students: the flag travels with the task, PPO leaves flagged transitions out of its
minibatches, SAC never stores them, and an update with nothing to learn from leaves the student as it was."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3 import PPO, SAC
from stable_baselines3.common.buffers import ReplayBuffer, RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv

import teachgym
from teachgym.students import (
    CurriculumCallback,
    StudentError,
    load_student,
    make_student,
    make_vec_env,
    save_student,
)
from teachgym.students.exploration_mask import (
    TRAIN_STUDENT_KEY,
    MaskedReplayBuffer,
    MaskedRolloutBuffer,
    TrainStudentFlag,
)
from teachgym.teachers import ExploringTeacher, has_exploratory_episodes, make_teacher, trains_on_last_sample

STUDENT = "teachgym/SimulatedStudent-v0"  # one-step episodes whose observation is the task
PENDULUM = "teachgym/Pendulum-v0"
BOX = spaces.Box(-1.0, 1.0, (1,), dtype=np.float32)


class ScriptedTeacher(ExploringTeacher):
    """Uniform tasks; whether each trains the student is drawn with probability ``train_share``. Remembers every
    task it sampled with its answer."""

    name = "scripted"

    def __init__(self, task_space, *, train_share, seed=0):
        super().__init__(task_space, seed=seed)
        self.train_share = train_share
        self.flags: list[tuple[np.ndarray, bool]] = []
        self._trains = True

    def _sample(self):
        self._trains = bool(self.rng.random() < self.train_share)
        return self.rng.uniform(0.0, 1.0, self.ndim)

    def sample_task(self):
        task = super().sample_task()
        self.flags.append((task.copy(), self._trains))
        return task

    @property
    def train_on_last_sample(self):
        return self._trains

    def _update(self, unit_task, episode_return, success):
        pass

    def flag_of(self, task) -> bool:
        """The answer given with the sampled task nearest to ``task``."""
        distances = [np.abs(np.asarray(task, dtype=np.float64) - sampled).max() for sampled, _ in self.flags]
        index = int(np.argmin(distances))
        assert distances[index] < 1e-5
        return self.flags[index][1]


class RolloutSnapshot(BaseCallback):
    """Keeps each rollout's observations and transition mask as they are right before training."""

    def __init__(self):
        super().__init__()
        self.rollouts = []

    def _on_step(self):
        return True

    def _on_rollout_end(self):
        buffer = self.model.rollout_buffer
        self.rollouts.append((buffer.observations.copy(), buffer.trains_student.copy()))


class StepMasks(BaseCallback):
    """Records every step's per-env flags as the envs reported them."""

    def __init__(self):
        super().__init__()
        self.masks = []

    def _on_step(self):
        self.masks.append([bool(info[TRAIN_STUDENT_KEY]) for info in self.locals["infos"]])
        return True


def parameters(model) -> list[torch.Tensor]:
    return [parameter.detach().clone() for parameter in model.policy.parameters()]


def same(first, second) -> bool:
    return all(torch.equal(a, b) for a, b in zip(first, second))


def scripted(vec_env, train_share, seed=0) -> ScriptedTeacher:
    return ScriptedTeacher(vec_env.get_attr("task_space", [0])[0], train_share=train_share, seed=seed)


def learn(model, teacher, steps, *extra):
    curriculum = CurriculumCallback(teacher)
    curriculum.send_initial_tasks(model.get_env())
    model.learn(steps, callback=CallbackList([curriculum, *extra]))
    return curriculum


# --------------------------------------------------------------------------------------------------- the protocol
def test_only_robust_plr_has_exploratory_episodes_and_other_teachers_always_train():
    space = teachgym.TaskSpace({"x": (0.0, 1.0)})
    teachers = {name: make_teacher(name, space, seed=0, buffer_size=4) for name in ("robust-plr", "plr")}
    teachers["random"] = make_teacher("random", space, seed=0)
    assert [has_exploratory_episodes(teacher) for teacher in teachers.values()] == [True, False, False]
    answers, replays = {name: [] for name in teachers}, []
    for _ in range(30):
        for name, teacher in teachers.items():
            task = teacher.sample_task()
            answers[name].append(trains_on_last_sample(teacher))
            if name == "robust-plr":
                replays.append(teacher.last_sample_was_replay)
            teacher.update(task, 1.0)
    assert all(answers["plr"]) and all(answers["random"])
    assert answers["robust-plr"] == replays and any(replays) and not all(replays)


def test_the_flag_wrapper_reports_the_running_episodes_flag_until_the_next_reset():
    env = TrainStudentFlag(gym.make(PENDULUM, max_episode_steps=3))
    env.set_task([1.5, 1.0, 10.0, 2.0], train_student=False)
    assert env.reset(seed=0)[1][TRAIN_STUDENT_KEY] is False
    env.set_task([1.2, 1.0, 10.0, 2.0])  # for the next episode: the running one keeps its flag
    assert env.step(np.zeros(1, dtype=np.float32))[4][TRAIN_STUDENT_KEY] is False
    assert env.reset()[1][TRAIN_STUDENT_KEY] is True
    env.set_task([1.5, 1.0, 10.0, 2.0], train_student=False)
    assert env.reset(options={"task": [1.0, 1.0, 10.0, 2.0]})[1][TRAIN_STUDENT_KEY] is True  # not a teacher's task
    with pytest.raises(teachgym.TaskError):
        env.set_task([9.0, 1.0, 10.0, 2.0], train_student=True)
    assert env.reset()[1][TRAIN_STUDENT_KEY] is False  # a refused task changes neither task nor flag


@pytest.mark.parametrize("n_envs", [1, 2])
def test_each_transition_carries_the_flag_of_the_task_its_own_episode_ran(n_envs):
    vec_env = make_vec_env(STUDENT, n_envs, seed=0)
    model = make_student("ppo", vec_env, preset="tiny", seed=0, device="cpu")
    teacher, snapshot = scripted(vec_env, 0.5), RolloutSnapshot()
    learn(model, teacher, 128, snapshot)
    checked = 0
    for observations, mask in snapshot.rollouts:
        for step in range(observations.shape[0]):
            for env in range(n_envs):
                assert mask[step, env] == teacher.flag_of(observations[step, env])
                checked += 1
    assert checked >= 128 and 0 < sum(mask.sum() for _, mask in snapshot.rollouts) < checked
    vec_env.close()


def test_finished_multi_step_episodes_are_recorded_with_the_flag_their_task_was_sent_with():
    vec_env = make_vec_env(PENDULUM, 2, env_kwargs={"max_episode_steps": 5}, seed=0)
    model = make_student("ppo", vec_env, preset="tiny", seed=0, device="cpu")
    teacher, records = scripted(vec_env, 0.5), []
    curriculum = CurriculumCallback(teacher, on_episode=records.append)
    curriculum.send_initial_tasks(vec_env)
    model.learn(128, callback=curriculum)
    assert len(records) >= 20
    flags = [record.trains_student for record in records]
    assert flags == [teacher.flag_of(list(record.task.values())) for record in records]
    assert any(flags) and not all(flags)
    assert type(model) is PPO  # the skipping subclass is in place only while learn() runs
    vec_env.close()


def test_a_teacher_with_exploratory_episodes_needs_envs_that_carry_the_flag():
    vec_env = DummyVecEnv([lambda: Monitor(gym.make(STUDENT), info_keywords=("task", "success"))])
    with pytest.raises(StudentError, match="make_vec_env"):
        CurriculumCallback(scripted(vec_env, 0.5)).send_initial_tasks(vec_env)


# ------------------------------------------------------------------------------------------------------------ PPO
def filled_rollout_buffer(mask: np.ndarray, buffer_class=MaskedRolloutBuffer) -> RolloutBuffer:
    """A full buffer whose observation at (step, env) is ``step * 10 + env``, with ``mask`` applied step by step."""
    steps, n_envs = mask.shape
    buffer = buffer_class(steps, BOX, BOX, device="cpu", n_envs=n_envs)
    for step in range(steps):
        if buffer_class is MaskedRolloutBuffer:
            buffer.set_next_mask(mask[step])
        buffer.add(np.full((n_envs, 1), step * 10.0) + np.arange(n_envs)[:, None], np.zeros((n_envs, 1)),
                   np.ones(n_envs), np.zeros(n_envs), torch.zeros(n_envs), torch.zeros(n_envs))
    buffer.compute_returns_and_advantage(last_values=torch.zeros(n_envs), dones=np.zeros(n_envs))
    return buffer


def test_ppo_minibatches_hold_exactly_the_kept_transitions_each_once():
    mask = np.array([[True, False], [False, False], [True, True], [False, True], [True, False]])
    buffer = filled_rollout_buffer(mask)
    advantages = buffer.advantages.copy()
    np.random.seed(0)
    batches = [batch.observations.numpy().ravel().tolist() for batch in buffer.get(2)]
    assert [len(batch) for batch in batches] == [2, 2, 1]
    kept = sorted(step * 10.0 + env for step, env in zip(*np.nonzero(mask)))
    assert sorted(sum(batches, [])) == kept
    # advantages are computed over the whole rollout, as SB3 does
    np.testing.assert_array_equal(advantages, filled_rollout_buffer(mask, RolloutBuffer).advantages)


def test_ppo_minibatches_without_a_mask_are_sb3s_own():
    mask = np.ones((4, 2), dtype=bool)
    np.random.seed(1)
    masked = [batch.observations.numpy().tolist() for batch in filled_rollout_buffer(mask).get(3)]
    np.random.seed(1)
    plain = [batch.observations.numpy().tolist() for batch in filled_rollout_buffer(mask, RolloutBuffer).get(3)]
    assert masked == plain


@pytest.mark.parametrize(("train_share", "changes"), [(0.0, False), (0.5, True)])
def test_ppo_parameters_are_untouched_by_a_rollout_of_exploratory_episodes_only(train_share, changes):
    vec_env = make_vec_env(STUDENT, 2, seed=0)
    model = make_student("ppo", vec_env, preset="tiny", seed=0, device="cpu")
    before = parameters(model)
    snapshot = RolloutSnapshot()
    learn(model, scripted(vec_env, train_share), 256, snapshot)  # two rollouts of 64 steps x 2 envs
    assert len(snapshot.rollouts) == 2
    assert all(mask.any() == changes for _, mask in snapshot.rollouts)
    assert same(parameters(model), before) != changes
    assert bool(model.policy.optimizer.state_dict()["state"]) == changes  # not even the optimiser moved
    vec_env.close()


# ------------------------------------------------------------------------------------------------------------ SAC
def test_the_replay_buffer_stores_only_kept_transitions_in_order_whatever_env_they_come_from():
    buffer = MaskedReplayBuffer(6, BOX, BOX, device="cpu", n_envs=2)  # SB3 makes it 3 rows of 2 slots
    masks = [[True, False], [False, False], [True, True], [False, True], [True, True], [True, True]]
    kept = []
    for step, mask in enumerate(masks):
        buffer.set_next_mask(np.array(mask))
        observations = np.array([[step * 10.0], [step * 10.0 + 1]], dtype=np.float32)
        buffer.add(observations, observations + 0.5, np.zeros((2, 1)), np.ones(2), np.zeros(2), [{}, {}])
        kept += [step * 10.0 + env for env in range(2) if mask[env]]
    assert len(kept) == 8 and buffer.transitions() == 6 and buffer.full  # 3 rows x 2 slots, the oldest two replaced
    stored = buffer.observations.ravel().tolist()
    assert sorted(stored) == sorted(kept[-6:])
    np.testing.assert_array_equal(buffer.next_observations, buffer.observations + 0.5)
    empty = MaskedReplayBuffer(4, BOX, BOX, device="cpu", n_envs=2)
    empty.set_next_mask(np.array([False, True]))
    empty.add(np.zeros((2, 1)), np.zeros((2, 1)), np.zeros((2, 1)), np.ones(2), np.zeros(2), [{}, {}])
    assert empty.transitions() == 1 and not empty.holds_training_data()  # a row is sampled once it is whole


def test_a_replay_buffer_that_optimises_memory_is_refused():
    with pytest.raises(StudentError, match="optimize_memory_usage"):
        MaskedReplayBuffer(4, BOX, BOX, device="cpu", optimize_memory_usage=True, handle_timeout_termination=False)


@pytest.mark.parametrize("train_share", [0.0, 0.5])
def test_sac_never_stores_an_exploratory_transition(train_share):
    vec_env = make_vec_env(PENDULUM, 2, env_kwargs={"max_episode_steps": 5}, seed=0)
    model = make_student("sac", vec_env, preset="tiny", seed=0, device="cpu", learning_starts=20)
    before, steps = parameters(model), StepMasks()
    learn(model, scripted(vec_env, train_share), 200, steps)
    kept = int(np.sum(steps.masks))
    assert isinstance(model.replay_buffer, MaskedReplayBuffer) and type(model) is SAC
    assert model.replay_buffer.transitions() == kept
    assert (kept == 0) == (train_share == 0.0)
    assert same(parameters(model), before) == (kept == 0)  # with nothing stored, every update was skipped
    vec_env.close()


def test_a_replay_buffer_taken_over_keeps_its_transitions():
    plain = ReplayBuffer(4, BOX, BOX, device="cpu", n_envs=1)
    plain.add(np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1)), np.ones(1), np.zeros(1), [{}])
    masked = MaskedReplayBuffer.taking_over(plain)
    assert masked.transitions() == 1 and masked.holds_training_data()
    masked.set_next_mask(np.array([False]))
    masked.add(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)), np.ones(1), np.zeros(1), [{}])
    assert masked.transitions() == 1


def test_a_checkpoint_keeps_the_masked_replay_buffer_and_its_partly_filled_row(tmp_path):
    vec_env = make_vec_env(PENDULUM, 2, env_kwargs={"max_episode_steps": 5}, seed=0)
    model = make_student("sac", vec_env, preset="tiny", seed=0, device="cpu")
    learn(model, scripted(vec_env, 0.5), 40)
    saved = model.replay_buffer
    save_student(model, tmp_path)
    loaded = load_student("sac", tmp_path, vec_env, device="cpu")
    assert type(loaded) is SAC and isinstance(loaded.replay_buffer, MaskedReplayBuffer)
    assert saved.transitions() > 0
    assert (loaded.replay_buffer.transitions(), loaded.replay_buffer.slot) == (saved.transitions(), saved.slot)
    vec_env.close()
