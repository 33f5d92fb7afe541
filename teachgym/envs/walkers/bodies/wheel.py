"""The wheel: a square body with a two-segment leg on each face, meant to roll rather than walk."""

from __future__ import annotations

import math

from ..physics import PIXEL
from .kind import BodyKind
from .spec import (
    FAR_LIMB_COLOURS,
    HIP_LIMITS,
    KNEE_ANGLE_OFFSET,
    KNEE_LIMITS,
    NEAR_LIMB_COLOURS,
    SPEED_HIP,
    SPEED_KNEE,
    BodySpec,
    Contact,
    JointSpec,
    LegShape,
    PartSpec,
    Point,
    assemble_body,
    box,
    hull_part,
    positive,
    split_torque_penalty,
)

BODY_HALF_SIDE = 10 * PIXEL  # at body_scale 1
LEG_SHAPE = LegShape(width=4 * PIXEL, length=10 * PIXEL)
# The legs in the reference's order, each pointing away from one face of the body.
LEG_DIRECTIONS: tuple[tuple[str, Point], ...] = (
    ("down", (0.0, -1.0)),
    ("up", (0.0, 1.0)),
    ("left", (-1.0, 0.0)),
    ("right", (1.0, 0.0)),
)


def _radial_leg(prefix: str, face: Point, direction: Point) -> tuple[list[PartSpec], list[JointSpec]]:
    """A thigh and a shin pointing from ``face`` (the hip) along ``direction``, with the standard hip and knee motors.

    Every shin is a ground sensor, whichever way it points.
    """
    (face_x, face_y), (dx, dy) = face, direction
    length = LEG_SHAPE.length
    angle = 0.0 if dx == 0.0 else math.pi / 2  # horizontal legs are the upright boxes turned a quarter turn

    def along(distance: float) -> Point:
        return (face_x + dx * distance, face_y + dy * distance)

    thigh, shin = f"{prefix}_thigh", f"{prefix}_shin"
    parts = [
        PartSpec(thigh, box(LEG_SHAPE.width / 2, length / 2), along(length / 2), angle=angle, colours=FAR_LIMB_COLOURS),
        PartSpec(
            shin, box(0.8 * LEG_SHAPE.width / 2, length / 2), along(3 * length / 2), angle=angle,
            colours=FAR_LIMB_COLOURS, contact=Contact.SENSOR,
        ),
    ]
    joints = [
        JointSpec("main_body", thigh, face, HIP_LIMITS, speed=SPEED_HIP),
        JointSpec(
            thigh, shin, along(length), KNEE_LIMITS, speed=SPEED_KNEE, angle_offset=KNEE_ANGLE_OFFSET,
            contact_part=shin,
        ),
    ]
    return parts, joints


def wheel(motors_torque: float = 500.0, body_scale: float = 1.0) -> BodySpec:
    """A square body (its side scaled by ``body_scale``, the legs not) with a leg on each face (8 motors,
    34 observations)."""
    motors_torque = positive("motors_torque", motors_torque)
    body_scale = positive("body_scale", body_scale)
    half_side = BODY_HALF_SIDE * body_scale
    # The reference draws the wheel in the limb palette: a dark body with light legs.
    main_body = hull_part(box(half_side, half_side), name="main_body", colours=NEAR_LIMB_COLOURS)
    legs = (_radial_leg(name, (dx * half_side, dy * half_side), (dx, dy)) for name, (dx, dy) in LEG_DIRECTIONS)
    return assemble_body(
        "wheel", BodyKind.WALKER, [main_body], legs, head="main_body", motors_torque=motors_torque,
        torque_penalty=split_torque_penalty(2), width=2 * half_side, center_height=half_side + 2 * LEG_SHAPE.length,
        # A wheel turns over as it rolls: its angle is not a fault.
        head_angle_penalty=False,
    )
