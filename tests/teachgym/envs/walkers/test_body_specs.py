"""The body specs as data: kinds, action layout with hands, densities relative to water, the climbers' shape."""

import math

import pytest

from teachgym.envs.walkers.bodies import BODIES, make_body_spec
from teachgym.envs.walkers.bodies.spec import BODY_KINDS, BodySpec, Contact, GraspSpec, PartSpec, box
from teachgym.envs.walkers.physics import WATER_DENSITY

# From reference.md section 1.4: motors per body, by kind; only the climbers have hands (two each).
MOTORS = {
    "walker": {"classic_bipedal": 4, "small_bipedal": 4, "old_classic_bipedal": 4, "big_quadru": 8, "old_big_quadru": 8,
               "wheel": 8, "spider": 12, "millipede": 16, "profile_chimpanzee": 14},
    "climber": {"climbing_profile_chimpanzee": 10, "climbing_chest_profile_chimpanzee": 6},
    "swimmer": {"fish": 4},
    "amphibian": {"amphibious_bipedal": 4},
}
# name: (kind, motors, hands)
EMBODIMENTS = {name: (kind, motors, 2 if kind == "climber" else 0)
               for kind, bodies in MOTORS.items() for name, motors in bodies.items()}


def test_the_table_covers_every_body():
    assert set(EMBODIMENTS) == set(BODIES)


@pytest.mark.parametrize("name", sorted(EMBODIMENTS))
def test_kind_motors_and_hands_match_the_reference(name):
    spec = make_body_spec(name)
    kind, motors, hands = EMBODIMENTS[name]
    assert (spec.kind, len(spec.motors), len(spec.hands)) == (kind, motors, hands)
    assert spec.action_size == motors + hands


def test_an_unknown_kind_is_refused_with_the_kinds():
    with pytest.raises(ValueError, match="kind 'flyer'.*walker"):
        BodySpec("bird", "flyer", (PartSpec("hull", box(0.1, 0.1), (0.0, 0.0)),), (), "hull", 80.0, 0.0, 1.0, 1.0)


def test_a_hand_on_a_missing_part_is_refused():
    with pytest.raises(ValueError, match="unknown parts \\['paw'\\]"):
        BodySpec("bird", "climber", (PartSpec("hull", box(0.1, 0.1), (0.0, 0.0)),), (), "hull", 80.0, 0.0, 1.0, 1.0,
                 hands=(GraspSpec("paw", (0.0, 0.0), 0.05),))


@pytest.mark.parametrize("name", ["climbing_profile_chimpanzee", "climbing_chest_profile_chimpanzee"])
def test_climbers_raise_their_hands_above_the_head_with_sensors_at_the_tips(name):
    spec = make_body_spec(name)
    parts = {part.name: part for part in spec.parts}
    head_top = max(y for _, y in parts["head"].vertices) + parts["head"].position[1]
    for hand in spec.hands:
        part = parts[hand.part]
        assert part.position[1] + hand.anchor[1] > head_top
        assert hand.anchor[1] == pytest.approx(max(y for _, y in part.vertices))
        assert hand.radius == 0.05
    # Only the hands observe contact without ending the episode; head, torso and lower legs must not touch ground.
    critical = {part.name for part in spec.parts if part.contact is Contact.CRITICAL}
    expected = {"head", "torso"} | ({"leg_0_lower", "leg_1_lower"} if "chest" not in name else set())
    assert critical == expected
    assert not spec.head_angle_penalty


def test_climbing_arm_can_swing_from_straight_up_to_behind_the_back():
    spec = make_body_spec("climbing_profile_chimpanzee")
    shoulder = next(joint for joint in spec.joints if joint.child == "arm_0_upper")
    assert shoulder.limits == pytest.approx((-1.5 * math.pi, 0.0))


def test_fish_is_slightly_lighter_than_water_and_amphibian_as_dense_on_average():
    fish = make_body_spec("fish")
    assert [part.density for part in fish.parts] == pytest.approx([WATER_DENSITY - 0.01] * len(fish.parts))
    assert not fish.head_angle_penalty

    amphibian = make_body_spec("amphibious_bipedal")
    densities = {part.name: part.density for part in amphibian.parts}
    assert densities["hull"] == pytest.approx(1.25 * WATER_DENSITY)
    legs = [density for name, density in densities.items() if name != "hull"]
    assert legs == pytest.approx([0.25 * WATER_DENSITY] * 4)
    assert next(part for part in amphibian.parts if part.name == "hull").contact is Contact.IGNORED


def test_amphibious_bipedal_has_the_classic_bipedal_shape():
    classic, amphibian = make_body_spec("classic_bipedal"), make_body_spec("amphibious_bipedal")
    assert [(p.name, p.vertices, p.position) for p in classic.parts] == [
        (p.name, p.vertices, p.position) for p in amphibian.parts
    ]
    assert classic.joints == amphibian.joints


def test_fish_fin_hangs_below_the_hull():
    fish = make_body_spec("fish")
    fin = next(part for part in fish.parts if part.name == "fin")
    assert fin.position[1] < 0.0 and fin.angle == pytest.approx(-0.2 * math.pi)


@pytest.mark.parametrize("name", sorted(EMBODIMENTS))
def test_every_body_takes_a_torque(name):
    assert make_body_spec(name, motors_torque=123.0).motors_torque == 123.0
    with pytest.raises(ValueError, match="motors_torque"):
        make_body_spec(name, motors_torque=0.0)


def test_kinds_are_the_reference_ones():
    assert BODY_KINDS == ("walker", "climber", "swimmer", "amphibian")
