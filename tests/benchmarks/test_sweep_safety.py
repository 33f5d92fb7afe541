"""A sweep against what users do to it: SIGKILLs of its main process and of its workers, a second sweep process on
the same folder, a full disk, run ids that would leave the output folder, run folders holding other runs."""

import csv
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import yaml

from teachgym.benchmarks import sweep_safety
from teachgym.benchmarks.config import ConfigError, RunConfig
from teachgym.benchmarks.executors import execute, run_sweep
from teachgym.benchmarks.run_folder import RunFolder
from teachgym.benchmarks.states import RunStatus
from teachgym.benchmarks.sweep import Sweep, SweepRun
from teachgym.benchmarks.sweep_safety import computed_tables

IDS = ["SimulatedStudent/random/simulated/seed-0", "SimulatedStudent/random/simulated/seed-1",
       "SimulatedStudent/alp-gmm/simulated/seed-0", "SimulatedStudent/alp-gmm/simulated/seed-1"]
CLI = [sys.executable, "-m", "teachgym.benchmarks.cli", "sweep"]
PROGRESS_LINE = re.compile(r"\[\d+/\d+\] \S+: (done|failed)")


def messages(stderr: str) -> list[str]:
    """A sweep's stderr without its progress lines (``[n/N] run: done; ...``, one per finished run off a terminal)."""
    return [line for line in stderr.splitlines() if not PROGRESS_LINE.match(line)]


