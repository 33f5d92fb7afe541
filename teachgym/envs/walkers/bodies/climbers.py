"""The climbing chimpanzees: profile chimpanzees whose arms reach up, ending in one grasping hand each.

They start hanging from the ceiling and move by grasping and releasing it (and creepers); their lower legs, torso
and head must never touch the ground. The legless "chest" variant has to climb with its arms alone.
"""

from __future__ import annotations

import dataclasses
import math

from .chimpanzee import (
    ARM_UP,
    HAND_PART_LENGTH,
    HAND_PART_WIDTH,
    LEG,
    LEG_DOWN,
    LIMB_LENGTH,
    LIMB_WIDTH,
    Limb,
    Segment,
    chimpanzee_spec,
)
from .kind import BodyKind
from .spec import FAR_LIMB_COLOURS, NEAR_LIMB_COLOURS, SPEED_HAND, SPEED_HIP, BodySpec, Contact, GraspSpec

HAND_SENSOR_RADIUS = 0.05  # metres
# A climber's arm, from the shoulder up: its angle limits let it swing from straight up to far behind the back.
CLIMBING_ARM = (
    Segment("upper", LIMB_WIDTH, LIMB_LENGTH, (-1.5 * math.pi, 0.0), SPEED_HIP),
    Segment("lower", 0.8 * LIMB_WIDTH, LIMB_LENGTH, (0.0, 0.75 * math.pi), SPEED_HIP),
    Segment("hand", HAND_PART_WIDTH, HAND_PART_LENGTH, (-0.5 * math.pi, 0.5 * math.pi), SPEED_HAND,
            contact=Contact.SENSOR),
)
# A climber's legs are the walker chimpanzee's, but touching the ground with them ends the episode.
CLIMBING_LEG = (LEG[0], dataclasses.replace(LEG[1], contact=Contact.CRITICAL))


def _climber(name: str, motors_torque: float, with_legs: bool) -> BodySpec:
    limbs = [Limb(f"leg_{index}", -LEG_DOWN, CLIMBING_LEG, NEAR_LIMB_COLOURS) for index in range(2) if with_legs]
    limbs += [Limb(f"arm_{index}", ARM_UP, CLIMBING_ARM, FAR_LIMB_COLOURS, upward=True) for index in range(2)]
    # The sensor sits at the far end of each hand, where it meets the ceiling.
    hands = tuple(GraspSpec(f"arm_{index}_hand", (0.0, HAND_PART_LENGTH / 2), HAND_SENSOR_RADIUS) for index in range(2))
    return chimpanzee_spec(name, BodyKind.CLIMBER, limbs, motors_torque, hands)


def climbing_profile_chimpanzee(motors_torque: float = 100.0) -> BodySpec:
    """A chimpanzee in profile with two legs and two raised arms with grasping hands (10 motors + 2 grasps)."""
    return _climber("climbing_profile_chimpanzee", motors_torque, with_legs=True)


def climbing_chest_profile_chimpanzee(motors_torque: float = 100.0) -> BodySpec:
    """The legless climber: head, torso and two raised arms with grasping hands (6 motors + 2 grasps)."""
    return _climber("climbing_chest_profile_chimpanzee", motors_torque, with_legs=False)
