"""Where a figure was measured: the machine, the versions of what computes it, and the thread settings.

Results are bit-for-bit reproducible on one machine with one version set; across CPUs, BLAS kernels, thread counts or
package versions the last bits of floating-point sums change, and an RL run amplifies them. So every figure the
project quotes carries this description, and a run is only compared bit for bit with one measured under the same.
"""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

# The distributions whose versions decide a figure's last bits (numerics, simulation, learning).
DISTRIBUTIONS = ("teachgym", "numpy", "scipy", "scikit-learn", "torch", "stable-baselines3", "gymnasium", "Box2D")
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
    """One line: machine, OS, Python, package versions, thread settings and source revision."""
    threads = [f"{name}={os.environ[name]}" for name in THREAD_VARIABLES if name in os.environ]
    revision = source_revision()
    parts = [
        f"{os.cpu_count()} x {cpu_model()}",
        f"{platform.system()} {platform.machine()}",
        f"Python {platform.python_version()}",
        ", ".join(f"{name} {version}" for name, version in versions().items()),
        ", ".join(threads) if threads else "no thread variables set",
    ]
    if revision:
        parts.append(f"commit {revision}")
    return "; ".join(parts)
