"""The teachgym command line: listings, runs, status, and one clear line with exit code 2 on bad input."""

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from teachgym.benchmarks import provenance
from teachgym.benchmarks.cli import main
from teachgym.benchmarks.run_folder import RunFolder
from teachgym.benchmarks.statistics import iqm

SIMULATED_FLAGS = ["--env", "teachgym/SimulatedStudent-v0", "--student", "simulated", "--total-timesteps", "600",
                   "--eval-every", "300", "--checkpoint-every", "300"]


def test_list_shows_envs_bodies_teachers_and_students_with_their_parameters(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "teachgym/StumpTracks-v0  (max 2000 steps)" in out
    assert "stump_height             [0, 3]  default 0" in out
    assert ("spider                             walker    12 motors            StumpTracks 42, HexagonTracks 42, "
            "Parkour 54; motors_torque=100.0, nb_pairs_of_legs=2") in out
    assert ("climbing_profile_chimpanzee        climber   10 motors + 2 grasps Parkour 54; motors_torque=100.0") in out
    assert "alp-gmm  presets: tma" in out and "fit_rate = 250" in out
    assert "sac           presets: tiny, tma" in out


def test_run_from_flags_writes_the_run_and_shows_it(tmp_path, capsys):
    out_dir = tmp_path / "run"
    assert main(["run", *SIMULATED_FLAGS, "--teacher", "riac", "--out-dir", str(out_dir)]) == 0
    printed = capsys.readouterr().out
    assert f"run folder: {out_dir}" in printed
    assert (out_dir / "metrics.csv").is_file()
    assert yaml.safe_load((out_dir / "config.yaml").read_text())["teacher"] == "riac"
    assert main(["show", str(tmp_path)]) == 0
    line = [row for row in capsys.readouterr().out.splitlines() if str(out_dir) in row][0]
    assert line.split()[1:3] == ["done", "600"]


def test_run_from_a_config_file_with_flags_overriding_it(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"env": "teachgym/SimulatedStudent-v0", "student": "simulated",
                                      "teacher": "random", "total_timesteps": 300, "eval_every": 300,
                                      "out_dir": str(tmp_path / "from-file")}))
    assert main(["run", str(config), "--teacher", "adr", "--out-dir", str(tmp_path / "overridden")]) == 0
    saved = yaml.safe_load((tmp_path / "overridden" / "config.yaml").read_text())
    assert (saved["teacher"], saved["total_timesteps"]) == ("adr", 300)
    assert not (tmp_path / "from-file").exists()


