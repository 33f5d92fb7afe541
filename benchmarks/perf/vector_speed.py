"""Vector env speed benchmark: teachgym.vector against one env in a loop, SB3's SubprocVecEnv and gymnasium's
AsyncVectorEnv, then end to end training through it.

Run ``python -m teachgym.benchmarks.perf.vector_speed``. Part one steps Stump Tracks (classic_bipedal) under random
actions: one env in this process (the reference), ``SubprocVecEnv`` with 2 envs, teachgym.vector with 8 envs on 2
workers, on its default workers (one per usable core but one, this process stepping a share too), the default again with
``spin_s=0`` (every process sleeps on the pipe at once rather than checking it for a while: what the wait costs) and 16
envs on the default workers (the CPU tiers' count), on 2 and on 4 workers, and gymnasium's ``AsyncVectorEnv`` (shared
memory) with 8 envs, in interleaved rounds; each rate is printed with its ratio to the reference (the median of the
per-round ratios, so machine noise hits both). The targets: 8 envs at least 1.5x the single env and 3x ``SubprocVecEnv``
with 2 envs, printed for 2 workers and for the default (which ``--check`` checks: what training uses; on 2 cores, two
processes step envs in both).
Beside each rate, the CPU time all its processes spent per env step (Linux), and the single env's over it: what share of
the CPU goes into stepping envs. Rates need free cores (other load on the machine takes them from the workers, not from
the single env); the CPU cost per step holds up better, and k workers on k free cores reach at most k times that share.
The table's second row is the machine's own ceiling for the default's processes: as many single envs as it has
processes, each in a process of its own, stepped at the same time with no message between steps. No vector env on
that many processes can beat it, so the target over the single env is only within reach where this row is above it.
Part two trains, with torch on its own thread count and then on one thread (what the sweep executor gives each run; on a
small machine torch's idle threads keep spinning on the core a worker needs): PPO with SB3's defaults on 8 Stump Tracks
envs under ALP-GMM (the run API's curriculum callback), through teachgym.vector and through ``SubprocVecEnv`` (target:
2x), and SAC with the ``tma`` preset through teachgym.vector, with where its time goes (env steps, action inference,
gradient steps, the rest). Where CUDA is available both are also trained on the GPU. The first line says where the
figures were measured.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from teachgym.vector import build_env, default_start_method, usable_cores
from teachgym.vector import make_vec_env as make_shared_vec_env

from .. import provenance
from ..arguments import require_positive
from .env_speed import HEADLINE_BODY, HEADLINE_ID, random_actions, steps_per_second

ENV_KWARGS = {"body": HEADLINE_BODY}
N_ENVS = 8
TARGET_OVER_SINGLE = 1.5
TARGET_OVER_SUBPROC = 3.0
TARGET_PPO = 2.0
SINGLE = "single env, in process"
SUBPROC_2 = "SubprocVecEnv, 2 envs"
OURS_8_2 = "teachgym.vector, 8 envs / 2 workers"
SLEEPING = "teachgym.vector default, spin_s=0"


def ceiling_name() -> str:
    """The row of independent single envs, one process each, as many as the default case's processes."""
    processes = default_processes()
    return f"{processes} single envs, {processes} processes, no messages"


def default_processes(n_envs: int = N_ENVS) -> int:
    """The processes that step ``n_envs`` envs on the default workers (the workers and this process)."""
    return min(usable_cores(), n_envs)


def default_case_name(n_envs: int = N_ENVS) -> str:
    """The row of ``n_envs`` envs on the default workers, which says how many that is here."""
    workers = default_processes(n_envs) - 1
    return f"teachgym.vector, {n_envs} envs / {workers} worker{'s' * (workers != 1)} + main"


@dataclass
class Case:
    """One vector env of the random-action table: its name, how to build it, and its step function's API."""

    name: str
    build: Callable[[], Any]
    gymnasium_api: bool = False


