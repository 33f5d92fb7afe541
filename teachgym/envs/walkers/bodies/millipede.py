"""The millipede: a chain of square segments linked by stiff passive joints, each segment on a pair of short legs."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..physics import PIXEL
from .kind import BodyKind
from .spec import (
    BodySpec,
    Contact,
    JointSpec,
    LegShape,
    PartSpec,
    assemble_body,
    box,
    hull_part,
    leg_pair,
    positive,
    positive_int,
    split_torque_penalty,
)

SEGMENT_SIDE = 20 * PIXEL
SEGMENT_JOINT_LIMIT = 0.05 * math.pi
LEG_SHAPE = LegShape(width=4 * PIXEL, length=10 * PIXEL)
LEG_DOWN = 3 * PIXEL


def millipede(motors_torque: float = 200.0, nb_of_bodies: int = 4) -> BodySpec:
    """``nb_of_bodies`` segments in a row, each on two two-segment legs (4 motors and 10 motor observations per
    segment; 16 actions and 54 observations by default). The rightmost segment is the head."""
    motors_torque = positive("motors_torque", motors_torque)
    nb_of_bodies = positive_int("nb_of_bodies", nb_of_bodies)
    # As in the reference, the chain starts half its length left of the spawn point, so it sits half a segment left.
    first_x = -SEGMENT_SIDE * nb_of_bodies / 2
    head = f"segment_{nb_of_bodies - 1}"

    def segment_with_legs(index: int) -> Iterator[tuple[list[PartSpec], list[JointSpec]]]:
        """One segment, its two legs, and the passive joint to the segment before it, in the reference's order."""
        x, segment = first_x + index * SEGMENT_SIDE, f"segment_{index}"
        # Only the head is critical: the reference meant it to be, but a bug left the millipede without any fall.
        contact = Contact.CRITICAL if segment == head else Contact.IGNORED
        yield [hull_part(box(SEGMENT_SIDE / 2, SEGMENT_SIDE / 2), name=segment, position=(x, 0.0), contact=contact)], []
        yield from leg_pair(f"{segment}_", x, LEG_DOWN, LEG_SHAPE, parent=segment)
        if index > 0:
            limits = (-SEGMENT_JOINT_LIMIT, SEGMENT_JOINT_LIMIT)
            yield [], [JointSpec(f"segment_{index - 1}", segment, (x - SEGMENT_SIDE / 2, 0.0), limits)]

    limbs = (limb for index in range(nb_of_bodies) for limb in segment_with_legs(index))
    return assemble_body(
        "millipede", BodyKind.WALKER, [], limbs, head=head, motors_torque=motors_torque,
        torque_penalty=split_torque_penalty(nb_of_bodies), width=SEGMENT_SIDE * nb_of_bodies,
        center_height=2 * LEG_SHAPE.length + LEG_DOWN,
    )
