"""The teachgym command line: listings, runs, status, and one clear line with exit code 2 on bad input."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from teachgym.benchmarks.cli import main

SIMULATED_FLAGS = ["--env", "teachgym/SimulatedStudent-v0", "--student", "simulated", "--total-timesteps", "600",
                   "--eval-every", "300", "--checkpoint-every", "300"]


def test_list_shows_envs_bodies_teachers_and_students_with_their_parameters(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "teachgym/StumpTracks-v0  (max 2000 steps)" in out
    assert "stump_height             [0, 3]  default 0" in out
    assert "spider               12 motors, 42 observations; motors_torque=100.0, nb_pairs_of_legs=2" in out
    assert "alp-gmm  presets: tma" in out and "fit_rate = 250" in out
    assert "sac        presets: tiny, tma" in out


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
