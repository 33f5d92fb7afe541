"""Parkour: any embodiment crosses a CPPN-drawn track with a ceiling, creepers and water.

A little over 300 lines, most of them the env's user documentation (the class docstring); the code is the hooks of
:class:`~teachgym.envs.walkers.base.WalkerEnv` that add the water, the hands and the survival rules.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ....errors import EnvOptionError, TeachgymError, UnknownNameError
from ....task_space import TaskSpace
from ....test_sets import TestSet
from ....validation import check_number
from ..base import WalkerEnv
from ..bodies.kind import BodyKind
from ..lidar import Lidar, SurfaceLidar, kind_fan
from ..physics import LIDAR_COUNT, REFERENCE_TORQUE, TERRAIN_HEIGHT, TERRAIN_STEP
from ..terrain import Terrain
from .cppn import POSITIONS, TerrainCPPN, load_checkpoint_weights, load_weights
from .grasping import Grasping
from .terrain import WORLDS, generate_parkour_terrain
from .test_sets import parkour_test_sets
from .water import MAX_PUSH, Water

TERRAIN_CPPN = TerrainCPPN(load_weights())  # fixed weights, loaded once at import
CPPN_SCALE = 10.0  # the CPPN's heights are divided by this: bigger is flatter
CPPN_NAMES = ("cppn_input_0", "cppn_input_1", "cppn_input_2")
# TeachMyAgent's CPPN input boxes (the benchmark used "medium").
CPPN_INPUT_SPACES = {
    "easy": ((-0.25, -0.05), (0.8, 1.0), (0.0, 0.2)),
    "medium": ((-0.35, 0.05), (0.6, 1.0), (-0.1, 0.3)),
    "full": ((-1.0, 1.0), (-1.0, 1.0), (-1.0, 1.0)),
}
WATER_LEVEL_BOUNDS = (0.0, 1.0)
CREEPERS_HEIGHT_BOUNDS = (0.0, 4.0)
CREEPERS_SPACING_BOUNDS = (0.0, 5.0)
# walkers and climbers survive this many steps in a row under water, swimmers out of it: one more and they are dead
SURVIVAL_STEPS = 600
HANG_STEPS = 5  # climbers settle hanging from the ceiling for this many steps before the episode starts


class Parkour(WalkerEnv):
    """
    ## Description
    TeachMyAgent's Parkour (Romac et al., 2021): a Box2D track whose ground and ceiling are drawn by a fixed CPPN
    from a 3-D input vector, with water filling the track up to a task-given level and creepers hanging from the
    ceiling. Walkers walk the ground, climbers swing from the ceiling and creepers with their hands, swimmers swim,
    amphibians do both. Most of the task space is infeasible for any one embodiment: teachers must find where it
    can learn.

    ## Action Space
    `Box(-1, 1, (n_motors + n_hands,), float32)`: one value per motor (sign: direction, magnitude: share of the
    maximal torque), then for climbers one grasp value per hand (> 0 grasps what the hand overlaps, <= 0 lets go).

    ## Observation Space
    `Box(float32)` of `6 + motor block + 2 * n_hands + 20` values: head angle, angular velocity, horizontal and
    vertical velocity, 1 if the head is under water, 1 if the body is dead; per motor its angle, speed and contact
    flag where the body observes one; per hand 1 if it touches something grippable and 1 if it holds on; 10 lidar
    fractions and the 10 rays' surface codes (-1 water, 1 creeper, 0 other). The lidar fan depends on the body
    kind: walkers look down and ahead (1.5 rad), climbers up (2.3 rad from ahead to behind), swimmers and
    amphibians all around the front (pi rad). classic_bipedal observes 36 values.

    ## Rewards
    As on Stump Tracks: the increase of `130 * x_head / SCALE - 5 * |head_angle|` (no angle term for climbers,
    swimmers, wheel and chimpanzees) minus `0.00035 * 80 * min(|a_i|, 1)` per action value, grasp values included.
    -100 for leaving the track to the left, or for a climber touching the ground with a critical part (a walker's
    hull on the ground does not end a Parkour episode, as in TeachMyAgent).

    ## Starting State
    Walkers, swimmers and amphibians stand on the flat start pad with a random push; climbers hang from the ceiling
    above it by both hands (they settle for 5 steps before the first observation).

    ## Episode End
    Terminated on a -100 event or at the end of the track. Walkers and climbers die after 601 consecutive steps with
    the head under water, swimmers after 601 out of it (TeachMyAgent's count: more than 600): from the next step on
    the body gets zero actions (its hands let go) and its dead flag is 1, until the episode is truncated (2000 steps
    through `gymnasium.make`). `info["success"]`: the return exceeds 230.

    ## Task Parameters
    | name | default bounds ("medium") | meaning |
    |---|---|---|
    | `cppn_input_0`, `_1`, `_2` | [-0.35, 0.05], [0.6, 1.0], [-0.1, 0.3] | the CPPN input drawing ground and ceiling |
    | `water_level` | [0, 1] | water surface `-100 + max(0.01, level) * (highest ceiling + 100)` m (TeachMyAgent's) |
    | `creepers_height` | [0, 4] | mean creeper length in metres (each N(h, 0.1), at least 0.2) |
    | `creepers_spacing` | [0, 5] | metres between creepers (at least 0.01); creepers are 0.25 wide (see `world`) |

    The default task is the easy end for the body's kind: the CPPN box's centre, no water (full water for
    swimmers), short sparse creepers (tall dense ones for climbers).

    ## Arguments
    - `body`, `body_kwargs`, `render_mode`, `**task_bounds`: as in Stump Tracks; every body kind is accepted.
    - `cppn_input_space`: `"easy"`, `"medium"` (default) or `"full"` (`[-1, 1]^3`): the CPPN input bounds.
    - `movable_creepers`: creepers become chains of 1 m links swinging from the ceiling (default False); the lidar
      then casts into the simulation's world (slower) to see them where they are.
    - `water_clip`: clip of the water's push force components (default 20).
    - `cppn_weights`: a folder holding TeachMyAgent's CPPN checkpoint (TensorFlow 1, read without TensorFlow) to
      draw the tracks with its weights; default None: teachgym's own seeded weights.
    - `world`: `"teachmyagent"` (default): TeachMyAgent's geometry: the ceiling 20 m above the start pad, water
      measured from -100 m as in the table above, the finish 5 terrain steps before the track's end, creepers at
      terrain steps from the track's start (one per 1 + ceil(spacing / step) steps, pad included).
      `"teachgym-v0"`: this env's first geometry, for runs made with it: the ceiling 200/30 m above the pad, water
      at the share `water_level` of the height from the lowest ground to the highest ceiling (none at 0), the
      finish 10 steps before the end, creepers every `0.25 + creepers_spacing` m from the pad's end.

    ## Version History
    - v0: initial version; TeachMyAgent's world became the default (`world="teachgym-v0"` keeps the first one),
      `cppn_weights` added.
    """

    BODY_KINDS: ClassVar[tuple[BodyKind, ...]] = tuple(BodyKind)
    REWARD_RANGE = (-150.0, 360.0)

    def __init__(
        self,
        body: str = "classic_bipedal",
        body_kwargs: Mapping[str, Any] | None = None,
        render_mode: str | None = None,
        cppn_input_space: str = "medium",
        movable_creepers: bool = False,
        water_clip: float = MAX_PUSH,
        cppn_weights: str | os.PathLike | None = None,
        world: str = "teachmyagent",
        **task_bounds: tuple[float, float],
    ):
        """See the class docs.

        Raises:
            UnknownNameError: for an unknown ``cppn_input_space`` or ``world`` (with the closest name).
            EnvOptionError: for a ``movable_creepers`` that is not a bool or a ``water_clip`` that is not a positive
                finite number, and for the body options and render mode as on the tracks.
            FileFormatError: for a ``cppn_weights`` folder without TeachMyAgent's CPPN checkpoint.
        """
        if cppn_input_space not in CPPN_INPUT_SPACES:
            raise UnknownNameError("cppn_input_space", cppn_input_space, CPPN_INPUT_SPACES)
        if world not in WORLDS:
            raise UnknownNameError("Parkour world", world, WORLDS)
        if not isinstance(movable_creepers, bool):
            raise EnvOptionError(f"movable_creepers must be True or False, got {movable_creepers!r}")
        check_number("water_clip", water_clip, low=0.0, low_open=True, error=EnvOptionError)
        self.cppn_input_space = cppn_input_space
        super().__init__(body, body_kwargs, render_mode, task_bounds, cppn_input_space=cppn_input_space,
                         movable_creepers=movable_creepers, water_clip=water_clip, cppn_weights=cppn_weights,
                         world=world)
        self.movable_creepers = movable_creepers
        self.water_clip = float(water_clip)
        self.parkour_world = WORLDS[world]
        self._cppn = TERRAIN_CPPN if cppn_weights is None else TerrainCPPN(load_checkpoint_weights(cppn_weights))
        self.startpad = math.ceil(self.startpad)
        self.finish_x = (self.startpad + POSITIONS - self.parkour_world.finish_steps) * TERRAIN_STEP
        self._n_motors = len(self.body_spec.motors)

    def _base_task_space(self) -> TaskSpace:
        boxes = CPPN_INPUT_SPACES[self.cppn_input_space]
        bounds = dict(zip(CPPN_NAMES, boxes))
        bounds.update(water_level=WATER_LEVEL_BOUNDS, creepers_height=CREEPERS_HEIGHT_BOUNDS,
                      creepers_spacing=CREEPERS_SPACING_BOUNDS)
        kind = self.body_spec.kind
        default = {name: (low + high) / 2 for name, (low, high) in zip(CPPN_NAMES, boxes)}
        low, high = WATER_LEVEL_BOUNDS
        default["water_level"] = low + kind.easy_water_level * (high - low)
        default["creepers_height"] = CREEPERS_HEIGHT_BOUNDS[1] if kind.climbs else CREEPERS_HEIGHT_BOUNDS[0]
        default["creepers_spacing"] = CREEPERS_SPACING_BOUNDS[0] if kind.climbs else CREEPERS_SPACING_BOUNDS[1]
        return TaskSpace(bounds, default=default)

    def named_test_sets(self) -> dict[str, TestSet]:
        """The Parkour test sets by name (``parkour-walkers``, ``parkour-climbers``, ``parkour-swimmers``), each 100
        tasks of this env's task space; see :func:`~teachgym.envs.walkers.parkour.test_sets.parkour_test_sets`."""
        return parkour_test_sets(self.task_space)

    def default_test_set(self) -> TestSet:
        """The test set of the body's kind (``kind.test_set``): climbers' for climbers, swimmers' for swimmers,
        walkers' otherwise."""
        return self.named_test_sets()[self.body_spec.kind.test_set]

    # --------------------------------------------------------------------------------------------- episode
    def _generate_terrain(self, task: np.ndarray) -> Terrain:
        """The CPPN's ground and ceiling for the task's input, with its water and creepers."""
        return generate_parkour_terrain(
            self._cppn, task[:3], water_level=float(task[3]), creepers_height=float(task[4]),
            creepers_spacing=float(task[5]), startpad=self.startpad, cppn_scale=CPPN_SCALE, rng=self.np_random,
            movable_creepers=self.movable_creepers, world=self.parkour_world)

    def _make_lidar(self) -> Lidar:
        """The kind's fan, reporting surfaces; swinging creepers are only where the simulation has them: it then
        casts into the simulation's world."""
        return SurfaceLidar(self._terrain, kind_fan(self.body_spec.kind),
                            world=self._world if self.movable_creepers else None)

    def _start_extras(self) -> None:
        """Climbers hang from the ceiling; the water, the hands' grasping and the survival counters."""
        if self._body.hands:
            self._hang_from_ceiling()
        self._water = Water(self._terrain.water_y, self._terrain.water_vertices(), self.water_clip)
        self._grasping = Grasping(self._world, self._body.hands, self.body_spec.torque_penalty * REFERENCE_TORQUE)
        self._steps_under_water = self._steps_out_of_water = 0
        self._dead = False

    def _hang_from_ceiling(self) -> None:
        """Lift a climber built standing on the start pad until its hand sensors are centred on the pad's ceiling,
        as TeachMyAgent does: the sensors set to the ceiling's height, every part raised by the last sensor's rise.
        Its joints keep the anchors they got standing and its parts' heights round as TeachMyAgent's do (a climber
        built at the ceiling differs by 2e-6 m in some parts and anchors, 2e-5 m after the settle steps)."""
        ceiling = TERRAIN_HEIGHT + self.parkour_world.ceiling_offset
        sensors = [hand.part for hand in self._body.hands]
        rise = ceiling - sensors[-1].position.y
        for sensor in reversed(sensors):
            sensor.position = (sensor.position.x, ceiling)
        for part in self._body.parts.values():
            part.position = (part.position.x, part.position.y + rise)

    def _first_observation(self) -> np.ndarray:
        """Climbers start with both hands grasping and settle hanging for ``HANG_STEPS``; everyone else with a still
        first step. The survival counters start after it."""
        first = [0.0] * self._n_motors + [1.0] * len(self._body.hands)
        for _ in range(HANG_STEPS if self._body.hands else 0):
            self._advance(first)
        observation, _, _ = self._advance(first)
        self._steps_under_water = self._steps_out_of_water = 0
        return observation

    def _spawn_height(self) -> float:
        """Feet on the start pad (never a part below it: the fish's fin reaches lower than its centre height);
        climbers at their centre height, TeachMyAgent's, before they are lifted to the ceiling."""
        if self.body_spec.hands:
            return TERRAIN_HEIGHT + self.body_spec.center_height
        bottoms = []
        for part in self.body_spec.parts:
            bottoms += [y for _, y in _placed(part.vertices, part.position, part.angle)]
        return TERRAIN_HEIGHT + max(self.body_spec.center_height, -min(bottoms))

    def _actuate(self, values: list[float]) -> float:
        """Motors and grasps (all still once dead), then the water's forces on the wet parts."""
        if self._dead:
            values = [0.0] * len(values)
        action_cost = self._body.apply_action(values)
        grasping = self._grasping
        if grasping.hands:
            action_cost += grasping.before_step(values[self._n_motors:])
        wet_parts = self._contacts.wet_parts
        if wet_parts:
            self._water.apply_forces(wet_parts)
        return action_cost

    def _after_world_step(self) -> None:
        """Armed hands grasp what they overlap."""
        if self._grasping.hands:
            self._grasping.after_step()

    def _status(self, head_y: float) -> list[float]:
        """Count the steps in a row under and out of water while alive; a body of a kind that dies there is dead
        once the count exceeds ``SURVIVAL_STEPS`` (its actions zeroed from the next step on). Observe 1 if the head
        is under water and 1 if the body was dead when this step began (TeachMyAgent's order: it decides death at
        the start of a step, from the steps counted before it)."""
        under_water = head_y <= self._water.surface
        was_dead = self._dead
        if not was_dead:
            if under_water:
                self._steps_under_water += 1
                self._steps_out_of_water = 0
            else:
                self._steps_out_of_water += 1
                self._steps_under_water = 0
            kind = self.body_spec.kind
            self._dead = (kind.dies_under_water and self._steps_under_water > SURVIVAL_STEPS) or (
                kind.dies_out_of_water and self._steps_out_of_water > SURVIVAL_STEPS)
        return [1.0 if under_water else 0.0, 1.0 if was_dead else 0.0]

    def _hand_state(self) -> list[float]:
        """Per hand: touching something grippable, holding on."""
        return self._grasping.state() if self._grasping.hands else []

    def _scan(self, x: float, y: float) -> list[float]:
        """The lidar's free fractions, then its surface codes."""
        fractions, codes = self._lidar.scan_surfaces(x, y)
        return fractions + codes

    def _fell(self) -> bool:
        """Only a climber's critical contact with the ground ends a Parkour episode (TeachMyAgent's rule)."""
        return self.body_spec.kind.falls and self._contacts.critical_contact

    def terrain_profile(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The current track's x positions and its ground and ceiling heights there (metres, one point per terrain
        step, start pad included), as three fresh arrays.

        Raises:
            TeachgymError: before the first reset (there is no track yet).
        """
        if self._terrain is None:
            raise TeachgymError("Parkour.terrain_profile(): no track yet; call reset() first")
        ground, ceiling = np.array(self._terrain.ground), np.array(self._terrain.ceiling)
        return ground[:, 0], ground[:, 1], ceiling[:, 1]

    @property
    def dead(self) -> bool:
        """Whether the body has died (too long under water, or out of it for a swimmer): its actions are zeroed from
        the next step on, whose observation first flags it."""
        return self._dead

    def _observation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The walker tracks' bounds with the in-water and dead flags after the head block, the hands' two flags
        after the motor block, and the lidar's surface codes at the end."""
        low, high = super()._observation_bounds()
        hands = 2 * len(self.body_spec.hands)

        def spliced(bounds: np.ndarray, flag: float, code: float) -> np.ndarray:
            head, motors, lidar = bounds[:4], bounds[4:-LIDAR_COUNT], bounds[-LIDAR_COUNT:]
            parts = [head, [flag, flag], motors, [flag] * hands, lidar, [code] * LIDAR_COUNT]
            return np.concatenate([np.asarray(part, dtype=np.float32) for part in parts])

        return spliced(low, 0.0, -1.0), spliced(high, 1.0, 1.0)

    def _make_renderer(self) -> Any:
        """Frames with the water, the ceiling, the creepers, the hands (yellow while holding) and the lidar."""
        from .rendering import ParkourRenderer

        return ParkourRenderer()


def _placed(points, position, angle: float) -> list[tuple[float, float]]:
    """Local points of a part placed at ``position`` with ``angle`` (spec coordinates)."""
    cos, sin = math.cos(angle), math.sin(angle)
    return [(position[0] + cos * x - sin * y, position[1] + sin * x + cos * y) for x, y in points]
