"""The SB3 side of exploratory episodes (:mod:`teachgym.teachers.exploratory_episodes`): the student does not learn
from an episode its teacher ran only to score the task.

Three pieces, which :class:`~teachgym.students.CurriculumCallback` puts together when its teacher
:func:`~teachgym.teachers.has_exploratory_episodes`:

- :class:`TrainStudentFlag`, an env wrapper (every env of :func:`~teachgym.students.make_vec_env` has it), carries
  the teacher's answer with the task: ``set_task(task, train_student=False)``; from the env's next reset on, every
  reset and step reports it in ``info["train_student"]``. So each transition says whether its own episode may train
  the student, whatever the lag between sending a task and running it (SB3 resets an env the moment its episode
  ends, with the task sent one episode earlier);
- :func:`mask_exploratory_transitions` gives the model a buffer that takes one mask per vector step
  (``set_next_mask``, called from the callback's ``_on_step``, which SB3 runs before it adds the step's transitions):
  :class:`MaskedRolloutBuffer` (PPO, A2C) keeps every transition, so that advantages are computed over whole
  episodes, and leaves the masked ones out of every minibatch; :class:`MaskedReplayBuffer` (SAC, TD3, DDPG) never
  stores the masked ones;
- while the mask is on, the model skips an update that has no transition to learn from (a rollout of exploratory
  episodes only, an empty replay buffer), where SB3 would train on nothing or fail; its parameters and optimiser
  state stay as they were. (The model's class is then a subclass of its own that adds only this check;
  :func:`unmask_exploratory_transitions` puts the class back, the callback does so when training ends.)
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from functools import cache
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.buffers import ReplayBuffer, RolloutBuffer
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.type_aliases import RolloutBufferSamples

from .algorithms import StudentError

TRAIN_STUDENT_KEY = "train_student"
# The arrays RolloutBuffer.get flattens (env-major) before it samples minibatches; SB3 2.x names them so.
_ROLLOUT_ARRAYS = ("observations", "actions", "values", "log_probs", "advantages", "returns")


class TrainStudentFlag(gym.Wrapper):
    """Carries whether the student may learn from an episode with its task into the env, and reports it back.

    ``set_task(task, train_student=...)`` sets the task of the following resets (the env's own ``set_task``) and the
    flag that goes with it; every reset and step then puts the running episode's flag into ``info["train_student"]``.
    A task given with ``reset(options={"task": ...})`` is not a teacher's: its episode trains the student.
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self._pending_flag = True
        self._running_flag = True

    def set_task(self, task: Any, *, train_student: bool = True) -> None:
        """The env's ``set_task(task)``, then ``train_student`` for the episodes that run the task.

        Raises:
            TaskError: for a task outside the env's task space (the pending task and flag are left unchanged).
        """
        self.env.get_wrapper_attr("set_task")(task)
        self._pending_flag = bool(train_student)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        observation, info = self.env.reset(seed=seed, options=options)
        given = isinstance(options, Mapping) and options.get("task") is not None
        self._running_flag = True if given else self._pending_flag
        info[TRAIN_STUDENT_KEY] = self._running_flag
        return observation, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        info[TRAIN_STUDENT_KEY] = self._running_flag
        return observation, reward, terminated, truncated, info


class MaskedRolloutBuffer(RolloutBuffer):
    """A ``RolloutBuffer`` whose minibatches hold only the transitions that may train the student.

    Every transition is stored (returns and advantages are computed over the whole rollout, so a kept episode's
    advantages are exactly SB3's: they never reach across an episode start); ``get`` shuffles and batches the kept
    ones only. Without any mask it is SB3's buffer, random draws included.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        self._next_mask: np.ndarray | None = None
        super().__init__(*args, **kwargs)

    def reset(self) -> None:
        super().reset()
        self.trains_student = np.ones((self.buffer_size, self.n_envs), dtype=bool)

    def set_next_mask(self, mask: Any) -> None:
        """Whether each env's transition in the next ``add`` may train the student (one bool per env)."""
        self._next_mask = _checked_mask(mask, self.n_envs)

    def add(self, *args: Any, **kwargs: Any) -> None:
        if self._next_mask is not None:
            self.trains_student[self.pos] = self._next_mask
            self._next_mask = None
        super().add(*args, **kwargs)

    def holds_training_data(self) -> bool:
        """Whether any transition of the rollout may train the student."""
        return bool(self.trains_student.any())

    def get(self, batch_size: int | None = None) -> Generator[RolloutBufferSamples, None, None]:
        if self.trains_student.all():
            yield from super().get(batch_size)
            return
        if not self.full:
            raise StudentError("the rollout buffer is not full: SB3 samples a rollout only once it is collected")
        kept = np.flatnonzero(self.trains_student.swapaxes(0, 1).reshape(-1))
        indices = kept[np.random.permutation(len(kept))]  # SB3's generator, for reproducible seeds
        if not self.generator_ready:
            for name in _ROLLOUT_ARRAYS:
                self.__dict__[name] = self.swap_and_flatten(self.__dict__[name])
            self.generator_ready = True
        batch_size = batch_size or len(indices)
        for start in range(0, len(indices), batch_size):
            yield self._get_samples(indices[start:start + batch_size])


class MaskedReplayBuffer(ReplayBuffer):
    """A ``ReplayBuffer`` that stores only the transitions that may train the student.

    SB3's buffer is a grid of ``buffer_size`` rows by ``n_envs`` slots, each slot one whole transition; this one
    fills the slots in order with the kept transitions (whichever env they come from), so masked ones take no room.
    A row is sampled once its slots are all filled, as in SB3. Without any mask it is SB3's buffer. It cannot
    ``optimize_memory_usage`` (there, a transition's next observation is the next row's observation of its env).

    Raises:
        StudentError: with ``optimize_memory_usage=True``.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _check_plain_slots(self)
        self._next_mask: np.ndarray | None = None
        self.slot = 0

    @classmethod
    def taking_over(cls, buffer: ReplayBuffer) -> MaskedReplayBuffer:
        """A masked buffer holding ``buffer``'s transitions (its arrays, not copies).

        Raises:
            StudentError: if ``buffer`` optimises memory usage.
        """
        _check_plain_slots(buffer)
        masked = cls.__new__(cls)
        masked.__dict__.update(buffer.__dict__)
        masked._next_mask, masked.slot = None, 0
        return masked

    def reset(self) -> None:
        super().reset()
        self.slot = 0

    def set_next_mask(self, mask: Any) -> None:
        """Whether each env's transition in the next ``add`` may train the student (one bool per env)."""
        self._next_mask = _checked_mask(mask, self.n_envs)

    def holds_training_data(self) -> bool:
        """Whether a transition can be sampled (a row is whole)."""
        return self.full or self.pos > 0

    def transitions(self) -> int:
        """How many transitions the buffer holds (those of a row still being filled included)."""
        return self.buffer_size * self.n_envs if self.full else self.pos * self.n_envs + self.slot

    def add(self, obs: np.ndarray, next_obs: np.ndarray, action: np.ndarray, reward: np.ndarray, done: np.ndarray,
            infos: list[dict[str, Any]]) -> None:
        mask, self._next_mask = self._next_mask, None
        if self.slot == 0 and (mask is None or mask.all()):
            super().add(obs, next_obs, action, reward, done, infos)
            return
        if mask is None:
            mask = np.ones(self.n_envs, dtype=bool)
        obs = np.asarray(obs).reshape((self.n_envs, *self.obs_shape))
        next_obs = np.asarray(next_obs).reshape((self.n_envs, *self.obs_shape))
        action = np.asarray(action).reshape((self.n_envs, self.action_dim))
        reward, done = np.asarray(reward).reshape(self.n_envs), np.asarray(done).reshape(self.n_envs)
        for env in np.flatnonzero(mask):
            row, slot = self.pos, self.slot
            self.observations[row, slot] = obs[env]
            self.next_observations[row, slot] = next_obs[env]
            self.actions[row, slot] = action[env]
            self.rewards[row, slot] = reward[env]
            self.dones[row, slot] = done[env]
            if self.handle_timeout_termination:
                self.timeouts[row, slot] = infos[env].get("TimeLimit.truncated", False)
            self.slot += 1
            if self.slot == self.n_envs:
                self.slot = 0
                self.pos += 1
                if self.pos == self.buffer_size:
                    self.full, self.pos = True, 0


MaskedBuffer = MaskedRolloutBuffer | MaskedReplayBuffer


def mask_exploratory_transitions(model: BaseAlgorithm) -> MaskedBuffer:
    """Prepare ``model`` to leave masked transitions out of its updates (see the module docs): give it a masked
    buffer (its replay buffer's transitions are kept) and skip updates with nothing to learn from.

    Returns:
        The buffer that takes a mask per vector step (``set_next_mask``).

    Raises:
        StudentError: for an algorithm or a buffer class other than SB3's plain ones (e.g. a Dict observation
            buffer, HER), or a replay buffer that optimises memory usage.
    """
    if isinstance(model, OnPolicyAlgorithm):
        buffer = model.rollout_buffer
        if not isinstance(buffer, MaskedRolloutBuffer):
            _check_buffer_class(model, buffer, RolloutBuffer)
            buffer = MaskedRolloutBuffer(buffer.buffer_size, buffer.observation_space, buffer.action_space,
                                         device=buffer.device, gae_lambda=buffer.gae_lambda, gamma=buffer.gamma,
                                         n_envs=buffer.n_envs)
            model.rollout_buffer = buffer
    elif isinstance(model, OffPolicyAlgorithm):
        buffer = model.replay_buffer
        if not isinstance(buffer, MaskedReplayBuffer):
            _check_buffer_class(model, buffer, ReplayBuffer)
            buffer = MaskedReplayBuffer.taking_over(buffer)
            model.replay_buffer = buffer
    else:
        raise StudentError(f"{type(model).__name__} is neither an on-policy nor an off-policy SB3 algorithm: it cannot "
                           f"leave a teacher's exploratory episodes out of its updates")
    buffer._next_mask = None  # a mask left from an interrupted step (or pickled with a checkpoint) is stale
    if not _skips_updates_without_data(model):
        model.__class__ = _skipping_class(type(model))
    return buffer


def unmask_exploratory_transitions(model: BaseAlgorithm) -> None:
    """Give ``model`` its own class back (its masked buffer stays; without masks it behaves as SB3's)."""
    if _skips_updates_without_data(model):
        model.__class__ = type(model).student_class


@cache
def _skipping_class(cls: type[BaseAlgorithm]) -> type[BaseAlgorithm]:
    """``cls`` with a ``train`` that does nothing while the buffer holds no transition that may train the student
    (a direct subclass adding no attribute, so that a model's class can be switched to it and back)."""

    def train(self: BaseAlgorithm, *args: Any, **kwargs: Any) -> None:
        buffer = self.rollout_buffer if isinstance(self, OnPolicyAlgorithm) else self.replay_buffer
        if buffer.holds_training_data():
            cls.train(self, *args, **kwargs)

    return type(cls.__name__, (cls,), {"__module__": __name__, "train": train, "student_class": cls})


def _skips_updates_without_data(model: BaseAlgorithm) -> bool:
    return "student_class" in vars(type(model))


def _check_buffer_class(model: BaseAlgorithm, buffer: Any, expected: type) -> None:
    if type(buffer) is not expected:
        raise StudentError(f"{type(model).__name__} uses a {type(buffer).__name__}: exploratory episodes can be left "
                           f"out of SB3's {expected.__name__} only (vector observations, no HER)")


def _check_plain_slots(buffer: ReplayBuffer) -> None:
    if buffer.optimize_memory_usage:
        raise StudentError("a replay buffer with optimize_memory_usage=True cannot leave out exploratory "
                           "transitions (a transition's next observation is the next row's); set it to False")


def _checked_mask(mask: Any, n_envs: int) -> np.ndarray:
    mask = np.asarray(mask)
    if mask.shape != (n_envs,) or mask.dtype != bool:
        raise StudentError(f"a transition mask is one bool per env ({n_envs}), got {mask!r}")
    return mask.copy()
