"""The environment speed benchmark runs end to end and prints its tables (its figures are not asserted: speed
targets live in the benchmark's output, not in timed tests)."""

import gymnasium as gym
import numpy as np
import pytest

import teachgym
from teachgym.benchmarks.perf import env_speed
from teachgym.envs.walkers.bodies import BODIES

CLASSIC_ORIGINALS = {
    "teachgym/CartPole-v0": "CartPole-v1",
    "teachgym/Pendulum-v0": "Pendulum-v1",
    "teachgym/MountainCarContinuous-v0": "MountainCarContinuous-v0",
    "teachgym/Acrobot-v0": "Acrobot-v1",
    "teachgym/LunarLanderContinuous-v0": "LunarLanderContinuous-v3",
}
SMALL = ["--steps", "30", "--headline-steps", "30", "--rounds", "1", "--classic-steps", "30"]


def _tables(output: str) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """The rows of the env table, the rows of the classic table, and all lines."""
    lines = output.splitlines()
    split = next(i for i, line in enumerate(lines) if line.startswith("teachgym id"))
    env_rows = [line.split() for line in lines[:split] if line.startswith("teachgym/")]
    classic_rows = [line.split() for line in lines[split:] if line.startswith("teachgym/")]
    return env_rows, classic_rows, lines


def test_prints_a_row_per_env_and_body_the_headline_ratio_and_the_classic_comparison(capsys):
    assert env_speed.main(SMALL) == 0
    rows, classic_rows, lines = _tables(capsys.readouterr().out)
    assert [(row[0], row[1]) for row in rows] == [(env_id, body or "-") for env_id, body in env_speed.benchmark_cases()]
    assert {row[0] for row in rows} == set(teachgym.env_ids())
    climbers_and_swimmers = {"climbing_profile_chimpanzee", "climbing_chest_profile_chimpanzee", "fish"}
    assert {row[1] for row in rows if row[0] == "teachgym/StumpTracks-v0"} == set(BODIES) - climbers_and_swimmers
    assert {row[1] for row in rows if row[0] == "teachgym/Parkour-v0"} == set(BODIES)
    assert all(float(row[5]) > 0 for row in rows)
    assert [row[2] for row in rows if row[1] == "classic_bipedal"] == ["2", "12", "6"]
    actions = {row[0]: row[4] for row in rows}
    assert (actions["teachgym/CartPole-v0"], actions["teachgym/Acrobot-v0"], actions["teachgym/Pendulum-v0"]) == (
        "#2", "#3", "1")
    assert any(line.startswith("speed ratio ") and "target" in line for line in lines)
    assert any(line.startswith("Parkour speed ratio ") and "1.0x target" in line for line in lines)

    assert {row[0]: row[1] for row in classic_rows} == CLASSIC_ORIGINALS
    for row in classic_rows:
        ours, original, ratio = float(row[2]), float(row[3]), float(row[4])
        assert ours > 0 and original > 0
        assert ratio == pytest.approx(ours / original, abs=0.002)  # one round: the ratio of the two rates
    assert any(line.startswith("classic envs: ") and "0.9x target" in line for line in lines)


def test_random_actions_are_valid_for_every_action_space():
    rng = np.random.default_rng(0)
    discrete = env_speed.random_actions(gym.spaces.Discrete(3), 200, rng)
    assert set(discrete.tolist()) == {0, 1, 2}
    shifted = env_speed.random_actions(gym.spaces.Discrete(2, start=-1), 50, rng)
    assert set(shifted.tolist()) == {-1, 0}
    box = env_speed.random_actions(gym.spaces.Box(-2.0, 2.0, (2,)), 50, rng)
    assert box.shape == (50, 2) and box.dtype == np.float32 and np.abs(box).max() <= 1.0


def test_check_mode_fails_when_the_target_is_missed(monkeypatch, capsys):
    monkeypatch.setattr(env_speed, "TARGET_RATIO", 1e9)
    monkeypatch.setattr(env_speed, "measure_all", lambda steps, seed: [])
    monkeypatch.setattr(env_speed, "classic_ratios", lambda steps, rounds, seed: [])
    assert env_speed.main(["--headline-steps", "20", "--rounds", "1", "--check"]) == 1
    assert "MISSES the 1000000000.0x target" in capsys.readouterr().out


def test_check_mode_fails_when_parkour_misses_its_target(monkeypatch, capsys):
    monkeypatch.setattr(env_speed, "TARGET_RATIO", 0.0)
    monkeypatch.setattr(env_speed, "PARKOUR_TARGET_RATIO", 1e9)
    monkeypatch.setattr(env_speed, "measure_all", lambda steps, seed: [])
    monkeypatch.setattr(env_speed, "classic_ratios", lambda steps, rounds, seed: [])
    assert env_speed.main(["--headline-steps", "20", "--rounds", "1"]) == 0
    assert env_speed.main(["--headline-steps", "20", "--rounds", "1", "--check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("Parkour speed ratio") and "MISSES the 1000000000.0x target" in line for line in lines)


def test_check_mode_fails_when_a_classic_env_misses_its_target(monkeypatch, capsys):
    monkeypatch.setattr(env_speed, "TARGET_RATIO", 0.0)
    monkeypatch.setattr(env_speed, "measure_all", lambda steps, seed: [])
    slow = env_speed.ClassicRatio("teachgym/CartPole-v0", "CartPole-v1", 50.0, 100.0, 0.5)
    fast = env_speed.ClassicRatio("teachgym/Acrobot-v0", "Acrobot-v1", 100.0, 100.0, 1.0)
    monkeypatch.setattr(env_speed, "classic_ratios", lambda steps, rounds, seed: [slow, fast])
    assert env_speed.main(["--headline-steps", "20", "--rounds", "1"]) == 0  # reported, not failed, without --check
    assert env_speed.main(["--headline-steps", "20", "--rounds", "1", "--check"]) == 1
    _, classic_rows, lines = _tables(capsys.readouterr().out)
    assert classic_rows[0][-2:] == ["0.500", "MISSES"] and classic_rows[1][-1] == "1.000"
    assert "classic envs: 1 of 2 meet the 0.9x target" in "\n".join(lines)


@pytest.mark.parametrize("flag", ["--rounds", "--classic-steps"])
def test_rejects_non_positive_counts(flag, capsys):
    with pytest.raises(SystemExit) as exited:
        env_speed.main([flag, "0"])
    assert exited.value.code == 2
    assert f"{flag} must be positive, got 0" in capsys.readouterr().err