def vector_cases() -> list[Case]:
    """The vector envs of the random-action table (the single env is measured apart)."""
    from teachgym.students import make_vec_env

    def asynchronous() -> gym.vector.VectorEnv:
        factory = partial(build_env, HEADLINE_ID, ENV_KWARGS)  # imports teachgym in the workers
        return gym.vector.AsyncVectorEnv([factory] * N_ENVS, shared_memory=True, context=default_start_method())

    return [
        Case(SUBPROC_2, lambda: make_vec_env(HEADLINE_ID, 2, env_kwargs=ENV_KWARGS, vec_env="subproc")),
        Case(OURS_8_2, lambda: make_shared_vec_env(HEADLINE_ID, 8, workers=2, env_kwargs=ENV_KWARGS)),
        Case(default_case_name(), lambda: make_shared_vec_env(HEADLINE_ID, 8, env_kwargs=ENV_KWARGS)),
        Case(SLEEPING, lambda: make_shared_vec_env(HEADLINE_ID, 8, env_kwargs=ENV_KWARGS, spin_s=0.0)),
        Case(default_case_name(16), lambda: make_shared_vec_env(HEADLINE_ID, 16, env_kwargs=ENV_KWARGS)),
        Case("teachgym.vector, 16 envs / 2 workers",
             lambda: make_shared_vec_env(HEADLINE_ID, 16, workers=2, env_kwargs=ENV_KWARGS)),
        Case("teachgym.vector, 16 envs / 4 workers",
             lambda: make_shared_vec_env(HEADLINE_ID, 16, workers=4, env_kwargs=ENV_KWARGS)),
        Case(f"gymnasium AsyncVectorEnv, {N_ENVS} envs", asynchronous, gymnasium_api=True),
    ]


def cpu_seconds(processes: list[Any]) -> float:
    """CPU seconds used so far by this process and ``processes`` (worker processes; read from /proc, so 0 for
    them where there is no /proc)."""
    total = time.process_time()
    for process in processes:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def worker_processes(envs: Any) -> list[Any]:
    """The worker processes of a teachgym.vector env, a SubprocVecEnv or an AsyncVectorEnv."""
    if hasattr(envs, "engine"):
        return [worker.process for worker in envs.engine.workers if hasattr(worker, "process")]
    return list(envs.processes)


def vector_steps_per_second(case: Case, envs: Any, steps: int, seed: int) -> tuple[float, float]:
    """Random-action env steps per second of ``envs`` (all its envs together) over about ``steps`` env steps, and
    the CPU seconds its processes spent per env step."""
    n_envs = envs.num_envs
    space = envs.single_action_space if case.gymnasium_api else envs.action_space
    actions = random_actions(space, max(1, steps // n_envs) * n_envs, np.random.default_rng(seed))
    batches = actions.reshape(-1, n_envs, *actions.shape[1:])
    if case.gymnasium_api:
        envs.reset(seed=seed)
    else:
        envs.seed(seed)
        envs.reset()
    processes = worker_processes(envs)
    cpu_start, start = cpu_seconds(processes), time.perf_counter()
    for batch in batches:
        envs.step(batch)
    seconds = time.perf_counter() - start
    return len(actions) / seconds, (cpu_seconds(processes) - cpu_start) / len(actions)


def single_steps_per_second(env: gym.Env, steps: int, seed: int) -> tuple[float, float]:
    """:func:`~.env_speed.steps_per_second` of one env in this process, and the CPU seconds it spent per step."""
    cpu_start = time.process_time()
    rate = steps_per_second(env, steps, seed)
    return rate, (time.process_time() - cpu_start) / steps


def independent_steps_per_second(processes: int, steps: int, seed: int) -> tuple[float, float]:
    """``processes`` single envs, each stepped ``steps`` times in a process of its own, all starting together and
    never exchanging a message: the env steps per second of all of them (from the first start to the last end) and
    the CPU seconds per env step.

    Raises:
        RuntimeError: naming the exit codes, if a process ends without its figures (never a hang).
    """
    context = multiprocessing.get_context(default_start_method())
    start_together, results = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_step_alone, args=(start_together, results, steps, seed + number), daemon=True)
               for number in range(processes)]
    for worker in workers:
        worker.start()
    try:
        timings = [_next_result(results, workers) for _ in workers]
    finally:
        for worker in workers:
            worker.join(5)
            if worker.is_alive():
                worker.kill()
    starts, ends, cpu_seconds = zip(*timings)
    return processes * steps / (max(ends) - min(starts)), sum(cpu_seconds) / (processes * steps)


def _step_alone(start_together: Any, results: Any, steps: int, seed: int) -> None:
    """One process of :func:`independent_steps_per_second`: its start and end (``perf_counter`` is system-wide) and
    CPU seconds."""
    env = gym.make(HEADLINE_ID, **ENV_KWARGS)
    try:
        start_together.wait()
        cpu_start = time.process_time()
        rate = steps_per_second(env, steps, seed)
        end = time.perf_counter()
        results.put((end - steps / rate, end, time.process_time() - cpu_start))
    finally:
        env.close()


