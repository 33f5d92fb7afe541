"""Helpers shared by test modules (importable because pyproject.toml puts tests/ on pytest's pythonpath)."""

import gymnasium as gym
import numpy as np


def random_actions(space: gym.Space, seed: int, steps: int) -> list:
    """Seeded random actions valid for any registered env: uniform in [-1, 1] for a Box, uniform choices for a
    Discrete space."""
    rng = np.random.default_rng(seed)
    if isinstance(space, gym.spaces.Discrete):
        return [int(space.start + a) for a in rng.integers(space.n, size=steps)]
    return list(rng.uniform(-1, 1, (steps, *space.shape)).astype(np.float32))
