"""Pendulum swing-up with the pendulum's length and mass, gravity and the motor's torque as the task."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.envs.classic_control.pendulum import PendulumEnv

from ...task_space import TaskSpace
from .base import ClassicEnv

EPISODE_STEPS = 200  # Pendulum-v1's episode limit
# Success: the pendulum is held up for the last UPRIGHT_STEPS steps (2.5 s), every one of them rewarded at least
# UPRIGHT_REWARD, i.e. angle^2 + 0.1 * angular_velocity^2 <= 0.1: within 18 degrees of upright and nearly still.
UPRIGHT_STEPS = 50
UPRIGHT_REWARD = -0.1
MAX_TORQUE_BOUND = 2.0  # the space's strongest motor, which bounds the torque cost in REWARD_RANGE
# gymnasium's worst step cost: angle pi, angular velocity at its clip (8), torque at the strongest motor
WORST_STEP_COST = math.pi**2 + 0.1 * 8**2 + 0.001 * MAX_TORQUE_BOUND**2


class Pendulum(ClassicEnv, PendulumEnv):
    """
    ## Description
    Gymnasium's inverted pendulum (`Pendulum-v1`): swing a pendulum up from a random position with a motor too weak
    to lift it directly, and hold it upright. The pendulum's length and mass, gravity and the motor's maximal torque
    are the task: the heavier, longer and more strongly pulled the pendulum and the weaker the motor, the more
    swings it takes, until it cannot be brought up in the 200 steps of an episode. This is gymnasium's
    `PendulumEnv`; a task sets the attributes its dynamics read (`l`, `m`, `g`, `max_torque`).

    ## Action Space
    `Box(-1, 1, (1,), float32)`: the torque as a share of the task's `max_torque`. This is the one change to
    gymnasium's interface: gymnasium's action is the torque itself, in `[-2, 2]`, which both env checkers flag.
    An action `a` here is gymnasium's action `a * max_torque`, so at the default task (`max_torque` 2) the env
    reproduces `Pendulum-v1` exactly given the actions `2 a`.

    ## Observation Space
    `Box(float32)` of `cos(angle)`, `sin(angle)` and the angular velocity (clipped at +-8 rad/s by the dynamics), as
    gymnasium's; the angle is 0 upright.

    ## Rewards
    `-(angle^2 + 0.1 * angular_velocity^2 + 0.001 * torque^2)` per step (gymnasium's), the angle normalised to
    [-pi, pi]: from about -16.3 to 0 per step.

    ## Starting State
    A uniform random angle in [-pi, pi] and angular velocity in [-1, 1], as gymnasium's.

    ## Episode End
    Never terminated; truncated after 200 steps when made through `gymnasium.make`, as `Pendulum-v1`.
    `info["success"]` is True when the pendulum has been held up for the last 50 steps (2.5 s): every one of them
    rewarded at least -0.1, i.e. within about 18 degrees of upright and nearly still. The pendulum has no terminal
    goal and its return depends heavily on where it starts (a swing-up from the bottom costs hundreds), so
    success is judged on how the episode ends, which any start allows when the task is feasible.

    ## Task Parameters
    | name | bounds | default | meaning |
    |---|---|---|---|
    | `length` | [1, 2] | 1 | length of the pendulum (a uniform rod) in m |
    | `mass` | [1, 2] | 1 | mass of the pendulum in kg |
    | `gravity` | [10, 15] | 10 | gravitational acceleration in m/s^2 |
    | `max_torque` | [0.5, 2] | 2 | the motor's maximal torque in N m |

    The default task is gymnasium's and the easy corner of the space. gymnasium clips the angular velocity at 8
    rad/s, so in strong gravity a short pendulum cannot swing up by pumping alone, and a weak motor needs more
    swings than an episode has: an energy-pumping controller with a linear-quadratic balance succeeds at the default
    task from every start; over the space, it succeeds at a third of the tasks from most starts and at a quarter
    from none.

    ## Arguments
    - `render_mode`: None, `"rgb_array"` or `"human"` (gymnasium's rendering, which draws every pendulum alike).
    - `**task_bounds`: `name=(low, high)` overrides of the task parameters' bounds.

    ## Version History
    - v0: initial version (gymnasium's `Pendulum-v1` at the default task, actions scaled to [-1, 1]).
    """

    DEFAULT_TASK_SPACE = TaskSpace(
        {"length": (1.0, 2.0), "mass": (1.0, 2.0), "gravity": (10.0, 15.0), "max_torque": (0.5, MAX_TORQUE_BOUND)},
        default={"length": 1.0, "mass": 1.0, "gravity": 10.0, "max_torque": MAX_TORQUE_BOUND},
    )
    GYMNASIUM_ID = "Pendulum-v1"
    REWARD_RANGE = (-WORST_STEP_COST * EPISODE_STEPS, 0.0)
    REWARD_THRESHOLDS = (-1000.0, -200.0)  # about a failed swing-up / a swing-up held from early on

    def __init__(self, render_mode: str | None = None, **task_bounds: tuple[float, float]):
        PendulumEnv.__init__(self, render_mode=render_mode)
        self._init_task_space(render_mode, task_bounds)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        # gymnasium's action, the torque, in the action space's dtype: one buffer for every step (gymnasium's step
        # copies it), as a fresh array would cost 5% of a step
        self._torque = np.zeros(1, dtype=np.float32)
        self._upright_steps = 0

    def _apply_task(self, length: float, mass: float, gravity: float, max_torque: float) -> None:
        self.l = length
        self.m = mass
        self.g = gravity
        self.max_torque = max_torque

    def _start_episode(self) -> None:
        self._upright_steps = 0

    def _step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Gymnasium's step on the torque ``action * max_torque`` (in float32), with the success in the
        info."""
        torque = self._torque
        torque[0] = action[0] * self.max_torque
        result = PendulumEnv.step(self, torque)
        self._upright_steps = self._upright_steps + 1 if result[1] >= UPRIGHT_REWARD else 0
        info = result[4]
        info["success"] = self._upright_steps >= UPRIGHT_STEPS
        return result
