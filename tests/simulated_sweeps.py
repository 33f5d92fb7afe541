"""Small sweeps of simulated students, written in the sweep layout, for the report's tests."""

from collections.abc import Sequence
from pathlib import Path

from teachgym.benchmarks.config import RunConfig
from teachgym.benchmarks.run import run


def simulated_config(teacher: str, seed: int, out_dir: Path, env: str = "teachgym/SimulatedStudent-v0") -> RunConfig:
    """A fast learner, so that 300 episodes master a share of the space that differs between seeds."""
    return RunConfig(env=env, env_kwargs={"learning_rate": 0.5, "spread": 0.1}, teacher=teacher, student="simulated",
                     total_timesteps=300, eval_every=100, checkpoint_every=300, seed=seed, out_dir=str(out_dir))


def simulated_sweep(root: Path, envs: Sequence[str], teachers: Sequence[str], seeds: Sequence[int]) -> Path:
    """Run every env x teacher x seed into ``root/<env label>/<teacher>/simulated/seed-<n>``; returns ``root``."""
    for env in envs:
        label = env.removeprefix("teachgym/").removesuffix("-v0")
        for teacher in teachers:
            for seed in seeds:
                run(simulated_config(teacher, seed, root / f"{label}/{teacher}/simulated/seed-{seed}", env))
    return root
