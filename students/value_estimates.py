"""The student's side of the value-estimate protocol (:mod:`teachgym.teachers.value_estimates`): an SB3 model's
value of raw observations, and the per-env bookkeeping of each episode's first observation and discounted return.
"""

from __future__ import annotations

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv, unwrap_vec_normalize

from teachgym.teachers import ValueEstimator

from .algorithms import StudentError


def value_estimator(model: BaseAlgorithm) -> ValueEstimator:
    """The value estimator of ``model``: raw observations ``(n, *shape)`` -> ``n`` values (float64).

    Observations are normalised as the model sees them (its env's ``VecNormalize``, with the statistics current at
    the call) and valued by the policy current at the call (so a re-initialised student is valued as it is now):
    the value head of an actor-critic (PPO, A2C), or the smallest of the Q critics at the deterministic action of
    the actor (SAC, TD3, DDPG: ``min_k Q_k(s, pi(s))``).

    Raises:
        StudentError: for a model with neither a value head nor Q critics.
    """
    if not (hasattr(model.policy, "predict_values") or hasattr(model.policy, "critic")):
        raise StudentError(f"{type(model).__name__} has neither a value head nor a Q critic: it cannot estimate "
                           f"values for a teacher that needs them (use PPO, A2C, SAC, TD3 or DDPG)")

    def estimate(observations: np.ndarray) -> np.ndarray:
        normalize = unwrap_vec_normalize(model.get_env())
        observations = np.asarray(observations, dtype=np.float32)
        if normalize is not None:
            observations = normalize.normalize_obs(observations)
        policy = model.policy
        was_training = policy.training
        policy.set_training_mode(False)
        try:
            with torch.no_grad():
                tensor, _ = policy.obs_to_tensor(observations)
                if hasattr(policy, "predict_values"):
                    values = policy.predict_values(tensor)
                else:
                    actions = policy(tensor, deterministic=True)
                    values = torch.cat(policy.critic(tensor, actions), dim=1).min(dim=1).values
        finally:
            policy.set_training_mode(was_training)
        return values.reshape(-1).double().cpu().numpy()

    return estimate


class EpisodeStarts:
    """Per env of a VecEnv: the running episode's first raw observation and its discounted return so far.

    Args:
        observations: the envs' current raw observations (each the first of a running episode).
        gamma: the student's discount factor.
    """

    def __init__(self, observations: np.ndarray, gamma: float):
        self.initial_observations = np.array(observations, dtype=np.float64)
        self.gamma = float(gamma)
        self.discounted_returns = np.zeros(len(self.initial_observations))
        self._discounts = np.ones(len(self.initial_observations))

    def step(self, rewards: np.ndarray, dones: np.ndarray,
             observations: np.ndarray) -> dict[int, tuple[np.ndarray, float]]:
        """Account one VecEnv step (raw rewards, dones, and the raw observations it returned, which for a finished
        env are the first of its next episode); returns ``{env index: (initial observation, discounted return)}``
        of the episodes that ended."""
        self.discounted_returns += self._discounts * np.asarray(rewards, dtype=np.float64)
        self._discounts *= self.gamma
        ended = {}
        for index in np.flatnonzero(dones):
            ended[int(index)] = (self.initial_observations[index].copy(), float(self.discounted_returns[index]))
            self.initial_observations[index] = observations[index]
            self.discounted_returns[index], self._discounts[index] = 0.0, 1.0
        return ended

    def ending(self, index: int, reward: float) -> tuple[np.ndarray, float]:
        """What :meth:`step` will report for env ``index`` if its episode ends at the next step with ``reward``:
        its first observation and discounted return (for a caller that must know before the step is accounted)."""
        return self.initial_observations[index].copy(), float(self.discounted_returns[index]
                                                               + self._discounts[index] * np.float64(reward))


def original_observations(vec_env: VecEnv, observations: np.ndarray) -> np.ndarray:
    """The envs' latest observations as the envs returned them: ``observations`` (what the model got) unless a
    ``VecNormalize`` wraps the envs, whose unnormalised originals are returned."""
    normalize = unwrap_vec_normalize(vec_env)
    return normalize.get_original_obs() if normalize is not None else observations


def original_rewards(vec_env: VecEnv, rewards: np.ndarray) -> np.ndarray:
    """The latest rewards as the envs returned them (before any ``VecNormalize`` reward scaling)."""
    normalize = unwrap_vec_normalize(vec_env)
    return normalize.get_original_reward() if normalize is not None else rewards
