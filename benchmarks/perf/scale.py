"""Sweep scaling: the same sweep of short runs on 1 local worker and on 2, timed end to end.

Run ``python -m teachgym.benchmarks.perf.scale``. It builds a sweep of ``--runs`` simulated-student runs (ALP-GMM on
``teachgym/SimulatedStudent-v0``, one seed each, ``--episodes`` episodes: 2 to 4 s per run on a laptop core), runs it
into a fresh temporary folder with ``workers=1`` (in this process) and then with ``--workers`` (a process pool,
startup included), and prints both times and their ratio. The target for 8 runs on 2 workers is 0.6x.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from ..arguments import require_positive
from ..executors import run_sweep
from ..sweep import Sweep

ENV_ID = "teachgym/SimulatedStudent-v0"
TEACHER = "alp-gmm"
TARGET_RATIO = 0.6
EVALUATIONS = 4


def scale_sweep(runs: int, episodes: int) -> Sweep:
    """``runs`` identical-length runs that differ by their seed."""
    return Sweep.from_dict({
        "name": "scale",
        "defaults": {"total_timesteps": episodes, "eval_every": max(1, episodes // EVALUATIONS),
                     "checkpoint_every": max(1, episodes // 2)},
        "grid": {"envs": [ENV_ID], "teachers": [TEACHER], "students": ["simulated"], "seeds": runs},
    }, source="scale")


def time_sweep(sweep: Sweep, out: Path, workers: int) -> float:
    """Seconds to run ``sweep`` into the empty folder ``out`` on ``workers`` local workers.

    Raises:
        RuntimeError: if a run failed (the timing would mean nothing).
    """
    start = time.perf_counter()
    result = run_sweep(sweep, out=out, workers=workers)
    elapsed = time.perf_counter() - start
    if result.failed:
        raise RuntimeError(f"runs failed: {[(o.run_id, o.error) for o in result.failed]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="runs in the sweep")
    parser.add_argument("--episodes", type=int, default=16000, help="episodes per run")
    parser.add_argument("--workers", type=int, default=2, help="workers of the parallel measurement")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("runs", "episodes", "workers"))
    sweep = scale_sweep(args.runs, args.episodes)
    with tempfile.TemporaryDirectory(prefix="teachgym-scale-") as folder:
        serial = time_sweep(sweep, Path(folder) / "serial", 1)
        parallel = time_sweep(sweep, Path(folder) / "parallel", args.workers)
    ratio = parallel / serial
    print(f"{args.runs} runs of {args.episodes} episodes ({TEACHER} on {ENV_ID})")
    print(f"1 worker: {serial:.2f} s   {args.workers} workers: {parallel:.2f} s   ratio {ratio:.2f} "
          f"({'meets' if ratio <= TARGET_RATIO else 'MISSES'} the {TARGET_RATIO}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