def write_sweep(folder: Path, out: Path, episodes: int = 600) -> Path:
    """Random and ALP-GMM x seeds 0 and 1 on simulated students."""
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump({
        "name": "safety", "out": str(out),
        "defaults": {"total_timesteps": episodes, "eval_every": episodes // 4, "checkpoint_every": episodes // 12},
        "grid": {"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random", "alp-gmm"],
                 "students": ["simulated"], "seeds": 2}}, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The uninterrupted sweep's output folder."""
    folder = tmp_path_factory.mktemp("reference")
    result = run_sweep(Sweep.from_yaml(write_sweep(folder, folder / "out")), workers=2)
    assert result.ids("done") == IDS
    return folder / "out"


# ------------------------------------------------------------------------------------------------------- kills
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the sweep's workers in /proc")
def test_eight_kills_of_the_sweep_and_its_workers_change_no_result(tmp_path):
    figures = sweep_safety.measure(tmp_path, kills=8, seeds=1, episodes=8000, checkpoint_every=50, workers=2, seed=0)
    assert figures.kills == 8 and figures.main_kills >= 1 and figures.worker_kills >= 1, figures
    assert figures.starts >= 9 and figures.tracebacks == 0
    assert (figures.runs, figures.runs_done) == (2, 2)
    assert figures.rows_compared == 2 * (8 + 8 * 100 + 8000)  # metrics, test_returns and curriculum rows
    assert figures.mismatches == 0


def test_the_safety_script_prints_its_figures(monkeypatch, capsys):
    figures = sweep_safety.Figures(main_kills=9, worker_kills=11, starts=21, tracebacks=0, runs=4, runs_done=4,
                                   rows_compared=80432, mismatches=0, seconds=61.25)
    monkeypatch.setattr(sweep_safety, "measure", lambda folder, **options: figures)
    assert sweep_safety.main([]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "4 runs of 20000 episodes (random, alp-gmm on teachgym/SimulatedStudent-v0), 2 workers, a checkpoint every "
        "50 episodes, kill seed 0",
        "kills: 20 (9 of the main process, 11 of a worker); starts: 21; tracebacks: 0",
        "runs done: 4 of 4; rows compared: 80432; mismatches: 0; 61.2 s"]
    monkeypatch.setattr(sweep_safety, "measure", lambda folder, **options: sweep_safety.Figures(
        9, 11, 21, 0, 4, 4, 80432, 3, 61.25))
    assert sweep_safety.main([]) == 1


# ------------------------------------------------------------------------------------------ two sweep processes
def test_a_run_held_by_another_process_is_skipped_and_reported_not_failed(tmp_path, reference):
    out = tmp_path / "out"
    path = write_sweep(tmp_path, out)
    held = dataclasses.replace(RunConfig.from_yaml(reference / IDS[2] / "config.yaml"), out_dir=str(out / IDS[2]))
    with RunFolder(out / IDS[2]).claim():
        outcome = execute(SweepRun(IDS[2], held))
        assert (outcome.status, outcome.error) == (RunStatus.CLAIMED, f"running in another process (pid {os.getpid()})")
        sweep = subprocess.run([*CLI, str(path), "--workers", "1", "--no-report"], capture_output=True, text=True)
    assert sweep.returncode == 0, sweep.stderr
    assert messages(sweep.stderr) == [f"skipping {IDS[2]}: running in another process (pid {os.getpid()})"]
    assert sweep.stdout.splitlines() == [f"sweep folder: {out}  (3 done, 0 failed, 1 left to another process)"]
    assert not (out / IDS[2]).exists()
    with (out / "runs.csv").open(newline="") as handle:
        assert [row["status"] for row in csv.DictReader(handle)] == ["done", "done", "claimed", "done"]
    again = subprocess.run([*CLI, str(path), "--workers", "1", "--no-report"], capture_output=True, text=True)
    assert (again.returncode, messages(again.stderr)) == (0, [])
    for run_id in IDS:
        assert computed_tables(out / run_id) == computed_tables(reference / run_id)


def test_two_sweep_processes_on_one_folder_share_the_runs_and_write_nothing_twice(tmp_path, reference):
    out = tmp_path / "out"
    path = write_sweep(tmp_path, out)
    processes = [subprocess.Popen([*CLI, str(path), "--workers", "1", "--no-report"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in processes]
    pids = [process.pid for process in processes]
    left = 0
    for (stdout, stderr), process, other in zip(outputs, processes, reversed(pids)):
        assert process.returncode == 0, stderr
        for line in messages(stderr):  # whatever the interleaving: each skip names the other process
            assert re.fullmatch(f"skipping ({'|'.join(IDS)}): running in another process \\(pid {other}\\)", line)
        summary = re.fullmatch(f"sweep folder: {out}  \\((\\d) done, 0 failed(?:, (\\d) left to another process)?\\)",
                               stdout.strip())
        assert summary is not None, stdout
        assert int(summary[2] or 0) == len(messages(stderr))
        left += int(summary[2] or 0)
    assert left <= len(IDS)
    for run_id in IDS:  # a run written by both would have duplicated or interleaved rows
        assert computed_tables(out / run_id) == computed_tables(reference / run_id)
        assert RunFolder(out / run_id).status()["state"] == "done"
    with (out / "runs.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["run_id"] for row in rows] == IDS
    assert {row["status"] for row in rows} <= {"done", "skipped"}  # each writer took in what the other finished
    assert Sweep.from_yaml(out / "sweep.yaml").runs == Sweep.from_yaml(path).with_out(out).runs
    assert not [p for p in out.rglob("*.tmp")]


# ----------------------------------------------------------------------------------------------------- full disk
@pytest.fixture(params=["16k", "40k", "100k"])
def small_disk(request, tmp_path):
    """A tmpfs mounted for the test (root only), so small that the sweep fills it while writing config or status
    files (16k), tables (40k) or checkpoints (100k); yields its path and a function that enlarges it."""
    if shutil.which("mount") is None:
        pytest.skip("no mount command to make a small disk")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={request.param}",
                              f"teachgym-{uuid.uuid4().hex[:8]}", str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up (needs root): {mounted.stderr.strip()}")

    def enlarge() -> None:
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)

    try:
        yield disk, enlarge
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_fails_the_runs_with_one_clear_line_and_the_sweep_resumes_once_there_is_room(
        small_disk, tmp_path, reference):
    disk, enlarge = small_disk
    out = disk / "out"
    path = write_sweep(tmp_path, out)
    full = subprocess.run([*CLI, str(path), "--workers", "2", "--no-report"], capture_output=True, text=True)
    assert full.returncode in (1, 2) and "Traceback" not in full.stderr, full.stderr
    assert full.stderr, "the full disk went unnoticed"
    for line in messages(full.stderr):  # a failed run, runs.csv out of date, or sweep.yaml not written
        assert re.fullmatch(r"(failed: \S+: teachgym\.benchmarks\.run_folder\.RunFolderError: |teachgym: warning: "
                            r"|teachgym: error: )no space left on device while writing /\S+; free some space and run "
                            r"again to resume(; runs\.csv is out of date \(each run folder's status\.json is not\))?",
                            line), line
    for table in out.rglob("*.csv"):  # no row half-written
        content = table.read_bytes()
        assert content == b"" or content.endswith(b"\n"), table
    assert not [p for p in out.rglob("*") if p.name.endswith((".tmp", ".staging", ".replaced"))]
    for run_id in IDS:
        folder = RunFolder(out / run_id)
        for checkpoint in folder.checkpoint_candidates()[:1]:  # what LATEST names is whole
            folder.table_ends(folder.load_progress(checkpoint)["rows"])

    enlarge()
    again = subprocess.run([*CLI, str(path), "--workers", "2", "--no-report"], capture_output=True, text=True)
    assert (again.returncode, messages(again.stderr)) == (0, [])
    for run_id in IDS:
        assert computed_tables(out / run_id) == computed_tables(reference / run_id)


# ------------------------------------------------------------------------------ run ids and foreign run folders
@pytest.mark.parametrize(("entry", "message"), [
    ("teachers: [{name: random, label: ..}]", "grid.teachers[0].label: the label '..' cannot name a folder"),
    ("teachers: [{name: random, label: .}]", "grid.teachers[0].label: the label '.' cannot name a folder"),
    ("teachers: [{name: random, label: a/b}]", "grid.teachers[0].label: the label 'a/b' cannot name a folder"),
    ("teachers: [{name: random, label: /etc}]", "grid.teachers[0].label: the label '/etc' cannot name a folder"),
])
def test_labels_that_would_leave_the_output_folder_are_refused(tmp_path, entry, message):
    path = tmp_path / "sweep.yaml"
    path.write_text(f"out: {tmp_path / 'out'}\n"
                    f"grid: {{envs: [teachgym/SimulatedStudent-v0], {entry}, students: [simulated], seeds: 1}}\n")
    with pytest.raises(ConfigError, match=re.escape(f"{path}: {message}")):
        Sweep.from_yaml(path)


@pytest.mark.parametrize("run_id", ["a/../../x", "/tmp/x", "a//b", "..", "a/./b"])
def test_run_ids_that_would_leave_the_output_folder_are_refused_before_anything_runs(tmp_path, run_id):
    path = tmp_path / "sweep.yaml"
    path.write_text(textwrap.dedent(f"""\
        out: {tmp_path / 'out'}
        runs: [{{id: '{run_id}', config: {{env: teachgym/SimulatedStudent-v0, student: simulated}}}}]
    """))
    with pytest.raises(ConfigError, match=re.escape(f"runs[0].id: the run id {run_id!r} cannot name a folder")):
        Sweep.from_yaml(path)
    config = RunConfig(env="teachgym/SimulatedStudent-v0", student="simulated", total_timesteps=10)
    built = Sweep("built", tmp_path / "out", [SweepRun(run_id, config)], "built")  # made in code, not read
    with pytest.raises(ConfigError, match=re.escape(f"built: {run_id}: the run id {run_id!r} cannot name a folder "
                                                    f"inside the sweep's out")):
        run_sweep(built, workers=1)
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_run_folder_inside_another_runs_folder_is_refused(tmp_path):
    config = RunConfig(env="teachgym/SimulatedStudent-v0", student="simulated", total_timesteps=10)
    nested = Sweep("nested", tmp_path / "out", [SweepRun("a/b", config), SweepRun("a/b/c", config)], "nested")
    with pytest.raises(ConfigError, match="nested: a/b/c: the folder of run 'a/b/c' would lie inside the folder of "
                                          "run 'a/b'"):
        run_sweep(nested, workers=1)
    assert not (tmp_path / "out").exists()


def test_a_run_folder_holding_another_run_refuses_the_whole_sweep_before_anything_runs(tmp_path, reference):
    out = tmp_path / "out"
    path = write_sweep(tmp_path, out)
    shutil.copytree(reference / IDS[3], out / IDS[3])
    config = yaml.safe_load((out / IDS[3] / "config.yaml").read_text())
    (out / IDS[3] / "config.yaml").write_text(yaml.safe_dump({**config, "total_timesteps": 900, "seed": 7}))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    refused = subprocess.run([*CLI, str(path), "--workers", "1"], capture_output=True, text=True)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == (f"teachgym: error: {out / IDS[3]} holds a different run (total_timesteps: 900 != 600; "
                              f"seed: 7 != 1); choose another out or move the folder away: nothing was run or "
                              f"written\n")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("content", "fragment"), [
    (b"env: [teachgym/Simul\x00", "config.yaml: "),
    (None, "is not empty and holds no run config"),
])
def test_a_run_folder_with_a_broken_or_no_config_refuses_the_sweep_naming_it(tmp_path, capsys, content, fragment):
    from teachgym.benchmarks.cli import main

    out = tmp_path / "out"
    path = write_sweep(tmp_path, out)
    (out / IDS[1]).mkdir(parents=True)
    (out / IDS[1] / ("config.yaml" if content else "notes.txt")).write_bytes(content or b"mine")
    assert main(["sweep", str(path), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"teachgym: error: {out / IDS[1]}") and fragment in err and err.count("\n") == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "SimulatedStudent", "SimulatedStudent/random", "SimulatedStudent/random/simulated", IDS[1],
        f"{IDS[1]}/{'config.yaml' if content else 'notes.txt'}"]
