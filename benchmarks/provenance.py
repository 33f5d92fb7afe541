"""Where a figure was measured: the machine, the versions of what computes it, and the thread settings.

Results are bit-for-bit reproducible on one machine with one version set; across CPUs, BLAS kernels, thread counts or
package versions the last bits of floating-point sums change, and an RL run amplifies them. So every figure the
project quotes carries this description, and a run is only compared bit for bit with one measured under the same.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

# The distributions whose versions decide a figure's last bits (numerics, simulation, learning).
DISTRIBUTIONS = ("teachgym", "numpy", "scipy", "scikit-learn", "torch", "stable-baselines3", "sb3-contrib", "gymnasium",
                 "Box2D")
# Settings that change which kernels run or how many threads share a sum.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE")


def cpu_model() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo), else what the platform module knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions() -> dict[str, str]:
    """Installed versions of :data:`DISTRIBUTIONS` (absent ones are left out)."""
    found = {}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def source_revision() -> str | None:
    """The git commit of the teachgym checkout this module runs from (with ``+changes`` when the tree differs), or
    None for an installed copy outside a repository."""
    folder = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=folder, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=folder,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+changes" if dirty else commit


def describe() -> str:
    """One line: machine, OS, the version set (:func:`versions_line`, Python, packages and commit) and the thread
    settings."""
    threads = [f"{name}={os.environ[name]}" for name in THREAD_VARIABLES if name in os.environ]
    return "; ".join([
        f"{os.cpu_count()} x {cpu_model()}",
        f"{platform.system()} {platform.machine()}",
        versions_line(environment_record(0, event="describe")),
        ", ".join(threads) if threads else "no thread variables set",
    ])


def gpu_model() -> str | None:
    """The name of the CUDA device torch sees, or None. Torch is only asked when something already imported it: a
    run without a neural network must not pay torch's import for its record."""
    torch = sys.modules.get("torch")
    try:
        if torch is not None and torch.cuda.is_available():
            return torch.cuda.get_device_name()
    except Exception:  # a broken driver must not stop the run whose record this is
        return None
    return None


def environment_record(timesteps: int, *, event: str) -> dict[str, Any]:
    """What a run records about where it ran, each time it starts (``event`` "start") or resumes ("resume") at
    ``timesteps``: the time, Python's and :data:`DISTRIBUTIONS`' versions, the teachgym commit (None outside a git
    checkout), the CPU model and the GPU model (None without CUDA, or when torch is not imported)."""
    return {
        "event": event,
        "timesteps": int(timesteps),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "python": platform.python_version(),
        "versions": versions(),
        "commit": source_revision(),
        "cpu": cpu_model(),
        "gpu": gpu_model(),
    }


def versions_line(record: Mapping[str, Any]) -> str:
    """The version set of an :func:`environment_record` on one line (the machine left out), e.g. ``Python 3.11.4,
    teachgym 0.1.0 (commit 0e030f8a1b), numpy 1.26.4, ...``: two records on one line ran the same code."""
    parts = [f"Python {record.get('python', '?')}"]
    for name, version in record.get("versions", {}).items():
        commit = record.get("commit") if name == "teachgym" else None
        parts.append(f"{name} {version}" + (f" (commit {commit})" if commit else ""))
    return ", ".join(parts)
