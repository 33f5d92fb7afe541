"""Environment speed benchmark: every registered teachgym env and body under random actions, against gymnasium.

Run ``python -m teachgym.benchmarks.perf.env_speed``. It prints one row per (env id, body) with task dimensions and
steps per second (``act``: action dimensions, or ``#n`` for n discrete actions), then the headline figure: Stump Tracks
with classic_bipedal against gymnasium's ``BipedalWalker-v3``, measured in the same process in interleaved rounds (the
median of the per-round ratios), so machine noise hits both. The target is 1.5x (TeachMyAgent's implementation runs at
about 1.0x). Parkour with classic_bipedal (more fixtures, surface lidar, water and survival bookkeeping) is measured the
same way against the same reference, with a target of 1.0x. Last, every classic env (``teachgym.envs.classic``) against
the gymnasium env its default task reproduces, measured the same way on the default task; the target is 0.9x the
original's rate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

import teachgym
from teachgym.envs.walkers.track import accepted_bodies, walker_env_ids

from ..arguments import require_positive

REFERENCE_ID = "BipedalWalker-v3"
HEADLINE_ID = "teachgym/StumpTracks-v0"
HEADLINE_BODY = "classic_bipedal"
TARGET_RATIO = 1.5
PARKOUR_ID = "teachgym/Parkour-v0"
PARKOUR_TARGET_RATIO = 1.0
CLASSIC_ENTRY_POINTS = "teachgym.envs.classic."
CLASSIC_TARGET_RATIO = 0.9


@dataclass
class SpeedRow:
    env_id: str
    body: str
    task_dims: int
    obs_dims: int
    action_dims: str
    steps_per_second: float


@dataclass
class ClassicRatio:
    """A classic env against its gymnasium original: median steps/s of each and the median per-round ratio."""

    env_id: str
    gymnasium_id: str
    steps_per_second: float
    gymnasium_steps_per_second: float
    ratio: float


def random_actions(space: gym.Space, steps: int, rng: np.random.Generator) -> np.ndarray:
    """``steps`` random actions: uniform in [-1, 1] for a Box (every env's box contains [-1, 1]), uniform choices for
    a Discrete space."""
    if isinstance(space, gym.spaces.Discrete):
        return space.start + rng.integers(space.n, size=steps)
    return rng.uniform(-1.0, 1.0, size=(steps, *space.shape)).astype(np.float32)


def action_dims(space: gym.Space) -> str:
    """The ``act`` column: the action dimensions, or ``#n`` for n discrete actions."""
    return f"#{space.n}" if isinstance(space, gym.spaces.Discrete) else str(space.shape[0])


def steps_per_second(env: gym.Env, steps: int, seed: int) -> float:
    """Random-action steps per second over ``steps`` steps, resets on episode end included."""
    actions = random_actions(env.action_space, steps, np.random.default_rng(seed))
    env.reset(seed=seed)
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - start)


def benchmark_cases() -> list[tuple[str, str | None]]:
    """Every registered id: the walker envs once per body they take (Parkour: every body), the other envs once
    (body None)."""
    cases: list[tuple[str, str | None]] = []
    walkers = walker_env_ids()
    for env_id in teachgym.env_ids():
        if env_id in walkers:
            cases += [(env_id, body) for body in accepted_bodies(env_id)]
        else:
            cases.append((env_id, None))
    return cases


def measure_all(steps: int, seed: int) -> list[SpeedRow]:
    """One row per benchmark case."""
    rows = []
    for env_id, body in benchmark_cases():
        env = gym.make(env_id, **({"body": body} if body else {}))
        rate = steps_per_second(env, steps, seed)
        rows.append(SpeedRow(env_id, body or "-", env.unwrapped.task_space.ndim, env.observation_space.shape[0],
                             action_dims(env.action_space), rate))
        env.close()
    return rows


def interleaved_rates(reference: gym.Env, ours: gym.Env, steps: int, rounds: int,
                      seed: int) -> tuple[float, float, float]:
    """Median steps/s of ``reference`` and of ``ours`` over interleaved rounds (the reference first in each, the
    same seeds and random actions for both), and the median per-round ratio ours / reference."""
    reference_rates, our_rates = [], []
    for round_index in range(rounds):
        reference_rates.append(steps_per_second(reference, steps, seed + round_index))
        our_rates.append(steps_per_second(ours, steps, seed + round_index))
    ratios = [o / r for o, r in zip(our_rates, reference_rates)]
    return statistics.median(reference_rates), statistics.median(our_rates), statistics.median(ratios)


