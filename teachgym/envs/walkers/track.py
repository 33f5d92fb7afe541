"""The walker-track family: an embodiment walks a flat track with obstacles generated from the task.

:class:`WalkerTrackEnv` owns everything the Stump and Hexagon Tracks share (the world, the body, the lidar, the
reward, the observation, rendering); a subclass only says how one obstacle is generated from the task, in
``_generate_obstacle``, and how far apart obstacles stand, in ``_obstacle_spacing``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import Box2D
import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.error import ResetNeeded
from gymnasium.utils import EzPickle

from ...errors import TeachgymError
from ...registration import env_ids
from ...task_space import TaskSpace
from ..parametric import ParametricEnv
from .bodies import BODIES, make_body_spec
from .bodies.body import Body, ContactListener
from .lidar import Lidar, walker_fan
from .physics import (
    FALL_REWARD,
    FPS,
    GRAVITY,
    HEAD_ANGLE_PENALTY,
    INITIAL_PUSH,
    LIDAR_COUNT,
    POSITION_ITERATIONS,
    PROGRESS_REWARD,
    SCALE,
    SUCCESS_RETURN,
    TERRAIN_END,
    TERRAIN_HEIGHT,
    TERRAIN_LENGTH,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
    VELOCITY_ITERATIONS,
    VIEWPORT_H,
    VIEWPORT_W,
)
from .terrain import Obstacle, Terrain

MIN_OBSTACLE_SPACING = 0.01
# Observation scaling of the head's motion (as the original bipedal walker): roughly [-1, 1] in normal walking.
ANGULAR_VELOCITY_SCALE = 2.0 / FPS
VELOCITY_X_SCALE = 0.3 * (VIEWPORT_W / SCALE) / FPS
VELOCITY_Y_SCALE = 0.3 * (VIEWPORT_H / SCALE) / FPS
# Observation bounds: generous enough never to bind in normal motion, finite so the space is a proper Box.
ANGLE_BOUND = 2 * math.pi
RATE_BOUND = 10.0


class BodyKindError(TeachgymError, ValueError):
    """A body whose kind the environment does not take (e.g. a swimmer on Stump Tracks)."""


class WalkerTrackEnv(ParametricEnv, EzPickle):
    """Base of the walker tracks. See :class:`~teachgym.envs.walkers.stump_tracks.StumpTracks` for the docs."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": FPS}
    DEFAULT_TASK_SPACE: ClassVar[TaskSpace]
    BODY_KINDS: ClassVar[tuple[str, ...]] = ("walker", "amphibian")  # a flat track without ceiling or water
    REWARD_RANGE = (-150.0, 350.0)
    REWARD_THRESHOLDS = (0.0, 180.0)  # TeachMyAgent's ADR thresholds on the walker tracks

    def __init__(
        self,
        body: str = "classic_bipedal",
        body_kwargs: Mapping[str, Any] | None = None,
        render_mode: str | None = None,
        **task_bounds: tuple[float, float],
    ):
        EzPickle.__init__(self, body=body, body_kwargs=body_kwargs, render_mode=render_mode, **task_bounds)
        self._set_render_mode(render_mode)
        self.body_spec = make_body_spec(body, **dict(body_kwargs or {}))
        if self.body_spec.kind not in self.BODY_KINDS:
            raise BodyKindError(f"body {body!r} is a {self.body_spec.kind}; {type(self).__name__} takes only "
                                f"{' and '.join(self.BODY_KINDS)} bodies (Parkour takes every kind)")
        self.task_space = self._base_task_space().with_bounds(task_bounds)
        self.startpad = max(float(TERRAIN_STARTPAD), self.body_spec.width / TERRAIN_STEP + 5)
        self.finish_x = (TERRAIN_LENGTH - TERRAIN_END) * TERRAIN_STEP

        self.action_space = spaces.Box(-1.0, 1.0, shape=(self.body_spec.action_size,), dtype=np.float32)
        low, high = self._observation_bounds()
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self._obs_low, self._obs_high = low, high

        self._world: Box2D.b2World | None = None
        self._body: Body | None = None
        self._lidar: Lidar | None = None
        self._terrain: Terrain | None = None
        self._renderer = None

    # ------------------------------------------------------------------------------------------ subclass hooks
    def _base_task_space(self) -> TaskSpace:
        """The task space before the constructor's bound overrides (``body_spec`` is already set)."""
        return self.DEFAULT_TASK_SPACE

    def _generate_obstacle(self, x: float, ground_y: float, task: np.ndarray) -> tuple[Obstacle | None, float]:
        """Generate the obstacle starting at ``x``; return it (or None) and the x where it ends."""
        raise NotImplementedError

    def _obstacle_spacing(self, task: np.ndarray) -> float:
        """Flat length between two obstacles, in metres."""
        raise NotImplementedError

    # --------------------------------------------------------------------------------------------- episode
    def _reset_task(self, task: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        self._terrain = self._generate_terrain(task)
        self._world = Box2D.b2World(gravity=GRAVITY)
        self._terrain.build(self._world)
        self._contacts = ContactListener()
        self._world.contactListener = self._contacts
        self._lidar = Lidar(self._terrain, walker_fan())
        push = float(self.np_random.uniform(-INITIAL_PUSH, INITIAL_PUSH))
        spawn_x = TERRAIN_STEP * self.startpad / 2
        spec = self.body_spec
        spawn_y = TERRAIN_HEIGHT + (spec.center_height if spec.spawn_height is None else spec.spawn_height)
        self._body = Body(self.body_spec, self._world, spawn_x, spawn_y, push)
        self._penalise_head_angle = self.body_spec.head_angle_penalty
        self._prev_shaping = self._shaping(self._body.head.position.x, self._body.head.angle)
        observation, _, _ = self._advance([0.0] * self.body_spec.action_size)
        self._episode_return = 0.0
        return observation, {"success": False}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._body is None:
            raise ResetNeeded("call reset() before step()")
        try:
            values = [float(v) for v in (action.tolist() if isinstance(action, np.ndarray) else action)]
        except (TypeError, ValueError):
            values = []
        if len(values) != self.body_spec.action_size:
            raise ValueError(f"action must be {self.body_spec.action_size} numbers in [-1, 1] for body "
                             f"{self.body_spec.name!r}, got {action!r}")
        if not math.isfinite(sum(values)):
            raise ValueError(f"action contains NaN or inf: {action!r}")
        observation, reward, terminated = self._advance(values)
        self._episode_return += reward
        info = {"task": self.task_info(), "success": self._episode_return > SUCCESS_RETURN}
        return observation, reward, terminated, False, info

    def _advance(self, values: list[float]) -> tuple[np.ndarray, float, bool]:
        """One physics step with the given motor commands: observation, reward, terminated."""
        body = self._body
        action_cost = body.apply_action(values)
        self._world.Step(1.0 / FPS, VELOCITY_ITERATIONS, POSITION_ITERATIONS)

        head = body.head
        position = head.position
        x, y = position.x, position.y
        state = self._head_state(head)
        state += body.motor_state()
        state += self._lidar.scan(x, y)
        return self._conclude_step(state, x, state[0], action_cost, self._contacts.critical_contact)

    @staticmethod
    def _head_state(head: Box2D.b2Body) -> list[float]:
        """The observation's head block: angle, angular velocity and velocity, scaled to about [-1, 1]."""
        velocity = head.linearVelocity
        return [
            head.angle,
            ANGULAR_VELOCITY_SCALE * head.angularVelocity,
            VELOCITY_X_SCALE * velocity.x,
            VELOCITY_Y_SCALE * velocity.y,
        ]

    def _conclude_step(
        self, state: list[float], x: float, angle: float, action_cost: float, fell: bool
    ) -> tuple[np.ndarray, float, bool]:
        """The observation (``state`` clipped to the space), the reward and whether the episode ends: -100 for a
        fall or leaving the track to the left, the end of the track reached."""
        observation = np.array(state, dtype=np.float32)
        np.minimum(observation, self._obs_high, out=observation)
        np.maximum(observation, self._obs_low, out=observation)

        shaping = self._shaping(x, angle)
        reward = shaping - self._prev_shaping - action_cost
        self._prev_shaping = shaping
        terminated = False
        if fell or x < 0.0:
            reward = FALL_REWARD
            terminated = True
        elif x > self.finish_x:
            terminated = True
        return observation, reward, terminated

    def _shaping(self, x: float, angle: float) -> float:
        """Potential whose increase is the step reward: forward progress, minus head tilt for most bodies."""
        shaping = PROGRESS_REWARD * x / SCALE
        if self._penalise_head_angle:
            shaping -= HEAD_ANGLE_PENALTY * abs(angle)
        return shaping

    def _generate_terrain(self, task: np.ndarray) -> Terrain:
        """Flat ground with obstacles from the end of the start pad to the end of the track.

        The ground polyline has a point where each obstacle starts and where it ends, as TeachMyAgent's (Box2D's
        contacts depend on where the ground's edges end); unlike TeachMyAgent's, which stops where the last obstacle
        or gap starts, sometimes before the finish, it runs to the end of the track.
        """
        track_end = TERRAIN_LENGTH * TERRAIN_STEP
        spacing = max(MIN_OBSTACLE_SPACING, self._obstacle_spacing(task))
        obstacles = []
        ground = [(0.0, TERRAIN_HEIGHT)]
        x = self.startpad * TERRAIN_STEP
        while x < track_end:
            ground.append((x, TERRAIN_HEIGHT))
            obstacle, x = self._generate_obstacle(x, TERRAIN_HEIGHT, task)
            if obstacle is not None:
                obstacles.append(obstacle)
            if x < track_end:
                ground.append((x, TERRAIN_HEIGHT))
            x += spacing
        ground.append((track_end, TERRAIN_HEIGHT))
        return Terrain(ground=ground, obstacles=obstacles)

    def _observation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        head = [ANGLE_BOUND, RATE_BOUND, RATE_BOUND, RATE_BOUND]
        high, low = list(head), [-v for v in head]
        for joint in self.body_spec.motors:
            high += [ANGLE_BOUND, RATE_BOUND]
            low += [-ANGLE_BOUND, -RATE_BOUND]
            if joint.contact_part:
                high.append(1.0)
                low.append(0.0)
        high += [1.0] * LIDAR_COUNT
        low += [0.0] * LIDAR_COUNT
        return np.array(low, dtype=np.float32), np.array(high, dtype=np.float32)

    # ------------------------------------------------------------------------------------------- rendering
    def render(self) -> np.ndarray | None:
        """An RGB frame (H x W x 3, uint8) of the track around the body, with the lidar rays; None without mode."""
        if self.render_mode is None:
            return None
        if self._body is None:
            raise ResetNeeded("call reset() before render()")
        if self._renderer is None:
            from .rendering import TrackRenderer

            self._renderer = TrackRenderer()
        return self._renderer.draw(self._terrain, self._body, self._lidar)

    def close(self) -> None:
        self._renderer = None
        self._body = None
        self._lidar = None
        self._world = None


def walker_env_ids() -> list[str]:
    """The registered Box2D walker environments (the tracks and Parkour), in registration order."""
    return [env_id for env_id in env_ids() if gym.spec(env_id).entry_point.startswith(__package__ + ".")]


def accepted_bodies(env_id: str) -> list[str]:
    """The registered bodies (default options) that the walker environment ``env_id`` takes, in ``BODIES`` order."""
    env_class = gym.envs.registration.load_env_creator(gym.spec(env_id).entry_point)
    return [name for name in BODIES if make_body_spec(name).kind in env_class.BODY_KINDS]
