"""Registration of every teachgym environment with gymnasium, under the ``teachgym/`` namespace.

Environments are rows over a few classes (id, entry point, episode limit). Entry points are strings, so Box2D and
the other simulators are imported only when an environment is made. Registering twice is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

NAMESPACE = "teachgym"


@dataclass(frozen=True)
class EnvRow:
    """One registered id: its class (as an import string), its truncation limit and fixed constructor kwargs."""

    id: str
    entry_point: str
    max_episode_steps: int
    kwargs: dict[str, Any] = field(default_factory=dict)


ENV_ROWS: tuple[EnvRow, ...] = (
    EnvRow(f"{NAMESPACE}/StumpTracks-v0", "teachgym.envs.walkers.stump_tracks:StumpTracks", 2000),
    EnvRow(f"{NAMESPACE}/HexagonTracks-v0", "teachgym.envs.walkers.hexagon_tracks:HexagonTracks", 2000),
    EnvRow(f"{NAMESPACE}/Parkour-v0", "teachgym.envs.walkers.parkour.env:Parkour", 2000),
    # Simulated students: one-step episodes; a limit of 1 would truncate every episode, which gymnasium's checker
    # rejects, so 2 (never reached).
    EnvRow(f"{NAMESPACE}/SimulatedStudent-v0", "teachgym.envs.simulated.student:SimulatedStudent", 2),
    EnvRow(f"{NAMESPACE}/SimulatedStudent-Infeasible-v0", "teachgym.envs.simulated.student:SimulatedStudent", 2,
           {"difficulty_x": (0.0, 3.0), "difficulty_y": (0.0, 3.0)}),
    EnvRow(f"{NAMESPACE}/SimulatedStudent-Distractors-v0", "teachgym.envs.simulated.student:SimulatedStudent", 2,
           {"n_distractors": 4}),
    EnvRow(f"{NAMESPACE}/SimulatedStudent-Forgetting-v0", "teachgym.envs.simulated.student:SimulatedStudent", 2,
           {"forgetting_rate": 0.0003}),
    EnvRow(f"{NAMESPACE}/SimulatedStudent-Rugged-v0", "teachgym.envs.simulated.student:SimulatedStudent", 2,
           {"rugged_intervals": 4, "rugged_seed": 0}),
    EnvRow(f"{NAMESPACE}/SimulatedStudent-Staircase-v0", "teachgym.envs.simulated.staircase:StaircaseStudent", 2),
    # gymnasium's classic-control and Box2D tasks with physical task parameters, with gymnasium's episode limits
    EnvRow(f"{NAMESPACE}/CartPole-v0", "teachgym.envs.classic.cartpole:CartPole", 500),
    EnvRow(f"{NAMESPACE}/Pendulum-v0", "teachgym.envs.classic.pendulum:Pendulum", 200),
    EnvRow(f"{NAMESPACE}/MountainCarContinuous-v0", "teachgym.envs.classic.mountain_car:MountainCarContinuous", 999),
    EnvRow(f"{NAMESPACE}/Acrobot-v0", "teachgym.envs.classic.acrobot:Acrobot", 500),
    EnvRow(f"{NAMESPACE}/LunarLanderContinuous-v0", "teachgym.envs.classic.lunar_lander:LunarLanderContinuous", 1000),
)


def register_envs() -> None:
    """Register every row of :data:`ENV_ROWS` that gymnasium does not know yet."""
    for row in ENV_ROWS:
        if row.id not in gym.registry:
            gym.register(
                id=row.id,
                entry_point=row.entry_point,
                max_episode_steps=row.max_episode_steps,
                kwargs=dict(row.kwargs),
            )


def env_ids() -> list[str]:
    """Every teachgym environment id, in registration order."""
    return [row.id for row in ENV_ROWS]
