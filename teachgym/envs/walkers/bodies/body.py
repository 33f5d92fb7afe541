"""The runtime embodiment: a :class:`BodySpec` built into a Box2D world, driven by actions and read as observations.

This sits on the hot path of every environment step, so the per-step methods work on Python floats and
precomputed tuples rather than numpy scalars.
"""

from __future__ import annotations

import Box2D
from Box2D.b2 import fixtureDef, polygonShape

from ..physics import BODY_CATEGORY, REFERENCE_TORQUE
from .spec import BodySpec, Contact


class PartContact:
    """Contact bookkeeping stored as a part's Box2D ``userData``.

    A counter rather than a flag: a part touching two terrain fixtures that leaves one still touches the ground.
    """

    __slots__ = ("name", "critical", "touching")

    def __init__(self, name: str, critical: bool):
        self.name = name
        self.critical = critical
        self.touching = 0


class ContactListener(Box2D.b2.contactListener):
    """Counts terrain contacts of the parts that track them and records any critical contact."""

    def __init__(self) -> None:
        super().__init__()
        self.critical_contact = False

    def BeginContact(self, contact) -> None:  # noqa: N802 (Box2D's callback name)
        for fixture in (contact.fixtureA, contact.fixtureB):
            part = fixture.body.userData
            if isinstance(part, PartContact):
                part.touching += 1
                if part.critical:
                    self.critical_contact = True

    def EndContact(self, contact) -> None:  # noqa: N802
        for fixture in (contact.fixtureA, contact.fixtureB):
            part = fixture.body.userData
            if isinstance(part, PartContact) and part.touching > 0:
                part.touching -= 1


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
                    shape=polygonShape(vertices=list(part.vertices)),
                    density=part.density,
                    friction=part.friction,
                    restitution=0.0,
                    categoryBits=BODY_CATEGORY,
                    maskBits=part.collides_with,
                ),
            )
            if part.contact is not Contact.IGNORED:
                body.userData = PartContact(part.name, part.contact is Contact.CRITICAL)
            self.parts[part.name] = body
        self.joints = [
            world.CreateRevoluteJoint(
                bodyA=self.parts[joint.parent],
                bodyB=self.parts[joint.child],
                anchor=(x + joint.anchor[0], y + joint.anchor[1]),
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

    def apply_action(self, action: list[float]) -> float:
        """Set every motor from an action in [-1, 1] and return the action's torque cost for the reward.

        Motor speed is ``speed * sign(a)`` and maximal torque ``motors_torque * min(|a|, 1)``.
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
