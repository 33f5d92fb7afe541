"""The big quadruped: a long, heavy hull on two pairs of bipedal-style legs, one at the rear and one at the front."""

from __future__ import annotations

from ..physics import PIXEL
from .spec import (
    FAR_LIMB_COLOURS,
    HULL_COLOURS,
    NEAR_LIMB_COLOURS,
    BodySpec,
    Contact,
    LegShape,
    PartSpec,
    hanging_leg,
    pixels,
    positive,
    split_torque_penalty,
)

HULL_VERTICES = pixels((-46, 13), (6, 13), (50, 5), (50, -12), (-46, -12))
HULL_HALF_WIDTH = 48 * PIXEL
# The reference places each leg pair at a fraction of the hull half-width.
LEG_PAIRS = (("rear", -0.7), ("front", 0.5))
LEG_SHAPE = LegShape(width=10 * PIXEL, length=51 * PIXEL)
LEG_DOWN = 3 * PIXEL


def big_quadru(motors_torque: float = 300.0) -> BodySpec:
    """A heavy hull on four two-segment legs (8 motors, 34 observations)."""
    motors_torque = positive("motors_torque", motors_torque)
    hull = PartSpec(
        "hull", HULL_VERTICES, (0.0, 0.0), density=5.0, friction=0.1, colours=HULL_COLOURS,
        contact=Contact.CRITICAL, pushed=True,
    )
    parts, joints = [hull], []
    for pair, fraction in LEG_PAIRS:
        hip = (fraction * HULL_HALF_WIDTH, -LEG_DOWN)
        for side, colours in (("far", FAR_LIMB_COLOURS), ("near", NEAR_LIMB_COLOURS)):
            leg_parts, leg_joints = hanging_leg(f"{pair}_{side}", "hull", hip, LEG_SHAPE, colours)
            parts += leg_parts
            joints += leg_joints
    return BodySpec(
        name="big_quadru",
        kind="walker",
        parts=tuple(parts),
        joints=tuple(joints),
        head="hull",
        motors_torque=motors_torque,
        torque_penalty=split_torque_penalty(2),
        width=96 * PIXEL,
        center_height=2 * LEG_SHAPE.length + LEG_DOWN,
    )
