"""The scoreboard (``teachgym report --scoreboard``): its numbers against statistics computed from the run folders,
tiers named by their sweeps, version sets, runs left out, and the CLI's errors."""

import json
from pathlib import Path

import pytest
import yaml
from simulated_sweeps import simulated_config, simulated_sweep

from teachgym.benchmarks.cli import main
from teachgym.benchmarks.report import find_runs
from teachgym.benchmarks.report.scoreboard import SCOREBOARD_FILE, scoreboard
from teachgym.benchmarks.run_folder import RunFolder
from teachgym.benchmarks.statistics import iqm, probability_of_improvement, welch_t_test

ENV = "teachgym/SimulatedStudent-v0"
SEEDS = range(3)


@pytest.fixture(scope="module")
def tiers(tmp_path_factory) -> tuple[Path, Path]:
    """Two tiers: a named sweep (random and alp-gmm, 3 seeds, one failed run) and a folder without sweep.yaml."""
    named = simulated_sweep(tmp_path_factory.mktemp("named"), [ENV], ("random", "alp-gmm"), SEEDS)
    (named / "sweep.yaml").write_text(yaml.safe_dump({"name": "cpu-tier", "out": str(named), "runs": []}))
    failed = RunFolder(named / "SimulatedStudent/alp-gmm/simulated/seed-3")
    failed.create(simulated_config("alp-gmm", 3, failed.path))
    failed.set_status("failed", timesteps=0, error="RuntimeError: the student crashed")
    plain = simulated_sweep(tmp_path_factory.mktemp("plain-tier"), [ENV], ("random",), range(2))
    return named, plain


def _rows(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, [cell.strip() for cell in line.strip("|").split("|")])) for line in lines[2:]]


def test_each_teacher_row_holds_the_statistics_of_its_final_shares(tiers):
    named, plain = tiers
    text = scoreboard([named, plain])
    rows = _rows(text)
    finals = {teacher: [r.final for r in find_runs(named) if r.teacher == teacher and r.problem is None]
              for teacher in ("random", "alp-gmm")}
    assert [(row["tier"], row["teacher"]) for row in rows] == [
        ("cpu-tier", "random"), ("cpu-tier", "alp-gmm"), (plain.resolve().name, "random")]
    random_row, alp_row, plain_row = rows
    assert random_row["seeds"] == "3" and alp_row["seeds"] == "3" and plain_row["seeds"] == "2"
    assert alp_row["IQM final share mastered"] == f"{iqm(finals['alp-gmm']):.3f}"
    assert random_row["IQM final share mastered"] == f"{iqm(finals['random']):.3f}"
    assert alp_row["P(> random)"] == f"{probability_of_improvement(finals['alp-gmm'], finals['random']):.3f}"
    assert alp_row["Welch p"] == f"{welch_t_test(finals['alp-gmm'], finals['random']).p:.3g}"
    assert random_row["P(> random)"] == "-" and random_row["Welch p"] == "-"
    assert alp_row["timesteps"] == "300" and alp_row["env"] == "SimulatedStudent" and alp_row["student"] == "simulated"
    low, high = (float(x) for x in alp_row["95% CI"].strip("[]").split(","))
    assert low <= float(alp_row["IQM final share mastered"]) <= high


def test_version_sets_are_numbered_and_listed_and_left_out_runs_say_why(tiers):
    named, plain = tiers
    text = scoreboard([named, plain])
    records = json.loads((named / "SimulatedStudent/random/simulated/seed-0/environment.json").read_text())
    assert {row["versions"] for row in _rows(text)} == {"v1"}
    assert "v1: Python " in text
    assert f"v1: Python {records[0]['python']}, teachgym {records[0]['versions']['teachgym']}" in text
    assert "Runs left out:" in text
    assert "cpu-tier: `SimulatedStudent/alp-gmm/simulated/seed-3` (failed)" in text


def test_the_cli_prints_the_scoreboard_and_writes_it_with_out(tiers, tmp_path, capsys):
    named, plain = tiers
    assert main(["report", "--scoreboard", str(named), str(plain), "--out", str(tmp_path / "board")]) == 0
    printed = capsys.readouterr().out
    assert printed == scoreboard([named, plain])
    assert (tmp_path / "board" / SCOREBOARD_FILE).read_text() == printed


def test_the_cli_refuses_several_folders_without_scoreboard_and_a_missing_folder(tiers, tmp_path, capsys):
    named, plain = tiers
    assert main(["report", str(named), str(plain)]) != 0
    error = capsys.readouterr().err
    assert "got 2 folders" in error and "--scoreboard" in error
    assert not (named / "report").exists()
    assert main(["report", "--scoreboard", str(tmp_path / "nowhere")]) != 0
    assert "nowhere is not a folder" in capsys.readouterr().err