def _next_result(results: Any, workers: list[Any]) -> tuple[float, float, float]:
    while True:
        try:
            return results.get(timeout=1.0)
        except queue.Empty:
            if any(worker.exitcode is not None for worker in workers) and results.empty():
                codes = [worker.exitcode for worker in workers]
                raise RuntimeError(f"a process of the independent single envs ended without its figures (exit codes "
                                   f"{codes})") from None


@dataclass
class Rate:
    """A case's median steps/s and CPU seconds per step, and the median per-round ratio of each to the single
    env's (its steps/s over the single env's; the single env's CPU per step over its)."""

    steps_per_second: float
    cpu_per_step: float
    ratio: float
    cpu_ratio: float


def random_action_rates(steps: int, rounds: int, seed: int) -> dict[str, Rate]:
    """The single env and every vector case, measured in interleaved rounds."""
    single = gym.make(HEADLINE_ID, **ENV_KWARGS)
    cases = vector_cases()
    built = [case.build() for case in cases]
    ceiling = ceiling_name()
    measured: dict[str, list[tuple[float, float]]] = {SINGLE: [], ceiling: [], **{case.name: [] for case in cases}}
    try:
        for round_index in range(rounds):
            measured[SINGLE].append(single_steps_per_second(single, steps, seed + round_index))
            measured[ceiling].append(independent_steps_per_second(default_processes(), steps, seed + round_index))
            for case, envs in zip(cases, built):
                measured[case.name].append(vector_steps_per_second(case, envs, steps, seed + round_index))
    finally:
        single.close()
        for envs in built:
            envs.close()
    reference = measured[SINGLE]
    return {name: Rate(statistics.median(rate for rate, _ in values), statistics.median(cpu for _, cpu in values),
                       statistics.median(rate / single_rate for (rate, _), (single_rate, _) in zip(values, reference)),
                       statistics.median(single_cpu / cpu for (_, cpu), (_, single_cpu) in zip(values, reference)))
            for name, values in measured.items()}


class Stopwatch:
    """Replaces ``owner.name`` (a method) by a timed copy that adds its seconds to :attr:`seconds`."""

    def __init__(self, owner: Any, name: str):
        self.seconds = 0.0
        method = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        setattr(owner, name, timed)


@dataclass
class Training:
    """One timed training: steps per second, and seconds in env steps, action inference and gradient steps."""

    steps_per_second: float
    seconds: float
    env: float
    inference: float
    gradient: float


def train(algo: str, vec_env_kind: str, timesteps: int, device: str, seed: int,
          hyperparameters: dict[str, Any]) -> Training:
    """Train ``algo`` for ``timesteps`` on 8 Stump Tracks envs under ALP-GMM (the run API's curriculum callback),
    timed from ``learn()``'s start to its end."""
    from .training import curriculum_student

    vec_env, model, curriculum = curriculum_student(HEADLINE_ID, N_ENVS, algo, "alp-gmm", seed=seed, device=device,
                                                    env_kwargs=ENV_KWARGS, vec_env_options={"vec_env": vec_env_kind},
                                                    **hyperparameters)
    try:
        env = Stopwatch(model.env, "step")
        inference = Stopwatch(model.policy, "forward" if algo == "ppo" else "_predict")
        gradient = Stopwatch(model, "train")
        start = time.perf_counter()
        model.learn(timesteps, callback=curriculum)
        seconds = time.perf_counter() - start
    finally:
        vec_env.close()
    return Training(timesteps / seconds, seconds, env.seconds, inference.seconds, gradient.seconds)


def print_training(label: str, result: Training) -> None:
    other = result.seconds - result.env - result.inference - result.gradient
    print(f"{label:<44} {result.steps_per_second:>9.0f} steps/s  ({result.seconds:.1f} s: env {result.env:.1f}, "
          f"inference {result.inference:.1f}, gradient steps {result.gradient:.1f}, rest {other:.1f})")


