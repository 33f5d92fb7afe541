"""Hexagon Tracks: a walker crosses obstacles whose hexagonal shapes are the 12-dimensional task."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...errors import EnvOptionError
from ...task_space import TaskSpace
from ...validation import check_number
from .physics import TERRAIN_STEP
from .terrain import Obstacle, convex_polygon
from .track import WalkerTrackEnv

# The undeformed hexagon, in terrain steps around the obstacle's anchor on the ground: the task offsets these.
BASE_HEXAGON = ((-0.5, 0.0), (-0.5, 0.25), (-0.25, 0.5), (0.25, 0.5), (0.5, 0.25), (0.5, 0.0))
BASE_HALF_WIDTH = 0.5
OFFSET_STD = 0.1
OFFSET_NAMES = tuple(f"{axis}{i}" for i in range(len(BASE_HEXAGON)) for axis in ("dx", "dy"))
DEFAULT_OBSTACLE_SPACING = 8.0


class HexagonTracks(WalkerTrackEnv):
    """
    ## Description
    A Box2D walker must cross a flat track of hexagonal obstacles whose vertices are displaced by the task: a
    12-dimensional space (the ALP-GMM paper's Hexagon Tracks) in which most tasks make tall, wide or jagged
    obstacles and only a small region is walkable. It shares bodies, observations, rewards and episode rules
    with `StumpTracks` (see its docs).

    ## Action Space
    `Box(-1, 1, (n_motors,), float32)`, as in Stump Tracks.

    ## Observation Space
    As in Stump Tracks: head state, motor block, 10 lidar fractions (24 values for classic_bipedal).

    ## Rewards
    As in Stump Tracks: progress of the head, head-angle and torque costs, -100 for a fall.

    ## Starting State
    As in Stump Tracks: a flat start pad and a random push.

    ## Episode End
    As in Stump Tracks: fall, left edge or end of track; truncated after 2000 steps; `info["success"]` once the
    return exceeds 230.

    ## Task Parameters
    | name | default bounds | default task | meaning |
    |---|---|---|---|
    | `dx0`, `dy0`, ..., `dx5`, `dy5` | [0, 4] each | 0 | offset of hexagon vertex i from the base, in terrain steps |

    Every obstacle draws each offset from N(task value, 0.1). The base hexagon is one terrain step wide and half a
    step tall; its first and last vertices stay on the ground (their `dy` is ignored), and the obstacle is the
    convex hull of the six displaced vertices.

    ## Arguments
    - `body`, `body_kwargs`, `render_mode`, `**task_bounds`: as in Stump Tracks.
    - `obstacle_spacing`: flat distance between hexagons in metres (default 8, the reference's fixed spacing).

    ## Version History
    - v0: initial version.
    """

    DEFAULT_TASK_SPACE = TaskSpace({name: (0.0, 4.0) for name in OFFSET_NAMES}, default=[0.0] * len(OFFSET_NAMES))

    def __init__(
        self,
        body: str = "classic_bipedal",
        body_kwargs: Mapping[str, Any] | None = None,
        render_mode: str | None = None,
        obstacle_spacing: float = DEFAULT_OBSTACLE_SPACING,
        **task_bounds: tuple[float, float],
    ):
        """See the class docs.

        Raises:
            EnvOptionError: for an ``obstacle_spacing`` that is not a finite number >= 0 (metres), or a bad
                ``render_mode``.
        """
        self.obstacle_spacing = check_number("obstacle_spacing", obstacle_spacing, low=0.0, error=EnvOptionError)
        super().__init__(body, body_kwargs, render_mode, task_bounds, obstacle_spacing=obstacle_spacing)

    def _obstacle_spacing(self, task: np.ndarray) -> float:
        return self.obstacle_spacing

    def _generate_obstacle(self, x: float, ground_y: float, task: np.ndarray) -> tuple[Obstacle | None, float]:
        offsets = self.np_random.normal(task, OFFSET_STD).reshape(len(BASE_HEXAGON), 2)
        last = len(BASE_HEXAGON) - 1
        points = []
        for i, ((base_x, base_y), (dx, dy)) in enumerate(zip(BASE_HEXAGON, offsets.tolist())):
            # The base hexagon is centred on its anchor: shift it so the obstacle starts at x, and never let the
            # noise push a vertex under the ground.
            height = 0.0 if i in (0, last) else max(0.0, base_y + dy)
            points.append((x + (base_x + BASE_HALF_WIDTH + dx) * TERRAIN_STEP, ground_y + height * TERRAIN_STEP))
        hull = convex_polygon(points)
        if hull is None:
            return None, x
        # Tinted by the first and last vertical offsets, as in the reference, so shapes are told apart at a glance.
        tint = min(max(offsets[0, 1] / 3, 0.0), 1.0), min(max(offsets[-1, 1] / 3, 0.0), 1.0)
        colours = ((1.0, *tint), (0.6, 0.6, 0.6))
        return Obstacle(hull, colours), max(x, max(px for px, _ in hull))
