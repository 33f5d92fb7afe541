"""The big quadruped: a long, heavy hull on two pairs of bipedal-style legs, one at the rear and one at the front; and
TeachMyAgent's old big quadruped, built as its old bodies are."""

from __future__ import annotations

from ..physics import PIXEL
from .kind import BodyKind
from .spec import (
    OLD_HIP_DOWN,
    BodySpec,
    LegShape,
    assemble_body,
    hull_part,
    leg_pair,
    pixels,
    positive,
    split_torque_penalty,
)

HULL_VERTICES = pixels((-46, 13), (6, 13), (50, 5), (50, -12), (-46, -12))
HULL_HALF_WIDTH = 48 * PIXEL
# The reference places each leg pair at a fraction of the hull half-width.
LEG_PAIRS = (("rear", -0.7), ("front", 0.5))
# The old quadruped's fractions: its legs are placed at them (clamped to the hull), its hips anchored at the same
# numbers taken as metres from the hull centre, as the reference does.
OLD_LEG_PAIRS = (("rear", -1.2), ("front", 0.85))
LEG_SHAPE = LegShape(width=10 * PIXEL, length=51 * PIXEL)
LEG_DOWN = 3 * PIXEL


def big_quadru(motors_torque: float = 300.0) -> BodySpec:
    """A heavy hull on four two-segment legs (8 motors, 34 observations)."""
    return _quadruped("big_quadru", positive("motors_torque", motors_torque), old=False)


def old_big_quadru(motors_torque: float = 300.0) -> BodySpec:
    """TeachMyAgent's old big quadruped: the big quadruped's hull and legs, hips 8 px below the hull centre, legs
    tilted by -+0.05 rad and placed off their hips (see ``OLD_LEG_PAIRS``), pulled onto them by Box2D in the first
    steps; spawned two leg lengths above the tracks' ground."""
    return _quadruped("old_big_quadru", positive("motors_torque", motors_torque), old=True)


def _quadruped(name: str, motors_torque: float, *, old: bool) -> BodySpec:
    legs = []
    for pair, fraction in OLD_LEG_PAIRS if old else LEG_PAIRS:
        placed_x = max(-1.0, min(1.0, fraction)) * HULL_HALF_WIDTH
        legs += leg_pair(f"{pair}_", fraction if old else placed_x, LEG_DOWN, LEG_SHAPE, old=old, placed_x=placed_x)
    return assemble_body(
        name, BodyKind.WALKER, [hull_part(HULL_VERTICES)], legs, head="hull", motors_torque=motors_torque,
        torque_penalty=split_torque_penalty(2), width=96 * PIXEL,
        center_height=2 * LEG_SHAPE.length + (-OLD_HIP_DOWN if old else LEG_DOWN),
        spawn_height=2 * LEG_SHAPE.length if old else None,
    )
