"""Continuous lunar lander with gravity, wind, turbulence and the main engine's power as the task."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from gymnasium.envs.box2d.lunar_lander import (
    FPS,
    LEG_DOWN,
    MAIN_ENGINE_POWER,
    MAIN_ENGINE_Y_LOCATION,
    SCALE,
    SIDE_ENGINE_AWAY,
    SIDE_ENGINE_HEIGHT,
    SIDE_ENGINE_POWER,
    VIEWPORT_H,
    VIEWPORT_W,
    LunarLander,
)
from gymnasium.error import ResetNeeded

from ...task_space import TaskSpace
from .base import ClassicEnv

SUCCESS_RETURN = 200.0  # LunarLander's "solved" score
# Box2D's solver iterations per step, as gymnasium's
VELOCITY_ITERATIONS = 6 * 30
POSITION_ITERATIONS = 2 * 30
# Wind and turbulence follow tanh(sin(2 k t) + sin(pi k t)) with k = 0.01, as gymnasium's.
WIND_FREQUENCY = 0.01


class LunarLanderContinuous(ClassicEnv, LunarLander):
    """
    ## Description
    Gymnasium's continuous lunar lander (`LunarLanderContinuous-v3`): fire a main engine and two side engines to
    land softly on the pad. Gravity, the wind, the turbulence and the power of the main engine are the task: a
    strong engine in calm weather is easy; in strong gravity a weak main engine cannot stop the fall.

    This is gymnasium's `LunarLander(continuous=True)`. Its gravity, wind power and turbulence power are attributes
    that its reset and step read, and are set from the task before gymnasium's reset: the reset builds a new Box2D
    world with the task's gravity, and wind is switched on (gymnasium's `enable_wind`) exactly when the task has
    wind or turbulence. The main engine's power is a module constant of gymnasium's (`MAIN_ENGINE_POWER`), so the
    env has its own `step`: gymnasium's continuous step, operation for operation, with the task's
    `main_engine_power` in place of the constant. The default task is `LunarLanderContinuous-v3` exactly.

    ## Action Space
    `Box(-1, 1, (2,), float32)`, as gymnasium's: the main engine is off below 0 and throttles from 50% to 100% on
    [0, 1]; the side engines fire left below -0.5 and right above 0.5, throttling from 50% to 100%.

    ## Observation Space
    `Box(float32)` of 8 values, as gymnasium's: position and velocity relative to the pad (scaled), angle, angular
    velocity (scaled) and two leg-contact flags.

    ## Rewards
    gymnasium's: the decrease of a potential of distance to the pad, speed and tilt, +10 per leg touching the
    ground, -0.3 per step of full main engine and -0.03 of side engine, and -100 for a crash or +100 for coming to
    rest. Landings return about 200 to 300, crashes and flights off the frame -100 to -500 (random actions: about
    -200), which `REWARD_RANGE` = (-500, 320) spans.

    ## Starting State
    The lander starts at the top centre of the frame with a random push, over random terrain, as gymnasium's; with
    wind or turbulence, their phases are random too (gymnasium's draw).

    ## Episode End
    Terminated on a crash, on leaving the frame sideways or on coming to rest; truncated after 1000 steps when made
    through `gymnasium.make`, as `LunarLanderContinuous-v3`. `info["success"]` is True while the episode's return
    so far is at least 200, gymnasium's "solved" score; the last step's value is the episode's.

    ## Task Parameters
    | name | bounds | default | meaning |
    |---|---|---|---|
    | `gravity` | [10, 15] | 10 | gravitational acceleration in m/s^2 (downwards; gymnasium's `gravity=-10`) |
    | `wind_power` | [0, 20] | 0 | the largest sideways wind force (gymnasium's recommended range) |
    | `turbulence_power` | [0, 2] | 0 | the largest rotational wind torque (gymnasium's recommended range) |
    | `main_engine_power` | [6, 13] | 13 | the main engine's impulse scale (gymnasium's `MAIN_ENGINE_POWER`) |

    The default task is gymnasium's (no wind, as `LunarLanderContinuous-v3`: wind is off unless asked for) and the
    easy corner of the space. The main engine lifts 1.75 times the lander's weight at the default task; where
    `main_engine_power / gravity < 0.74` it cannot hold the lander up at all (almost half of the space). Gravity
    goes beyond gymnasium's constructor limit of 12, which Box2D simulates alike.

    ## Arguments
    - `render_mode`: None, `"rgb_array"` or `"human"` (gymnasium's rendering).
    - `**task_bounds`: `name=(low, high)` overrides of the task parameters' bounds.

    ## Version History
    - v0: initial version (gymnasium's `LunarLanderContinuous-v3` at the default task).
    """

    DEFAULT_TASK_SPACE = TaskSpace(
        {"gravity": (10.0, 15.0), "wind_power": (0.0, 20.0), "turbulence_power": (0.0, 2.0),
         "main_engine_power": (6.0, MAIN_ENGINE_POWER)},
        default={"gravity": 10.0, "wind_power": 0.0, "turbulence_power": 0.0, "main_engine_power": MAIN_ENGINE_POWER},
    )
    GYMNASIUM_ID = "LunarLanderContinuous-v3"
    REWARD_RANGE = (-500.0, 320.0)
    REWARD_THRESHOLDS = (0.0, SUCCESS_RETURN)

    def __init__(self, render_mode: str | None = None, **task_bounds: tuple[float, float]):
        LunarLander.__init__(self, render_mode=render_mode, continuous=True, enable_wind=False)
        self._init_task_space(render_mode, task_bounds)
        self.main_engine_power = MAIN_ENGINE_POWER
        self._episode_return = 0.0

    def _apply_task(self, gravity: float, wind_power: float, turbulence_power: float,
                    main_engine_power: float) -> None:
        self.gravity = -gravity
        self.wind_power = wind_power
        self.turbulence_power = turbulence_power
        # gymnasium draws the wind's phases in reset only with wind on: off for a calm task keeps its random stream.
        self.enable_wind = wind_power > 0.0 or turbulence_power > 0.0
        self.main_engine_power = main_engine_power

    def _start_episode(self) -> None:
        # gymnasium's reset takes one step, whose reward it drops; the episode's return starts after it.
        self._episode_return = 0.0

    def _step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """gymnasium's continuous step with the task's main engine power, with the success (return so far at least
        200) in the info."""
        lander = self.lander
        if lander is None:
            raise ResetNeeded("call reset() before step()")
        if self.enable_wind and not (self.legs[0].ground_contact or self.legs[1].ground_contact):
            wind_mag = _gust(self.wind_idx) * self.wind_power
            self.wind_idx += 1
            lander.ApplyForceToCenter((wind_mag, 0.0), True)
            torque_mag = _gust(self.torque_idx) * self.turbulence_power
            self.torque_idx += 1
            lander.ApplyTorque(torque_mag, True)

        action = np.clip(action, -1, +1).astype(np.float64)

        tip = (math.sin(lander.angle), math.cos(lander.angle))
        side = (-tip[1], tip[0])
        dispersion = [self.np_random.uniform(-1.0, +1.0) / SCALE for _ in range(2)]

        m_power = 0.0
        if action[0] > 0.0:
            m_power = (np.clip(action[0], 0.0, 1.0) + 1.0) * 0.5  # 0.5..1.0
            ox = tip[0] * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * dispersion[0]) + side[0] * dispersion[1]
            oy = -tip[1] * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * dispersion[0]) - side[1] * dispersion[1]
            impulse_pos = (lander.position[0] + ox, lander.position[1] + oy)
            power = self.main_engine_power
            if self.render_mode is not None:
                # particles are decoration, created only when rendering, as gymnasium's
                particle = self._create_particle(3.5, impulse_pos[0], impulse_pos[1], m_power)
                particle.ApplyLinearImpulse((ox * power * m_power, oy * power * m_power), impulse_pos, True)
            lander.ApplyLinearImpulse((-ox * power * m_power, -oy * power * m_power), impulse_pos, True)

        s_power = 0.0
        if np.abs(action[1]) > 0.5:
            direction = np.sign(action[1])
            s_power = np.clip(np.abs(action[1]), 0.5, 1.0)
            ox = tip[0] * dispersion[0] + side[0] * (3 * dispersion[1] + direction * SIDE_ENGINE_AWAY / SCALE)
            oy = -tip[1] * dispersion[0] - side[1] * (3 * dispersion[1] + direction * SIDE_ENGINE_AWAY / SCALE)
            # gymnasium's 17 where SIDE_ENGINE_HEIGHT (14) was presumably meant: kept, it is the original's torque
            impulse_pos = (
                lander.position[0] + ox - tip[0] * 17 / SCALE,
                lander.position[1] + oy + tip[1] * SIDE_ENGINE_HEIGHT / SCALE,
            )
            if self.render_mode is not None:
                particle = self._create_particle(0.7, impulse_pos[0], impulse_pos[1], s_power)
                particle.ApplyLinearImpulse(
                    (ox * SIDE_ENGINE_POWER * s_power, oy * SIDE_ENGINE_POWER * s_power), impulse_pos, True
                )
            lander.ApplyLinearImpulse(
                (-ox * SIDE_ENGINE_POWER * s_power, -oy * SIDE_ENGINE_POWER * s_power), impulse_pos, True
            )

        self.world.Step(1.0 / FPS, VELOCITY_ITERATIONS, POSITION_ITERATIONS)

        pos = lander.position
        vel = lander.linearVelocity
        state = [
            (pos.x - VIEWPORT_W / SCALE / 2) / (VIEWPORT_W / SCALE / 2),
            (pos.y - (self.helipad_y + LEG_DOWN / SCALE)) / (VIEWPORT_H / SCALE / 2),
            vel.x * (VIEWPORT_W / SCALE / 2) / FPS,
            vel.y * (VIEWPORT_H / SCALE / 2) / FPS,
            lander.angle,
            20.0 * lander.angularVelocity / FPS,
            1.0 if self.legs[0].ground_contact else 0.0,
            1.0 if self.legs[1].ground_contact else 0.0,
        ]

        reward = 0
        shaping = (
            -100 * np.sqrt(state[0] * state[0] + state[1] * state[1])
            - 100 * np.sqrt(state[2] * state[2] + state[3] * state[3])
            - 100 * abs(state[4])
            + 10 * state[6]
            + 10 * state[7]
        )
        if self.prev_shaping is not None:
            reward = shaping - self.prev_shaping
        self.prev_shaping = shaping

        reward -= m_power * 0.30
        reward -= s_power * 0.03

        terminated = False
        if self.game_over or abs(state[0]) >= 1.0:
            terminated = True
            reward = -100
        if not lander.awake:
            terminated = True
            reward = +100

        if self.render_mode == "human":
            self.render()
        self._episode_return += reward
        info = {"success": bool(self._episode_return >= SUCCESS_RETURN)}
        return np.array(state, dtype=np.float32), reward, terminated, False, info


def _gust(phase: int) -> float:
    """gymnasium's wind and turbulence profile, in [-1, 1] (never periodic)."""
    return math.tanh(math.sin(2 * WIND_FREQUENCY * phase) + math.sin(math.pi * WIND_FREQUENCY * phase))
