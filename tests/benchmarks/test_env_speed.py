"""The environment speed benchmark runs end to end and prints its table (its figures are not asserted: speed
targets live in the benchmark's output, not in timed tests)."""

import pytest

import teachgym
from teachgym.benchmarks import env_speed
from teachgym.envs.walkers.bodies import BODIES


def test_prints_a_row_per_env_and_body_and_the_headline_ratio(capsys):
    assert env_speed.main(["--steps", "30", "--headline-steps", "30", "--rounds", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines if line.startswith("teachgym/")]
    assert [(row[0], row[1]) for row in rows] == [(env_id, body or "-") for env_id, body in env_speed.benchmark_cases()]
    assert {row[0] for row in rows} == set(teachgym.env_ids())
    assert {row[1] for row in rows if row[0] == "teachgym/StumpTracks-v0"} == set(BODIES)
    assert all(float(row[5]) > 0 for row in rows)
    assert [row[2] for row in rows if row[1] == "classic_bipedal"] == ["2", "12"]
    assert any(line.startswith("speed ratio ") and "target" in line for line in lines)


def test_check_mode_fails_when_the_target_is_missed(monkeypatch, capsys):
    monkeypatch.setattr(env_speed, "TARGET_RATIO", 1e9)
    monkeypatch.setattr(env_speed, "measure_all", lambda steps, seed: [])
    assert env_speed.main(["--headline-steps", "20", "--rounds", "1", "--check"]) == 1
    assert "MISSES the 1000000000.0x target" in capsys.readouterr().out


def test_rejects_non_positive_counts(capsys):
    with pytest.raises(SystemExit) as exited:
        env_speed.main(["--rounds", "0"])
    assert exited.value.code == 2
    assert "--rounds must be positive, got 0" in capsys.readouterr().err
