"""Grasping: a climber's hands hold on to the ceiling or a creeper with a joint while their action is positive.

Before each physics step a hand whose grasp value is at most 0 lets go (its joint is destroyed); after the step a
hand whose value is positive and whose sensor overlaps something grippable, but holds nothing yet, is pinned to it
by a revolute joint at the hand's centre.
"""

from __future__ import annotations

import Box2D

from ..bodies.body import Hand


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
        """Pin every armed, free hand to the first grippable body its sensor overlaps."""
        for hand, ready in zip(self.hands, self._ready):
            if ready and hand.joint is None and hand.holds:
                anchor = hand.part.GetWorldPoint(hand.anchor)
                # as TeachMyAgent's joint, it ends the sensor's contact with the held body (its touching flag stays
                # only while it overlaps another grippable body), and Box2D reports that body again after a release
                # only once the sensor has moved out of its fattened bounding box
                hand.joint = self._world.CreateRevoluteJoint(bodyA=hand.part, bodyB=hand.holds[0], anchor=anchor,
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
