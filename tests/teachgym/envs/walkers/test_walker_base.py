"""The walker base and its types: body kinds and their rules, typed option errors, the env classes' shapes."""

import inspect
import math
import pickle

import gymnasium as gym
import pytest

import teachgym  # noqa: F401  (registers the teachgym/ ids)
from teachgym.envs.walkers.base import BodyKindError, WalkerEnv
from teachgym.envs.walkers.bodies import BODIES, BodyKind, make_body_spec
from teachgym.envs.walkers.bodies.spec import BodySpec, BodySpecError, PartSpec, box
from teachgym.envs.walkers.hexagon_tracks import HexagonTracks
from teachgym.envs.walkers.parkour.env import Parkour
from teachgym.envs.walkers.physics import LIDAR_FAN
from teachgym.envs.walkers.stump_tracks import StumpTracks
from teachgym.envs.walkers.track import WalkerTrackEnv
from teachgym.errors import EnvOptionError, UnknownNameError

# kind: (Parkour lidar fan, dies under water, dies out of water, falls, easy water level, climbs, test set)
RULES = {
    BodyKind.WALKER: ((0.0, LIDAR_FAN), True, False, False, 0.0, False, "parkour-walkers"),
    BodyKind.CLIMBER: ((1.5, 2.3), True, False, True, 0.0, True, "parkour-climbers"),
    BodyKind.SWIMMER: ((0.0, math.pi), False, True, False, 1.0, False, "parkour-swimmers"),
    BodyKind.AMPHIBIAN: ((0.0, math.pi), False, False, False, 0.0, False, "parkour-walkers"),
}


@pytest.mark.parametrize("kind", list(BodyKind))
def test_each_kind_carries_its_rules(kind):
    assert (kind.lidar_fan, kind.dies_under_water, kind.dies_out_of_water, kind.falls, kind.easy_water_level,
            kind.climbs, kind.test_set) == RULES[kind]


def test_a_kind_is_its_name_wherever_a_string_was_used():
    assert [kind.value for kind in BodyKind] == ["walker", "climber", "swimmer", "amphibian"]
    assert BodyKind.of("climber") is BodyKind.CLIMBER and BodyKind.of(BodyKind.SWIMMER) is BodyKind.SWIMMER
    assert BodyKind.CLIMBER == "climber" and {"climber": 1}[BodyKind.CLIMBER] == 1
    assert f"{BodyKind.SWIMMER:<9}|" == "swimmer  |" and str(BodyKind.AMPHIBIAN) == "amphibian"
    assert pickle.loads(pickle.dumps(BodyKind.WALKER)) is BodyKind.WALKER


def test_an_unknown_kind_is_a_typed_error_with_the_closest_kind():
    message = r"unknown body kind 'swimer' of body 'eel' \(did you mean 'swimmer'\?\); expected one of: amphibian"
    with pytest.raises(UnknownNameError, match=message):
        BodyKind.of("swimer", owner="body 'eel'")


def test_a_spec_written_with_a_plain_string_gets_the_kind_once():
    spec = BodySpec("box", "amphibian", (PartSpec("hull", box(0.1, 0.1), (0.0, 0.0)),), (), "hull", 80.0, 0.0, 1.0, 1.0)
    assert spec.kind is BodyKind.AMPHIBIAN
    expected = {"fish": BodyKind.SWIMMER, "climbing_profile_chimpanzee": BodyKind.CLIMBER,
                "amphibious_bipedal": BodyKind.AMPHIBIAN, "classic_bipedal": BodyKind.WALKER}
    assert {name: make_body_spec(name).kind for name in expected} == expected
    assert all(type(spec().kind) is BodyKind for spec in BODIES.values())


def test_a_malformed_spec_is_a_typed_value_error_naming_the_parts():
    with pytest.raises(BodySpecError, match=r"references unknown parts \['paw'\]; its parts are \['hull'\]"):
        BodySpec("bird", "walker", (PartSpec("hull", box(0.1, 0.1), (0.0, 0.0)),), (), "paw", 80.0, 0.0, 1.0, 1.0)
    assert issubclass(BodySpecError, ValueError)


