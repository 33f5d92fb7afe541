"""Executors end to end: local process pools and a real Ray cluster run a sweep's runs into complete folders, skip
what is done, record a failing run without stopping the others, and resume a killed sweep."""

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers import assert_all_end

from teachgym.benchmarks.config import ConfigError
from teachgym.benchmarks.executors import run_sweep
from teachgym.benchmarks.processes import descendants
from teachgym.benchmarks.run_folder import RunFolder
from teachgym.benchmarks.sweep import Sweep

EPISODES = 400
IDS = ["SimulatedStudent/random/simulated/seed-0", "SimulatedStudent/random/simulated/seed-1",
       "SimulatedStudent/alp-gmm/simulated/seed-0", "SimulatedStudent/alp-gmm/simulated/seed-1"]


def two_by_two(folder: Path, episodes: int = EPISODES, extra: str = "") -> Sweep:
    """The 4-run sweep: random and ALP-GMM, seeds 0 and 1, on simulated students."""
    path = folder / "sweep.yaml"
    path.write_text(f"out: {folder / 'out'}\n"
                    f"defaults: {{total_timesteps: {episodes}, eval_every: {episodes // 4}, "
                    f"checkpoint_every: {episodes // 8}}}\n"
                    "grid: {envs: [teachgym/SimulatedStudent-v0], teachers: [random, alp-gmm], students: [simulated], "
                    f"seeds: 2}}\n{extra}")
    return Sweep.from_yaml(path)


def runs_table(out: Path) -> dict[str, dict[str, str]]:
    with (out / "runs.csv").open(newline="") as handle:
        return {row["run_id"]: row for row in csv.DictReader(handle)}


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def mtimes(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def assert_complete(folder: Path, episodes: int = EPISODES) -> None:
    assert RunFolder(folder).status()["state"] == "done"
    assert [int(r["episode"]) for r in rows(folder, "curriculum")] == list(range(1, episodes + 1))
    assert [int(r["timesteps"]) for r in rows(folder, "metrics")] == [episodes // 4 * i for i in range(1, 5)]


def without_clock(folder: Path) -> tuple[str, list[dict[str, str]]]:
    """What a run computed: its curriculum trace and its metrics without the wall time."""
    metrics = [{k: v for k, v in row.items() if k != "wall_time"} for row in rows(folder, "metrics")]
    return (folder / "curriculum.csv").read_text(), metrics


# --------------------------------------------------------------------------------------------------- local
def test_two_local_workers_run_every_run_and_a_second_time_nothing(tmp_path):
    sweep = two_by_two(tmp_path)
    calls = []
    result = run_sweep(sweep, workers=2, progress=lambda *args: calls.append(args))
    out = tmp_path / "out"
    assert result.out == out and result.ids("done") == IDS
    assert [call[:2] for call in calls] == [(1, 4), (2, 4), (3, 4), (4, 4)]  # in the order the runs finished
    assert sorted(call[2] for call in calls) == sorted(IDS) and {call[3] for call in calls} == {"done"}
    for run_id in IDS:
        assert_complete(out / run_id)
    table = runs_table(out)
    assert list(table) == IDS
    assert all(row["status"] == "done" and row["error"] == "" and float(row["wall_time"]) > 0 for row in table.values())
    assert Sweep.from_yaml(out / "sweep.yaml").runs == sweep.runs

    before = {run_id: mtimes(out / run_id) for run_id in IDS}
    again = run_sweep(sweep, workers=2)
    assert again.ids("skipped") == IDS
    assert {run_id: mtimes(out / run_id) for run_id in IDS} == before
    assert [row["status"] for row in runs_table(out).values()] == ["skipped"] * 4
    # each run's wall time survives the second execution: the run's status.json keeps it
    assert [row["wall_time"] for row in runs_table(out).values()] == [row["wall_time"] for row in table.values()]
    recorded = [RunFolder(out / run_id).status()["wall_time"] for run_id in IDS]
    assert [float(row["wall_time"]) for row in table.values()] == recorded


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path):
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("difficulty_x,difficulty_y\n0.1,0.2\n0.5,0.5\n")
    sweep = two_by_two(tmp_path, extra=f"overrides: [{{where: {{teacher: random, seed: 1}}, "
                                        f"set: {{test_set: {{csv: {tasks}}}}}}}]\n")
    tasks.unlink()  # valid when the sweep was read, gone when its run starts
    result = run_sweep(sweep, workers=2)
    failing = "SimulatedStudent/random/simulated/seed-1"
    assert result.ids("done") == [run_id for run_id in IDS if run_id != failing]
    assert [(o.run_id, o.status) for o in result.failed] == [(failing, "failed")]
    error = result.failed[0].error
    assert error == (f"teachgym.benchmarks.config.ConfigError: RunConfig.test_set: cannot read test-set file "
                     f"'{tasks}': No such file or directory")
    out = tmp_path / "out"
    assert runs_table(out)[failing]["error"] == error
    status = RunFolder(out / failing).status()
    assert (status["state"], status["error"]) == ("failed", error)

    tasks.write_text("difficulty_x,difficulty_y\n0.1,0.2\n0.5,0.5\n")  # fixed: running again redoes only that run
    again = run_sweep(sweep, workers=2)
    assert again.ids("done") == [failing] and len(again.ids("skipped")) == 3
    assert_complete(out / failing)
    assert len(rows(out / failing, "test_returns")) == 4 * 2


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the sweep's worker processes in /proc")
def test_a_killed_sweep_leaves_no_worker_behind_and_resumes_only_what_was_missing(tmp_path):
    episodes = 4000
    sweep = two_by_two(tmp_path, episodes=episodes)
    out = tmp_path / "out"
    code = ("import sys; from teachgym.benchmarks.sweep import Sweep; from teachgym.benchmarks.executors import "
            "run_sweep; run_sweep(Sweep.from_yaml(sys.argv[1]), workers=2)")
    process = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "sweep.yaml")])
    deadline = time.monotonic() + 120
    while not any(RunFolder(out / run_id).status().get("state") == "done" for run_id in IDS):
        assert process.poll() is None, "the sweep ended before a run was done"
        assert time.monotonic() < deadline, "no run done within 120 s"
        time.sleep(0.005)
    workers = descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert_all_end(workers, "the killed sweep")

    done = [run_id for run_id in IDS if RunFolder(out / run_id).status().get("state") == "done"]
    assert 1 <= len(done) < len(IDS)
    before = {run_id: mtimes(out / run_id) for run_id in done}
    result = run_sweep(sweep, workers=2)
    assert result.ids("skipped") == done and result.ids("done") == [i for i in IDS if i not in done], result.failed
    assert {run_id: mtimes(out / run_id) for run_id in done} == before
    reference = run_sweep(sweep, out=tmp_path / "reference", workers=2)
    assert reference.ids("done") == IDS
    for run_id in IDS:
        assert_complete(out / run_id, episodes)
        assert without_clock(out / run_id) == without_clock(tmp_path / "reference" / run_id)


