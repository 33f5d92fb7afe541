"""Declarative description of an embodiment: its rigid parts, its joints and motors, and how it is observed.

A :class:`BodySpec` is plain data (metres and radians, relative to the spawn point), so a new body is a function that
returns one, and a single runtime class (:class:`teachgym.envs.walkers.bodies.body.Body`) builds any of them into a
Box2D world. Shared limb shapes are helpers here, so the bodies that use them differ only in their numbers.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ....errors import EnvOptionError, TeachgymError
from ....validation import check_integer, check_number
from ..physics import BASE_TORQUE_PENALTY, PIXEL
from .kind import BodyKind

Point = tuple[float, float]
Colour = tuple[float, float, float]

# Colours of the reference bodies (fill, outline).
HULL_COLOURS: tuple[Colour, Colour] = ((0.5, 0.4, 0.9), (0.3, 0.3, 0.5))
NEAR_LIMB_COLOURS: tuple[Colour, Colour] = ((0.5, 0.2, 0.4), (0.3, 0.1, 0.2))
FAR_LIMB_COLOURS: tuple[Colour, Colour] = ((0.7, 0.4, 0.6), (0.5, 0.3, 0.4))

# Motor speeds (rad/s); they also normalise the joint-speed observations.
SPEED_HIP = 4.0
SPEED_KNEE = 6.0
SPEED_HAND = 8.0

HIP_LIMITS = (-0.8, 1.1)
KNEE_LIMITS = (-1.6, -0.1)
KNEE_ANGLE_OFFSET = 1.0  # knee angles are observed shifted so that a straight leg reads about 1

# TeachMyAgent's old bodies (teachDeepRL's walkers, its benchmark's bodies): hips this far below the hull centre, each
# leg placed as if hung from as far above it, far legs tilted by -OLD_LEG_TILT and near ones by +OLD_LEG_TILT.
OLD_HIP_DOWN = 8 * PIXEL
OLD_LEG_TILT = 0.05

# Every body kind, in BodyKind order (each equals its name: BODY_KINDS[0] == "walker").
BODY_KINDS = tuple(BodyKind)


class BodySpecError(TeachgymError, ValueError):
    """A body spec that does not hold together: duplicate part names, or a joint, hand or head naming no part."""


class Contact(enum.Enum):
    """What a part's contact with the terrain means."""

    IGNORED = "ignored"  # not tracked
    SENSOR = "sensor"  # tracked, observed through the joint that names it
    CRITICAL = "critical"  # tracked, and touching the terrain ends the episode (a fall)


@dataclass(frozen=True)
class PartSpec:
    """One rigid part: a convex polygon (local coordinates) placed relative to the spawn point."""

    name: str
    vertices: tuple[Point, ...]
    position: Point
    angle: float = 0.0
    density: float = 1.0
    friction: float = 0.2
    colours: tuple[Colour, Colour] = FAR_LIMB_COLOURS
    contact: Contact = Contact.IGNORED
    collides_with: int = 0x000F  # Box2D mask bits: the terrain's category is among them
    pushed: bool = False  # receives the random horizontal push at reset


@dataclass(frozen=True)
class JointSpec:
    """A revolute joint between two parts; with a ``speed`` it is a motor driven by one action dimension.

    ``anchor`` is where the joint is on the parent, relative to the spawn point. With ``local_anchors`` (a point in the
    parent's own frame, one in the child's) the joint holds those two points together instead, wherever the parts are
    placed: TeachMyAgent's old bodies are built so, with legs placed off their hips, and Box2D's solver pulls the
    parts onto their joints in the first steps.
    """

    parent: str
    child: str
    anchor: Point
    limits: tuple[float, float]
    speed: float | None = None  # None: a passive joint, neither actuated nor observed
    angle_offset: float = 0.0  # added to the observed angle
    contact_part: str | None = None  # this part's contact flag is observed right after the joint's state
    local_anchors: tuple[Point, Point] | None = None


@dataclass(frozen=True)
class GraspSpec:
    """A hand: a circular sensor of ``radius`` centred at ``anchor`` in the local frame of part ``part``.

    Each hand adds one action value after the motors: above 0 it grasps what the sensor overlaps (the ceiling, a
    creeper), at 0 or below it lets go.
    """

    part: str
    anchor: Point
    radius: float


