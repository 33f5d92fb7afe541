"""Lidar range finders: a fan of rays from a body part, reporting the fraction of the range that is free.

Rays are cast into a private Box2D world that holds only a copy of the terrain. The body's own parts are therefore
never hit, so the ray callback needs no collision filtering: that filter cost about 40% of the lidar time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import Box2D

from .bodies.kind import BodyKind
from .physics import BODY_CATEGORY, LIDAR_COUNT, LIDAR_FAN, LIDAR_RANGE
from .terrain import Surface, Terrain

# The surface code a Parkour lidar reports with each ray: -1 water, 1 creeper, 0 anything else.
SURFACE_CODES = {Surface.WATER: -1.0, Surface.CREEPER: 1.0, Surface.CEILING: 0.0, Surface.GROUND: 0.0, None: 0.0}


class _ClosestHit(Box2D.b2.rayCastCallback):
    """Keeps the fraction of the closest terrain hit along one ray."""

    def __init__(self) -> None:
        super().__init__()
        self.fraction = 1.0

    def ReportFixture(self, fixture, point, normal, fraction: float) -> float:  # noqa: N802 (Box2D's name)
        self.fraction = fraction
        return fraction  # clip the ray here: only closer hits are reported afterwards


class _ClosestSurface(_ClosestHit):
    """Keeps the fraction and the surface code of the closest hit along one ray."""

    def __init__(self) -> None:
        super().__init__()
        self.code = 0.0

    def ReportFixture(self, fixture, point, normal, fraction: float) -> float:  # noqa: N802
        self.fraction = fraction
        self.code = SURFACE_CODES[fixture.userData]
        return fraction


class _ClosestTerrainSurface(_ClosestSurface):
    """As :class:`_ClosestSurface` in a world shared with a body: the body's own fixtures are passed through."""

    def ReportFixture(self, fixture, point, normal, fraction: float) -> float:  # noqa: N802
        if fixture.filterData.categoryBits & BODY_CATEGORY:
            return -1.0  # ignore this fixture and go on
        return super().ReportFixture(fixture, point, normal, fraction)


def walker_fan(count: int = LIDAR_COUNT, fan: float = LIDAR_FAN, start: float = 0.0) -> tuple[float, ...]:
    """Ray angles of a fan ``fan`` radians wide, from ``start`` (0 is straight down) towards the front and up; the
    default is the walkers' downward fan."""
    return tuple(start + fan * i / count for i in range(count))


def kind_fan(kind: BodyKind, count: int = LIDAR_COUNT) -> tuple[float, ...]:
    """Ray angles of the Parkour fan of a body kind (``kind.lidar_fan``): walkers look down and ahead, climbers from
    ahead up to behind their head, swimmers and amphibians all around."""
    start, fan = kind.lidar_fan
    return walker_fan(count, fan, start)


class Lidar:
    """A fan of rays over a terrain.

    Args:
        terrain: what the rays can hit.
        angles: ray directions in radians from straight down, positive towards +x.
        max_range: ray length in metres.
        world: a world already holding the terrain to cast into (by default a private copy is built).
    """

    def __init__(self, terrain: Terrain, angles: Sequence[float], max_range: float = LIDAR_RANGE,
                 world: Box2D.b2World | None = None):
        if world is None:
            world = Box2D.b2World(gravity=(0.0, 0.0))
            terrain.build_static(world)
        self._world = world
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


class SurfaceLidar(Lidar):
    """A lidar that also reports the surface each ray stopped on (Parkour's codes: -1 water, 1 creeper, 0 other).

    With ``world`` it casts into that (the simulation's) world instead of a private copy of the terrain, skipping
    the body's fixtures: slower, but it sees terrain that moves (swinging creepers).
    """

    def __init__(self, terrain, angles: Sequence[float], max_range: float = LIDAR_RANGE,
                 world: Box2D.b2World | None = None):
        super().__init__(terrain, angles, max_range, world)
        self._hit = _ClosestSurface() if world is None else _ClosestTerrainSurface()
        self.codes = [0.0] * len(self._offsets)

    def scan_surfaces(self, x: float, y: float) -> tuple[list[float], list[float]]:
        """Cast every ray from ``(x, y)``; return the free fraction and the surface code of each ray."""
        hit = self._hit
        ray_cast = self._world.RayCast
        fractions, codes = [], []
        for dx, dy in self._offsets:
            hit.fraction = 1.0
            hit.code = 0.0
            ray_cast(hit, (x, y), (x + dx, y + dy))
            fractions.append(hit.fraction)
            codes.append(hit.code)
        self.fractions, self.codes = fractions, codes
        self.origin = (x, y)
        return fractions, codes