def print_training_section(args: argparse.Namespace, devices: list[str], threads: int) -> bool:
    """Train PPO through teachgym.vector and ``SubprocVecEnv``, then SAC, on each device with torch on ``threads``
    CPU threads, printing each; whether PPO missed its target."""
    missed, on_threads = False, f"torch on {threads} thread{'s' * (threads != 1)}"
    print(f"\nPPO (SB3 defaults), {N_ENVS} envs, ALP-GMM, {args.ppo_timesteps} timesteps, {on_threads}")
    for device in devices:
        results = {kind: train("ppo", kind, args.ppo_timesteps, device, args.seed, {})
                   for kind in ("shared-memory", "subproc")}
        for kind, result in results.items():
            print_training(f"{device}: {kind}", result)
        speedup = results["shared-memory"].steps_per_second / results["subproc"].steps_per_second
        missed = missed or speedup < TARGET_PPO
        print(f"{device}: teachgym.vector / SubprocVecEnv {speedup:.2f}x (target {TARGET_PPO}x)")
    print(f"\nSAC (tma preset, learning_starts {args.sac_learning_starts}), {N_ENVS} envs, ALP-GMM, "
          f"{args.sac_timesteps} timesteps, teachgym.vector, {on_threads}")
    for device in devices:
        sac = {"preset": "tma", "learning_starts": args.sac_learning_starts}
        print_training(device, train("sac", "shared-memory", args.sac_timesteps, device, args.seed, sac))
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10000, help="random-action env steps per case and round")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds of the random-action table "
                        "(many short rounds: a shared machine's drift then hits every case alike)")
    parser.add_argument("--ppo-timesteps", type=int, default=2048 * N_ENVS,
                        help="PPO timesteps per vec env (default: one rollout of SB3's n_steps=2048 and its update)")
    parser.add_argument("--sac-timesteps", type=int, default=3000, help="SAC (tma preset) timesteps")
    parser.add_argument("--sac-learning-starts", type=int, default=1000,
                        help="SAC's learning_starts (the preset's 10,000 would time random actions only)")
    parser.add_argument("--torch-threads", type=int, nargs="+",
                        help="torch CPU thread counts to train with, one after the other (default: torch's own "
                             "count, then 1 where that is more, as the sweep executor pins each run)")
    parser.add_argument("--skip-training", action="store_true", help="print the random-action table only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target of the random-action table "
                        "(or of PPO, when trained) is missed")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("steps", "rounds", "ppo_timesteps", "sac_timesteps"))
    if args.torch_threads and min(args.torch_threads) < 1:
        parser.error(f"--torch-threads must be integers >= 1, got {args.torch_threads}")

    print(provenance.describe())
    rates = random_action_rates(args.steps, args.rounds, args.seed)
    print(f"\n{HEADLINE_ID} ({HEADLINE_BODY}), random actions, median of {args.rounds} interleaved rounds of "
          f"{args.steps} env steps")
    print(f"{'':<44} {'steps/s':>9} {'x single':>9} {'CPU us/step':>12} {'CPU share':>10}")
    for name, rate in rates.items():
        print(f"{name:<44} {rate.steps_per_second:>9.0f} {rate.ratio:>9.2f} {rate.cpu_per_step * 1e6:>12.1f} "
              f"{rate.cpu_ratio:>10.2f}")
    ceiling = rates[ceiling_name()].ratio
    print(f"{ceiling_name()}: {ceiling:.2f}x the single env, the most {default_processes()} processes give here; "
          f"the default reaches {rates[default_case_name()].ratio / ceiling:.0%} of it")
    print(f"{default_case_name()}: {rates[default_case_name()].ratio / rates[SLEEPING].ratio:.2f}x "
          f"the same with spin_s=0")
    for name in (OURS_8_2, default_case_name()):
        over_single, over_subproc = rates[name].ratio, rates[name].ratio / rates[SUBPROC_2].ratio
        print(f"{name}: {over_single:.2f}x the single env (target {TARGET_OVER_SINGLE}x), {over_subproc:.2f}x "
              f"{SUBPROC_2} (target {TARGET_OVER_SUBPROC}x)")
    missed = over_single < TARGET_OVER_SINGLE or over_subproc < TARGET_OVER_SUBPROC  # the default's, printed last
    if args.skip_training:
        return 1 if args.check and missed else 0

    import torch

    devices = ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    for threads in args.torch_threads or sorted({torch.get_num_threads(), 1}, reverse=True):
        torch.set_num_threads(threads)
        missed = print_training_section(args, devices, threads) or missed
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
