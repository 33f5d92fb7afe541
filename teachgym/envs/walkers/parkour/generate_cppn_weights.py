"""Write Parkour's CPPN weight file from its documented seed: ``python -m
teachgym.envs.walkers.parkour.generate_cppn_weights [path]`` (default: the shipped ``cppn_weights.npz``)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .cppn import WEIGHTS_FILE, WEIGHTS_SEED, draw_weights


def write_weights(path: Path = WEIGHTS_FILE, seed: int = WEIGHTS_SEED) -> Path:
    """Draw the weights from ``seed`` and save them (float32) at ``path``; return the path."""
    np.savez(path, **draw_weights(seed))
    return Path(path)


if __name__ == "__main__":
    print(write_weights(Path(sys.argv[1]) if len(sys.argv) > 1 else WEIGHTS_FILE))
