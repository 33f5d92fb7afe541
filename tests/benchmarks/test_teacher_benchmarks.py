"""The teacher benchmark runs end to end and prints what it promises (figures are not asserted)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import assert_all_end, assert_usage_error

from teachgym.benchmarks import teacher_benchmark
from teachgym.benchmarks.processes import descendants
from teachgym.teachers import available_teachers


def test_teacher_benchmark_covers_every_teacher_and_simulated_student(capsys):
    assert teacher_benchmark.main(["--episodes", "40", "--seeds", "2", "--checkpoints", "2", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    for env_id in teacher_benchmark.simulated_env_ids():
        assert f"{env_id}: share of the task space mastered" in out
    rows = [line.split() for line in out.splitlines() if line.split() and line.split()[0] in available_teachers()]
    assert len(rows) == len(available_teachers()) * len(teacher_benchmark.simulated_env_ids())
    levels = {row[0]: row[1] for row in rows}
    assert levels["expert-easy-to-hard"] == "high" and levels["random"] == "low"
    assert "runs of 40 episodes" in out


def test_teacher_benchmark_rejects_bad_input(capsys):
    assert_usage_error(teacher_benchmark.main, ["--teachers", "alp-gmn"], "unknown teacher(s) ['alp-gmn']", capsys)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the benchmark's workers in /proc")
def test_the_benchmark_workers_end_with_a_killed_benchmark():
    env_id = teacher_benchmark.simulated_env_ids()[0]
    argv = ["--episodes", "100000000", "--seeds", "2", "--teachers", "random", "--envs", env_id, "--workers", "2"]
    process = subprocess.Popen([sys.executable, "-m", "teachgym.benchmarks.teacher_benchmark", *argv])
    deadline = time.monotonic() + 120
    while len(workers := descendants(process.pid)) < 2:
        assert process.poll() is None, "the benchmark ended before its two workers started"
        assert time.monotonic() < deadline, "the two workers did not start within 120 s"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert_all_end(workers, "the killed teacher benchmark")