@dataclass(frozen=True)
class BodySpec:
    """A whole embodiment.

    ``width`` and ``center_height`` place it on the track (the start pad widens for wide bodies; the spawn height
    puts its feet on the ground). ``spawn_height``, when given, is the spawn point's height above the flat tracks'
    ground instead of ``center_height`` (TeachMyAgent spawns its old bodies there at two leg lengths; Parkour keeps
    ``center_height``). ``torque_penalty`` is the per-action-dimension cost factor of the reward. ``kind`` may be given
    as a :class:`BodyKind` or its name; it is always a :class:`BodyKind` on the spec.
    """

    name: str
    kind: BodyKind
    parts: tuple[PartSpec, ...]
    joints: tuple[JointSpec, ...]
    head: str
    motors_torque: float
    torque_penalty: float
    width: float
    center_height: float
    head_angle_penalty: bool = True
    hands: tuple[GraspSpec, ...] = ()
    spawn_height: float | None = None

    @property
    def motors(self) -> tuple[JointSpec, ...]:
        """The actuated joints, in action order."""
        return tuple(joint for joint in self.joints if joint.speed is not None)

    @property
    def action_size(self) -> int:
        """One value per motor (in ``motors`` order), then one grasp value per hand."""
        return len(self.motors) + len(self.hands)

    @property
    def state_size(self) -> int:
        """Length of the motor block of the observation (angle, speed and optional contact per motor)."""
        return sum(3 if joint.contact_part else 2 for joint in self.motors)

    def __post_init__(self) -> None:
        """Convert ``kind`` to a :class:`BodyKind` and check the parts' names.

        Raises:
            UnknownNameError: for an unknown kind (a ``ValueError``), with the kinds.
            BodySpecError: for duplicate part names or references to unknown parts (a ``ValueError``).
        """
        object.__setattr__(self, "kind", BodyKind.of(self.kind, owner=f"body {self.name!r}"))
        names = [part.name for part in self.parts]
        if len(set(names)) != len(names):
            raise BodySpecError(f"body {self.name!r} has duplicate part names: {names}")
        referenced = {self.head} | {j.parent for j in self.joints} | {j.child for j in self.joints}
        referenced |= {j.contact_part for j in self.joints if j.contact_part}
        referenced |= {hand.part for hand in self.hands}
        unknown = referenced - set(names)
        if unknown:
            raise BodySpecError(f"body {self.name!r} references unknown parts {sorted(unknown)}; its parts are {names}")


def hull_part(
    vertices: tuple[Point, ...],
    *,
    name: str = "hull",
    position: Point = (0.0, 0.0),
    density: float = 5.0,
    colours: tuple[Colour, Colour] = HULL_COLOURS,
    contact: Contact = Contact.CRITICAL,
    collides_with: int = PartSpec.collides_with,
    pushed: bool = True,
) -> PartSpec:
    """A part the limbs hang from, as the reference builds its hulls: dense, slippery (friction 0.1), a fall when it
    touches the terrain and pushed at reset, unless told otherwise."""
    return PartSpec(
        name, vertices, position, density=density, friction=0.1, colours=colours, contact=contact,
        collides_with=collides_with, pushed=pushed,
    )


def assemble_body(
    name: str,
    kind: BodyKind | str,
    core: Iterable[PartSpec],
    limbs: Iterable[tuple[Sequence[PartSpec], Sequence[JointSpec]]],
    *,
    core_joints: Iterable[JointSpec] = (),
    **fields: object,
) -> BodySpec:
    """A body of ``core`` parts (what the limbs hang from) and ``limbs``, each the parts and joints of one limb as
    the limb helpers (``hanging_leg``) return them, in action order; ``core_joints`` (a neck) come before the limbs'
    joints. ``fields`` are the rest of the :class:`BodySpec` (``head``, ``motors_torque``, ``width``, ...).

    Raises:
        BodySpecError: (a ``ValueError``) for duplicate part names or references to unknown parts.
    """
    parts, joints = list(core), list(core_joints)
    for limb_parts, limb_joints in limbs:
        parts += limb_parts
        joints += limb_joints
    return BodySpec(name=name, kind=kind, parts=tuple(parts), joints=tuple(joints), **fields)  # type: ignore[arg-type]


def positive(name: str, value: float) -> float:
    """Validate a body option that must be a positive finite number, and return it as a float.

    Raises:
        EnvOptionError: (a ``ValueError``) naming the option, its value and what it must be.
    """
    return check_number(name, value, low=0.0, low_open=True, error=EnvOptionError)


def positive_int(name: str, value: int) -> int:
    """Validate a body option that must be a positive integer (a count), and return it as an int.

    Raises:
        EnvOptionError: (a ``ValueError``) naming the option, its value and what it must be.
    """
    return check_integer(name, value, minimum=1, error=EnvOptionError)


def box(half_width: float, half_height: float) -> tuple[Point, ...]:
    """Vertices of an axis-aligned rectangle centred on the origin."""
    return (
        (-half_width, -half_height), (half_width, -half_height), (half_width, half_height), (-half_width, half_height)
    )


