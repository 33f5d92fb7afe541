"""The walker family's base: a Box2D embodiment on a generated track, read by a lidar, rewarded for progress.

:class:`WalkerEnv` owns what every walker env shares: the body and the check of its kind, the world built from the
terrain, the contact listener, the random push and the spawn, the lidar, the observation and its bounds, the reward
and the episode end, the step, rendering and pickling. A subclass generates the terrain from the task
(``_generate_terrain``) and adds its extras through the hooks of the reset and of the step: the obstacle tracks
(:mod:`.track`) add none, Parkour (:mod:`.parkour.env`) adds water, grasping hands and survival rules.

The module is a little over 300 lines because the reset and step templates and every hook they call stay together:
one reads the order of a physics step (which fixes the simulation bit for bit) in one place.
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

from ...errors import EnvOptionError
from ...registration import env_ids
from ...task_space import TaskSpace
from ..parametric import ParametricEnv
from .bodies import BODIES, make_body_spec
from .bodies.body import Body, ContactListener
from .bodies.kind import BodyKind
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
    TERRAIN_HEIGHT,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
    VELOCITY_ITERATIONS,
    VIEWPORT_H,
    VIEWPORT_W,
)
from .terrain import Terrain

# Observation scaling of the head's motion (as the original bipedal walker): roughly [-1, 1] in normal walking.
ANGULAR_VELOCITY_SCALE = 2.0 / FPS
VELOCITY_X_SCALE = 0.3 * (VIEWPORT_W / SCALE) / FPS
VELOCITY_Y_SCALE = 0.3 * (VIEWPORT_H / SCALE) / FPS
# Observation bounds: generous enough never to bind in normal motion, finite so the space is a proper Box.
ANGLE_BOUND = 2 * math.pi
RATE_BOUND = 10.0


class BodyKindError(EnvOptionError):
    """A body whose kind the environment does not take (e.g. a swimmer on Stump Tracks); a ``ValueError``."""


class WalkerEnv(ParametricEnv, EzPickle):
    """Base of the Box2D walker envs (see :class:`~teachgym.envs.walkers.stump_tracks.StumpTracks` for the docs).

    A subclass sets ``DEFAULT_TASK_SPACE`` (or overrides ``_base_task_space``), ``BODY_KINDS`` (the kinds it takes),
    ``REWARD_RANGE`` and ``finish_x`` (where the track is finished, in metres), implements ``_generate_terrain`` and
    overrides the extras hooks it needs; its constructor checks its own options, then calls this one.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": FPS}
    DEFAULT_TASK_SPACE: ClassVar[TaskSpace]
    BODY_KINDS: ClassVar[tuple[BodyKind, ...]] = tuple(BodyKind)
    REWARD_THRESHOLDS = (0.0, 180.0)  # TeachMyAgent's ADR thresholds on the walker envs
    finish_x: float

    def __init__(
        self,
        body: str,
        body_kwargs: Mapping[str, Any] | None,
        render_mode: str | None,
        task_bounds: Mapping[str, tuple[float, float]],
        **options: Any,
    ):
        """Build the body and the spaces. ``options`` are the subclass's own constructor options as the user gave
        them, recorded with the others for pickling (once: subclasses do not call ``EzPickle.__init__``).

        Raises:
            UnknownNameError, UnknownOptionError, EnvOptionError: for a bad body, body option or render mode.
            BodyKindError: for a body whose kind is not in ``BODY_KINDS``.
            TaskError: for bad ``task_bounds``.
        """
        EzPickle.__init__(self, body=body, body_kwargs=body_kwargs, render_mode=render_mode, **options, **task_bounds)
        self._set_render_mode(render_mode)
        self.body_spec = make_body_spec(body, **dict(body_kwargs or {}))
        if self.body_spec.kind not in self.BODY_KINDS:
            raise BodyKindError(f"body {body!r} is a {self.body_spec.kind}; {type(self).__name__} takes only "
                                f"{' and '.join(self.BODY_KINDS)} bodies (Parkour takes every kind)")
        self.task_space = self._base_task_space().with_bounds(task_bounds)
        self.startpad = max(float(TERRAIN_STARTPAD), self.body_spec.width / TERRAIN_STEP + 5)
        self._penalise_head_angle = self.body_spec.head_angle_penalty

        self.action_space = spaces.Box(-1.0, 1.0, shape=(self.body_spec.action_size,), dtype=np.float32)
        low, high = self._observation_bounds()
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self._obs_low, self._obs_high = low, high

        self._world: Box2D.b2World | None = None
        self._body: Body | None = None
        self._lidar: Lidar | None = None
        self._terrain: Terrain | None = None
        self._renderer = None

    # ------------------------------------------------------------------------------------- terrain hooks
    def _base_task_space(self) -> TaskSpace:
        """The task space before the constructor's bound overrides (``body_spec`` is already set)."""
        return self.DEFAULT_TASK_SPACE

    def _generate_terrain(self, task: np.ndarray) -> Terrain:
        """The episode's terrain for the task vector ``task`` (randomness from ``self.np_random``)."""
        raise NotImplementedError

    # -------------------------------------------------------------------------------------- extras hooks
    def _make_lidar(self) -> Lidar:
        """The episode's lidar over ``self._terrain`` (the world is built): the walkers' downward fan here."""
        return Lidar(self._terrain, walker_fan())

    def _spawn_height(self) -> float:
        """Height of the spawn point (the origin of the body spec): the body's feet on the flat start pad."""
        spec = self.body_spec
        return TERRAIN_HEIGHT + (spec.center_height if spec.spawn_height is None else spec.spawn_height)

    def _start_extras(self) -> None:
        """Set up what the subclass adds to an episode, once the body is built (none here)."""

    def _first_observation(self) -> np.ndarray:
        """The episode's first observation: one step with every motor still."""
        observation, _, _ = self._advance([0.0] * self.body_spec.action_size)
        return observation

    def _actuate(self, values: list[float]) -> float:
        """Apply the action's values before the world steps (the motors here); return the action's cost."""
        return self._body.apply_action(values)

    def _after_world_step(self) -> None:
        """Update what the subclass adds right after the world stepped (nothing here)."""

    def _status(self, head_y: float) -> list[float]:
        """Update the per-step bookkeeping from the head's height; return the flags observed after the head block
        (none here)."""
        return []

    def _hand_state(self) -> list[float]:
        """The values observed after the motor block (none here)."""
        return []

    def _scan(self, x: float, y: float) -> list[float]:
        """The lidar's values observed from the head at ``(x, y)``: one free fraction per ray here."""
        return self._lidar.scan(x, y)

    def _fell(self) -> bool:
        """Whether the step ends the episode with a fall: a critical part touched the ground."""
        return self._contacts.critical_contact

    def _make_renderer(self) -> Any:
        """The renderer of this env's frames (pygame is imported only here, when a frame is first drawn)."""
        from .rendering import TrackRenderer

        return TrackRenderer()

    # --------------------------------------------------------------------------------------------- episode
    def _reset_task(self, task: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        """Build the terrain, the world and the body (pushed at random), then step once for the first observation."""
        self._terrain = self._generate_terrain(task)
        self._world = Box2D.b2World(gravity=GRAVITY)
        self._terrain.build(self._world)
        self._contacts = ContactListener()
        self._world.contactListener = self._contacts
        self._lidar = self._make_lidar()
        push = float(self.np_random.uniform(-INITIAL_PUSH, INITIAL_PUSH))
        self._body = Body(self.body_spec, self._world, TERRAIN_STEP * self.startpad / 2, self._spawn_height(), push)
        self._start_extras()
        self._prev_shaping = self._shaping(self._body.head.position.x, self._body.head.angle)
        observation = self._first_observation()
        self._episode_return = 0.0
        return observation, {"success": False}

    def _step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Check the action, run one physics step; ``info["success"]``: the return so far exceeds 230.

        Raises:
            ResetNeeded: before the first reset.
            ValueError: for an action of the wrong size, or holding NaN or inf.
        """
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
        return observation, reward, terminated, False, {"success": self._episode_return > SUCCESS_RETURN}

    def _advance(self, values: list[float]) -> tuple[np.ndarray, float, bool]:
        """One physics step with the action's values: observation, reward, terminated.

        The observation is the head block, the subclass's status flags, the motor block, its hand values, then the
        lidar's values, clipped to the observation space.
        """
        body = self._body
        action_cost = self._actuate(values)
        self._world.Step(1.0 / FPS, VELOCITY_ITERATIONS, POSITION_ITERATIONS)
        self._after_world_step()

        head = body.head
        position = head.position
        x, y = position.x, position.y
        velocity = head.linearVelocity
        state = [
            head.angle,
            ANGULAR_VELOCITY_SCALE * head.angularVelocity,
            VELOCITY_X_SCALE * velocity.x,
            VELOCITY_Y_SCALE * velocity.y,
        ]
        state += self._status(y)
        state += body.motor_state()
        state += self._hand_state()
        state += self._scan(x, y)
        return self._conclude_step(state, x, state[0], action_cost, self._fell())

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

    def _observation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of the head block, the motor block (angle, speed, 0/1 contact flag) and the lidar fractions."""
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
        """An RGB frame (H x W x 3, uint8) of the track around the body, with the lidar rays; None without mode.

        Raises:
            ResetNeeded: with a render mode, before the first reset.
        """
        if self.render_mode is None:
            return None
        if self._body is None:
            raise ResetNeeded("call reset() before render()")
        if self._renderer is None:
            self._renderer = self._make_renderer()
        return self._renderer.draw(self._terrain, self._body, self._lidar)

    def close(self) -> None:
        """Drop the world, the body, the lidar and the renderer."""
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
