"""The bipedal walkers: the benchmark's classic body (gymnasium-like BipedalWalker) and its short-legged variant."""

from __future__ import annotations

from ..physics import BASE_TORQUE_PENALTY, PIXEL
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
)

HULL_VERTICES = pixels((-30, 9), (6, 9), (34, 1), (34, -8), (-30, -8))
LEG_WIDTH = 8 * PIXEL
LEG_DOWN = 3 * PIXEL


def _bipedal(name: str, leg_length: float, width: float, motors_torque: float) -> BodySpec:
    hull = PartSpec(
        "hull", HULL_VERTICES, (0.0, 0.0), density=5.0, friction=0.1, colours=HULL_COLOURS,
        contact=Contact.CRITICAL, pushed=True,
    )
    parts, joints = [hull], []
    shape = LegShape(LEG_WIDTH, leg_length)
    for side, colours in (("far", FAR_LIMB_COLOURS), ("near", NEAR_LIMB_COLOURS)):
        leg_parts, leg_joints = hanging_leg(side, "hull", (0.0, -LEG_DOWN), shape, colours)
        parts += leg_parts
        joints += leg_joints
    return BodySpec(
        name=name,
        kind="walker",
        parts=tuple(parts),
        joints=tuple(joints),
        head="hull",
        motors_torque=motors_torque,
        torque_penalty=BASE_TORQUE_PENALTY,
        width=width,
        center_height=2 * leg_length + LEG_DOWN,
    )


def classic_bipedal(motors_torque: float = 80.0) -> BodySpec:
    """The benchmark body: a hull on two two-segment legs (4 motors, 24 observations)."""
    motors_torque = positive("motors_torque", motors_torque)
    return _bipedal("classic_bipedal", 34 * PIXEL, 64 * PIXEL, motors_torque)


def small_bipedal(motors_torque: float = 80.0) -> BodySpec:
    """The classic hull on legs half as long; its narrow width value keeps the reference's start pad."""
    motors_torque = positive("motors_torque", motors_torque)
    return _bipedal("small_bipedal", 17 * PIXEL, 20 * PIXEL, motors_torque)
