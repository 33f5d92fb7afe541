"""The process tree read from /proc: a shell's sleeping child is found below the test process and below the shell,
and neither is alive once killed and reaped."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from teachgym.benchmarks.processes import alive, descendants

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")


def test_a_grandchild_is_found_and_ends_dead():
    code = ("import subprocess; child = subprocess.Popen(['sleep', '60']); print(child.pid, flush=True); "
            "child.wait()")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        grandchild = int(parent.stdout.readline())
        assert {parent.pid, grandchild} <= descendants(os.getpid())
        assert descendants(parent.pid) == {grandchild}
        assert alive(parent.pid) and alive(grandchild)
    finally:
        parent.kill()
        parent.wait()
    assert not alive(parent.pid)  # reaped
    os.kill(grandchild, 9)
    deadline = time.monotonic() + 10
    while alive(grandchild):  # an orphan is reaped by init; until then it is a zombie, which counts as ended
        assert time.monotonic() < deadline, "the killed grandchild still runs"
        time.sleep(0.01)
    assert grandchild not in descendants(os.getpid())


def test_an_unknown_pid_is_not_alive_and_has_no_descendants():
    unused = max(int(folder.name) for folder in Path("/proc").glob("[0-9]*")) + 100_000
    assert not alive(unused)
    assert descendants(unused) == set()
