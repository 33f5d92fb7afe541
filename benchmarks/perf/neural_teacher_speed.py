"""Neural-teacher speed benchmark: what GoalGAN, Setter-Solver and Self-Paced cost per episode and per network
update, on the CPU and, when this machine has one, on a CUDA GPU.

Run ``python -m teachgym.benchmarks.perf.neural_teacher_speed [--episodes 1000] [--rounds 3]``. Each teacher, with its
default (reference) network sizes and the "high" expert knowledge, drives a ``teachgym/SimulatedStudent-v0`` student
for ``--episodes`` episodes on each device; ``alp-gmm`` runs alongside on the CPU as the reference. The rounds are
interleaved (every teacher and device once per round) and the medians printed: the teacher's time per episode
(sample + update, network updates included; the student's time is not counted), the mean time of the updates that
trained the networks, the per-episode cost relative to ``alp-gmm``, and the CUDA/CPU ratio of the network-update
time. Without CUDA (``torch.cuda.is_available()`` false) the CUDA rows are skipped and the script says so.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

import teachgym  # noqa: F401  (registers the simulated students)
from teachgym.teachers import Teacher, available_teachers, make_teacher, uses_value_estimates
from teachgym.teachers.expert import expert_hyperparameters
from teachgym.teachers.torch_support import import_torch
from teachgym.teachers.value_estimates import report_episode

from ..arguments import require_positive

STUDENT_ID = "teachgym/SimulatedStudent-v0"
REFERENCE = "alp-gmm"


@dataclass(frozen=True)
class Row:
    """A teacher of the table: the metric that counts its network updates, and the preset it runs with (one
    adapted to one-step simulated episodes, for a teacher whose schedule counts environment steps)."""

    counter: str
    preset: str | None = None


NEURAL_TEACHERS = {
    "goal-gan": Row("gan_trainings"),
    "setter-solver": Row("setter_updates"),
    "self-paced": Row("updates", preset="simulated"),
}


@dataclass(frozen=True)
class Measure:
    """One teacher on one device for one round."""

    ms_per_episode: float
    ms_per_network_update: float  # the episodes whose update trained the networks; NaN when none did
    network_updates: int


def measure(name: str, device: str | None, episodes: int, seed: int) -> Measure:
    """Drive a fresh student with the teacher ``name`` (on ``device``; None: a teacher without one) and time it."""
    env = gym.make(STUDENT_ID)
    student = env.unwrapped
    env.reset(seed=seed)
    row = NEURAL_TEACHERS.get(name, Row(counter=""))
    hyperparameters = expert_hyperparameters(available_teachers()[name], student.expert_knowledge(), "high")
    if device is not None:
        hyperparameters["device"] = device
    teacher = make_teacher(name, student.task_space, seed=seed, preset=row.preset, **hyperparameters)
    if uses_value_estimates(teacher):
        teacher.set_value_estimator(student.value_estimates)
    action = np.zeros(env.action_space.shape, dtype=env.action_space.dtype)
    seconds, trained = np.zeros(episodes), np.zeros(episodes, dtype=bool)  # the teacher's time in each episode
    for episode in range(episodes):
        updates_before = _count(teacher, row.counter)
        start = time.perf_counter()
        student.set_task(teacher.sample_task())
        seconds[episode] = time.perf_counter() - start
        observation, _ = env.reset()
        _, episode_return, _, _, info = env.step(action)
        start = time.perf_counter()
        report_episode(teacher, list(info["task"].values()), episode_return, success=info["success"],
                       initial_observation=observation)
        _synchronise(device)
        seconds[episode] += time.perf_counter() - start
        trained[episode] = _count(teacher, row.counter) > updates_before
    return Measure(1e3 * float(seconds.mean()), 1e3 * float(seconds[trained].mean()) if trained.any() else math.nan,
                   int(trained.sum()))


def _count(teacher: Teacher, counter: str) -> float:
    return teacher.metrics().get(counter, 0.0) if counter else 0.0


def _synchronise(device: str | None) -> None:
    # CUDA kernels run asynchronously: wait for them so that the update's time is its real cost.
    if device == "cuda":
        import_torch("neural teacher").cuda.synchronize()


def devices() -> list[str]:
    """The devices to measure on: the CPU, and CUDA when torch sees a GPU."""
    return ["cpu", "cuda"] if import_torch("neural teacher").cuda.is_available() else ["cpu"]


def run(teachers: list[str], episodes: int, rounds: int) -> dict[tuple[str, str], list[Measure]]:
    """Every (teacher, device) once per round, the reference first; the measures of each pair over the rounds."""
    results: dict[tuple[str, str], list[Measure]] = {}
    for round_index in range(rounds):
        results.setdefault((REFERENCE, "cpu"), []).append(measure(REFERENCE, None, episodes, round_index))
        for name in teachers:
            for device in devices():
                results.setdefault((name, device), []).append(measure(name, device, episodes, round_index))
    return results


def print_table(results: dict[tuple[str, str], list[Measure]]) -> None:
    reference = statistics.median(m.ms_per_episode for m in results[(REFERENCE, "cpu")])
    print(f"{'teacher':<14} {'device':<6} {'ms/episode':>10} {f'x {REFERENCE}':>10} {'updates':>8} "
          f"{'ms/update':>10} {'cuda/cpu':>9}")
    for (name, device), measures in results.items():
        per_episode = statistics.median(m.ms_per_episode for m in measures)
        per_update = _median_update(measures)
        ratio = ""
        if device == "cuda":
            ratio = f"{per_update / _median_update(results[(name, 'cpu')]):.2f}"
        updates = statistics.median(m.network_updates for m in measures)
        update_cell = "-" if np.isnan(per_update) else f"{per_update:.1f}"
        print(f"{name:<14} {device:<6} {per_episode:>10.3f} {per_episode / reference:>10.1f} {updates:>8.0f} "
              f"{update_cell:>10} {ratio:>9}")


def _median_update(measures: list[Measure]) -> float:
    values = [m.ms_per_network_update for m in measures if m.network_updates]
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000, help="episodes per teacher, device and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are printed")
    parser.add_argument("--teachers", nargs="*", default=list(NEURAL_TEACHERS), help="neural teachers to measure")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("episodes", "rounds"))
    unknown = [name for name in args.teachers if name not in NEURAL_TEACHERS]
    if unknown:
        parser.error(f"unknown neural teacher(s) {unknown}; expected some of {list(NEURAL_TEACHERS)}")
    results = run(args.teachers, args.episodes, args.rounds)
    print(f"{args.episodes} episodes x {args.rounds} round(s) on {STUDENT_ID}, medians; reference: {REFERENCE} on "
          f"the CPU")
    print_table(results)
    if "cuda" not in devices():
        print("\nCUDA: not available on this machine (torch.cuda.is_available() is false); CUDA rows skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
