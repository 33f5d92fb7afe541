"""The runtime embodiment: a :class:`BodySpec` built into a Box2D world, driven by actions and read as observations.

This sits on the hot path of every environment step, so the per-step methods work on Python floats and
precomputed tuples rather than numpy scalars.
"""

from __future__ import annotations

import Box2D
from Box2D.b2 import circleShape, fixtureDef, polygonShape

from ..physics import BODY_CATEGORY, REFERENCE_TORQUE, TERRAIN_CATEGORY
from ..terrain import GRIPPABLE, Surface
from .spec import BodySpec, Contact, JointSpec, Point, box


class PartContact:
    """Contact bookkeeping of one part, stored as its Box2D body's ``userData``.

    Counters rather than flags: a part touching two terrain fixtures that leaves one still touches the ground.
    ``touching`` counts solid terrain (ground, ceiling), ``wet`` the water fixtures it overlaps. ``body``,
    ``vertices`` (local, counter-clockwise) and ``child_joints`` (the joints that move it, for the water's push
    force) serve the water physics.
    """

    __slots__ = ("name", "critical", "touching", "wet", "body", "vertices", "child_joints")

    def __init__(self, name: str, critical: bool, body: Box2D.b2Body | None = None,
                 vertices: tuple[Point, ...] = ()):
        self.name = name
        self.critical = critical
        self.touching = 0
        self.wet = 0
        self.body = body
        self.vertices = vertices
        self.child_joints: tuple[Box2D.b2RevoluteJoint, ...] = ()


class Hand:
    """A hand: a circular sensor on a part that can hold on to the ceiling or a creeper (see ``GraspSpec``).

    Stored as the sensor fixture's ``userData``; the contact listener keeps ``holds`` (the grippable bodies the sensor
    overlaps, oldest first) and the grasping runtime ``joint`` (the joint holding on, or None).
    """

    __slots__ = ("part", "anchor", "holds", "joint")

    def __init__(self, part: Box2D.b2Body, anchor: Point):
        self.part = part
        self.anchor = anchor
        self.holds: list[Box2D.b2Body] = []
        self.joint: Box2D.b2Joint | None = None


