"""Helpers shared by test modules (importable because pyproject.toml puts tests/ on pytest's pythonpath)."""

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

from teachgym.benchmarks.processes import alive

# TeachMyAgent's files (CPPN checkpoint, pickled test sets), never committed: ../shared/data/teachmyagent beside the
# repository, or the folder TEACHGYM_TMA_DATA names; tests that need them are skipped when they are absent.
TMA_DATA = Path(os.environ.get("TEACHGYM_TMA_DATA", Path(__file__).resolve().parents[2] / "shared/data/teachmyagent"))
needs_tma_data = pytest.mark.skipif(
    not TMA_DATA.is_dir(), reason=f"TeachMyAgent's reference files are not at {TMA_DATA} (set TEACHGYM_TMA_DATA)")


def random_actions(space: gym.Space, seed: int, steps: int) -> list:
    """Seeded random actions valid for any registered env: uniform in [-1, 1] for a Box, uniform choices for a
    Discrete space."""
    rng = np.random.default_rng(seed)
    if isinstance(space, gym.spaces.Discrete):
        return [int(space.start + a) for a in rng.integers(space.n, size=steps)]
    return list(rng.uniform(-1, 1, (steps, *space.shape)).astype(np.float32))


def assert_usage_error(main, argv: list[str], message: str, capsys: pytest.CaptureFixture) -> None:
    """A script's ``main(argv)`` exits as argparse does on bad input (code 2), saying ``message`` on stderr."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def assert_all_end(pids: Iterable[int], what: str, seconds: float = 30) -> None:
    """Every process in ``pids`` ends within ``seconds``; the ones left are killed (so a failing test leaves no
    process behind) and the test fails naming them and ``what`` they outlived."""
    pids = set(pids)
    deadline = time.monotonic() + seconds
    while left := sorted(pid for pid in pids if alive(pid)):
        if time.monotonic() > deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):  # it may end between the check and the kill
                    os.kill(pid, signal.SIGKILL)
            pytest.fail(f"processes {left} outlived {what} by {seconds:g} s")
        time.sleep(0.05)
