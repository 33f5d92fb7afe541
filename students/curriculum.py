"""The curriculum glue: a teacher chooses every episode's task, and learns from what the episode returned.

:class:`CurriculumCallback` does it inside SB3's ``learn()`` for vectorised envs (the teacher stays in the training
process, envs may be in subprocesses); :func:`run_curriculum` does it in a plain gymnasium loop. Both credit a
return to the task the finished episode reports (``info["task"]``), never to the last task sent, and report every
episode as an :class:`EpisodeRecord` (the curriculum trace).

Over 300 lines because the SB3 callback and the plain loop share the crediting rules (episode records, exploratory
episodes, value estimates), which must not drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import gymnasium as gym
import numpy as np
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import VecEnv

from teachgym.envs.simulated import SimulatedStudent
from teachgym.teachers import Teacher, has_exploratory_episodes, trains_on_last_sample, uses_value_estimates
from teachgym.validation import check_integer
from teachgym.vector.sb3_env import SharedMemoryVecEnv

from .algorithms import StudentError
from .exploration_mask import (
    TRAIN_STUDENT_KEY,
    MaskedBuffer,
    TrainStudentFlag,
    mask_exploratory_transitions,
    unmask_exploratory_transitions,
)
from .value_estimates import EpisodeStarts, original_observations, original_rewards, value_estimator


@dataclass(frozen=True)
class EpisodeRecord:
    """One finished episode of the curriculum trace.

    Attributes:
        timesteps: the student's total environment steps (over all envs) when the episode ended.
        env_index: which env of the VecEnv ran it (0 in a plain loop).
        task: the task the episode ran, as the env reported it (name -> value).
        episode_return: the sum of its rewards.
        length: its number of steps.
        success: the env's ``info["success"]`` at its end.
        trains_student: whether the student may learn from it (False for a teacher's exploratory episode, see
            :mod:`teachgym.teachers.exploratory_episodes`).
    """

    timesteps: int
    env_index: int
    task: dict[str, float]
    episode_return: float
    length: int
    success: bool
    trains_student: bool = True


EpisodeHandler = Callable[[EpisodeRecord], None]


class CurriculumCallback(BaseCallback):
    """An SB3 callback through which ``teacher`` chooses the task of every episode of every env.

    With envs from :mod:`teachgym.vector` (what ``make_vec_env`` builds for several envs), task control is exact:
    while ``learn()`` runs, the callback sees every finished episode inside the env step, before the env's
    autoreset; it credits the episode to the teacher, samples the teacher's next task and queues it with
    ``set_task(index, task)``, so that very sample is the task of the env's next episode.

    With other VecEnvs (``DummyVecEnv``, ``SubprocVecEnv``), tasks are sent with ``env_method("set_task", task,
    indices=[i])`` (``set_attr`` would stop at the outermost wrapper), so they take effect at the env's next reset.
    SB3 resets an env automatically the moment its episode ends, before the callback sees the end; so when env
    ``i`` finishes an episode, its next episode has already started with the task sent before, and the task sent now
    is for the episode after it. Every env thus runs the teacher's tasks in the order they were sampled, each once,
    with the teacher one episode behind (a task is chosen before the previous episode's result is known). Crediting
    is exact either way: a finished episode is credited to the task in its ``info["episode"]["task"]`` (envs from
    ``make_vec_env`` have it).

    Call :meth:`send_initial_tasks` before ``model.learn()`` so that the first episodes run teacher tasks: SB3
    resets the envs inside ``learn()`` before ``on_training_start``. Without it, training start sends the tasks and
    the first episode of every env runs the env's default task (credited to that task like any other).

    A teacher that uses the student's value estimates (Self-Paced) gets them as
    :mod:`teachgym.teachers.value_estimates` says: the model's :func:`~.value_estimates.value_estimator` at every
    training start, and before each update the episode's first raw observation, length and return discounted with
    the model's ``gamma``.

    A teacher with exploratory episodes (robust PLR) is honoured as :mod:`teachgym.teachers.exploratory_episodes`
    says: each task goes to its env with the teacher's answer (``set_task(task, train_student=...)``), and while
    ``learn()`` runs the model leaves out of its updates every transition whose step info says ``train_student``
    False (:mod:`~.exploration_mask`; the envs must come from ``make_vec_env``). Exploratory episodes are still
    reported to the teacher and to ``on_episode``.

    Args:
        teacher: chooses tasks and learns from the returns.
        on_episode: called with every finished episode's record (e.g. to write the curriculum trace).
        verbose: SB3's verbosity; 1 prints every episode.

    Attributes:
        episodes: how many episodes were reported (the caller may restore it when resuming).
    """

    def __init__(self, teacher: Teacher, *, on_episode: EpisodeHandler | None = None, verbose: int = 0):
        super().__init__(verbose)
        if not isinstance(teacher, Teacher):
            raise StudentError(f"CurriculumCallback needs a teachgym Teacher, got {type(teacher).__name__}")
        self.teacher = teacher
        self.on_episode = on_episode
        self.episodes = 0
        self._started = False
        self._episode_starts: EpisodeStarts | None = None
        self._explores = has_exploratory_episodes(teacher)
        self._mask: MaskedBuffer | None = None
        self._exact: SharedMemoryVecEnv | None = None

    def send_initial_tasks(self, vec_env: VecEnv) -> None:
        """Send one teacher task to every env of ``vec_env``, for its next reset (the one ``learn()`` does).

        A ``learn()`` that does not reset the envs (``reset_num_timesteps=False`` on envs already running) replaces
        these tasks at training start: they never run, and only episodes that ran are credited.
        """
        self._check_envs(vec_env)
        for index in range(vec_env.num_envs):
            self._send_task(vec_env, index)

    def _check_envs(self, vec_env: VecEnv) -> None:
        if self._explores and not all(vec_env.env_is_wrapped(TrainStudentFlag)):
            raise StudentError(f"teacher {self.teacher.name!r} has exploratory episodes, which must not train the "
                               f"student: build the envs with teachgym.students.make_vec_env (they carry the flag)")

    def _on_training_start(self) -> None:
        # Either learn() has just reset the envs with the initial tasks, or no task was sent yet. With exact task
        # control every env gets its next task when its episode ends; otherwise every env needs a teacher task
        # pending for its next episode now. A later learn() on the same callback continues as it was.
        self._exact = _exact_task_control(self.training_env)
        if not self._started:
            if self._exact is None:
                self.send_initial_tasks(self.training_env)
            else:
                self._check_envs(self.training_env)
            self._started = True
            if uses_value_estimates(self.teacher):
                # learn() has reset the envs: their observations (SB3 keeps them in _last_obs, with no public
                # accessor) are the first of the episodes now running.
                self._episode_starts = EpisodeStarts(
                    original_observations(self.training_env, self.model._last_obs), self.model.gamma)
        if uses_value_estimates(self.teacher):
            self.teacher.set_value_estimator(value_estimator(self.model))
        if self._explores:
            self._mask = mask_exploratory_transitions(self.model)
        if self._exact is not None:
            self._exact.set_episode_end_hook(self._on_episode_end)

    def _on_training_end(self) -> None:
        if self._explores:
            unmask_exploratory_transitions(self.model)
        if self._exact is not None:
            self._exact.set_episode_end_hook(None)
            self._exact = None

    def _on_episode_end(self, index: int, reward: float, info: dict) -> None:
        """Inside the env step, before env ``index``'s autoreset: credit its episode, queue its next task."""
        record = _episode_record(index, info, int(self.model.num_timesteps) + self.training_env.num_envs)
        if self._episode_starts is not None:
            initial_observation, discounted_return = self._episode_starts.ending(index, reward)
            self.teacher.record_episode(initial_observation, length=record.length,
                                        discounted_return=discounted_return)
        self._report(record)
        self._send_task(self.training_env, index)

    def _on_step(self) -> bool:
        infos, dones = self.locals["infos"], self.locals["dones"]
        if self._mask is not None:
            # Called before SB3 adds this step's transitions; each info is that of the episode that made the step.
            self._mask.set_next_mask(np.array([bool(info[TRAIN_STUDENT_KEY]) for info in infos]))
        starts = {} if self._episode_starts is None else self._episode_starts.step(
            original_rewards(self.training_env, self.locals["rewards"]), dones,
            original_observations(self.training_env, self.locals["new_obs"]))
        if self._exact is not None:
            return True  # every finished episode was credited inside the step
        for index in np.flatnonzero(dones):
            record = _episode_record(int(index), infos[index], int(self.num_timesteps))
            if int(index) in starts:
                initial_observation, discounted_return = starts[int(index)]
                self.teacher.record_episode(initial_observation, length=record.length,
                                            discounted_return=discounted_return)
            self._report(record)
            self._send_task(self.training_env, int(index))
        return True

    def _on_rollout_end(self) -> None:
        for name, value in self.teacher.metrics().items():
            self.logger.record(f"teacher/{name}", value)

    def _report(self, record: EpisodeRecord) -> None:
        _credit(self.teacher, record, self.on_episode)
        self.episodes += 1
        if self.verbose >= 1:
            print(f"episode {self.episodes} (env {record.env_index}, {record.timesteps} steps): "
                  f"return {record.episode_return:.1f} on {record.task}")

    def _send_task(self, vec_env: VecEnv, index: int) -> None:
        task = self.teacher.sample_task()
        flag = {"train_student": trains_on_last_sample(self.teacher)} if self._explores else {}
        exact = _exact_task_control(vec_env)
        if exact is not None:
            exact.set_task(index, task, **flag)
        else:
            vec_env.env_method("set_task", task, indices=[index], **flag)


def _exact_task_control(vec_env: VecEnv) -> SharedMemoryVecEnv | None:
    """The teachgym.vector env under ``vec_env``'s wrappers (the curriculum runs exactly on it), else None."""
    base = vec_env.unwrapped
    return base if isinstance(base, SharedMemoryVecEnv) else None


def _episode_record(index: int, info: dict, timesteps: int) -> EpisodeRecord:
    """The record of the episode env ``index`` finished, from its last step's ``info``."""
    episode = info.get("episode")
    if episode is None or "task" not in episode or "success" not in episode:
        raise StudentError(f"env {index} finished an episode without info['episode'] holding its task and "
                           f"success: build the envs with teachgym.students.make_vec_env")
    return EpisodeRecord(
        timesteps=timesteps,
        env_index=index,
        task={name: float(value) for name, value in episode["task"].items()},
        episode_return=float(episode["r"]),
        length=int(episode["l"]),
        success=bool(episode["success"]),
        trains_student=bool(info.get(TRAIN_STUDENT_KEY, True)),
    )


def run_curriculum(
    env: gym.Env,
    teacher: Teacher,
    act: Callable[[np.ndarray], np.ndarray],
    episodes: int,
    *,
    on_episode: EpisodeHandler | None = None,
    seed: int | None = None,
) -> list[EpisodeRecord]:
    """Run ``episodes`` episodes of ``env`` in a plain loop, each on a task the teacher chooses, without SB3.

    Every episode starts with ``env.reset(options={"task": teacher.sample_task()})`` (the first with ``seed``) and
    runs ``act(observation) -> action`` until it terminates or is truncated; the teacher is then updated with the
    task the env reported, the return and ``info["success"]``. A simulated student is run with any ``act``. A
    teacher that uses value estimates is first told the episode's first observation, length and (undiscounted: a
    plain loop has no discount factor) return; its value estimator, if any, is the caller's to set. A teacher's
    exploratory episodes have ``trains_student`` False in their record, and run a simulated student with
    ``learning = False`` (its competence stays as it was).

    For several envs in your own RL code, :func:`teachgym.vector.make_gym_vec_env` gives a gymnasium ``VectorEnv``
    whose ``set_task(index, task)`` sets the task of env ``index``'s next episode (its next-step autoreset included).
    A CleanRL-style loop with a teacher (``agent`` stands for your policy; store transitions and update it as
    CleanRL's PPO or SAC does, skipping the autoreset steps)::

        import numpy as np

        import teachgym
        from teachgym.teachers import make_teacher
        from teachgym.vector import make_gym_vec_env

        total_steps = 20_000
        envs = make_gym_vec_env("teachgym/StumpTracks-v0", 8, workers=2, env_kwargs={"body": "classic_bipedal"})
        knowledge = envs.call("expert_knowledge")[0]
        teacher = make_teacher("alp-gmm", envs.task_space, seed=0, reward_range=knowledge.reward_range)
        rng = np.random.default_rng(0)
        agent = lambda observations: rng.uniform(-1.0, 1.0, envs.action_space.shape)  # your policy
        for index in range(envs.num_envs):  # the first episodes run teacher tasks too
            envs.set_task(index, teacher.sample_task())
        observations, infos = envs.reset(seed=0)
        returns = np.zeros(envs.num_envs)
        for step in range(total_steps // envs.num_envs):
            actions = agent(observations)
            observations, rewards, terminations, truncations, infos = envs.step(actions)
            returns += rewards  # 0 at an autoreset step
            for index in np.flatnonzero(terminations | truncations):
                task = [infos["task"][name][index] for name in envs.task_space.names]
                teacher.update(task, returns[index], success=bool(infos["success"][index]))
                envs.set_task(index, teacher.sample_task())  # exactly this env's next episode
                returns[index] = 0.0
        envs.close()

    Returns:
        One record per episode, in order; ``timesteps`` counts the steps of this loop.

    Raises:
        StudentError: if ``episodes`` is not a non-negative integer.
    """
    check_integer("episodes", episodes, minimum=0, error=StudentError)
    records: list[EpisodeRecord] = []
    timesteps = 0
    simulated = env.unwrapped if isinstance(env.unwrapped, SimulatedStudent) else None
    for episode in range(episodes):
        task = teacher.sample_task()
        trains_student = trains_on_last_sample(teacher)
        if simulated is not None:
            simulated.learning = trains_student
        try:
            observation, info = env.reset(seed=seed if episode == 0 else None, options={"task": task})
            initial_observation = observation
            episode_return, length, done = 0.0, 0, False
            while not done:
                observation, reward, terminated, truncated, info = env.step(act(observation))
                episode_return += float(reward)
                length += 1
                done = terminated or truncated
        finally:
            if simulated is not None:
                simulated.learning = True
        timesteps += length
        record = EpisodeRecord(timesteps, 0, dict(info["task"]), episode_return, length, bool(info["success"]),
                               trains_student)
        records.append(record)
        if uses_value_estimates(teacher):
            teacher.record_episode(initial_observation, length=length, discounted_return=episode_return)
        _credit(teacher, record, on_episode)
    return records


def _credit(teacher: Teacher, record: EpisodeRecord, on_episode: EpisodeHandler | None) -> None:
    teacher.update(record.task, record.episode_return, success=record.success)
    if on_episode is not None:
        on_episode(record)
