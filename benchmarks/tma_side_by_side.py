"""Stump Tracks side by side with TeachMyAgent: every body both have, the same task, random draws and actions.

Runs TeachMyAgent's own ``ParametricContinuousStumpTracks`` in a separate Python (one with TeachMyAgent's
dependencies: gym 0.17, Box2D, numpy) and ours here, and prints per body and action sequence each side's episode
length and return. The reference's random draws (stump heights, the initial push) are recorded and served to ours
in the same order, so that both build the same track and push the body alike: their generators differ
(``RandomState`` against ``Generator``), their draws need not. Three action sequences: zeros, a fixed seeded uniform
sequence and a periodic gait. Episodes stop at the end of the track, on a fall, or after ``MAX_STEPS`` steps.

    python -m teachgym.benchmarks.tma_side_by_side /path/to/TeachMyAgent-checkout --python /path/to/venv/bin/python

The checkout is the folder holding the ``TeachMyAgent`` package. This module runs in both interpreters: at its top
level it imports only the standard library and numpy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

MAX_STEPS = 2000  # the registered episode limit of our Stump Tracks
# The bodies both sides have that Stump Tracks takes (TeachMyAgent's climbers and fish live in Parkour).
BODIES = (
    "old_classic_bipedal",
    "classic_bipedal",
    "small_bipedal",
    "old_big_quadru",
    "big_quadru",
    "spider",
    "millipede",
    "wheel",
    "profile_chimpanzee",
    "amphibious_bipedal",
)
SEQUENCES = ("zeros", "random", "gait")
GAIT_PERIOD = 40  # steps per cycle of the periodic gait
TASK = (1.0, 3.0)  # stump_height, obstacle_spacing: a mid-difficulty task of the benchmark's space
SEED = 0
RETURN_TOLERANCE = 0.5  # the agreement the comparison asks for


def actions(sequence: str, size: int, seed: int) -> np.ndarray:
    """The ``(MAX_STEPS, size)`` action sequence named ``sequence``: zeros, seeded uniform in [-1, 1], or a gait
    whose motors swing as sines, each successive pair of motors half a period after the previous one."""
    if sequence == "zeros":
        return np.zeros((MAX_STEPS, size))
    if sequence == "random":
        return np.random.default_rng(seed).uniform(-1.0, 1.0, (MAX_STEPS, size))
    if sequence == "gait":
        steps = np.arange(MAX_STEPS)[:, None]
        phases = np.pi * ((np.arange(size) // 2) % 2)
        return np.sin(2 * np.pi * steps / GAIT_PERIOD + phases)
    raise ValueError(f"unknown action sequence {sequence!r}; expected one of {SEQUENCES}")


def episode(reward_of_step, sequence: np.ndarray) -> tuple[int, float]:
    """Step an env through the action ``sequence`` until it ends: (length, return). ``reward_of_step`` maps one
    action to (reward, done), hiding the two APIs' differences."""
    total = 0.0
    for step, action in enumerate(sequence, start=1):
        reward, done = reward_of_step(action)
        total += reward
        if done:
            return step, total
    return MAX_STEPS, total


class RecordedDraws:
    """Forwards ``normal`` and ``uniform`` to a numpy random state and records each result under its arguments."""

    def __init__(self, random_state):
        self._random_state = random_state
        self.draws: list[tuple[str, float, float, float]] = []

    def normal(self, loc=0.0, scale=1.0):
        value = float(self._random_state.normal(loc, scale))
        self.draws.append(("normal", float(loc), float(scale), value))
        return value

    def uniform(self, low=0.0, high=1.0):
        value = float(self._random_state.uniform(low, high))
        self.draws.append(("uniform", float(low), float(high), value))
        return value

    def __getattr__(self, name):
        return getattr(self._random_state, name)


class ReplayedDraws:
    """Serves recorded draws: each ``normal``/``uniform`` call gets the next value recorded for the same arguments."""

    def __init__(self, draws: Sequence[Sequence]):
        self._queues: dict[tuple[str, float, float], list[float]] = {}
        for method, first, second, value in draws:
            self._queues.setdefault(self._key(method, first, second), []).append(value)

    @staticmethod
    def _key(method: str, first: float, second: float) -> tuple[str, float, float]:
        return method, round(float(first), 9), round(float(second), 9)

    def _next(self, method: str, first: float, second: float) -> float:
        queue = self._queues.get(self._key(method, first, second))
        if not queue:
            raise RuntimeError(f"the reference drew no (more) {method}({first}, {second}): the envs differ")
        return queue.pop(0)

    def normal(self, loc=0.0, scale=1.0):
        return self._next("normal", loc, scale)

    def uniform(self, low=0.0, high=1.0):
        return self._next("uniform", low, high)


def reference_episode(body: str, sequence: str, task: Sequence[float], seed: int) -> dict:
    """One TeachMyAgent episode (run in TeachMyAgent's interpreter): length, return and the random draws made."""
    from TeachMyAgent.environments.envs.parametric_continuous_stump_tracks import ParametricContinuousStumpTracks

    env = ParametricContinuousStumpTracks(walker_type=body)
    env.set_environment(stump_height=task[0], obstacle_spacing=task[1])
    return recorded_episode(env, seed, lambda size: actions(sequence, size, seed))


