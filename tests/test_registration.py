"""Registration with gymnasium, the installed package layout, and import-time behaviour."""

import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import gymnasium as gym
import pytest

import teachgym


def test_every_id_is_registered_under_the_namespace_with_an_episode_limit():
    assert teachgym.env_ids()[:2] == ["teachgym/StumpTracks-v0", "teachgym/HexagonTracks-v0"]
    assert len(set(teachgym.env_ids())) == len(teachgym.env_ids())
    for env_id in teachgym.env_ids():
        spec = gym.spec(env_id)
        assert spec.namespace == "teachgym"
        assert spec.max_episode_steps >= 1
        assert isinstance(spec.entry_point, str)
    assert gym.spec("teachgym/StumpTracks-v0").max_episode_steps == 2000


def test_registering_again_is_a_silent_no_op():
    before = {env_id: gym.spec(env_id) for env_id in teachgym.env_ids()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        teachgym.register_envs()
        importlib.reload(teachgym)
        gym.register_envs(teachgym)
    assert {env_id: gym.spec(env_id) for env_id in teachgym.env_ids()} == before


def test_an_unknown_id_suggests_the_closest_one():
    with pytest.raises(gym.error.NameNotFound, match="Did you mean: `StumpTracks`"):
        gym.make("teachgym/StumpTrack-v0")


def test_importing_teachgym_does_not_import_box2d_or_torch():
    code = "import sys, teachgym; print('Box2D' in sys.modules, 'torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_sub_packages_are_installed_inside_the_teachgym_namespace():
    for name in ("teachers", "students", "benchmarks"):
        module = importlib.import_module(f"teachgym.{name}")
        assert Path(module.__file__).parent.name == name
    assert (Path(teachgym.__file__).parent / "py.typed").is_file()
