"""The obstacle tracks: an embodiment walks a flat track with obstacles generated from the task.

:class:`WalkerTrackEnv` is the :class:`~teachgym.envs.walkers.base.WalkerEnv` of the Stump and Hexagon Tracks: it
lays the flat ground and its obstacles; a subclass only says how one obstacle is generated from the task, in
``_generate_obstacle``, and how far apart obstacles stand, in ``_obstacle_spacing``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .base import BodyKindError, WalkerEnv, accepted_bodies, walker_env_ids
from .bodies.kind import BodyKind
from .physics import TERRAIN_END, TERRAIN_HEIGHT, TERRAIN_LENGTH, TERRAIN_STEP
from .terrain import Obstacle, Terrain

# accepted_bodies, walker_env_ids and BodyKindError lived here before the walker base was split out of this module.
__all__ = ["MIN_OBSTACLE_SPACING", "BodyKindError", "WalkerTrackEnv", "accepted_bodies", "walker_env_ids"]

MIN_OBSTACLE_SPACING = 0.01


class WalkerTrackEnv(WalkerEnv):
    """Base of the obstacle tracks. See :class:`~teachgym.envs.walkers.stump_tracks.StumpTracks` for the docs."""

    BODY_KINDS: ClassVar[tuple[BodyKind, ...]] = (BodyKind.WALKER, BodyKind.AMPHIBIAN)  # no ceiling, no water
    REWARD_RANGE = (-150.0, 350.0)
    finish_x = (TERRAIN_LENGTH - TERRAIN_END) * TERRAIN_STEP

    def _generate_obstacle(self, x: float, ground_y: float, task: np.ndarray) -> tuple[Obstacle | None, float]:
        """Generate the obstacle starting at ``x``; return it (or None) and the x where it ends."""
        raise NotImplementedError

    def _obstacle_spacing(self, task: np.ndarray) -> float:
        """Flat length between two obstacles, in metres."""
        raise NotImplementedError

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
