"""Continuous mountain car with the engine's power, the goal's position and the hills' steepness as the task."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from gymnasium.envs.classic_control.continuous_mountain_car import Continuous_MountainCarEnv

from ...task_space import TaskSpace
from .base import ClassicEnv

# gymnasium's valley: height 0.45 * sin(3 x) + 0.55, and the matching pull of gravity 0.0025 * cos(3 x) per step,
# both scaled here by the task's hill steepness.
HILL_AMPLITUDE = 0.45
HILL_BASE = 0.55
HILL_FREQUENCY = 3.0
HILL_GRAVITY = 0.0025
GOAL_REWARD = 100.0
ACTION_COST = 0.1  # per squared action
EPISODE_STEPS = 999  # MountainCarContinuous-v0's episode limit


class MountainCarContinuous(ClassicEnv, Continuous_MountainCarEnv):
    """
    ## Description
    Gymnasium's continuous mountain car (`MountainCarContinuous-v0`): an underpowered car in a valley must rock
    back and forth to build up the momentum to reach the flag on the right hill. The engine's power, the flag's
    position and the steepness of the hills are the task: a weak engine in steep hills can never reach a high flag.

    This is gymnasium's `Continuous_MountainCarEnv` with its `power` and `goal_position` set from the task, but
    with its own `step`: gymnasium hard-codes the hills' shape in its step (the pull of gravity
    `0.0025 * cos(3 x)`) and in its drawing (`_height`). Both are rewritten here with the task's
    `hill_steepness` as a factor on the hills' height, and otherwise as gymnasium's, operation for operation, so
    the default task is `MountainCarContinuous-v0` exactly.

    ## Action Space
    `Box(-1, 1, (1,), float32)`: the engine's force as a share of the task's `power`, as gymnasium's.

    ## Observation Space
    `Box(float32)` of position in [-1.2, 0.6] and velocity in [-0.07, 0.07] (clipped by the dynamics), as
    gymnasium's.

    ## Rewards
    +100 on reaching the flag, minus `0.1 * action^2` every step (gymnasium's): from -99.9 to 100 per episode.

    ## Starting State
    Position uniform in [-0.6, -0.4], velocity 0, as gymnasium's.

    ## Episode End
    Terminated when the car reaches the task's `goal_position` with a non-negative velocity; truncated after 999
    steps when made through `gymnasium.make`, as `MountainCarContinuous-v0`. `info["success"]` is True on that
    termination: the car reached the flag.

    ## Task Parameters
    | name | bounds | default | meaning |
    |---|---|---|---|
    | `power` | [0.0002, 0.0015] | 0.0015 | velocity change per step at full throttle |
    | `goal_position` | [0.45, 0.6] | 0.45 | position of the flag (0.6 is the right wall) |
    | `hill_steepness` | [1, 2.5] | 1 | height of the hills as a multiple of gymnasium's (0.45) |

    The default task is gymnasium's and the easy corner of the space. The velocity is clipped at 0.07 per step, so
    steep hills cannot be climbed on momentum alone and the engine must outpull gravity near the flag, which a
    weak engine cannot: rocking at full throttle (the fastest way up) reaches the flag in about 60% of the space and
    never in the other 40%.
    The right hill's crest is at x = pi/6 (0.52); a flag beyond it is reached by rolling on, so `goal_position`
    mostly matters up to the crest.

    ## Arguments
    - `render_mode`: None, `"rgb_array"` or `"human"` (gymnasium's rendering with the task's hills and flag;
      hills steeper than about 1.2 reach above the frame).
    - `**task_bounds`: `name=(low, high)` overrides of the task parameters' bounds.

    ## Version History
    - v0: initial version (gymnasium's `MountainCarContinuous-v0` at the default task).
    """

    DEFAULT_TASK_SPACE = TaskSpace(
        {"power": (0.0002, 0.0015), "goal_position": (0.45, 0.6), "hill_steepness": (1.0, 2.5)},
        default={"power": 0.0015, "goal_position": 0.45, "hill_steepness": 1.0},
    )
    GYMNASIUM_ID = "MountainCarContinuous-v0"
    REWARD_RANGE = (-ACTION_COST * EPISODE_STEPS, GOAL_REWARD)
    REWARD_THRESHOLDS = (0.0, 90.0)  # below 0: the flag was never reached; 90: MountainCarContinuous-v0's threshold

    def __init__(self, render_mode: str | None = None, **task_bounds: tuple[float, float]):
        Continuous_MountainCarEnv.__init__(self, render_mode=render_mode)
        self._init_task_space(render_mode, task_bounds)
        self.hill_steepness = 1.0
        self._hill_gravity = HILL_GRAVITY
        self._empty_state = np.zeros(2, dtype=np.float32)
        self._start_episode()

    def _apply_task(self, power: float, goal_position: float, hill_steepness: float) -> None:
        self.power = power
        self.goal_position = goal_position
        self.hill_steepness = hill_steepness
        self._hill_gravity = HILL_GRAVITY * hill_steepness

    def _start_episode(self) -> None:
        # gymnasium's fixed limits, read once per episode, so that the step reads them as locals
        self._limits = (self.min_action, self.max_action, self.max_speed, self.min_position, self.max_position)

    def _step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Gymnasium's step with the task's hills, with the success (flag reached) in the info."""
        # Gymnasium's arithmetic on the same numpy scalar types (float32 state, float32 action), so that the
        # default task rounds exactly as the original does.
        min_action, max_action, max_speed, min_position, max_position = self._limits
        force_command = action[0]
        position = self.state[0]
        velocity = self.state[1]
        force = min(max(force_command, min_action), max_action)

        velocity += force * self.power - self._hill_gravity * math.cos(HILL_FREQUENCY * position)
        if velocity > max_speed:
            velocity = max_speed
        if velocity < -max_speed:
            velocity = -max_speed
        position += velocity
        if position > max_position:
            position = max_position
        if position < min_position:
            position = min_position
        if position == min_position and velocity < 0:
            velocity = 0

        terminated = bool(position >= self.goal_position and velocity >= self.goal_velocity)
        reward = GOAL_REWARD if terminated else 0
        reward -= math.pow(force_command, 2) * ACTION_COST

        # gymnasium's np.array([position, velocity], dtype=np.float32), filled in place in half the time. A new array
        # every step, returned as gymnasium returns it: the observation is the state itself (a copy would cost 5%
        # of a step).
        state = self._empty_state.copy()
        state[0] = position
        state[1] = velocity
        self.state = state
        if self.render_mode == "human":
            self.render()
        return state, reward, terminated, False, {"success": terminated}

    def _height(self, xs: np.ndarray | float) -> np.ndarray | float:
        return np.sin(HILL_FREQUENCY * xs) * (HILL_AMPLITUDE * self.hill_steepness) + HILL_BASE