def headline_ratio(steps: int, rounds: int, seed: int, env_id: str = HEADLINE_ID) -> tuple[float, float, float]:
    """Median steps/s of the reference and of ``env_id`` (Stump Tracks by default) with classic_bipedal, and the
    median per-round ratio."""
    reference = gym.make(REFERENCE_ID)
    ours = gym.make(env_id, body=HEADLINE_BODY)
    try:
        return interleaved_rates(reference, ours, steps, rounds, seed)
    finally:
        reference.close()
        ours.close()


def classic_env_ids() -> list[str]:
    """The registered classic envs (each reproduces a gymnasium env at its default task)."""
    return [env_id for env_id in teachgym.env_ids() if gym.spec(env_id).entry_point.startswith(CLASSIC_ENTRY_POINTS)]


def classic_ratios(steps: int, rounds: int, seed: int) -> list[ClassicRatio]:
    """Every classic env on its default task against its gymnasium original, in interleaved rounds (the original
    first in each), with the same seeds and random actions for both."""
    results = []
    for env_id in classic_env_ids():
        ours = gym.make(env_id)
        gymnasium_id = ours.unwrapped.GYMNASIUM_ID
        original = gym.make(gymnasium_id)
        original_rate, our_rate, ratio = interleaved_rates(original, ours, steps, rounds, seed)
        results.append(ClassicRatio(env_id, gymnasium_id, our_rate, original_rate, ratio))
        ours.close()
        original.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000, help="random steps per env and body in the table")
    parser.add_argument("--headline-steps", type=int, default=10000, help="steps per round of the headline ratio")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the headline and classic ratios")
    parser.add_argument("--classic-steps", type=int, default=10000,
                        help="steps per round of each classic env against its gymnasium original")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if the headline ratio is under {TARGET_RATIO}, "
                        f"Parkour's under {PARKOUR_TARGET_RATIO} or a classic env's under {CLASSIC_TARGET_RATIO}")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("steps", "headline_steps", "rounds", "classic_steps"))

    rows = measure_all(args.steps, args.seed)
    headlines = ((HEADLINE_ID, TARGET_RATIO, "speed ratio"), (PARKOUR_ID, PARKOUR_TARGET_RATIO, "Parkour speed ratio"))
    measured = {env_id: headline_ratio(args.headline_steps, args.rounds, args.seed, env_id)
                for env_id, _, _ in headlines}
    classic = classic_ratios(args.classic_steps, args.rounds, args.seed)
    reference_rate = measured[HEADLINE_ID][0]
    columns = f"{'task dims':>9} {'obs':>4} {'act':>4} {'steps/s':>9} {'x ' + REFERENCE_ID:>20}"
    print(f"{'env id':<40} {'body':<34} {columns}")
    for row in rows:
        print(f"{row.env_id:<40} {row.body:<34} {row.task_dims:>9} {row.obs_dims:>4} {row.action_dims:>4} "
              f"{row.steps_per_second:>9.0f} {row.steps_per_second / reference_rate:>20.2f}")
    print()
    for env_id, target, label in headlines:
        reference, rate, ratio = measured[env_id]
        verdict = "meets" if ratio >= target else "MISSES"
        print(f"{REFERENCE_ID}: {reference:.0f} steps/s; {env_id} ({HEADLINE_BODY}): {rate:.0f} steps/s")
        print(f"{label} {ratio:.2f}x (median of {args.rounds} interleaved rounds of {args.headline_steps} steps); "
              f"{verdict} the {target}x target")

    print(f"\n{'teachgym id':<36} {'gymnasium id':<26} {'steps/s':>9} {'gymnasium':>9} {'ratio':>6}")
    for row in classic:
        mark = "" if row.ratio >= CLASSIC_TARGET_RATIO else "  MISSES"
        print(f"{row.env_id:<36} {row.gymnasium_id:<26} {row.steps_per_second:>9.0f} "
              f"{row.gymnasium_steps_per_second:>9.0f} {row.ratio:>6.3f}{mark}")
    classic_misses = sum(row.ratio < CLASSIC_TARGET_RATIO for row in classic)
    print(f"classic envs: {len(classic) - classic_misses} of {len(classic)} meet the {CLASSIC_TARGET_RATIO}x target "
          f"(default task, median of {args.rounds} interleaved rounds of {args.classic_steps} steps)")
    missed = any(measured[env_id][2] < target for env_id, target, _ in headlines) or classic_misses > 0
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
