"""Off-screen rendering of the walker tracks to RGB arrays with pygame (imported only when a frame is drawn)."""

from __future__ import annotations

import os

import numpy as np

from .bodies.body import Body
from .lidar import Lidar
from .physics import SCALE, TERRAIN_HEIGHT, TERRAIN_STEP, VIEWPORT_H, VIEWPORT_W
from .terrain import Terrain

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402  (after silencing pygame's banner)

SKY = (230, 230, 255)
EARTH = (102, 153, 77)
GRASS = (77, 230, 77)
LIDAR = (255, 0, 0)
FLAG = (230, 51, 0)


def _rgb(colour: tuple[float, float, float]) -> tuple[int, int, int]:
    return tuple(int(255 * min(max(c, 0.0), 1.0)) for c in colour)


class TrackRenderer:
    """Draws the part of the track around the body: sky, ground, obstacles, body parts, lidar rays, start flag."""

    def __init__(self, width: int = VIEWPORT_W, height: int = VIEWPORT_H):
        self.width, self.height = width, height
        self.surface = pygame.Surface((width, height))

    def draw(self, terrain: Terrain, body: Body, lidar: Lidar) -> np.ndarray:
        """Return the frame as an ``(height, width, 3)`` uint8 array; the view follows the body's head: across
        always, up or down only as far as keeps the head in the middle half of the frame (Parkour's ceiling and
        valleys lie beyond the walker tracks' fixed height range)."""
        head = body.head.position
        scroll = head.x - self.width / SCALE / 5
        view_right = scroll + self.width / SCALE
        view_height = self.height / SCALE
        bottom = min(max(0.0, head.y - 0.75 * view_height), head.y - 0.25 * view_height)

        def to_pixels(point) -> tuple[float, float]:
            return (point[0] - scroll) * SCALE, self.height - (point[1] - bottom) * SCALE

        surface = self.surface
        surface.fill(SKY)
        ground = terrain.ground
        floor = min(0.0, bottom)
        earth = [to_pixels(p) for p in ground] + [to_pixels((ground[-1][0], floor)), to_pixels((ground[0][0], floor))]
        pygame.draw.polygon(surface, EARTH, earth)
        pygame.draw.lines(surface, GRASS, False, [to_pixels(p) for p in ground], 2)
        self._draw_terrain_extras(terrain, to_pixels, scroll, view_right)
        for obstacle in getattr(terrain, "obstacles", ()):
            xs = [x for x, _ in obstacle.vertices]
            if max(xs) < scroll or min(xs) > view_right:
                continue
            self._polygon([to_pixels(p) for p in obstacle.vertices], obstacle.colours)
        for part, built in zip(body.spec.parts, body.parts.values()):
            transform = built.transform
            for fixture in built.fixtures:
                if not fixture.sensor:
                    self._polygon([to_pixels(transform * v) for v in fixture.shape.vertices], part.colours)
        self._draw_body_extras(terrain, body, to_pixels)
        for start, end in lidar.segments():
            pygame.draw.line(surface, LIDAR, to_pixels(start), to_pixels(end), 1)
        self._flag(to_pixels)
        return np.transpose(pygame.surfarray.array3d(surface), (1, 0, 2)).copy()

    def _draw_terrain_extras(self, terrain, to_pixels, scroll: float, view_right: float) -> None:
        """Hook: what a track family draws over its ground, before the body (nothing on the walker tracks)."""

    def _draw_body_extras(self, terrain, body: Body, to_pixels) -> None:
        """Hook: what a track family draws over the body, before the lidar (nothing on the walker tracks)."""

    def _polygon(self, points: list[tuple[float, float]], colours) -> None:
        pygame.draw.polygon(self.surface, _rgb(colours[0]), points)
        pygame.draw.polygon(self.surface, _rgb(colours[1]), points, 2)

    def _flag(self, to_pixels) -> None:
        x, bottom, top = TERRAIN_STEP * 3, TERRAIN_HEIGHT, TERRAIN_HEIGHT + 50 / SCALE
        pygame.draw.line(self.surface, (0, 0, 0), to_pixels((x, bottom)), to_pixels((x, top)), 2)
        pennant = [to_pixels((x, top)), to_pixels((x, top - 10 / SCALE)), to_pixels((x + 25 / SCALE, top - 5 / SCALE))]
        pygame.draw.polygon(self.surface, FLAG, pennant)
