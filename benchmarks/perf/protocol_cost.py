"""What the paper tier costs: the TeachMyAgent protocol's sweeps, their training steps, and the wall time they take
at the training rate measured here, on the CPU and, where torch sees one, on the GPU.

Run ``python -m teachgym.benchmarks.perf.protocol_cost``. For every distinct training setting of the sweeps
(env, body, student with its preset and envs per run) it trains the student as the run API does (the preset's
vector env and normalisation, a curriculum callback with a uniform teacher) and times ``--timesteps`` steps after a
warm-up that starts learning (an off-policy preset's ``learning_starts`` is lowered to the warm-up, so the timed
steps include gradient steps; an on-policy measurement spans at least one rollout and its update). It then prints,
per sweep, the runs, the training steps, and the wall time one machine of this kind takes to train them one run
after another, per device. Evaluation is left out: each run also plays its test set (100 episodes of up to 2000
steps) every ``eval_every`` steps, without gradient steps. The first line says where the figures were measured.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from teachgym.errors import TeachgymError

from .. import provenance
from ..arguments import require_positive
from ..sweep import Sweep

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
PAPER_TIER = ("stump-tracks", "challenges", "parkour")
WARM_UP = 1000


@dataclass(frozen=True)
class Setting:
    """What a run's training costs depend on: the env and its body, the student, its preset and its envs."""

    env: str
    body: str | None
    student: str
    preset: str | None
    n_envs: int

    def __str__(self) -> str:
        body = f" ({self.body})" if self.body else ""
        preset = f" {self.preset}" if self.preset else ""
        return f"{self.env.removeprefix('teachgym/')}{body}, {self.student}{preset}, {self.n_envs} env(s)"


def settings_of(sweep: Sweep) -> dict[Setting, int]:
    """Training steps of ``sweep`` per setting."""
    steps: dict[Setting, int] = defaultdict(int)
    for run in sweep.runs:
        config = run.config
        setting = Setting(config.env, config.env_kwargs.get("body"), config.student,
                          config.student_kwargs.get("preset"), config.n_envs)
        steps[setting] += config.total_timesteps
    return steps


def steps_per_second(setting: Setting, timesteps: int, device: str, seed: int) -> float:
    """Training steps per second of ``setting`` on ``device``, timed over ``timesteps`` after the warm-up."""
    from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

    from teachgym.students import preset_normalization
    from teachgym.students.algorithms import algorithm_class

    from .training import curriculum_student

    off_policy = issubclass(algorithm_class(setting.student), OffPolicyAlgorithm)
    overrides = {"learning_starts": WARM_UP} if off_policy else {}
    vec_env, model, curriculum = curriculum_student(
        setting.env, setting.n_envs, setting.student, "random", seed=seed, device=device,
        env_kwargs={"body": setting.body} if setting.body else {},
        vec_env_options=preset_normalization(setting.student, setting.preset), preset=setting.preset, **overrides)
    try:
        model.learn(WARM_UP, callback=curriculum)
        rollout = getattr(model, "n_steps", 0) * setting.n_envs
        timed = max(timesteps, rollout)
        start = time.perf_counter()
        model.learn(timed, callback=curriculum, reset_num_timesteps=False)
        return timed / (time.perf_counter() - start)
    finally:
        vec_env.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(PAPER_TIER),
                        help=f"sweep files or names under benchmarks/configs (default: {' '.join(PAPER_TIER)})")
    parser.add_argument("--timesteps", type=int, default=2000, help="timed training steps per setting and device")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    require_positive(parser, args, ("timesteps",))
    try:
        sweeps = [Sweep.from_yaml(path if path.is_file() else CONFIGS / f"{path}.yaml")
                  for path in map(Path, args.configs)]
    except TeachgymError as error:
        parser.error(f"{error} (--configs takes sweep files or the names of benchmarks/configs/*.yaml)")

    import torch

    devices = ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    print(provenance.describe())
    if len(devices) == 1:
        print("CUDA: not available on this machine (torch.cuda.is_available() is false); GPU rows skipped")
    steps = {sweep.name: settings_of(sweep) for sweep in sweeps}
    settings = sorted({setting for by_setting in steps.values() for setting in by_setting}, key=str)
    print(f"\nTraining rate per setting ({args.timesteps} timed steps after {WARM_UP} warm-up steps, uniform teacher)")
    rates = {}
    for setting in settings:
        rates[setting] = {device: steps_per_second(setting, args.timesteps, device, args.seed) for device in devices}
        cells = "  ".join(f"{device} {rate:>7.0f} steps/s" for device, rate in rates[setting].items())
        print(f"{str(setting):<58} {cells}")
    width = max(len("sweep"), *(len(sweep.name) for sweep in sweeps))
    print(f"\n{'sweep':<{width}}  {'runs':>5}  {'training steps':>15}  "
          + "  ".join(f"{device + ', one run at a time':>26}" for device in devices))
    for sweep in sweeps:
        total = sum(steps[sweep.name].values())
        cells = "  ".join(f"{hours_for(steps[sweep.name], rates, device):>26}" for device in devices)
        print(f"{sweep.name:<{width}}  {len(sweep.runs):>5}  {total:>15,}  {cells}")
    print("Evaluation not included (test episodes without gradient steps, every eval_every steps).")
    return 0


def hours_for(steps: dict[Setting, int], rates: dict[Setting, dict[str, float]], device: str) -> str:
    """The wall time of training every setting's steps at its rate on ``device``, in hours."""
    hours = sum(count / rates[setting][device] for setting, count in steps.items()) / 3600
    return f"{hours:,.0f} h" if hours >= 100 else f"{hours:.2f} h"


if __name__ == "__main__":
    sys.exit(main())
