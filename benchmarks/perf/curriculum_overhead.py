"""Curriculum overhead: training throughput of an SB3 student with a teacher attached, against the same student
without a curriculum, measured side by side in one process.

Run ``python -m teachgym.benchmarks.perf.curriculum_overhead``. For each algorithm, interleaved rounds train a fresh
student on Stump Tracks for ``--steps`` steps without a curriculum (the env's default task) and with the
``--teacher`` sending every env its next task through the curriculum callback; the figure is the median ratio of
steps per second. The target for PPO is 0.95x: the teacher must not be the bottleneck. On a machine with CUDA the
students train there (``--device auto``) and the output says so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from teachgym.students import resolve_device

from ..arguments import require_positive
from .training import curriculum_student

ENV_ID = "teachgym/StumpTracks-v0"
TARGET_RATIO = 0.95
ALGORITHM_STEPS = {"ppo": 8192, "sac": 1500}


def steps_per_second(algo: str, steps: int, n_envs: int, teacher_name: str | None, seed: int, device: str) -> float:
    """Steps per second of ``learn(steps)`` for a fresh student (SB3's default hyperparameters)."""
    vec_env, model, callback = curriculum_student(ENV_ID, n_envs, algo, teacher_name, seed=seed, device=device)
    try:
        start = time.perf_counter()
        model.learn(steps, callback=callback)
        elapsed = time.perf_counter() - start
    finally:
        vec_env.close()
    return model.num_timesteps / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algorithms", nargs="*", default=list(ALGORITHM_STEPS), choices=list(ALGORITHM_STEPS))
    parser.add_argument("--steps", type=int, help="steps per measurement (default: 8192 for PPO, 1500 for SAC)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per algorithm")
    parser.add_argument("--n-envs", type=int, default=2, help="training envs (subprocesses when more than one)")
    parser.add_argument("--teacher", default="alp-gmm")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="torch CPU threads (1 by default: on small machines more threads fight the env "
                             "subprocesses for the cores and make both modes noisy)")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("steps", "rounds", "n_envs", "torch_threads"))
    import torch

    torch.set_num_threads(args.torch_threads)
    device = resolve_device(args.device)
    print(f"{ENV_ID}, {args.n_envs} env(s), teacher {args.teacher!r}, device {device}, "
          f"{args.torch_threads} torch thread(s)")
    print(f"{'student':<8} {'steps':>6} {'no curriculum':>14} {'with teacher':>13} {'ratio':>6}")
    for algo in args.algorithms:
        steps = args.steps or ALGORITHM_STEPS[algo]
        plain, taught = [], []
        for round_index in range(args.rounds):
            plain.append(steps_per_second(algo, steps, args.n_envs, None, round_index, device))
            taught.append(steps_per_second(algo, steps, args.n_envs, args.teacher, round_index, device))
        ratio = statistics.median(t / p for t, p in zip(taught, plain))
        verdict = ""
        if algo == "ppo":
            verdict = f"  {'meets' if ratio >= TARGET_RATIO else 'MISSES'} the {TARGET_RATIO}x target"
        print(f"{algo:<8} {steps:>6} {statistics.median(plain):>10.0f} sps {statistics.median(taught):>9.0f} sps "
              f"{ratio:>6.2f}{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
