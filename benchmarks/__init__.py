"""teachgym.benchmarks: runs, sweeps and reports, and the benchmark scripts.

The run API in one import::

    from teachgym.benchmarks import RunConfig, run, sweep

    folder = run(RunConfig(env="teachgym/SimulatedStudent-v0", teacher="alp-gmm", student="simulated", seed=0,
                           total_timesteps=2000, out_dir="runs/one"))
    result = sweep("benchmarks/configs/quickstart.yaml", workers=2)

``run`` runs (or resumes) one experiment and returns its folder; ``sweep`` runs every run of a sweep that is not
done yet. The submodules hold the rest (``config``, ``run``, ``sweep``, ``executors``, ``report`` ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import ConfigError, RunConfig
from .executors import SweepResult, run_sweep
from .run import run
from .sweep import Sweep

__all__ = ["ConfigError", "RunConfig", "Sweep", "SweepResult", "run", "sweep"]


def sweep(spec: Sweep | str | Path | Mapping[str, Any], **options: Any) -> SweepResult:
    """Run a sweep given as a :class:`Sweep`, the path of a sweep YAML file, or that file's content as a mapping.

    ``options`` are :func:`~teachgym.benchmarks.executors.run_sweep`'s (``out``, ``executor``, ``workers``,
    ``address``, ``progress``).

    Raises:
        ConfigError: for an invalid sweep (naming the file and key), before anything is written; and whatever
            ``run_sweep`` raises.
    """
    if isinstance(spec, Mapping):
        spec = Sweep.from_dict(spec)
    elif isinstance(spec, (str, Path)):
        spec = Sweep.from_yaml(spec)
    elif not isinstance(spec, Sweep):
        raise ConfigError("sweep", f"expected a Sweep, a sweep YAML path or a mapping, got {type(spec).__name__}")
    return run_sweep(spec, **options)
