"""The protocol cost script: the steps per setting of a sweep, and hours that follow from the rates it measured."""

import re

import pytest
import yaml

from teachgym.benchmarks.perf import protocol_cost
from teachgym.benchmarks.sweep import Sweep

SWEEP = {
    "name": "tiny-tier",
    "out": "runs/tiny-tier",
    "defaults": {"eval_every": 1000, "checkpoint_every": 1000},
    "grids": [
        {"envs": ["teachgym/CartPole-v0"], "teachers": ["random", "alp-gmm"],
         "students": [{"name": "ppo", "kwargs": {"preset": "tiny"}}], "seeds": 3,
         "defaults": {"total_timesteps": 5000}},
        {"envs": ["teachgym/CartPole-v0"], "teachers": ["random"],
         "students": [{"name": "a2c", "kwargs": {"preset": "tiny"}}], "seeds": 2,
         "defaults": {"total_timesteps": 7000, "n_envs": 2}},
    ],
}


def test_settings_sum_each_settings_training_steps(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(SWEEP))
    steps = protocol_cost.settings_of(Sweep.from_yaml(path))
    ppo = protocol_cost.Setting("teachgym/CartPole-v0", None, "ppo", "tiny", 1)
    a2c = protocol_cost.Setting("teachgym/CartPole-v0", None, "a2c", "tiny", 2)
    assert steps == {ppo: 6 * 5000, a2c: 2 * 7000}
    assert str(ppo) == "CartPole-v0, ppo tiny, 1 env(s)"


def test_the_printed_hours_follow_from_the_printed_rates(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(SWEEP))
    assert protocol_cost.main(["--configs", str(path), "--timesteps", "200"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rates = {line.split(",")[1].strip(): float(re.search(r"cpu\s+([\d.]+) steps/s", line)[1])
             for line in lines if "steps/s" in line and "env(s)" in line}
    assert set(rates) == {"ppo tiny", "a2c tiny"} and all(rate > 0 for rate in rates.values())
    row = next(line for line in lines if line.startswith("tiny-tier"))
    runs, steps, hours = row.split()[1], row.split()[2], float(row.split()[3].replace(",", ""))
    assert (runs, steps) == ("8", "44,000")
    expected = (30000 / rates["ppo tiny"] + 14000 / rates["a2c tiny"]) / 3600
    # rates are printed rounded to 1 step/s, hours to 0.01 h
    assert abs(hours - expected) <= 0.005 + expected * 0.01


def test_an_unknown_sweep_is_a_usage_error_naming_it(capsys):
    with pytest.raises(SystemExit) as exited:
        protocol_cost.main(["--configs", "no-such-tier"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "no-such-tier.yaml: cannot read the sweep file" in error and "benchmarks/configs" in error
