"""Grasping: a climber's hands hold on to the ceiling or a creeper with a joint while their action is positive.

Before each physics step a hand whose grasp value is at most 0 lets go (its joint is destroyed); after the step a
hand whose value is positive and whose sensor overlaps something grippable, but holds nothing yet, is pinned to it
by a revolute joint at the hand's centre, if a coarse check finds it still within reach (TeachMyAgent's).
"""

from __future__ import annotations

import Box2D

from ..bodies.body import Hand

GRASP_MARGIN = 0.01  # metres added to a hand sensor's radius when checking it still overlaps what it would hold


class Grasping:
    """The grasp runtime of one body's hands in one world.

    Args:
        world: the Box2D world of the body and the terrain.
        hands: the body's hands, in action order.
        action_cost: the reward cost per unit of |grasp value| (clipped to 1), as for a motor.
    """

    def __init__(self, world: Box2D.b2World, hands: tuple[Hand, ...], action_cost: float):
        self._world = world
        self.hands = hands
        self._ready = [False] * len(hands)
        self._action_cost = action_cost

    def before_step(self, grasp_values: list[float]) -> float:
        """Arm or release every hand from its grasp value; return the values' action cost."""
        effort = 0.0
        for index, (hand, value) in enumerate(zip(self.hands, grasp_values)):
            self._ready[index] = value > 0.0
            if value <= 0.0 and hand.joint is not None:
                self._world.DestroyJoint(hand.joint)
                hand.joint = None
            effort += min(abs(value), 1.0)
        return self._action_cost * effort

    def after_step(self) -> None:
        """Pin every armed, free hand to the first grippable body its sensor overlaps, if it still overlaps it after
        the step (TeachMyAgent's coarse check: the sensor's circle, ``GRASP_MARGIN`` wider, against the bounding box
        of that body's first fixture's vertices in the body's own coordinates); a body it no longer overlaps is
        forgotten instead (the hand stops touching it until Box2D reports it anew)."""
        for hand, ready in zip(self.hands, self._ready):
            if ready and hand.joint is None and hand.holds:
                held = hand.holds[0]
                if not _within_reach(hand.part, held):
                    del hand.holds[0]
                    continue
                anchor = hand.part.GetWorldPoint(hand.anchor)
                # as TeachMyAgent's joint, it ends the sensor's contact with the held body (its touching flag stays
                # only while it overlaps another grippable body), and Box2D reports that body again after a release
                # only once the sensor has moved out of its fattened bounding box
                hand.joint = self._world.CreateRevoluteJoint(bodyA=hand.part, bodyB=held, anchor=anchor,
                                                             collideConnected=False)

    def state(self) -> list[float]:
        """Per hand: 1 if its sensor touches something grippable, 1 if it holds on (TeachMyAgent's two flags)."""
        state: list[float] = []
        for hand in self.hands:
            state.append(1.0 if hand.holds else 0.0)
            state.append(1.0 if hand.joint is not None else 0.0)
        return state

    @property
    def holding(self) -> bool:
        """Whether any hand holds on."""
        return any(hand.joint is not None for hand in self.hands)


def _within_reach(sensor: Box2D.b2Body, held: Box2D.b2Body) -> bool:
    """Whether the sensor body's circle, ``GRASP_MARGIN`` wider, overlaps the bounding box of ``held``'s first
    fixture's vertices (in ``held``'s own coordinates: the terrain's static bodies sit at the origin, a movable
    creeper's links started there)."""
    vertices = held.fixtures[0].shape.vertices
    xs, ys = [vertex[0] for vertex in vertices], [vertex[1] for vertex in vertices]
    radius = sensor.fixtures[0].shape.radius + GRASP_MARGIN
    x, y = sensor.worldCenter
    return x + radius > min(xs) and x - radius < max(xs) and y + radius > min(ys) and y - radius < max(ys)
