"""Acrobot with the lengths and masses of its two links as the task."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.envs.classic_control.acrobot import AcrobotEnv
from numpy import cos, pi, sin

from ...task_space import TaskSpace
from .base import ClassicEnv

GRAVITY = 9.8  # gymnasium's, in m/s^2
# gymnasium's links are 1 m long, weigh 1 kg, have their centre of mass halfway and a moment of inertia of 1 about
# it; a link of length l and mass m here has its centre of mass at l / 2 and a moment of inertia m * l^2 (the same
# proportions, so every link is the default link scaled).
COM_SHARE = 0.5
MOI_PER_MASS_LENGTH_SQUARED = 1.0
GOAL_HEIGHT_SHARE = 0.5  # the tip must rise above the pivot by half the arm's reach (gymnasium's 1 m of 2 m)
EPISODE_STEPS = 500  # Acrobot-v1's episode limit


class Acrobot(ClassicEnv, AcrobotEnv):
    """
    ## Description
    Gymnasium's acrobot (`Acrobot-v1`): a two-link arm hangs from a fixed pivot, and a torque at the joint between
    the links must swing the tip above a line. The lengths and masses of the two links are the task: longer and
    heavier links take more swings with the same torque, until the tip cannot reach the line within an episode.

    This is gymnasium's `AcrobotEnv` with its `LINK_LENGTH_*`, `LINK_MASS_*` and `LINK_COM_POS_*` set per instance
    from the task, but with two methods of its own. gymnasium's equations of motion (`_dsdt`) use one moment of
    inertia for both links (`LINK_MOI`), so links of different sizes need their own copy of them, with a moment of
    inertia per link (`m * l^2`, 1 for gymnasium's link); and gymnasium's goal test (`_terminal`) assumes links 1 m
    long. Both are otherwise gymnasium's, operation for operation, so the default task is `Acrobot-v1` exactly.

    ## Action Space
    `Discrete(3)`, as gymnasium's: a torque of -1, 0 or +1 N m on the joint between the links.

    ## Observation Space
    `Box(float32)` of `cos` and `sin` of both joint angles and both angular velocities (clipped at 4 pi and 9 pi
    rad/s by the dynamics), as gymnasium's.

    ## Rewards
    -1 per step until the goal is reached, 0 on that step (gymnasium's): from -500 to 0 per episode.

    ## Starting State
    Both angles and angular velocities uniform in [-0.1, 0.1] (hanging down), as gymnasium's.

    ## Episode End
    Terminated when the tip rises above the pivot by more than half the arm's reach,
    `-l1 cos(theta1) - l2 cos(theta1 + theta2) > (l1 + l2) / 2` (gymnasium's `> 1` for its two 1 m links);
    truncated after 500 steps when made through `gymnasium.make`, as `Acrobot-v1`. `info["success"]` is True on
    that termination: the goal height was reached within the episode.

    ## Task Parameters
    | name | bounds | default | meaning |
    |---|---|---|---|
    | `link_length_1` | [1, 3] | 1 | length of the link at the pivot in m |
    | `link_length_2` | [1, 3] | 1 | length of the outer link in m |
    | `link_mass_1` | [1, 3] | 1 | mass of the link at the pivot in kg |
    | `link_mass_2` | [1, 3] | 1 | mass of the outer link in kg |

    The default task is gymnasium's and the easy corner of the space. Pumping energy with the torque (pushing in
    the direction the outer link turns) reaches the goal at the default task in about 90 steps; over the space, it
    reaches it at half of the tasks in most episodes and at a fifth in none.

    ## Arguments
    - `render_mode`: None, `"rgb_array"` or `"human"` (gymnasium's rendering: links drawn at their lengths, the
      goal line always at gymnasium's height of 1 m).
    - `**task_bounds`: `name=(low, high)` overrides of the task parameters' bounds.

    ## Version History
    - v0: initial version (gymnasium's `Acrobot-v1` at the default task).
    """

    DEFAULT_TASK_SPACE = TaskSpace(
        {"link_length_1": (1.0, 3.0), "link_length_2": (1.0, 3.0), "link_mass_1": (1.0, 3.0),
         "link_mass_2": (1.0, 3.0)},
        default={"link_length_1": 1.0, "link_length_2": 1.0, "link_mass_1": 1.0, "link_mass_2": 1.0},
    )
    GYMNASIUM_ID = "Acrobot-v1"
    REWARD_RANGE = (-float(EPISODE_STEPS), 0.0)
    REWARD_THRESHOLDS = (-400.0, -100.0)  # -100: Acrobot-v1's reward threshold

    def __init__(self, render_mode: str | None = None, **task_bounds: tuple[float, float]):
        AcrobotEnv.__init__(self, render_mode=render_mode)
        self._init_task_space(render_mode, task_bounds)
        self._apply_task(*self.task_space.default.tolist())

    def _apply_task(self, link_length_1: float, link_length_2: float, link_mass_1: float, link_mass_2: float) -> None:
        self.LINK_LENGTH_1 = link_length_1
        self.LINK_LENGTH_2 = link_length_2
        self.LINK_MASS_1 = link_mass_1
        self.LINK_MASS_2 = link_mass_2
        self.LINK_COM_POS_1 = COM_SHARE * link_length_1
        self.LINK_COM_POS_2 = COM_SHARE * link_length_2
        self.link_moi_1 = MOI_PER_MASS_LENGTH_SQUARED * link_mass_1 * link_length_1**2
        self.link_moi_2 = MOI_PER_MASS_LENGTH_SQUARED * link_mass_2 * link_length_2**2
        self.goal_height = GOAL_HEIGHT_SHARE * (link_length_1 + link_length_2)

    def _step(self, a: int | np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Gymnasium's step, with the success (goal height reached) in the info."""
        result = AcrobotEnv.step(self, a)
        info = result[4]
        info["success"] = result[2]
        return result

    def _terminal(self) -> bool:
        s = self.state
        return bool(-self.LINK_LENGTH_1 * cos(s[0]) - self.LINK_LENGTH_2 * cos(s[1] + s[0]) > self.goal_height)

    def _dsdt(self, s_augmented: np.ndarray) -> tuple[float, float, float, float, float]:
        # gymnasium's AcrobotEnv._dsdt ("book" dynamics) with a moment of inertia per link instead of LINK_MOI.
        m1 = self.LINK_MASS_1
        m2 = self.LINK_MASS_2
        l1 = self.LINK_LENGTH_1
        lc1 = self.LINK_COM_POS_1
        lc2 = self.LINK_COM_POS_2
        I1 = self.link_moi_1
        I2 = self.link_moi_2
        g = GRAVITY
        a = s_augmented[-1]
        s = s_augmented[:-1]
        theta1 = s[0]
        theta2 = s[1]
        dtheta1 = s[2]
        dtheta2 = s[3]
        d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * cos(theta2)) + I1 + I2
        d2 = m2 * (lc2**2 + l1 * lc2 * cos(theta2)) + I2
        phi2 = m2 * lc2 * g * cos(theta1 + theta2 - pi / 2.0)
        phi1 = (
            -m2 * l1 * lc2 * dtheta2**2 * sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - pi / 2)
            + phi2
        )
        ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * sin(theta2) - phi2) / (
            m2 * lc2**2 + I2 - d2**2 / d1
        )
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0