def test_a_run_with_subprocess_envs_works_inside_a_pool_worker(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text(f"out: {tmp_path / 'out'}\n"
                    "grids:\n"
                    "  - envs: [{id: teachgym/StumpTracks-v0, kwargs: {body: small_bipedal}}]\n"
                    "    teachers: [random]\n"
                    "    students: [{name: ppo, kwargs: {preset: tiny}}]\n"
                    "    seeds: 1\n"
                    "    defaults: {total_timesteps: 128, n_envs: 2, eval_every: 128, checkpoint_every: 128,\n"
                    "               test_set: {tasks: [[0.0, 6.0]]}, device: cpu}\n"
                    "  - {envs: [teachgym/SimulatedStudent-v0], teachers: [random], students: [simulated], seeds: 1,\n"
                    "     defaults: {total_timesteps: 100}}\n")
    result = run_sweep(Sweep.from_yaml(path), workers=2)
    assert result.ids("done") == ["StumpTracks/random/ppo/seed-0", "SimulatedStudent/random/simulated/seed-0"]
    trace = rows(tmp_path / "out" / "StumpTracks/random/ppo/seed-0", "curriculum")
    assert {r["env_index"] for r in trace} == {"0", "1"}


def test_unknown_executors_and_bad_options_fail_before_anything_is_written(tmp_path, monkeypatch):
    sweep = two_by_two(tmp_path)
    cases = [({"executor": "rey"}, "executor: unknown executor 'rey' (did you mean 'ray'?)"),
             ({"workers": 0}, "workers: expected an integer >= 1, got 0"),
             ({"address": "auto"}, "address: the local executor takes no address"),
             ({"executor": "ray", "workers": 2}, "workers: the ray executor takes no workers")]
    for options, message in cases:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
            run_sweep(sweep, **options)
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ConfigError, match=r"the ray executor needs Ray: pip install teachgym\[ray\]"):
        run_sweep(sweep, executor="ray")
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------------------------------- Ray
@pytest.fixture
def ray_cluster():
    """A real single-node Ray cluster started as a user would (``ray start --head``), stopped by its own process so
    that no other Ray on the machine is touched; yields its address."""
    pytest.importorskip("ray")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    temp_dir = tempfile.mkdtemp(prefix="ray-")  # short: Ray's socket paths live under it
    head = subprocess.Popen(
        [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", f"--port={port}",
         "--node-ip-address=127.0.0.1", "--num-cpus=2", "--disable-usage-stats", "--include-dashboard=false",
         f"--temp-dir={temp_dir}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert head.poll() is None, "ray start failed"
            assert time.monotonic() < deadline, "the Ray head did not listen within 60 s"
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        head.terminate()
        head.wait(60)
        shutil.rmtree(temp_dir, ignore_errors=True)


def test_a_real_ray_cluster_gives_the_same_results_as_the_local_executor(tmp_path, ray_cluster):
    sweep = two_by_two(tmp_path)
    on_ray = run_sweep(sweep, out=tmp_path / "ray", executor="ray", address=ray_cluster)
    local = run_sweep(sweep, out=tmp_path / "local", workers=2)
    assert on_ray.ids("done") == local.ids("done") == IDS
    assert [row["status"] for row in runs_table(tmp_path / "ray").values()] == ["done"] * 4
    for run_id in IDS:
        assert_complete(tmp_path / "ray" / run_id)
        assert without_clock(tmp_path / "ray" / run_id) == without_clock(tmp_path / "local" / run_id)
    assert run_sweep(sweep, out=tmp_path / "ray", executor="ray", address=ray_cluster).ids("skipped") == IDS