@pytest.mark.parametrize(("arguments", "fragment"), [
    (["run", *SIMULATED_FLAGS, "--teacher", "alp-gmn"], "RunConfig.teacher: unknown teacher 'alp-gmn' "
                                                        "(did you mean 'alp-gmm'?)"),
    (["run", *SIMULATED_FLAGS, "--expert-knowledge", "total"], "RunConfig.expert_knowledge: unknown level 'total'"),
    (["run", "--teacher", "random"], "--env: give an environment id"),
    (["show", "/nonexistent/folder"], "/nonexistent/folder: no such folder"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, arguments, fragment):
    out_dir = tmp_path / "run"
    if arguments[0] == "run":
        arguments = [*arguments, "--out-dir", str(out_dir)]
    assert main(arguments) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("teachgym: error: ") and fragment in err
    assert "\n" not in err
    assert not out_dir.exists()


def test_an_occupied_folder_is_refused_with_exit_2(tmp_path, capsys):
    out_dir = str(tmp_path / "run")
    assert main(["run", *SIMULATED_FLAGS, "--out-dir", out_dir]) == 0
    before = (tmp_path / "run" / "curriculum.csv").read_bytes()
    assert main(["run", *SIMULATED_FLAGS, "--teacher", "adr", "--out-dir", out_dir]) == 2
    assert "holds a different run (teacher: 'random' != 'adr')" in capsys.readouterr().err
    assert (tmp_path / "run" / "curriculum.csv").read_bytes() == before


def test_the_console_script_and_the_module_both_run():
    script = shutil.which("teachgym", path=str(Path(sys.executable).parent))
    assert script is not None
    for command in ([script, "--help"], [sys.executable, "-m", "teachgym.benchmarks.cli", "--help"]):
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        assert "list" in result.stdout and "sweep" in result.stdout
    with pytest.raises(SystemExit) as exited:
        main(["run", "--env-kwargs", "{body: ["])
    assert exited.value.code == 2


def write_sweep(path: Path, out: Path, **changes) -> Path:
    sweep = {"name": "tiny", "out": str(out),
             "defaults": {"total_timesteps": 300, "eval_every": 100, "checkpoint_every": 300},
             "grids": [{"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random", "alp-gmm"],
                        "students": ["simulated"], "seeds": 2}], **changes}
    path.write_text(yaml.safe_dump(sweep, sort_keys=False))
    return path


def test_a_sweep_through_the_cli_writes_runs_and_a_report_and_a_rerun_runs_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    sweep = write_sweep(tmp_path / "sweep.yaml", out)
    assert main(["sweep", str(sweep), "--workers", "2"]) == 0
    printed, progress = capsys.readouterr()
    assert f"sweep folder: {out}  (4 done, 0 failed)" in printed
    # stderr is not a terminal here: no bar, a plain line per finished run with the time left
    lines = progress.splitlines()
    assert [line.split("]")[0] for line in lines] == [f"[{done}/4" for done in range(1, 5)]
    assert sorted(line.split(" ")[1] for line in lines) == [f"SimulatedStudent/{t}/simulated/seed-{s}:"
                                                            for t in ("alp-gmm", "random") for s in (0, 1)]
    assert all(re.fullmatch(r"\[\d/4\] \S+: done; about \d+ s left", line) for line in lines[:3])
    assert lines[3].endswith(": done; all finished")
    report = out / "report"
    assert f"report: {report}" in printed
    assert (report / "report.md").is_file() and (report / "report.html").is_file()
    assert len(list(report.glob("figures/*.png"))) >= 2
    runs = sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("metrics.csv"))
    assert runs == [f"SimulatedStudent/{t}/simulated/seed-{s}" for t in ("alp-gmm", "random") for s in (0, 1)]
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and "report" not in p.parts}
    assert main(["sweep", str(sweep), "--no-report"]) == 0
    assert capsys.readouterr().err == ""  # every run skipped: nothing finished
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and "report" not in p.parts}
    changed = [p for p in before if after[p] != before[p]]
    assert sorted(p.name for p in changed) == ["runs.csv", "sweep.yaml"]  # only the sweep's own summaries
    assert "skipped" in (out / "runs.csv").read_text()


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"grids": [{"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random"], "students": ["simulated"],
                 "seeds": [0, "one"]}]}, "grids[0].seeds[1]: expected an integer >= 0, got 'one'"),
    ({"grids": [{"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["alp-gmn"], "students": ["simulated"],
                 "seeds": 1}]}, "did you mean 'alp-gmm'"),
    ({"grids": [{"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random"], "seeds": 1}]}, "students"),
    ({"defaults": {"total_timesteps": "many"}}, "defaults.total_timesteps: expected an integer >= 1"),
    ({"grid": "not a mapping"}, "grid"),
])
def test_a_malformed_sweep_exits_2_naming_the_file_and_key_and_writes_nothing(tmp_path, capsys, changes, fragment):
    out = tmp_path / "out"
    sweep = write_sweep(tmp_path / "bad.yaml", out, **changes)
    if "grid" in changes:
        text = yaml.safe_load(sweep.read_text())
        del text["grids"]
        sweep.write_text(yaml.safe_dump(text))
    assert main(["sweep", str(sweep)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("teachgym: error: ") and "bad.yaml" in err and fragment in err
    assert not out.exists()


def test_invalid_yaml_syntax_exits_2_with_the_line(tmp_path, capsys):
    sweep = tmp_path / "broken.yaml"
    sweep.write_text("name: x\ngrids:\n  - envs: [teachgym/SimulatedStudent-v0\n")
    assert main(["sweep", str(sweep)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml: cannot read the sweep file: invalid YAML at line 4, column 1" in err


SHIPPED_CONFIGS = sorted((Path(__file__).parents[2] / "benchmarks" / "configs").glob("*.yaml"))


def test_the_tiers_and_the_paper_protocol_are_shipped():
    names = {config.stem for config in SHIPPED_CONFIGS}
    assert {"quickstart", "classic-control", "stump-tracks-cpu", "parkour-cpu", "stump-tracks", "challenges",
            "parkour"} <= names


@pytest.mark.parametrize("config", SHIPPED_CONFIGS, ids=lambda config: config.stem)
def test_the_shipped_benchmark_configs_are_valid(config):
    from teachgym.benchmarks.sweep import Sweep

    sweep = Sweep.from_yaml(config)
    assert sweep.name == config.stem and sweep.runs
    assert len({run.run_id for run in sweep.runs}) == len(sweep.runs)


def test_show_prints_the_versions_each_run_ran_with(tmp_path, capsys):
    runs = {name: tmp_path / name for name in ("current", "resumed", "old", "damaged")}
    for out_dir in runs.values():
        assert main(["run", *SIMULATED_FLAGS, "--out-dir", str(out_dir)]) == 0
    [record] = json.loads((runs["current"] / "environment.json").read_text())
    line = provenance.versions_line(record)
    other = {**record, "event": "resume", "timesteps": 300, "versions": {**record["versions"], "numpy": "1.0.0"}}
    (runs["resumed"] / "environment.json").write_text(json.dumps([record, other]))
    (runs["old"] / "environment.json").unlink()
    (runs["damaged"] / "environment.json").write_text("[")
    capsys.readouterr()
    assert main(["show", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    below = {name: printed[printed.index(next(row for row in printed if row.startswith(str(path)))) + 1:]
             for name, path in runs.items()}
    assert below["current"][0] == f"    versions: {line}"
    assert below["resumed"][:2] == [f"    versions from timesteps 0: {line}",
                                    f"    versions from timesteps 300: {provenance.versions_line(other)}"]
    assert not below["old"] or not below["old"][0].startswith("    ")  # a folder from before environment.json
    assert below["damaged"][0].startswith(f"    damaged: {runs['damaged'] / 'environment.json'} is unreadable")
    assert not below["damaged"][1:] or not below["damaged"][1].startswith("    versions")


def test_show_summarises_a_sweep_folder_in_one_table(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(write_sweep(tmp_path / "sweep.yaml", out)), "--no-report"]) == 0
    shutil.rmtree(out / "SimulatedStudent/random/simulated/seed-1")  # not started yet
    RunFolder(out / "SimulatedStudent/alp-gmm/simulated/seed-1").set_status("failed", timesteps=0,
                                                                             error="RuntimeError: boom")
    finals = {}
    for teacher in ("random", "alp-gmm"):
        with (out / f"SimulatedStudent/{teacher}/simulated/seed-0/metrics.csv").open() as handle:
            finals[teacher] = float(list(csv.DictReader(handle))[-1]["mastered_share"])
    capsys.readouterr()
    assert main(["show", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"sweep {out}: 4 runs"
    assert [line.split() for line in lines[1:4]] == [
        ["env", "teacher", "student", "done", "failed", "not", "done", "IQM", "final"],
        ["SimulatedStudent", "random", "simulated", "1", "0", "1", f"{iqm([finals['random']]):.3f}"],
        ["SimulatedStudent", "alp-gmm", "simulated", "1", "1", "0", f"{finals['alp-gmm']:.3f}"]]
    assert lines[4:] == ["    SimulatedStudent/alp-gmm/simulated/seed-1: failed: RuntimeError: boom"]


def test_report_self_contained_embeds_the_figures(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(write_sweep(tmp_path / "sweep.yaml", out, grids=[{
        "envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random"], "students": ["simulated"], "seeds": 1}])),
        "--no-report"]) == 0
    assert main(["report", str(out), "--self-contained", "--out", str(tmp_path / "one-file")]) == 0
    page = (tmp_path / "one-file" / "report" / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 3 and 'src="figures/' not in page
