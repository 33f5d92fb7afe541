"""Bad input, everywhere a user types (issue 12): every subcommand and flag, run configs and sweep files, tasks,
test-set CSVs and report folders. Each case ends with exit code 2, one line naming the bad value (argparse's own
usage errors as argparse prints them), no traceback, and nothing written: the folder tree is the same after.

The CLI runs in-process (``main(argv)``) in a fresh folder holding only the case's input files; a few cases run the
console script in a real subprocess (a closed pipe, a traceback-free error, a damaged run folder).
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from teachgym.benchmarks.cli import main

SIMULATED = ["--env", "teachgym/SimulatedStudent-v0", "--student", "simulated", "--total-timesteps", "300",
             "--eval-every", "100"]
CARTPOLE_PPO = ["--env", "teachgym/CartPole-v0", "--student", "ppo"]
NOT_FOUND = os.strerror(2)  # "No such file or directory"


def _sweep(**changes) -> str:
    sweep = {"name": "bad", "defaults": {"total_timesteps": 100, "eval_every": 50},
             "grids": [{"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random"], "students": ["simulated"],
                        "seeds": 1}]}
    for key, value in changes.items():
        if key in ("envs", "teachers", "students", "seeds", "defaults_of_grid"):
            sweep["grids"][0][key.removesuffix("_of_grid")] = value
        else:
            sweep[key] = value
    return yaml.safe_dump(sweep, sort_keys=False)


GOOD_SWEEP = {"sweep.yaml": _sweep()}
# A finished run as `report` and `show` read it: its config, its status and one evaluation.
RUN = {"run/config.yaml": yaml.safe_dump({"env": "teachgym/SimulatedStudent-v0", "student": "simulated",
                                          "total_timesteps": 100, "eval_every": 100, "out_dir": "run"}),
       "run/status.json": '{"state": "done", "timesteps": 100}',
       "run/metrics.csv": "timesteps,mastered_share,mean_test_return\n100,0.25,-50.0\n"}
TASKS_CSV = "tasks.csv"
CSV_SET = ["--test-set", f"{{csv: {TASKS_CSV}}}"]

# (argv, files to create first: path -> text, bytes or None for a folder, a fragment of the error line)
CASES = {
    # ------------------------------------------------------------------------------------- run: names and flags
    "unknown env": (["run", "--env", "teachgym/Nope-v0"], {}, "unknown environment id 'teachgym/Nope-v0'"),
    "env without a task space": (["run", "--env", "CartPole-v1"], {}, "CartPole-v1 is not a parametric env"),
    "unknown teacher": (["run", *SIMULATED, "--teacher", "alp-gmn"], {},
                        "RunConfig.teacher: unknown teacher 'alp-gmn' (did you mean 'alp-gmm'?)"),
    "unknown student": (["run", "--env", "teachgym/CartPole-v0", "--student", "sak"], {},
                        "unknown student 'sak' (did you mean 'sac'?)"),
    "simulated student on an RL env": (["run", "--env", "teachgym/CartPole-v0", "--student", "simulated"], {},
                                       "'simulated' needs a simulated-student env"),
    "no env": (["run", "--teacher", "random"], {}, "--env: give an environment id"),
    "unknown task parameter in env kwargs": (["run", *CARTPOLE_PPO, "--env-kwargs", "{pole_lenght: [1, 2]}"], {},
                                             "unknown task parameter 'pole_lenght'"),
    "reversed bounds in env kwargs": (["run", *CARTPOLE_PPO, "--env-kwargs", "{pole_length: [2, 1]}"], {},
                                      "bounds of task parameter 'pole_length' have low 2 > high 1"),
    "env kwargs not a mapping": (["run", *CARTPOLE_PPO, "--env-kwargs", "[1]"], {},
                                 "RunConfig.env_kwargs: expected a mapping, got [1]"),
    "env kwargs with a number as key": (["run", *CARTPOLE_PPO, "--env-kwargs", "{1: 2}"], {},
                                        "expected keyword names (such as body), got the key 1"),
    "max_episode_steps below 1": (["run", *CARTPOLE_PPO, "--env-kwargs", "{max_episode_steps: -1}"], {},
                                  "env_kwargs.max_episode_steps: expected an integer >= 1, got -1"),
    "teacher kwarg of the wrong type": (["run", *SIMULATED, "--teacher", "alp-gmm", "--teacher-kwargs",
                                         "{fit_rate: abc}"], {}, "fit_rate must be an integer >= 2, got 'abc'"),
    "unknown teacher kwarg": (["run", *SIMULATED, "--teacher", "alp-gmm", "--teacher-kwargs", "{fit_rat: 100}"], {},
                              "unknown option 'fit_rat' for teacher 'alp-gmm' (did you mean 'fit_rate'?)"),
    "negative total_timesteps": (["run", *SIMULATED, "--total-timesteps", "-5"], {},
                                 "RunConfig.total_timesteps: expected an integer >= 1, got -5"),
    "zero total_timesteps": (["run", *SIMULATED, "--total-timesteps", "0"], {},
                             "total_timesteps: expected an integer >= 1, got 0"),
    "huge total_timesteps": (["run", *SIMULATED, "--total-timesteps", "10000000000000000000000"], {},
                             "total_timesteps: expected an integer from 1 to 1,000,000,000,000"),
    "n_envs 0": (["run", *CARTPOLE_PPO, "--n-envs", "0"], {}, "RunConfig.n_envs: expected an integer >= 1, got 0"),
    "n_envs huge": (["run", *CARTPOLE_PPO, "--n-envs", "5000"], {}, "n_envs: expected an integer from 1 to 1,024"),
    "eval_every 0": (["run", *SIMULATED, "--eval-every", "0"], {}, "RunConfig.eval_every: expected an integer >= 1"),
    "checkpoint_every negative": (["run", *SIMULATED, "--checkpoint-every", "-1"], {},
                                  "checkpoint_every: expected an integer >= 1, got -1"),
    "negative seed": (["run", *SIMULATED, "--seed", "-1"], {}, "RunConfig.seed: expected an integer >= 0, got -1"),
    "seed beyond 32 bits": (["run", *SIMULATED, "--seed", "4294967296"], {},
                            "seed: expected an integer from 0 to 4,294,967,295"),
    "unknown device": (["run", *SIMULATED, "--device", "gpu"], {},
                       "RunConfig.device: expected auto, cpu, cuda or cuda:N, got 'gpu'"),
    "CUDA on a machine without it": (["run", *CARTPOLE_PPO, "--device", "cuda"], {},
                                     "RunConfig.device: device 'cuda' asked for, but CUDA is not available"),
    "unknown expert knowledge": (["run", *SIMULATED, "--expert-knowledge", "lots"], {},
                                 "RunConfig.expert_knowledge: unknown level 'lots'"),
    "reset_student_every 0": (["run", *CARTPOLE_PPO, "--reset-student-every", "0"], {},
                              "reset_student_every: expected an integer >= 1, got 0"),
    "forgetting challenge for a simulated student": (["run", *SIMULATED, "--reset-student-every", "100"], {},
                                                     "the forgetting challenge needs an RL student"),
    "n_envs for a simulated student": (["run", *SIMULATED, "--n-envs", "2"], {},
                                       "a simulated student trains in one env"),
    "empty out_dir": (["run", *SIMULATED, "--out-dir", ""], {}, "RunConfig.out_dir: expected a non-empty string"),
    "out_dir is a file": (["run", *SIMULATED, "--out-dir", "notes.txt"], {"notes.txt": "mine"},
                          "RunConfig.out_dir: notes.txt is a file; expected a folder"),
    "out_dir under a file": (["run", *SIMULATED, "--out-dir", "notes.txt/run"], {"notes.txt": "mine"},
                             "notes.txt is a file, so no folder can be made at notes.txt/run"),
    # ------------------------------------------------------------------------------------ run: student values
    "negative learning rate": (["run", *CARTPOLE_PPO, "--student-kwargs", "{learning_rate: -1}"], {},
                               "student 'ppo': hyperparameter learning_rate = -1; expected a number > 0"),
    "learning rate YAML reads as text": (["run", *CARTPOLE_PPO, "--student-kwargs", "{learning_rate: 1e-3}"], {},
                                         "learning_rate = '1e-3' (YAML reads 1e-3 as text"),
    "n_steps 0": (["run", *CARTPOLE_PPO, "--student-kwargs", "{n_steps: 0}"], {},
                  "RunConfig.student_kwargs: student 'ppo': hyperparameter n_steps = 0; expected an integer >= 1"),
    "gamma above 1": (["run", *CARTPOLE_PPO, "--student-kwargs", "{gamma: 1.5}"], {},
                      "gamma = 1.5; expected a number in (0, 1]"),
    "zero layer": (["run", *CARTPOLE_PPO, "--student-kwargs", "{policy_kwargs: {net_arch: [64, 0]}}"], {},
                   "policy_kwargs.net_arch = [64, 0]; expected a list of layer sizes"),
    "unknown student preset": (["run", *CARTPOLE_PPO, "--student-kwargs", "{preset: huge}"], {},
                               "unknown preset 'huge' of algorithm 'ppo'"),
    "unknown student hyperparameter": (["run", *CARTPOLE_PPO, "--student-kwargs", "{learning_rat: 0.1}"], {},
                                       "unknown option 'learning_rat' for algorithm 'ppo' (did you mean"),
    "continuous-action student on discrete actions": (
        ["run", "--env", "teachgym/CartPole-v0", "--student", "sac"], {},
        "SAC cannot act in the env's action space Discrete(2) (The algorithm only supports (Box,) as action spaces"),
    "image policy on vector observations": (["run", *CARTPOLE_PPO, "--student-kwargs", "{policy: CnnPolicy}"], {},
                                            "student 'ppo': policy CnnPolicy needs image observations, the env has"),
    "rollout of one step": (["run", *CARTPOLE_PPO, "--student-kwargs", "{n_steps: 1, batch_size: 2}"], {},
                            "n_steps = 1; expected n_steps * n_envs >= 2"),
    "hyperparameters for a simulated student": (["run", *SIMULATED, "--student-kwargs", "{gamma: 0.9}"], {},
                                                "a simulated student takes no hyperparameters"),
    # -------------------------------------------------------------------------------------- run: test sets
    "uniform test set of a billion tasks": (["run", *SIMULATED, "--test-set", "{uniform: {n: 1000000000, seed: 0}}"],
                                            {}, "uniform test set: n: 1,000,000,000 tasks; a test set holds at most"),
    "grid of a million tasks": (["run", *SIMULATED, "--test-set", "{grid: 1000}"], {}, "grid 1000x1000: 1,000,000"),
    "task out of range": (["run", *SIMULATED, "--test-set", "{tasks: [[0.5, 99]]}"], {},
                          "task 0: task parameter 'difficulty_y' = 99 is outside its bounds [0, 1]"),
    "task of the wrong length": (["run", *SIMULATED, "--test-set", "{tasks: [[0.5]]}"], {},
                                 "task has 1 values, expected 2"),
    "unknown named test set": (["run", *SIMULATED, "--test-set", "hard"], {}, "unknown test-set spec 'hard'"),
    "unknown test-set kind": (["run", *SIMULATED, "--test-set", "{grdi: 3}"], {},
                              "unknown test-set spec key 'grdi' (did you mean 'grid'?)"),
    "missing CSV": (["run", *SIMULATED, *CSV_SET], {}, f"cannot read test-set file 'tasks.csv': {NOT_FOUND}"),
    "CSV missing a column": (["run", *SIMULATED, *CSV_SET], {TASKS_CSV: "difficulty_x\n0.5\n"},
                             "tasks.csv, line 1: missing column(s) ['difficulty_y']"),
    "CSV with NaN": (["run", *SIMULATED, *CSV_SET], {TASKS_CSV: "difficulty_x,difficulty_y\n0.5,nan\n"},
                     "tasks.csv, line 2, column 2 ('difficulty_y'): task parameter 'difficulty_y' is nan"),
    "CSV with text": (["run", *SIMULATED, *CSV_SET], {TASKS_CSV: "difficulty_x,difficulty_y\n0.5,hard\n"},
                      "tasks.csv, line 2, column 2 ('difficulty_y'): 'hard' is not a number"),
    "CSV out of range": (["run", *SIMULATED, *CSV_SET], {TASKS_CSV: "difficulty_x,difficulty_y\n2,0.5\n"},
                         "tasks.csv, line 2, column 1 ('difficulty_x'): task parameter 'difficulty_x' = 2 is outside"),
    "CSV that is not text": (["run", *SIMULATED, *CSV_SET], {TASKS_CSV: b"\xff\xfe\x00d"},
                             "tasks.csv: not a UTF-8 text file"),
    # -------------------------------------------------------------------------------------- run: config files
    "missing config file": (["run", "missing.yaml"], {}, f"missing.yaml: cannot read the run config: {NOT_FOUND}"),
    "config file is a folder": (["run", "configs"], {"configs": None}, "configs: cannot read the run config: Is a "
                                                                       "directory"),
    "config YAML is a list": (["run", "run.yaml"], {"run.yaml": "- env\n"},
                              "run.yaml: expected a mapping of run settings, got list"),
    "invalid config YAML": (["run", "run.yaml"], {"run.yaml": "env: [teachgym/CartPole-v0\n"},
                            "run.yaml: cannot read the run config: invalid YAML at line 2"),
    "unknown config key": (["run", "run.yaml"], {"run.yaml": "env: teachgym/CartPole-v0\nteachr: random\n"},
                           "run.yaml.teachr: unknown setting (did you mean 'teacher'?)"),
    "config without env": (["run", "run.yaml"], {"run.yaml": "teacher: random\n"},
                           "run.yaml.env: missing: every run needs an environment id"),
    # --------------------------------------------------------------------------------------------------- sweep
    "missing sweep file": (["sweep", "missing.yaml"], {}, f"missing.yaml: cannot read the sweep file: {NOT_FOUND}"),
    "sweep file is a folder": (["sweep", "sweeps"], {"sweeps": None}, "sweeps: cannot read the sweep file"),
    "sweep YAML is a list": (["sweep", "sweep.yaml"], {"sweep.yaml": "- grids\n"},
                             "sweep.yaml: expected a sweep mapping"),
    "invalid sweep YAML": (["sweep", "sweep.yaml"], {"sweep.yaml": "grids: [\n"}, "invalid YAML"),
    "binary sweep file": (["sweep", "sweep.yaml"], {"sweep.yaml": b"\xff\xfe\x00g"}, "not UTF-8 text"),
    "binary run config": (["run", "run.yaml"], {"run.yaml": b"\xff\xfe\x00e"},
                          "run.yaml: cannot read the run config: not UTF-8 text (byte 0)"),
    "unknown sweep key": (["sweep", "sweep.yaml"], {"sweep.yaml": _sweep(overides=[])},
                          "sweep.yaml: overides: unknown key (did you mean 'overrides'?)"),
    "duplicate run ids": (["sweep", "sweep.yaml"],
                          {"sweep.yaml": _sweep(envs=["teachgym/SimulatedStudent-v0"] * 2)},
                          "the run id 'SimulatedStudent/random/simulated/seed-0' is also the id of"),
    "a seed listed twice": (["sweep", "sweep.yaml"], {"sweep.yaml": _sweep(seeds=[0, 0])},
                            "grids[0].seeds[1]: seed 0 is listed twice"),
    "a seed that is text": (["sweep", "sweep.yaml"], {"sweep.yaml": _sweep(seeds=[0, "one"])},
                            "grids[0].seeds[1]: expected an integer >= 0, got 'one'"),
    "zero seeds": (["sweep", "sweep.yaml"], {"sweep.yaml": _sweep(seeds=0)}, "expected a number of seeds >= 1"),
    "bad student value in a sweep": (["sweep", "sweep.yaml"], {"sweep.yaml": _sweep(
        envs=["teachgym/CartPole-v0"], students=[{"name": "ppo", "kwargs": {"learning_rate": -1}}])},
        "CartPole/random/ppo/seed-0.student_kwargs: student 'ppo': hyperparameter learning_rate = -1"),
    "huge test set in a sweep": (["sweep", "sweep.yaml"], {"sweep.yaml": _sweep(defaults={"test_set": {"grid": 400}})},
                                 "grid 400x400: 160,000 tasks"),
    "workers 0": (["sweep", "sweep.yaml", "--workers", "0"], GOOD_SWEEP, "workers: expected an integer >= 1, got 0"),
    "unknown executor": (["sweep", "sweep.yaml", "--executor", "nope"], GOOD_SWEEP, "unknown executor 'nope'"),
    "address for the local executor": (["sweep", "sweep.yaml", "--address", "auto"], GOOD_SWEEP,
                                       "address: the local executor takes no address"),
    "sweep out is a file": (["sweep", "sweep.yaml", "--out", "notes.txt"], {**GOOD_SWEEP, "notes.txt": "mine"},
                            "--out: notes.txt is a file; expected a folder"),
    # -------------------------------------------------------------------------------------------- report, show
    "report on a missing folder": (["report", "missing"], {}, "missing is not a folder"),
    "report on a file": (["report", "notes.txt"], {"notes.txt": "mine"}, "notes.txt is not a folder"),
    "report on an empty folder": (["report", "empty"], {"empty": None}, "empty holds no runs"),
    "report out is a file": (["report", "run", "--out", "notes.txt"], {**RUN, "notes.txt": "mine"},
                             "--out: notes.txt is a file, so no folder can be made at notes.txt/report"),
    "show a missing folder": (["show", "missing"], {}, "missing: no such folder"),
    "show a file": (["show", "notes.txt"], {"notes.txt": "mine"}, "notes.txt: is a file; expected a run or sweep"),
    "show an empty folder": (["show", "empty"], {"empty": None}, "empty: no run folders (with a config.yaml) found"),
}
# argparse's own usage errors: exit 2 with the usage and "teachgym <command>: error: ...".
USAGE_CASES = {
    "no command": ([], "the following arguments are required: COMMAND"),
    "unknown command": (["rnu"], "invalid choice: 'rnu'"),
    "unknown listing": (["list", "nope"], "argument what: invalid choice: 'nope'"),
    "unknown flag": (["run", "--env", "teachgym/CartPole-v0", "--lr", "1"], "unrecognized arguments: --lr"),
    "total_timesteps not a number": (["run", *SIMULATED, "--total-timesteps", "1e5"],
                                     "argument --total-timesteps: invalid int value: '1e5'"),
    "reset_student_every not a number": (["run", *SIMULATED, "--reset-student-every", "often"],
                                         "argument --reset-student-every: expected an integer or none, got 'often'"),
    "kwargs not YAML": (["run", *SIMULATED, "--env-kwargs", "{body: ["], "argument --env-kwargs: not valid YAML"),
    "workers not a number": (["sweep", "sweep.yaml", "--workers", "all"], "argument --workers: invalid int value"),
    "show without folders": (["show"], "the following arguments are required: folders"),
    "an empty path": (["sweep", "sweep.yaml", "--out", ""], "argument --out: expected a path, got an empty string"),
    "an empty folder name": (["report", ""], "argument FOLDER: expected a path, got an empty string"),
}


def _create(root: Path, files: dict) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def _tree(root: Path) -> dict[str, str]:
    """Every file and folder below ``root`` (hidden ones too: locks, staging copies) with a digest of its bytes."""
    return {path.relative_to(root).as_posix(): "folder" if path.is_dir() else
            hashlib.sha256(path.read_bytes()).hexdigest() for path in root.rglob("*")}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A fresh working folder, as a user's; CUDA absent (so the CUDA case fails on any machine)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    return tmp_path


@pytest.mark.parametrize(("argv", "files", "fragment"), list(CASES.values()), ids=list(CASES))
def test_bad_input_exits_2_with_one_line_naming_it_and_writes_nothing(workdir, capsys, argv, files, fragment):
    _create(workdir, files)
    before = _tree(workdir)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("teachgym: error: ") and captured.err.count("\n") == 1, captured.err
    assert fragment in captured.err
    assert captured.out == ""
    assert _tree(workdir) == before


@pytest.mark.parametrize(("argv", "fragment"), list(USAGE_CASES.values()), ids=list(USAGE_CASES))
def test_usage_errors_exit_2_with_argparses_message_and_write_nothing(workdir, capsys, argv, fragment):
    _create(workdir, GOOD_SWEEP)
    before = _tree(workdir)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: teachgym") and fragment in err and "Traceback" not in err
    assert _tree(workdir) == before


def test_there_are_at_least_40_cases():
    assert len(CASES) + len(USAGE_CASES) >= 40


# --------------------------------------------------------------------------------------------- damaged run files
DAMAGES = {
    "status.json holds a list": ("status.json", "[1, 2]\n", "status.json is unreadable: expected a JSON object"),
    "status.json state is a number": ("status.json", '{"state": 3, "timesteps": 100}', "state 3; expected running"),
    "a share that is text": ("metrics.csv", "timesteps,mastered_share,mean_test_return\n100,abc,-50.0\n",
                             "metrics.csv, line 2, column 'mastered_share': 'abc' is not a number"),
    "a missing column": ("metrics.csv", "timesteps,mean_test_return\n100,-50.0\n",
                         "metrics.csv has no column 'mastered_share'"),
    "a row cut mid-way": ("metrics.csv", "timesteps,mastered_share,mean_test_return\n100,0.25,-5",
                          "metrics.csv, line 2: the last row is cut mid-way"),
}


@pytest.mark.parametrize(("file", "content", "reason"), list(DAMAGES.values()), ids=list(DAMAGES))
def test_show_marks_a_damaged_run_with_the_reason_and_shows_the_others(workdir, capsys, file, content, reason):
    _create(workdir, {**{key.replace("run/", "good/"): value for key, value in RUN.items()}, **RUN})
    (workdir / "run" / file).write_text(content)
    before = _tree(workdir)
    assert main(["show", "."]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["good", "done", "100", "0.250", "-50.0"]
    assert lines[2].split()[:2] == ["run", "damaged"]
    assert lines[3].startswith("    damaged: run/") and reason in lines[3]
    assert _tree(workdir) == before


def test_report_skips_a_damaged_run_lists_it_and_warns(workdir, capsys):
    _create(workdir, {**{key.replace("run/", "good/"): value for key, value in RUN.items()}, **RUN})
    (workdir / "run" / "status.json").write_text("[1, 2]")
    assert main(["report", "."]) == 0
    err = capsys.readouterr().err
    assert err.startswith("teachgym: warning: run run not used: run/status.json") and err.count("\n") == 1
    markdown = (workdir / "report" / "report.md").read_text()
    assert "2 run folders in `.`, 1 used" in markdown
    assert "| run | damaged | run/status.json" in markdown


# ------------------------------------------------------------------------------------------------- subprocesses
def _console_script() -> str:
    script = shutil.which("teachgym", path=str(Path(sys.executable).parent))
    assert script is not None
    return script


def test_a_closed_pipe_ends_the_command_quietly_as_unix_tools_do(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line, as `teachgym list | head -0` would be
    try:
        result = subprocess.run([_console_script(), "list", "teachers"], stdout=write_end, stderr=subprocess.PIPE,
                                text=True, timeout=60, cwd=tmp_path)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (141, "")
    shell = subprocess.run(f"set -o pipefail; '{_console_script()}' list teachers | head -n 1", shell=True,
                           executable="/bin/bash", capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert shell.stdout.startswith("Teachers") and shell.stderr == "" and shell.returncode in (0, 141)


def test_the_console_script_prints_one_line_and_no_traceback(tmp_path):
    (tmp_path / "sweep.yaml").write_text(_sweep(seeds=[0, "one"]))
    result = subprocess.run([_console_script(), "sweep", "sweep.yaml"], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "teachgym: error: sweep.yaml: grids[0].seeds[1]: expected an integer >= 0, got 'one'\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["sweep.yaml"]


def test_the_console_script_shows_a_damaged_run_without_a_traceback(tmp_path):
    _create(tmp_path, RUN)
    (tmp_path / "run" / "metrics.csv").write_text("timesteps,mastered_share,mean_test_return\n100,0.25,-5")
    result = subprocess.run([_console_script(), "show", "run"], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "" and "Traceback" not in result.stdout
    assert "    damaged: run/metrics.csv, line 2: the last row is cut mid-way" in result.stdout