def pixels(*points: Point) -> tuple[Point, ...]:
    """Convert vertices written in the reference's pixel units into metres."""
    return tuple((x * PIXEL, y * PIXEL) for x, y in points)


def split_torque_penalty(groups: int) -> float:
    """The reference divides the torque cost by the number of limb groups of multi-limb bodies."""
    return BASE_TORQUE_PENALTY / groups


@dataclass(frozen=True)
class LegShape:
    """A two-segment leg: thigh and shin of the same length, the shin 80% as wide as the thigh."""

    width: float
    length: float


def hanging_leg(
    prefix: str,
    parent: str,
    hip: Point,
    shape: LegShape,
    colours: tuple[Colour, Colour],
    *,
    density: float = 1.0,
    shin_colours: tuple[Colour, Colour] | None = None,
    top: Point | None = None,
    tilt: float = 0.0,
) -> tuple[list[PartSpec], list[JointSpec]]:
    """A thigh and a shin hanging straight down from ``hip``, with the reference hip and knee motors.

    The shin is the ground-contact sensor observed after the knee, as in the original bipedal walker. With ``top``,
    the leg is built as TeachMyAgent's old bodies build theirs: both segments tilted by ``tilt`` but placed straight
    below ``top`` rather than ``hip``, and held to the parent's ``hip`` and to each other by local anchors (the parent
    must then sit unrotated at the spawn point, as a hull does, so that ``hip`` is also in its frame).
    """
    top_x, top_y = top if top is not None else hip
    thigh, shin = f"{prefix}_thigh", f"{prefix}_shin"
    half = shape.length / 2
    parts = [
        PartSpec(thigh, box(shape.width / 2, half), (top_x, top_y - half), angle=tilt, density=density,
                 colours=colours),
        PartSpec(
            shin,
            box(0.8 * shape.width / 2, half),
            (top_x, top_y - 3 * half),
            angle=tilt,
            density=density,
            colours=shin_colours or colours,
            contact=Contact.SENSOR,
        ),
    ]
    pinned = top is not None
    # where the knee is on the thigh as placed
    knee = (top_x + half * math.sin(tilt), top_y - half - half * math.cos(tilt)) if pinned else (
        top_x, top_y - shape.length)
    joints = [
        JointSpec(parent, thigh, hip, HIP_LIMITS, speed=SPEED_HIP,
                  local_anchors=(hip, (0.0, half)) if pinned else None),
        JointSpec(
            thigh,
            shin,
            knee,
            KNEE_LIMITS,
            speed=SPEED_KNEE,
            angle_offset=KNEE_ANGLE_OFFSET,
            contact_part=shin,
            local_anchors=((0.0, -half), (0.0, half)) if pinned else None,
        ),
    ]
    return parts, joints


# A leg's colours, and its shin's when they differ (None: the same); a pair of legs' reference colours, far first.
LegColours = tuple[tuple[Colour, Colour], tuple[Colour, Colour] | None]
LEG_PAIR_COLOURS: tuple[LegColours, LegColours] = ((FAR_LIMB_COLOURS, None), (NEAR_LIMB_COLOURS, None))


def leg_pair(
    prefix: str,
    hip_x: float,
    leg_down: float,
    shape: LegShape,
    *,
    parent: str = "hull",
    old: bool = False,
    placed_x: float | None = None,
    colours: tuple[LegColours, LegColours] = LEG_PAIR_COLOURS,
    density: float = 1.0,
) -> list[tuple[list[PartSpec], list[JointSpec]]]:
    """The far and near legs (``{prefix}far``, ``{prefix}near``) hanging from hips at ``hip_x``, ``leg_down`` below
    the centre of ``parent``: the parts and joints of each, far first (see ``hanging_leg``).

    With ``old`` they are built as TeachMyAgent's old bodies build theirs: the hips ``OLD_HIP_DOWN`` below the centre,
    the far leg tilted by -``OLD_LEG_TILT`` and the near one by +``OLD_LEG_TILT``, both placed straight below
    ``placed_x`` (default ``hip_x``) as if hung from ``OLD_HIP_DOWN`` above the centre.
    """
    hip = (hip_x, -OLD_HIP_DOWN if old else -leg_down)
    top = (hip_x if placed_x is None else placed_x, OLD_HIP_DOWN) if old else None
    return [
        hanging_leg(
            f"{prefix}{side}", parent, hip, shape, leg_colours, density=density, shin_colours=shin_colours, top=top,
            tilt=sign * OLD_LEG_TILT if old else 0.0,
        )
        for sign, side, (leg_colours, shin_colours) in zip((-1, 1), ("far", "near"), colours)
    ]
