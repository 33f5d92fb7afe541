"""Lidar range finders: a fan of rays from a body part, reporting the fraction of the range that is free.

Rays are cast into a private Box2D world that holds only a copy of the terrain. The body's own parts are therefore
never hit, so the ray callback needs no collision filtering: that filter cost about 40% of the lidar time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import Box2D

from .physics import LIDAR_COUNT, LIDAR_FAN, LIDAR_RANGE
from .terrain import Terrain


class _ClosestHit(Box2D.b2.rayCastCallback):
    """Keeps the fraction of the closest terrain hit along one ray."""

    def __init__(self) -> None:
        super().__init__()
        self.fraction = 1.0

    def ReportFixture(self, fixture, point, normal, fraction: float) -> float:  # noqa: N802 (Box2D's name)
        self.fraction = fraction
        return fraction  # clip the ray here: only closer hits are reported afterwards


def walker_fan(count: int = LIDAR_COUNT, fan: float = LIDAR_FAN) -> tuple[float, ...]:
    """Ray angles of the walkers' downward fan: from straight down (0) towards the front, ``fan`` radians wide."""
    return tuple(fan * i / count for i in range(count))


class Lidar:
    """A fan of rays over a terrain.

    Args:
        terrain: what the rays can hit.
        angles: ray directions in radians from straight down, positive towards +x.
        max_range: ray length in metres.
    """

    def __init__(self, terrain: Terrain, angles: Sequence[float], max_range: float = LIDAR_RANGE):
        self._world = Box2D.b2World(gravity=(0.0, 0.0))
        terrain.build(self._world)
        self._offsets = tuple((math.sin(a) * max_range, -math.cos(a) * max_range) for a in angles)
        self._hit = _ClosestHit()
        self.fractions = [1.0] * len(self._offsets)
        self.origin = (0.0, 0.0)

    def scan(self, x: float, y: float) -> list[float]:
        """Cast every ray from ``(x, y)``; return (and keep, for rendering) the free fraction of each ray."""
        hit = self._hit
        ray_cast = self._world.RayCast
        fractions = []
        for dx, dy in self._offsets:
            hit.fraction = 1.0
            ray_cast(hit, (x, y), (x + dx, y + dy))
            fractions.append(hit.fraction)
        self.fractions = fractions
        self.origin = (x, y)
        return fractions

    def segments(self) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        """The rays of the last scan, from the origin to where each one stopped (for rendering)."""
        x, y = self.origin
        return [((x, y), (x + dx * f, y + dy * f)) for (dx, dy), f in zip(self._offsets, self.fractions)]
