"""TeachMyAgent's old bodies (the benchmark's old_classic_bipedal and old_big_quadru): geometry, spawn, first steps."""

import gymnasium as gym
import numpy as np
import pytest

import teachgym  # noqa: F401  (registers the teachgym/ ids)
from teachgym.envs.walkers import base
from teachgym.envs.walkers.bodies import make_body_spec
from teachgym.envs.walkers.physics import BASE_TORQUE_PENALTY, PIXEL, TERRAIN_HEIGHT

OLD_BODIES = {"old_classic_bipedal": "classic_bipedal", "old_big_quadru": "big_quadru"}
LEG_LENGTH = {"old_classic_bipedal": 34 * PIXEL, "old_big_quadru": 51 * PIXEL}


def by_name(items):
    return {item.name: item for item in items}


def hips(spec):
    return [joint for joint in spec.joints if joint.parent == "hull"]


@pytest.mark.parametrize("name", sorted(OLD_BODIES))
def test_hips_are_below_the_hull_centre_and_legs_tilted_by_five_hundredths(name):
    spec = make_body_spec(name)
    parts = by_name(spec.parts)
    for hip in hips(spec):
        assert hip.anchor[1] == pytest.approx(-8 * PIXEL)
        thigh = parts[hip.child]
        sign = -1.0 if "far" in thigh.name else 1.0
        assert thigh.angle == parts[thigh.name.replace("thigh", "shin")].angle == pytest.approx(sign * 0.05)
        # placed as if hung from 8 px above the hull centre, and held to the hip by local anchors
        assert thigh.position[1] == pytest.approx(8 * PIXEL - LEG_LENGTH[name] / 2)
        assert hip.local_anchors == (hip.anchor, pytest.approx((0.0, LEG_LENGTH[name] / 2)))
    assert [joint.limits for joint in spec.motors] == [(-0.8, 1.1), (-1.6, -0.1)] * (len(spec.motors) // 2)


def test_the_old_bodies_have_the_new_ones_hull_and_leg_shapes():
    for old, new in OLD_BODIES.items():
        old_spec, new_spec = make_body_spec(old), make_body_spec(new)
        assert [(p.name, p.vertices, p.density) for p in old_spec.parts] == [
            (p.name, p.vertices, p.density) for p in new_spec.parts
        ]
        assert (old_spec.motors_torque, old_spec.torque_penalty, old_spec.width) == (
            new_spec.motors_torque,
            new_spec.torque_penalty,
            new_spec.width,
        )
    assert make_body_spec("old_big_quadru").torque_penalty == pytest.approx(BASE_TORQUE_PENALTY / 2)


def test_the_old_quadruped_places_its_legs_off_its_hips_as_the_reference_does():
    spec = make_body_spec("old_big_quadru")
    parts = by_name(spec.parts)
    # hips at -1.2 m and 0.85 m of the hull centre; legs at the hull's rear end and at 0.85 of its half-width
    assert [hip.anchor[0] for hip in hips(spec)] == [-1.2, -1.2, 0.85, 0.85]
    assert [parts[hip.child].position[0] for hip in hips(spec)] == pytest.approx(
        [-48 * PIXEL] * 2 + [0.85 * 48 * PIXEL] * 2
    )


@pytest.mark.parametrize("name", sorted(OLD_BODIES))
def test_tracks_spawn_the_old_bodies_two_leg_lengths_above_the_ground(monkeypatch, name):
    spawns = []

    def spy(spec, world, x, y, push):
        spawns.append(y)
        return built(spec, world, x, y, push)

    built = base.Body
    monkeypatch.setattr(base, "Body", spy)
    env = gym.make("teachgym/StumpTracks-v0", body=name)
    env.reset(seed=0)
    env.close()
    assert spawns == [pytest.approx(TERRAIN_HEIGHT + 2 * LEG_LENGTH[name])]


def test_parkour_keeps_teachmyagents_centre_height_for_the_old_bipedal():
    # TeachMyAgent's Parkour spawns every body at its centre height: two legs, less the hip drop, plus 0.5 m
    assert make_body_spec("old_classic_bipedal").center_height == pytest.approx(68 * PIXEL - 8 * PIXEL + 0.5)
    assert make_body_spec("old_big_quadru").center_height == pytest.approx(102 * PIXEL - 8 * PIXEL)


@pytest.mark.parametrize("name", sorted(OLD_BODIES))
def test_the_first_step_pulls_the_legs_onto_their_hips(name):
    env = gym.make("teachgym/StumpTracks-v0", body=name)
    env.reset(seed=0)
    body = env.unwrapped._body
    hull = body.parts["hull"]
    for hip in hips(body.spec):
        thigh = body.parts[hip.child]
        gap = np.subtract(hull.GetWorldPoint(hip.anchor), thigh.GetWorldPoint(hip.local_anchors[1]))
        assert np.hypot(*gap) < 0.01  # 16 px (0.53 m) apart at spawn
    env.close()
