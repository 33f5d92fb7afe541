"""The fixed CPPN that draws Parkour's ground and ceiling from a 3-D input vector (numpy only).

A compositional pattern-producing network maps every x position of the track, together with the task's input
vector, to two heights (ground, ceiling). Its weights are fixed: drawn once by :func:`draw_weights` from a documented
seed (``generate_cppn_weights.py``) and shipped as ``cppn_weights.npz``, so a task always means the same terrain.
TeachMyAgent's own weights (a TensorFlow 1 checkpoint of the same architecture) load with
:func:`load_checkpoint_weights`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ....errors import FileFormatError
from .tf_checkpoint import read_checkpoint

INPUT_DIM = 3  # the task's CPPN input vector
HIDDEN_LAYERS = 4
HIDDEN_UNITS = 64
OUTPUT_DIM = 2  # ground and ceiling heights
POSITIONS = 200  # x positions sampled along the track, one per terrain step
# The weights: every layer from a normal distribution truncated at two standard deviations (as TeachMyAgent's
# TensorFlow initialiser), hidden layers with std 2 (TeachMyAgent's value: varied, non-repeating shapes), the output
# layer with std 0.25 so that, divided by the terrain scale of 10, slopes over the "medium" input box stay mostly
# walkable (see the README's figures). No biases, as the reference.
WEIGHTS_SEED = 0
HIDDEN_STD = 2.0
OUTPUT_STD = 0.25
TRUNCATION = 2.0  # in standard deviations
WEIGHTS_FILE = Path(__file__).with_name("cppn_weights.npz")
LAYER_NAMES = tuple(f"layer_{index}" for index in range(HIDDEN_LAYERS + 1))
LAYER_SHAPES = tuple(zip([INPUT_DIM + 1] + [HIDDEN_UNITS] * HIDDEN_LAYERS,
                        [HIDDEN_UNITS] * HIDDEN_LAYERS + [OUTPUT_DIM]))
# TensorFlow 1 names unnamed variables in creation order, and TeachMyAgent creates its layers input first.
CHECKPOINT_NAMES = ("Variable", *(f"Variable_{index}" for index in range(1, HIDDEN_LAYERS + 1)))


def _truncated_normal(rng: np.random.Generator, shape: tuple[int, int], std: float) -> np.ndarray:
    """Normal draws with every value beyond ``TRUNCATION`` stds redrawn (TensorFlow's ``truncated_normal``)."""
    values = rng.normal(0.0, std, shape)
    outside = np.abs(values) > TRUNCATION * std
    while outside.any():
        values[outside] = rng.normal(0.0, std, int(outside.sum()))
        outside = np.abs(values) > TRUNCATION * std
    return values


def draw_weights(seed: int = WEIGHTS_SEED) -> dict[str, np.ndarray]:
    """The CPPN's weight matrices drawn from ``numpy.random.default_rng(seed)``, layer by layer, as float32 (the
    precision they are shipped in)."""
    rng = np.random.default_rng(seed)
    return {
        name: _truncated_normal(rng, shape, OUTPUT_STD if index == HIDDEN_LAYERS else HIDDEN_STD).astype(np.float32)
        for index, (name, shape) in enumerate(zip(LAYER_NAMES, LAYER_SHAPES))
    }


def load_weights(path: Path = WEIGHTS_FILE) -> tuple[np.ndarray, ...]:
    """The weight matrices stored at ``path`` (the shipped file by default), in layer order, as float64."""
    with np.load(path) as data:
        return tuple(data[name].astype(np.float64) for name in LAYER_NAMES)


def load_checkpoint_weights(path: str | os.PathLike) -> tuple[np.ndarray, ...]:
    """The weight matrices of TeachMyAgent's CPPN checkpoint at ``path`` (a folder holding a TensorFlow 1
    checkpoint, such as TeachMyAgent's ``PCGAgents/CPPN/weights/same_ground_ceiling_cppn/``), in layer order, as
    float32: TeachMyAgent's network computes in float32, and so does a :class:`TerrainCPPN` on them. Its
    architecture is ours: inputs (x, 3-D vector), 4 layers of 64 alternating tanh and softplus, 2 outputs, no
    biases; its variables are ``Variable`` (input layer) to ``Variable_4`` (output layer).

    Raises:
        FileFormatError: for a file that is not a TensorFlow checkpoint or is damaged, or variables whose names or
            shapes do not fit this CPPN.
    """
    variables = read_checkpoint(path)
    if sorted(variables) != sorted(CHECKPOINT_NAMES):
        raise FileFormatError(f"{path}: a checkpoint of variables {sorted(variables)}; TeachMyAgent's Parkour CPPN "
                              f"has exactly {list(CHECKPOINT_NAMES)}")
    for name, shape in zip(CHECKPOINT_NAMES, LAYER_SHAPES):
        if variables[name].shape != shape:
            raise FileFormatError(f"{path}: variable {name!r} has shape {variables[name].shape}; the Parkour CPPN "
                                  f"needs {shape} there (layers {list(LAYER_SHAPES)})")
    return tuple(np.array(variables[name], dtype=np.float32) for name in CHECKPOINT_NAMES)


class TerrainCPPN:
    """Ground and ceiling heights along the track for a CPPN input vector, computed in the weights' precision
    (float64 for teachgym's shipped weights, float32 for TeachMyAgent's, as its TensorFlow graph computes).

    Args:
        weights: the layer matrices (input -> 4 hidden layers alternating tanh and softplus -> 2 outputs).
    """

    def __init__(self, weights: tuple[np.ndarray, ...]):
        self._weights = weights
        self._positions = (np.arange(POSITIONS) / (POSITIONS - 1)).reshape(POSITIONS, 1)

    def heights(self, input_vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw (unscaled) ground and ceiling heights at the ``POSITIONS`` x positions, each an array."""
        inputs = np.hstack([self._positions, np.broadcast_to(np.asarray(input_vector, float), (POSITIONS, INPUT_DIM))])
        hidden = inputs.astype(self._weights[0].dtype)
        for index, weights in enumerate(self._weights[:-1]):
            hidden = hidden @ weights
            hidden = np.tanh(hidden) if index % 2 == 0 else np.logaddexp(0.0, hidden)  # softplus, overflow-safe
        output = hidden @ self._weights[-1]
        return output[:, 0], output[:, 1]