class ContactListener(Box2D.b2.contactListener):
    """Tracks the parts' contacts with the terrain, by surface.

    Solid contacts count in ``touching``; a critical part touching anything but the ceiling sets
    ``critical_contact`` (the walker tracks' terrain is all ground; a climber may touch the ceiling). Water overlaps
    count in ``wet`` and keep the part in ``wet_parts`` (so water forces are computed for those parts only).
    Creepers are sensors: only hands notice them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.critical_contact = False
        self.wet_parts: set[PartContact] = set()

    def BeginContact(self, contact) -> None:  # noqa: N802 (Box2D's callback name)
        fixture_a, fixture_b = contact.fixtureA, contact.fixtureB
        self._count(fixture_a, fixture_b, 1)
        self._count(fixture_b, fixture_a, 1)

    def EndContact(self, contact) -> None:  # noqa: N802
        fixture_a, fixture_b = contact.fixtureA, contact.fixtureB
        self._count(fixture_a, fixture_b, -1)
        self._count(fixture_b, fixture_a, -1)

    def _count(self, fixture, other, change: int) -> None:
        """Record that ``fixture`` (if a body part's) starts (``change`` 1) or stops (-1) overlapping ``other``."""
        part = fixture.body.userData
        if not isinstance(part, PartContact):
            return
        surface = other.userData
        if fixture.sensor:
            hand = fixture.userData
            if surface in GRIPPABLE and isinstance(hand, Hand):
                if change > 0:
                    hand.holds.append(other.body)
                elif other.body in hand.holds:
                    hand.holds.remove(other.body)
        elif surface is Surface.WATER:
            part.wet = max(0, part.wet + change)
            if part.wet:
                self.wet_parts.add(part)
            else:
                self.wet_parts.discard(part)
        elif not other.sensor:
            part.touching = max(0, part.touching + change)
            if change > 0 and part.critical and surface is not Surface.CEILING:
                self.critical_contact = True


def _polygon(vertices: tuple[Point, ...]) -> polygonShape:
    """A part's polygon; a centred axis-aligned rectangle through Box2D's own box constructor, as TeachMyAgent builds
    its limbs: from a vertex list Box2D would order the corners otherwise, and so round mass, inertia and contacts
    otherwise in the last bits."""
    half_width, half_height = vertices[1][0], -vertices[1][1]
    if half_width > 0.0 and half_height > 0.0 and vertices == box(half_width, half_height):
        return polygonShape(box=(half_width, half_height))
    return polygonShape(vertices=list(vertices))


def _anchors(joint: JointSpec, x: float, y: float) -> dict[str, Point]:
    """The joint definition's anchor arguments: its two local anchors, or its world anchor for the spawn (x, y)."""
    if joint.local_anchors is not None:
        return {"localAnchorA": joint.local_anchors[0], "localAnchorB": joint.local_anchors[1]}
    return {"anchor": (x + joint.anchor[0], y + joint.anchor[1])}


class Body:
    """A built embodiment.

    Args:
        spec: the body's description.
        world: the Box2D world to build it in.
        x, y: spawn point (the origin of the spec's coordinates).
        push: horizontal force applied to the pushed parts, as the reference's random start.
    """

    def __init__(self, spec: BodySpec, world: Box2D.b2World, x: float, y: float, push: float):
        self.spec = spec
        self.parts: dict[str, Box2D.b2Body] = {}
        for part in spec.parts:
            body = world.CreateDynamicBody(
                position=(x + part.position[0], y + part.position[1]),
                angle=part.angle,
                fixtures=fixtureDef(
                    shape=_polygon(part.vertices),
                    density=part.density,
                    friction=part.friction,
                    restitution=0.0,
                    categoryBits=BODY_CATEGORY,
                    maskBits=part.collides_with,
                ),
            )
            # Box2D's own copy of the vertices: its convex hull, counter-clockwise whatever the spec's order
            vertices = tuple((v[0], v[1]) for v in body.fixtures[0].shape.vertices)
            body.userData = PartContact(part.name, part.contact is Contact.CRITICAL, body, vertices)
            self.parts[part.name] = body
        self.joints = [
            world.CreateRevoluteJoint(
                bodyA=self.parts[joint.parent],
                bodyB=self.parts[joint.child],
                **_anchors(joint, x, y),
                enableLimit=True,
                lowerAngle=joint.limits[0],
                upperAngle=joint.limits[1],
                enableMotor=joint.speed is not None,
                maxMotorTorque=spec.motors_torque if joint.speed is not None else 0.0,
                motorSpeed=0.0,
            )
            for joint in spec.joints
        ]
        for part in spec.parts:
            self.parts[part.name].userData.child_joints = tuple(
                built for joint, built in zip(spec.joints, self.joints) if joint.child == part.name)
        self.hands = tuple(self._build_hand(world, grasp.part, grasp.anchor, grasp.radius) for grasp in spec.hands)
        for part in spec.parts:
            if part.pushed:
                self.parts[part.name].ApplyForceToCenter((push, 0.0), True)
        self.head = self.parts[spec.head]
        motors = [(joint, built) for joint, built in zip(spec.joints, self.joints) if joint.speed is not None]
        self._motors = tuple(built for _, built in motors)
        self._speeds = tuple(joint.speed for joint, _ in motors)
        # One row per motor: (joint, 1/speed, angle offset, contact bookkeeping or None).
        self._observed = tuple(
            (
                built,
                1.0 / joint.speed,
                joint.angle_offset,
                self.parts[joint.contact_part].userData if joint.contact_part else None,
            )
            for joint, built in motors
        )
        self._torque = float(spec.motors_torque)
        self._action_cost = spec.torque_penalty * REFERENCE_TORQUE

    def _build_hand(self, world: Box2D.b2World, part_name: str, anchor: Point, radius: float) -> Hand:
        """A circular sensor body centred on the part's ``anchor`` and welded there, seeing only the terrain (a body
        of its own, of density 1, as TeachMyAgent's: it weighs on the arm, and a grasp pins it alone)."""
        part = self.parts[part_name]
        centre = part.GetWorldPoint(anchor)
        sensor = world.CreateDynamicBody(position=centre)
        hand = Hand(sensor, (0.0, 0.0))
        fixture = sensor.CreateFixture(shape=circleShape(radius=radius), density=1.0, isSensor=True,
                                       categoryBits=BODY_CATEGORY, maskBits=TERRAIN_CATEGORY)
        fixture.userData = hand
        sensor.userData = PartContact(f"{part_name}_sensor", False, sensor, ())
        world.CreateWeldJoint(bodyA=part, bodyB=sensor, anchor=centre)
        return hand

    def apply_action(self, action: list[float]) -> float:
        """Set every motor from an action in [-1, 1] and return the action's torque cost for the reward.

        Motor speed is ``speed * sign(a)`` and maximal torque ``motors_torque * min(|a|, 1)``. Values after the
        motors' (a climber's grasp values) are not read here.
        """
        torque = self._torque
        effort = 0.0
        for joint, speed, a in zip(self._motors, self._speeds, action):
            magnitude = a if a >= 0.0 else -a
            if magnitude > 1.0:
                magnitude = 1.0
            joint.motorSpeed = speed if a > 0.0 else (-speed if a < 0.0 else 0.0)
            joint.maxMotorTorque = torque * magnitude
            effort += magnitude
        return self._action_cost * effort

    def motor_state(self) -> list[float]:
        """Per motor: angle (+ offset), speed / motor speed, and the contact flag where the spec observes one."""
        state: list[float] = []
        append = state.append
        for joint, inverse_speed, offset, contact in self._observed:
            append(joint.angle + offset)
            append(joint.speed * inverse_speed)
            if contact is not None:
                append(1.0 if contact.touching else 0.0)
        return state
