"""Grasping: a hand pins itself to what its sensor overlaps only while that is still within reach after the step."""

import Box2D
import pytest
from Box2D.b2 import circleShape, edgeShape

from teachgym.envs.walkers.bodies.body import Hand
from teachgym.envs.walkers.parkour.grasping import GRASP_MARGIN, Grasping


def armed_hand(height: float) -> tuple[Hand, Grasping, Box2D.b2Body]:
    """A hand sensor of radius 0.05 centred at (0, ``height``) that Box2D saw touch a ceiling edge at y = 1, armed by a
    positive grasp value: the hand, its grasping and the edge."""
    world = Box2D.b2World(gravity=(0.0, -10.0))
    ceiling = world.CreateStaticBody(shapes=edgeShape(vertices=[(-1.0, 1.0), (1.0, 1.0)]))
    sensor = world.CreateDynamicBody(position=(0.0, height))
    sensor.CreateFixture(shape=circleShape(radius=0.05), isSensor=True, density=1.0)
    hand = Hand(sensor, (0.0, 0.0))
    hand.holds.append(ceiling)
    grasping = Grasping(world, (hand,), action_cost=0.0)
    grasping.before_step([1.0])
    return hand, grasping, ceiling


def test_a_hand_within_its_radius_and_the_margin_of_the_ceiling_holds_on_at_its_centre():
    hand, grasping, ceiling = armed_hand(1.0 - 0.05 - GRASP_MARGIN + 0.005)
    grasping.after_step()
    assert hand.joint is not None and hand.joint.bodyB == ceiling
    assert tuple(hand.joint.anchorA) == pytest.approx((0.0, 0.945))
    assert grasping.state() == [1.0, 1.0]


def test_a_hand_that_left_the_ceilings_reach_forgets_it_instead_of_holding_on():
    hand, grasping, _ = armed_hand(1.0 - 0.05 - GRASP_MARGIN - 0.005)
    grasping.after_step()
    assert hand.joint is None and hand.holds == []
    assert grasping.state() == [0.0, 0.0]
