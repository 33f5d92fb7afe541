"""Small envs and drivers shared by the teachgym.vector tests."""

from __future__ import annotations

import time

import gymnasium as gym
import numpy as np

PENDULUM = "teachgym/Pendulum-v0"
CARTPOLE = "teachgym/CartPole-v0"
STUMPS = "teachgym/StumpTracks-v0"


class EpisodeLengths(gym.Wrapper):
    """Truncates the env's k-th episode after ``lengths[k % len(lengths)]`` steps (Pendulum never terminates, so
    its episodes are exactly as long as chosen)."""

    def __init__(self, env: gym.Env, lengths: tuple[int, ...]):
        super().__init__(env)
        self.lengths = lengths
        self.episodes = -1
        self.steps = 0

    def reset(self, **kwargs):
        self.episodes += 1
        self.steps = 0
        return self.env.reset(**kwargs)

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.steps += 1
        limit = self.lengths[self.episodes % len(self.lengths)]
        return observation, reward, terminated, truncated or self.steps >= limit, info


class SlowSteps(gym.Wrapper):
    """Sleeps ``seconds`` in every step: a worker still busy when its next command comes."""

    def __init__(self, env: gym.Env, seconds: float):
        super().__init__(env)
        self.seconds = seconds

    def step(self, action):
        time.sleep(self.seconds)
        return self.env.step(action)


class Crashes(gym.Wrapper):
    """Raises a ValueError from ``crash()`` (an env error inside a worker)."""

    def crash(self, message: str) -> None:
        raise ValueError(message)


def random_actions(space: gym.Space, n_envs: int, steps: int, seed: int) -> np.ndarray:
    """``steps`` batches of ``n_envs`` actions of ``space`` from one seeded generator."""
    rng = np.random.default_rng(seed)
    if isinstance(space, gym.spaces.Discrete):
        return rng.integers(space.n, size=(steps, n_envs))
    return rng.uniform(space.low, space.high, size=(steps, n_envs, *space.shape)).astype(space.dtype)
