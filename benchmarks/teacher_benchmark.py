"""Teacher benchmark: every teacher on every simulated student, several seeds, in seconds rather than GPU-days.

Run ``python -m teachgym.benchmarks.teacher_benchmark``. For each simulated-student env, teacher and seed, a fresh
student trains for ``--episodes`` episodes on the tasks the teacher chooses; the table gives the share of the task
space the student has mastered at evenly spaced checkpoints (mean and standard deviation over seeds) and the
teacher's own time per episode (sample + update, refits included; the student's time is not counted).

Each teacher gets the expert knowledge of ``--expert-level`` (``low`` by default: return bounds and thresholds); a
teacher that needs more (e.g. ``expert-easy-to-hard`` needs an initial distribution) gets the next level up, and the
table says which level each teacher ran with. A teacher whose schedule counts environment steps (Self-Paced) runs
with its ``simulated`` preset, the schedule rescaled to one-step episodes; a teacher that uses the student's value
estimates gets the simulated student's expected return of each task; a teacher that asks for evaluation rollouts
(SFL) gets the student's sampled successes, episodes that neither train it nor count (their time counts as the
teacher's); a teacher's exploratory episodes (robust PLR's new tasks) measure the student without training it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

import teachgym
from teachgym.child_processes import end_with_parent
from teachgym.teachers import (
    TeacherError,
    asks_for_evaluations,
    available_teachers,
    make_teacher,
    report_episode,
    trains_on_last_sample,
    uses_value_estimates,
)
from teachgym.teachers.expert import EXPERT_LEVELS, expert_hyperparameters

from .arguments import require_positive

SIMULATED_ENTRY_POINTS = "teachgym.envs.simulated."
SIMULATED_PRESET = "simulated"


@dataclass(frozen=True)
class RunResult:
    env_id: str
    teacher: str
    seed: int
    level: str
    mastered: tuple[float, ...]  # share mastered at each checkpoint
    teacher_seconds_per_episode: float


def simulated_env_ids() -> list[str]:
    """The registered simulated-student ids."""
    return [env_id for env_id in teachgym.env_ids() if gym.spec(env_id).entry_point.startswith(SIMULATED_ENTRY_POINTS)]


def build_teacher(name: str, env: gym.Env, seed: int, level: str):
    """The teacher with the knowledge of ``level``, or of the first higher level it can be built with."""
    cls = available_teachers()[name]
    knowledge = env.unwrapped.expert_knowledge()
    preset = SIMULATED_PRESET if SIMULATED_PRESET in cls.presets else None
    for candidate in EXPERT_LEVELS[EXPERT_LEVELS.index(level):]:
        try:
            hyperparameters = expert_hyperparameters(cls, knowledge, candidate)
            return make_teacher(name, env.unwrapped.task_space, preset=preset, seed=seed, **hyperparameters), candidate
        except TeacherError:
            continue
    raise TeacherError(f"teacher {name!r} cannot be built with any expert-knowledge level")


def run_one(env_id: str, teacher_name: str, seed: int, episodes: int, checkpoints: int, level: str) -> RunResult:
    """Train one simulated student with one teacher; record the mastered share at the checkpoints."""
    env = gym.make(env_id)
    student = env.unwrapped
    env.reset(seed=seed)  # a seeded reset makes a new student
    teacher, used_level = build_teacher(teacher_name, env, seed, level)
    checkpoint_episodes = set(np.linspace(episodes / checkpoints, episodes, checkpoints).round().astype(int))
    action = np.zeros(env.action_space.shape, dtype=env.action_space.dtype)
    if uses_value_estimates(teacher):
        teacher.set_value_estimator(student.value_estimates)
    if asks_for_evaluations(teacher):
        teacher.set_success_evaluator(student.evaluate_successes)
    mastered, teacher_seconds = [], 0.0
    for episode in range(1, episodes + 1):
        start = time.perf_counter()
        task = teacher.sample_task()
        trains_student = trains_on_last_sample(teacher)
        teacher_seconds += time.perf_counter() - start
        student.set_task(task)
        student.learning = trains_student
        observation, _ = env.reset()
        _, episode_return, _, _, info = env.step(action)
        start = time.perf_counter()
        report_episode(teacher, list(info["task"].values()), episode_return, success=info["success"],
                       initial_observation=observation)
        teacher_seconds += time.perf_counter() - start
        if episode in checkpoint_episodes:
            mastered.append(float(student.mastered_share))
    return RunResult(env_id, teacher_name, seed, used_level, tuple(mastered), teacher_seconds / episodes)


def run_all(env_ids: list[str], teachers: list[str], seeds: int, episodes: int, checkpoints: int, level: str,
            workers: int, levels: Mapping[str, str] | None = None) -> list[RunResult]:
    """Every (env, teacher, seed) run, on a process pool; ``levels`` gives some teachers their own expert level
    instead of ``level``."""
    levels = levels or {}
    jobs = [(env_id, name, seed, episodes, checkpoints, levels.get(name, level))
            for env_id in env_ids for name in teachers for seed in range(seeds)]
    if workers == 1:
        return [run_one(*job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers, initializer=end_with_parent) as pool:  # they end with a killed run
        return list(pool.map(run_one, *zip(*jobs)))


def print_table(results: list[RunResult], episodes: int, checkpoints: int) -> None:
    marks = np.linspace(episodes / checkpoints, episodes, checkpoints).round().astype(int)
    header = " ".join(f"{f'@{m}':>13}" for m in marks)
    for env_id in dict.fromkeys(r.env_id for r in results):
        print(f"\n{env_id}: share of the task space mastered (mean ± std over seeds)")
        print(f"{'teacher':<22} {'level':<5} {header} {'ms/episode':>11}")
        for teacher in dict.fromkeys(r.teacher for r in results):
            runs = [r for r in results if r.env_id == env_id and r.teacher == teacher]
            cells = []
            for index in range(checkpoints):
                values = [r.mastered[index] for r in runs]
                spread = statistics.stdev(values) if len(values) > 1 else 0.0
                cells.append(f"{statistics.mean(values):>6.3f} ± {spread:<4.3f}")
            cost = statistics.mean(r.teacher_seconds_per_episode for r in runs) * 1e3
            print(f"{teacher:<22} {runs[0].level:<5} {' '.join(cells)} {cost:>11.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=4000, help="episodes per run")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per (env, teacher)")
    parser.add_argument("--checkpoints", type=int, default=4, help="evenly spaced measurements of the share mastered")
    parser.add_argument("--teachers", nargs="*", help="teacher names (default: every registered teacher)")
    parser.add_argument("--envs", nargs="*", help="simulated-student ids (default: all)")
    parser.add_argument("--expert-level", choices=EXPERT_LEVELS, default="low")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("episodes", "seeds", "checkpoints", "workers"))
    if args.checkpoints > args.episodes:
        parser.error(f"--checkpoints ({args.checkpoints}) cannot exceed --episodes ({args.episodes})")
    known_teachers, known_envs = sorted(available_teachers()), simulated_env_ids()
    teachers = args.teachers or known_teachers
    envs = args.envs or known_envs
    for given, known, kind in ((teachers, known_teachers, "teacher"), (envs, known_envs, "simulated-student id")):
        unknown = [name for name in given if name not in known]
        if unknown:
            parser.error(f"unknown {kind}(s) {unknown}; expected some of {known}")
    start = time.perf_counter()
    results = run_all(envs, teachers, args.seeds, args.episodes, args.checkpoints, args.expert_level, args.workers)
    print_table(results, args.episodes, args.checkpoints)
    print(f"\n{len(results)} runs of {args.episodes} episodes in {time.perf_counter() - start:.0f} s "
          f"on {args.workers} worker(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
