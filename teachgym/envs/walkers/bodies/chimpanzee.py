"""The profile chimpanzee: a head and torso on two legs, with two arms ending in three-part hands, seen side-on."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..physics import PIXEL
from .kind import BodyKind
from .spec import (
    FAR_LIMB_COLOURS,
    KNEE_ANGLE_OFFSET,
    NEAR_LIMB_COLOURS,
    SPEED_HAND,
    SPEED_HIP,
    SPEED_KNEE,
    BodySpec,
    Colour,
    Contact,
    GraspSpec,
    JointSpec,
    PartSpec,
    assemble_body,
    box,
    hull_part,
    pixels,
    positive,
    split_torque_penalty,
)

GROUND_ONLY = 0x0001  # the reference chimpanzee's collision mask
TORSO_VERTICES = pixels((-12, 25), (12, 25), (8, -20), (-8, -20))
TORSO_HEIGHT = 45 * PIXEL
# A 10 x 20 px rectangle, listed as the reference lists it: built from this list rather than as a box, as there
HEAD_VERTICES = pixels((-5, 10), (5, 10), (5, -10), (-5, -10))
HEAD_HEIGHT = 20 * PIXEL
HEAD_GAP = 0.2  # metres, not pixels, in the reference
LEG_DOWN = 12 * PIXEL
ARM_UP = 22 * PIXEL
LIMB_WIDTH = 8 * PIXEL
LIMB_LENGTH = 28 * PIXEL
HAND_PART_WIDTH = 4 * PIXEL
HAND_PART_LENGTH = 8 * PIXEL


@dataclass(frozen=True)
class Segment:
    """One segment of a chimpanzee limb and the motor joining it to the segment before it.

    A segment whose ``contact`` is tracked has its contact flag observed after its motor's state.
    """

    name: str
    width: float
    length: float
    limits: tuple[float, float]
    speed: float
    angle_offset: float = 0.0
    contact: Contact = Contact.IGNORED


LEG = (
    Segment("upper", LIMB_WIDTH, LIMB_LENGTH, (-0.3 * math.pi, 0.6 * math.pi), SPEED_HIP),
    Segment(
        "lower", 0.8 * LIMB_WIDTH, LIMB_LENGTH, (-0.75 * math.pi, -0.1), SPEED_KNEE, KNEE_ANGLE_OFFSET,
        contact=Contact.SENSOR,
    ),
)
HAND_LIMITS = ((-0.4 * math.pi, 0.35 * math.pi), (-0.5 * math.pi, 0.0), (-0.8 * math.pi, 0.0))
ARM = (
    Segment("upper", LIMB_WIDTH, LIMB_LENGTH, (-0.5 * math.pi, 0.8 * math.pi), SPEED_HIP),
    Segment("lower", 0.8 * LIMB_WIDTH, LIMB_LENGTH, (0.0, 0.75 * math.pi), SPEED_HIP),
    *(
        Segment(f"hand_{index}", HAND_PART_WIDTH, HAND_PART_LENGTH, limits, SPEED_HAND, contact=Contact.SENSOR)
        for index, limits in enumerate(HAND_LIMITS)
    ),
)


def chained_limb(
    prefix: str, anchor_y: float, segments: tuple[Segment, ...], colours: tuple[Colour, Colour], *, upward: bool = False
) -> tuple[list[PartSpec], list[JointSpec]]:
    """``segments`` in a straight line from a joint on the torso at height ``anchor_y``, each one after the previous:
    hanging down (legs, a walker's arms) or, with ``upward``, raised (a climber's arms reaching for the ceiling)."""
    direction = 1.0 if upward else -1.0
    parts, joints = [], []
    parent = "torso"
    for segment in segments:
        name = f"{prefix}_{segment.name}"
        observed = segment.contact is not Contact.IGNORED
        parts.append(
            PartSpec(
                name,
                box(segment.width / 2, segment.length / 2),
                (0.0, anchor_y + direction * segment.length / 2),
                colours=colours,
                contact=segment.contact,
                collides_with=GROUND_ONLY,
            )
        )
        joints.append(
            JointSpec(
                parent, name, (0.0, anchor_y), segment.limits, speed=segment.speed, angle_offset=segment.angle_offset,
                contact_part=name if observed else None,
            )
        )
        parent, anchor_y = name, anchor_y + direction * segment.length
    return parts, joints


def _head_and_torso() -> tuple[list[PartSpec], list[JointSpec]]:
    """The chimpanzees' head on a passive neck above the torso; both critical, as in the reference, and only the
    head gets the start push."""
    head = hull_part(
        HEAD_VERTICES, name="head", position=(0.0, TORSO_HEIGHT / 2 + HEAD_HEIGHT / 2 + HEAD_GAP),
        collides_with=GROUND_ONLY,
    )
    torso = hull_part(TORSO_VERTICES, name="torso", collides_with=GROUND_ONLY, pushed=False)
    return [head, torso], [JointSpec("head", "torso", (0.0, TORSO_HEIGHT / 2), (-0.1 * math.pi, 0.1 * math.pi))]


@dataclass(frozen=True)
class Limb:
    """One limb of a chimpanzee: its name prefix, the height of its joint on the torso, its segments from the torso
    outwards, its colours, and whether it is raised (a climber's arm) rather than hanging."""

    prefix: str
    anchor_y: float
    segments: tuple[Segment, ...]
    colours: tuple[Colour, Colour]
    upward: bool = False


def chimpanzee_spec(
    name: str, kind: BodyKind, limbs: list[Limb], motors_torque: float, hands: tuple[GraspSpec, ...] = ()
) -> BodySpec:
    """A chimpanzee body: head and torso with ``limbs``; the torque penalty is shared by five limb groups (legs,
    arms, hands) as in the reference, and the head angle is not penalised."""
    core, neck = _head_and_torso()
    chained = (
        chained_limb(limb.prefix, limb.anchor_y, limb.segments, limb.colours, upward=limb.upward) for limb in limbs
    )
    return assemble_body(
        name, kind, core, chained, core_joints=neck, head="head",
        motors_torque=positive("motors_torque", motors_torque), torque_penalty=split_torque_penalty(5),
        width=24 * PIXEL, center_height=2 * LIMB_LENGTH + LEG_DOWN, head_angle_penalty=False, hands=hands,
    )


def profile_chimpanzee(motors_torque: float = 100.0) -> BodySpec:
    """A chimpanzee in profile: both legs and both arms overlap at the torso's axis (14 motors, 50 observations)."""
    limbs = [Limb(f"leg_{index}", -LEG_DOWN, LEG, NEAR_LIMB_COLOURS) for index in range(2)]
    limbs += [Limb(f"arm_{index}", ARM_UP, ARM, FAR_LIMB_COLOURS) for index in range(2)]
    return chimpanzee_spec("profile_chimpanzee", BodyKind.WALKER, limbs, motors_torque)