def our_episode(body: str, sequence: str, task: Sequence[float], seed: int, draws: Sequence[Sequence]) -> dict:
    """One episode of our Stump Tracks on the reference's draws: length and return."""
    from teachgym.envs.walkers.stump_tracks import StumpTracks

    env = StumpTracks(body=body)
    task_values = {"stump_height": task[0], "obstacle_spacing": task[1]}
    return replayed_episode(env, draws, task_values, lambda size: actions(sequence, size, seed))


def recorded_episode(env, seed: int, sequence: Callable[[int], np.ndarray]) -> dict:
    """Seed a reference env (gym 0.17's API), reset it and run ``sequence(action size)`` to the episode's end,
    recording its random draws: length, return and the draws."""
    env.seed(seed)
    recorder = RecordedDraws(env.np_random)
    env.np_random = recorder
    env.reset()

    def reward_of_step(action):
        _, reward, done, _ = env.step(action)
        return float(reward), bool(done)

    length, total = episode(reward_of_step, sequence(env.action_space.shape[0]))
    env.close()
    return {"length": length, "return": total, "draws": recorder.draws}


def replayed_episode(env, draws: Sequence[Sequence], task: dict, sequence: Callable[[int], np.ndarray]) -> dict:
    """Reset one of our envs on ``task`` with the reference's ``draws`` served in place of its generator, and run
    ``sequence(action size)`` to the episode's end: length and return."""
    env.np_random = ReplayedDraws(draws)
    env.reset(options={"task": task})

    def reward_of_step(action):
        _, reward, terminated, _, _ = env.step(action)
        return float(reward), terminated

    length, total = episode(reward_of_step, sequence(env.action_space.shape[0]))
    env.close()
    return {"length": length, "return": total}


def run_reference(checkout: Path, python: str, jobs: list[dict], driver: Path = Path(__file__).resolve()) -> list[dict]:
    """Run the jobs in TeachMyAgent's interpreter, with the checkout on its path, by the ``driver`` script's
    reference worker (this module's by default)."""
    completed = subprocess.run(
        [python, str(driver), "--reference-worker"],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"TeachMyAgent's run failed:\n{completed.stderr.strip()}")
    return json.loads(completed.stdout)


def compare(checkout: Path, python: str, bodies: Sequence[str], task: Sequence[float], seed: int) -> list[dict]:
    """Every body x sequence on both sides: one row each with the reference's and our length and return."""
    jobs = [
        {"body": body, "sequence": sequence, "task": list(task), "seed": seed}
        for body in bodies
        for sequence in SEQUENCES
    ]
    rows = []
    for job, reference in zip(jobs, run_reference(checkout, python, jobs)):
        ours = our_episode(job["body"], job["sequence"], task, seed, reference["draws"])
        rows.append(table_row(job["body"], job["sequence"], reference, ours))
    return rows


def table_row(body: str, sequence: str, reference: dict, ours: dict) -> dict:
    """One row of :func:`markdown_table`: the reference's and our episode length and return."""
    return {
        "body": body,
        "sequence": sequence,
        "reference_length": reference["length"],
        "reference_return": reference["return"],
        "length": ours["length"],
        "return": ours["return"],
    }


def markdown_table(rows: Sequence[dict]) -> str:
    """The rows as a Markdown table, with each row's verdict against the target (same length, return within 0.5)."""
    lines = [
        "| body | actions | TeachMyAgent length / return | ours | difference | same? |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        length_gap = row["length"] - row["reference_length"]
        return_gap = row["return"] - row["reference_return"]
        same = length_gap == 0 and abs(return_gap) <= RETURN_TOLERANCE
        lines.append(
            f"| {row['body']} | {row['sequence']} | {row['reference_length']} / "
            f"{row['reference_return']:.2f} | {row['length']} / {row['return']:.2f} | "
            f"{length_gap:+d} / {return_gap:+.2f} | {'yes' if same else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", nargs="?", type=Path, help="folder holding the TeachMyAgent package")
    parser.add_argument("--python", default=sys.executable, help="Python with TeachMyAgent's dependencies")
    parser.add_argument("--bodies", nargs="+", default=list(BODIES), choices=BODIES, metavar="BODY")
    parser.add_argument("--task", nargs=2, type=float, default=list(TASK), metavar=("STUMP_HEIGHT", "SPACING"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reference-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reference_worker:
        jobs = json.load(sys.stdin)
        json.dump(
            [reference_episode(job["body"], job["sequence"], job["task"], job["seed"]) for job in jobs], sys.stdout
        )
        return
    if args.checkout is None or not (args.checkout / "TeachMyAgent").is_dir():
        parser.error(f"{args.checkout} is not a folder holding the TeachMyAgent package")
    print(f"Stump Tracks, task {tuple(args.task)}, seed {args.seed}, at most {MAX_STEPS} steps")
    print(markdown_table(compare(args.checkout, args.python, args.bodies, args.task, args.seed)))


if __name__ == "__main__":
    main()
