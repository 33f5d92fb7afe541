"""Staircase benchmark: does every teacher follow a frontier? Every registered teacher against random on the staircase
student (teachDeepRL's toy env), 20,000 episodes.

Run ``python -m teachgym.benchmarks.staircase [--episodes 20000] [--seeds 3] [--teachers NAME ...]``. On
``teachgym/SimulatedStudent-Staircase-v0`` a cell is learnt only after a previous neighbour is mastered, so uniform
sampling masters about 4% of the grid in 20,000 episodes. The student is the toy env's: its return is the cell's
competence without noise, and an episode succeeds with the cell's competence as probability (see
:class:`~teachgym.envs.simulated.StaircaseStudent`). Each teacher runs as in the teacher benchmark (the ``low``
expert level, or the next one up when it needs more; value estimates and exploratory episodes honoured), except that
the teachers whose papers grow the curriculum from an easy start the expert gives (``EASY_START_TEACHERS``) run at
``high`` at least: at ``low`` they start from a random task, on the staircase almost surely a locked cell. The
table gives the share mastered at the end (mean, standard deviation and worst over seeds), its margin over random's
mean, whether the teacher clearly beats random (its worst seed above random's best by at least ``CLEAR_MARGIN``),
and the teacher's own cost per episode.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from teachgym.teachers import available_teachers
from teachgym.teachers.expert import EXPERT_LEVELS

from .teacher_benchmark import RunResult, run_all

STAIRCASE = "teachgym/SimulatedStudent-Staircase-v0"
BASELINE = "random"
CLEAR_MARGIN = 0.05  # five cells of the 10 x 10 grid
# Teachers whose papers start from an easy task or distribution that the expert gives (the `high` level): ADR's
# initial task (OpenAI et al. 2019), GoalGAN's pretraining goals (Florensa et al. 2018: goals the untrained agent
# reaches) and Self-Paced's initial distribution (Klink et al. 2020). At `low` each starts around a random task; on the
# staircase that is a locked cell where the student never succeeds, so ADR's box never grows, GoalGAN's generator is
# never trained (no task of intermediate success) and Self-Paced's values give no direction.
EASY_START_TEACHERS = ("adr", "goal-gan", "self-paced")


def teacher_levels(teachers: list[str], level: str) -> dict[str, str]:
    """The expert level each teacher runs at: ``level``, raised to ``high`` for the ``EASY_START_TEACHERS``."""
    high = EXPERT_LEVELS[-1]
    return {name: high if name in EASY_START_TEACHERS else level for name in teachers}


def print_table(results: list[RunResult]) -> None:
    """One row per teacher: final share mastered over seeds, the margin over random and the verdict."""
    final = {}
    for result in results:
        final.setdefault(result.teacher, []).append(result.mastered[-1])
    baseline = final[BASELINE]
    print(f"{STAIRCASE}: share mastered after the last episode ({len(baseline)} seeds)")
    print(
        f"{'teacher':<22} {'level':<5} {'mean':>6} {'std':>6} {'worst':>6} {'vs random':>9} {'clearly':>8} "
        f"{'ms/episode':>11}"
    )
    for teacher, shares in final.items():
        runs = [r for r in results if r.teacher == teacher]
        spread = statistics.stdev(shares) if len(shares) > 1 else 0.0
        margin = statistics.mean(shares) - statistics.mean(baseline)
        clearly = "-" if teacher == BASELINE else ("yes" if min(shares) >= max(baseline) + CLEAR_MARGIN else "no")
        cost = statistics.mean(r.teacher_seconds_per_episode for r in runs) * 1e3
        print(
            f"{teacher:<22} {runs[0].level:<5} {statistics.mean(shares):>6.3f} {spread:>6.3f} {min(shares):>6.3f} "
            f"{margin:>+9.3f} {clearly:>8} {cost:>11.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20_000, help="episodes per run")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per teacher")
    parser.add_argument("--teachers", nargs="*", help="teacher names (default: every registered teacher)")
    parser.add_argument("--expert-level", choices=EXPERT_LEVELS, default="low")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes")
    args = parser.parse_args(argv)
    for name in ("episodes", "seeds", "workers"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive, got {getattr(args, name)}")
    known = sorted(available_teachers())
    unknown = [name for name in args.teachers or [] if name not in known]
    if unknown:
        parser.error(f"unknown teacher(s) {unknown}; expected some of {known}")
    teachers = sorted(set(args.teachers or known) | {BASELINE})
    start = time.perf_counter()
    results = run_all([STAIRCASE], teachers, args.seeds, args.episodes, 1, args.expert_level, args.workers,
                      teacher_levels(teachers, args.expert_level))
    print_table(results)
    print(
        f"\n{len(results)} runs of {args.episodes} episodes (seeds 0-{args.seeds - 1}) in "
        f"{time.perf_counter() - start:.0f} s on {args.workers} worker(s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
