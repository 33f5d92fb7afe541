"""The spider: a square body on pairs of three-segment legs that start folded up and out from its bottom corners."""

from __future__ import annotations

import math

from ..physics import PIXEL
from .kind import BodyKind
from .spec import (
    FAR_LIMB_COLOURS,
    NEAR_LIMB_COLOURS,
    SPEED_HIP,
    SPEED_KNEE,
    BodySpec,
    Contact,
    JointSpec,
    PartSpec,
    assemble_body,
    box,
    hull_part,
    positive,
    positive_int,
    split_torque_penalty,
)

BODY_HALF_SIDE = 10 * PIXEL
LEG_DOWN = 4 * PIXEL
LEG_WIDTH = 6 * PIXEL
LEG_LENGTH = 20 * PIXEL
# Per segment, from the body outwards: name, width, spawn angle of a rear leg, joint limit (symmetric), motor speed,
# and whether it is the ground sensor. Front legs mirror the angles.
SEGMENTS = (
    ("upper", LEG_WIDTH, 0.25 * math.pi, 0.1 * math.pi, SPEED_HIP, False),
    ("middle", LEG_WIDTH, 0.7 * math.pi, 0.15 * math.pi, SPEED_HIP, False),
    ("lower", 0.8 * LEG_WIDTH, 0.9 * math.pi, 0.2 * math.pi, SPEED_KNEE, True),
)
# Side factors of the reference: +1 is the rear (-x) corner, -1 the mirrored front (+x) one.
SIDES = (("rear", 1.0), ("front", -1.0))


def _folded_leg(prefix: str, side: float) -> tuple[list[PartSpec], list[JointSpec]]:
    """Three segments chained from a bottom corner of the body, each turned to its spawn angle times ``side``."""
    parts, joints = [], []
    parent, x, y = "main_body", -side * BODY_HALF_SIDE, -LEG_DOWN
    for name, width, angle, limit, speed, sensor in SEGMENTS:
        part, angle = f"{prefix}_{name}", side * angle
        # A segment extends from its proximal joint along its own local +y axis.
        dx, dy = -math.sin(angle) * LEG_LENGTH, math.cos(angle) * LEG_LENGTH
        parts.append(
            PartSpec(
                part,
                box(width / 2, LEG_LENGTH / 2),
                (x + dx / 2, y + dy / 2),
                angle=angle,
                colours=FAR_LIMB_COLOURS,
                contact=Contact.SENSOR if sensor else Contact.IGNORED,
            )
        )
        joints.append(
            JointSpec(parent, part, (x, y), (-limit, limit), speed=speed, contact_part=part if sensor else None)
        )
        parent, x, y = part, x + dx, y + dy
    return parts, joints


def spider(motors_torque: float = 100.0, nb_pairs_of_legs: int = 2) -> BodySpec:
    """A square body on ``nb_pairs_of_legs`` pairs of three-segment legs (6 motors and 14 motor observations per pair;
    12 actions and 42 observations by default)."""
    motors_torque = positive("motors_torque", motors_torque)
    nb_pairs_of_legs = positive_int("nb_pairs_of_legs", nb_pairs_of_legs)
    # The reference draws the spider in the limb palette: a dark body on light legs.
    main_body = hull_part(box(BODY_HALF_SIDE, BODY_HALF_SIDE), name="main_body", colours=NEAR_LIMB_COLOURS)
    # Legs of the same side overlap exactly: body parts never collide with each other.
    legs = (
        _folded_leg(f"{side_name}_leg_{pair}", side) for pair in range(nb_pairs_of_legs) for side_name, side in SIDES
    )
    return assemble_body(
        "spider", BodyKind.WALKER, [main_body], legs, head="main_body", motors_torque=motors_torque,
        torque_penalty=split_torque_penalty(nb_pairs_of_legs), width=2 * BODY_HALF_SIDE + 4 * LEG_LENGTH,
        # The reference height, with the leg tips about 0.11 m above the ground: the spider drops at spawn.
        center_height=LEG_LENGTH + LEG_DOWN,
    )