@pytest.mark.parametrize(("body", "options", "message"), [
    ("spider", {"nb_pairs_of_legs": 0}, "nb_pairs_of_legs must be an integer >= 1, got 0"),
    ("spider", {"nb_pairs_of_legs": True}, "nb_pairs_of_legs must be an integer >= 1, got True"),
    ("classic_bipedal", {"motors_torque": -1.0}, "motors_torque must be a finite number > 0, got -1.0"),
    ("fish", {"motors_torque": math.inf}, "motors_torque must be a finite number > 0, got inf"),
])
def test_bad_body_options_are_env_option_errors_naming_value_and_expectation(body, options, message):
    with pytest.raises(EnvOptionError, match=message):
        gym.make("teachgym/StumpTracks-v0" if body != "fish" else "teachgym/Parkour-v0", body=body, body_kwargs=options)


def test_a_track_refuses_a_kind_with_a_typed_option_error():
    with pytest.raises(BodyKindError, match="body 'fish' is a swimmer; HexagonTracks takes only walker and amphibian"):
        HexagonTracks(body="fish")
    assert issubclass(BodyKindError, EnvOptionError) and issubclass(BodyKindError, ValueError)


def test_hexagon_tracks_shows_its_real_signature_and_pickles_its_option():
    parameters = inspect.signature(HexagonTracks.__init__).parameters
    assert list(parameters) == ["self", "body", "body_kwargs", "render_mode", "obstacle_spacing", "task_bounds"]
    assert parameters["obstacle_spacing"].default == 8.0
    env = HexagonTracks(body="small_bipedal", obstacle_spacing=3, dx0=(0.0, 2.0))
    copy = pickle.loads(pickle.dumps(env))
    assert (copy.obstacle_spacing, copy.body_spec.name, copy.task_space.bounds["dx0"]) == (3.0, "small_bipedal",
                                                                                            (0.0, 2.0))


@pytest.mark.parametrize("spacing", [-1.0, math.nan, True, "8"])
def test_hexagon_tracks_refuses_a_bad_obstacle_spacing_naming_it(spacing):
    with pytest.raises(EnvOptionError, match=rf"obstacle_spacing must be a finite number >= 0, got {spacing!r}"):
        HexagonTracks(obstacle_spacing=spacing)


def test_parkour_is_a_walker_env_beside_the_tracks_not_one_of_them():
    assert issubclass(Parkour, WalkerEnv) and not issubclass(Parkour, WalkerTrackEnv)
    assert issubclass(StumpTracks, WalkerTrackEnv) and issubclass(HexagonTracks, WalkerTrackEnv)
    assert Parkour.BODY_KINDS == tuple(BodyKind)
    assert StumpTracks.BODY_KINDS == (BodyKind.WALKER, BodyKind.AMPHIBIAN)
    pickled = Parkour(body="fish", water_clip=10, world="teachgym-v0")
    copy = pickle.loads(pickle.dumps(pickled))
    assert (copy.body_spec.kind, copy.water_clip, copy.finish_x) == (BodyKind.SWIMMER, 10.0, pickled.finish_x)


@pytest.mark.parametrize(("body", "water_level", "creepers", "test_set"), [
    ("classic_bipedal", 0.0, (0.0, 5.0), "parkour-walkers"),
    ("climbing_profile_chimpanzee", 0.0, (4.0, 0.0), "parkour-climbers"),
    ("fish", 1.0, (0.0, 5.0), "parkour-swimmers"),
    ("amphibious_bipedal", 0.0, (0.0, 5.0), "parkour-walkers"),
])
def test_parkour_reads_the_easy_task_and_test_set_from_the_kind(body, water_level, creepers, test_set):
    env = Parkour(body=body)
    default = env.task_space.to_dict(env.task_space.default)
    assert (default["water_level"], default["creepers_height"], default["creepers_spacing"]) == (water_level, *creepers)
    assert env.default_test_set().name == test_set
