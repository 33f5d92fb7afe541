"""Parkour frames: the walker-track frame plus the ceiling's rock, the creepers, the water and the hands."""

from __future__ import annotations

import pygame

from ..bodies.body import Body
from ..physics import SCALE
from ..rendering import TrackRenderer
from .terrain import CREEPER_WIDTH, ParkourTerrain

ROCK = (128, 128, 128)
ROCK_EDGE = (0, 64, 64)
CREEPER = (111, 129, 96)
WATER = (119, 172, 229)
HAND = (77, 77, 204)
HOLDING = (255, 255, 0)
WATER_ALPHA = 140


class ParkourRenderer(TrackRenderer):
    """Adds, over the walker-track frame: the rock above the ceiling, the creepers, translucent water over
    everything, and each hand's sensor circle (yellow while it holds on)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._water = pygame.Surface((self.width, self.height), pygame.SRCALPHA)

    def _draw_terrain_extras(self, terrain: ParkourTerrain, to_pixels, scroll: float, view_right: float) -> None:
        ceiling = terrain.ceiling
        rock = [to_pixels(p) for p in ceiling] + [(to_pixels(ceiling[-1])[0], 0.0), (to_pixels(ceiling[0])[0], 0.0)]
        pygame.draw.polygon(self.surface, ROCK, rock)
        pygame.draw.lines(self.surface, ROCK_EDGE, False, [to_pixels(p) for p in ceiling], 2)
        if terrain.creeper_links:  # movable creepers: each link where it swings
            for link in terrain.creeper_links:
                if scroll - 1.0 < link.worldCenter.x < view_right + 1.0:
                    transform = link.transform
                    points = [to_pixels(transform * v) for v in link.fixtures[0].shape.vertices]
                    pygame.draw.polygon(self.surface, CREEPER, points)
            return
        for x, top, height in terrain.creepers:
            if x + CREEPER_WIDTH < scroll or x > view_right:
                continue
            left, upper = to_pixels((x, top))
            pygame.draw.rect(self.surface, CREEPER, (left, upper, CREEPER_WIDTH * SCALE, height * SCALE))

    def _draw_body_extras(self, terrain: ParkourTerrain, body: Body, to_pixels) -> None:
        for hand in body.hands:
            fixture = next(f for f in hand.part.fixtures if f.userData is hand)
            centre = to_pixels(hand.part.GetWorldPoint(hand.anchor))
            colour = HOLDING if hand.joint is not None else HAND
            pygame.draw.circle(self.surface, colour, centre, max(2, fixture.shape.radius * SCALE))
        if terrain.water_y > terrain.bottom:
            self._water.fill((0, 0, 0, 0))
            top = max(0.0, to_pixels((0.0, terrain.water_y))[1])
            pygame.draw.rect(self._water, (*WATER, WATER_ALPHA), (0, top, self.width, self.height - top))
            self.surface.blit(self._water, (0, 0))
