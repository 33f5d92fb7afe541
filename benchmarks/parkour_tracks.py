"""Parkour track shapes: how high and how steep the shipped CPPN's ground is over each CPPN input box.

Run ``python -m teachgym.benchmarks.parkour_tracks [--inputs 200] [--seed 0]``. For each of TeachMyAgent's input
boxes (``"easy"``, ``"medium"``, ``"full"``, as ``Parkour``'s ``cppn_input_space`` names them) it draws ``--inputs``
CPPN input vectors uniformly from the box (``numpy.random.default_rng(seed).uniform``, a fresh generator per box) and
lays out each track's ground as the env does (:func:`generate_parkour_terrain`: the flat start pad, then the CPPN's
200 ground heights divided by the CPPN scale, one ground point every ``TERRAIN_STEP`` = 14/30 m). Per track:

- height range: the highest minus the lowest ground point (metres);
- steepest step: the largest absolute height difference between two consecutive ground points (metres rise or fall
  over one ``TERRAIN_STEP``).

It prints a Markdown table of the 10th / 50th / 90th percentiles of the height ranges and the 50th / 90th
percentiles and maximum of the steepest steps (numpy's linear percentiles), the table the README's Parkour section
quotes (defaults: 200 inputs, seed 0). It tells whether the shipped weights keep the tracks varied (metres of hills)
yet mostly walkable (steps well under a walker's reach). No Box2D world is built: the ground is the CPPN's output
alone (the start pad is flat at the track's first height, so it adds neither range nor step); it takes seconds.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from teachgym.envs.walkers.parkour.env import CPPN_INPUT_SPACES, CPPN_SCALE, CREEPERS_SPACING_BOUNDS, TERRAIN_CPPN
from teachgym.envs.walkers.parkour.terrain import generate_parkour_terrain
from teachgym.envs.walkers.physics import TERRAIN_STARTPAD, TERRAIN_STEP

from .arguments import require_positive

RANGE_PERCENTILES = (10, 50, 90)
STEP_PERCENTILES = (50, 90)


@dataclass(frozen=True)
class BoxShapes:
    """The height range and steepest step (metres) of every track drawn from one CPPN input box."""

    box: str
    height_ranges: np.ndarray
    steepest_steps: np.ndarray


def track_ground(input_vector: np.ndarray) -> np.ndarray:
    """The ground heights (metres) of the Parkour track for a CPPN input vector, start pad included, one point every
    ``TERRAIN_STEP`` metres, as ``Parkour`` lays them out (no water; creepers do not touch the ground)."""
    # the creepers' generator only sizes creepers, which leave the ground as it is
    terrain = generate_parkour_terrain(
        TERRAIN_CPPN, np.asarray(input_vector, dtype=float), water_level=0.0, creepers_height=0.0,
        creepers_spacing=CREEPERS_SPACING_BOUNDS[1], startpad=TERRAIN_STARTPAD, cppn_scale=CPPN_SCALE,
        rng=np.random.default_rng(0))
    return np.array([y for _, y in terrain.ground])


def height_range(ground: np.ndarray) -> float:
    """The highest minus the lowest ground height of a track."""
    return float(np.max(ground) - np.min(ground))


def steepest_step(ground: np.ndarray) -> float:
    """The largest absolute height difference between consecutive ground points of a track."""
    return float(np.max(np.abs(np.diff(ground))))


def box_inputs(box: str, inputs: int, seed: int) -> np.ndarray:
    """``inputs`` CPPN input vectors, shape ``(inputs, 3)``, uniform over ``CPPN_INPUT_SPACES[box]`` from
    ``numpy.random.default_rng(seed)``. Raises ``KeyError`` for a box that is not defined."""
    low, high = np.array(CPPN_INPUT_SPACES[box], dtype=float).T
    return np.random.default_rng(seed).uniform(low, high, size=(inputs, len(low)))


def measure_box(box: str, inputs: int, seed: int) -> BoxShapes:
    """The height range and steepest step of the tracks of ``inputs`` uniform input vectors of ``box``."""
    grounds = [track_ground(vector) for vector in box_inputs(box, inputs, seed)]
    return BoxShapes(box, np.array([height_range(ground) for ground in grounds]),
                     np.array([steepest_step(ground) for ground in grounds]))


def table(shapes: list[BoxShapes]) -> list[str]:
    """The Markdown table lines: per box the height-range percentiles and the steepest-step percentiles and maximum."""
    lines = ["| box | height range p10 / p50 / p90 | steepest step p50 / p90 / max |", "|---|---|---|"]
    for box in shapes:
        ranges = np.percentile(box.height_ranges, RANGE_PERCENTILES)
        steps = [*np.percentile(box.steepest_steps, STEP_PERCENTILES), box.steepest_steps.max()]
        lines.append(f"| {box.box} | {' / '.join(f'{value:.2f}' for value in ranges)} | "
                     f"{' / '.join(f'{value:.2f}' for value in steps)} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=200, help="uniform CPPN input vectors per box")
    parser.add_argument("--seed", type=int, default=0, help="seed of each box's input generator")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("inputs",))
    shapes = [measure_box(box, args.inputs, args.seed) for box in CPPN_INPUT_SPACES]
    print(f"Ground height range over a track (metres) and steepest rise or fall between two consecutive ground points "
          f"{TERRAIN_STEP:.3f} m apart, over {args.inputs} uniform inputs per box (seed {args.seed}; 10th / 50th / "
          f"90th percentile, and the maximum step):")
    print()
    print("\n".join(table(shapes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
