"""Parkour side by side with TeachMyAgent: climbers, the fish, the amphibian and a walker on the same tasks, random
draws and actions.

TeachMyAgent's ``ParametricContinuousParkour`` draws its track with a TensorFlow 1 CPPN. The reference worker stands
in for TensorFlow: before importing the env it installs a module computing the same network (4 layers of 64,
alternating tanh and softplus, no biases) in float32 with numpy, on TeachMyAgent's checkpoint weights, which our
side reads with its own checkpoint reader and hands over as an ``.npz``. Both sides then draw the same terrain; the
reference's random draws (creeper lengths, the initial push) are replayed into ours as for Stump Tracks.

    python -m teachgym.benchmarks.tma_parkour_side_by_side /path/to/TeachMyAgent-checkout \\
        --python /path/to/venv/bin/python --weights /path/to/same_ground_ceiling_cppn

The checkout is the folder holding the ``TeachMyAgent`` package. At its top level this module imports only the
standard library, numpy and the Stump Tracks driver (which does the same), so that it runs in both interpreters.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import types
from collections.abc import Sequence
from pathlib import Path

import numpy as np

if __package__:
    from .tma_side_by_side import actions, markdown_table, recorded_episode, replayed_episode, run_reference, table_row
else:  # run as a script in TeachMyAgent's interpreter, next to the Stump Tracks driver
    from tma_side_by_side import actions, markdown_table, recorded_episode, replayed_episode, run_reference, table_row

CREEPERS_WIDTH = 0.25  # what TeachMyAgent's benchmark sets, and ours always
# name: (cppn input vector, water_level, creepers_height, creepers_spacing), inside the "medium" CPPN box
TASKS = {
    "dry": ((-0.15, 0.8, 0.1), 0.0, 0.0, 5.0),
    "water": ((-0.15, 0.8, 0.1), 0.9, 0.0, 5.0),
    "creepers": ((-0.15, 0.8, 0.1), 0.0, 3.0, 1.0),
}
# body: the tasks it is compared on (lidar fans follow the kind, as TeachMyAgent's benchmark sets them)
BODIES = {
    "old_classic_bipedal": ("dry",),
    "climbing_profile_chimpanzee": ("dry", "creepers"),
    "climbing_chest_profile_chimpanzee": ("dry", "creepers"),
    "fish": ("water", "dry"),
    "amphibious_bipedal": ("water", "dry"),
}
LIDARS = {"old_classic_bipedal": "down", "fish": "full", "amphibious_bipedal": "full"}  # climbers: "up"
CLIMBER_HANDS = 2
SEQUENCES = ("zeros", "random", "gait")
GRASP = "grasp"  # climbers only: the gait with every grasp value held at 1
SEED = 0
CHECKPOINT = "TeachMyAgent/environments/envs/PCGAgents/CPPN/weights/same_ground_ceiling_cppn"  # in the checkout
CPPN_MODULE = "TeachMyAgent.environments.envs.PCGAgents.CPPN.TanHSoftplusMixCPPN"


def parkour_actions(sequence: str, size: int, seed: int) -> np.ndarray:
    """The Stump Tracks driver's sequences, plus ``grasp``: the gait on the motors, the climber's two hands at 1."""
    if sequence != GRASP:
        return actions(sequence, size, seed)
    values = actions("gait", size, seed)
    values[:, -CLIMBER_HANDS:] = 1.0
    return values


def sequences_of(body: str) -> tuple[str, ...]:
    """The action sequences a body is compared on."""
    return (*SEQUENCES, GRASP) if body.startswith("climbing") else SEQUENCES


class NumpyCPPN:
    """TeachMyAgent's ``TanHSoftplusMixCPPN`` without TensorFlow: the same float32 forward pass on weights from an
    ``.npz`` (layers ``layer_0`` to ``layer_4``), which stands in for its TensorFlow checkpoint path."""

    weights_file = None  # set by the worker before the env is built

    def __init__(self, x_dim, input_dim, batch_size=1, output_dim=1, weights_path=None):
        self.x_dim, self.input_dim = x_dim, input_dim
        with np.load(self.weights_file) as data:
            self.layers = [data[f"layer_{index}"].astype(np.float32) for index in range(len(data.files))]

    def generate(self, input_vector):
        positions = (np.arange(self.x_dim) / (self.x_dim - 1)).reshape(self.x_dim, 1)
        inputs = np.concatenate([positions, np.ones((self.x_dim, self.input_dim)) * input_vector], axis=1)
        hidden = inputs.astype(np.float32)
        for index, weights in enumerate(self.layers[:-1]):
            hidden = hidden @ weights
            hidden = np.tanh(hidden) if index % 2 == 0 else np.logaddexp(np.float32(0), hidden)
        return hidden @ self.layers[-1]

    def close(self):
        """Nothing to release (TensorFlow closed its session here)."""


def reference_episode(body: str, sequence: str, task_name: str, seed: int, weights: str) -> dict:
    """One TeachMyAgent Parkour episode (run in TeachMyAgent's interpreter): length, return and the draws made."""
    NumpyCPPN.weights_file = weights
    module = types.ModuleType(CPPN_MODULE)
    module.TanHSoftplusMixCPPN = NumpyCPPN
    sys.modules[CPPN_MODULE] = module
    from TeachMyAgent.environments.envs.parametric_continuous_parkour import ParametricContinuousParkour

    vector, water, creepers_height, creepers_spacing = TASKS[task_name]
    env = ParametricContinuousParkour(body, lidars_type=LIDARS.get(body, "up"))
    env.set_environment(np.array(vector), water, creepers_width=CREEPERS_WIDTH, creepers_height=creepers_height,
                        creepers_spacing=creepers_spacing)
    return recorded_episode(env, seed, lambda size: parkour_actions(sequence, size, seed))


def our_episode(body: str, sequence: str, task_name: str, seed: int, draws: Sequence[Sequence],
                cppn_weights: str | None) -> dict:
    """One episode of our Parkour (on TeachMyAgent's CPPN checkpoint at ``cppn_weights``) on the reference's
    draws: length and return."""
    from teachgym.envs.walkers.parkour.env import Parkour

    vector, water, creepers_height, creepers_spacing = TASKS[task_name]
    env = Parkour(body=body, cppn_weights=cppn_weights)
    task = dict(zip(("cppn_input_0", "cppn_input_1", "cppn_input_2"), vector))
    task.update(water_level=water, creepers_height=creepers_height, creepers_spacing=creepers_spacing)
    return replayed_episode(env, draws, task, lambda size: parkour_actions(sequence, size, seed))


def compare(checkout: Path, python: str, weights: str, bodies: Sequence[str], seed: int) -> list[dict]:
    """Every body x task x sequence on both sides: one row each with the reference's and our length and return."""
    from teachgym.envs.walkers.parkour.cppn import LAYER_NAMES, load_checkpoint_weights

    with tempfile.TemporaryDirectory() as folder:
        npz = str(Path(folder) / "cppn.npz")
        np.savez(npz, **dict(zip(LAYER_NAMES, load_checkpoint_weights(weights))))
        jobs = [
            {"body": body, "sequence": sequence, "task_name": task, "seed": seed, "weights": npz}
            for body in bodies
            for task in BODIES[body]
            for sequence in sequences_of(body)
        ]
        references = run_reference(checkout, python, jobs, Path(__file__).resolve())
    rows = []
    for job, reference in zip(jobs, references):
        ours = our_episode(job["body"], job["sequence"], job["task_name"], seed, reference["draws"], weights)
        rows.append(table_row(f"{job['body']} ({job['task_name']})", job["sequence"], reference, ours))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", nargs="?", type=Path, help="folder holding the TeachMyAgent package")
    parser.add_argument("--python", default=sys.executable, help="Python with TeachMyAgent's dependencies")
    parser.add_argument("--weights", help="folder holding TeachMyAgent's CPPN checkpoint (default: the checkout's)")
    parser.add_argument("--bodies", nargs="+", default=list(BODIES), choices=BODIES, metavar="BODY")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reference-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reference_worker:
        jobs = json.load(sys.stdin)
        json.dump([reference_episode(**job) for job in jobs], sys.stdout)
        return
    if args.checkout is None or not (args.checkout / "TeachMyAgent").is_dir():
        parser.error(f"{args.checkout} is not a folder holding the TeachMyAgent package")
    if args.weights is None:
        args.weights = str(args.checkout / CHECKPOINT)
    print(f"Parkour, tasks {TASKS}, seed {args.seed}")
    print(markdown_table(compare(args.checkout, args.python, args.weights, args.bodies, args.seed)))


if __name__ == "__main__":
    main()
