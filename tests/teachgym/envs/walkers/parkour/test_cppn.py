"""The Parkour CPPN: its shipped weights are the generation script's, and its terrains are varied but walkable."""

import itertools

import numpy as np
import pytest

from teachgym.envs.walkers.parkour import generate_cppn_weights
from teachgym.envs.walkers.parkour.cppn import (
    HIDDEN_STD,
    LAYER_NAMES,
    OUTPUT_STD,
    POSITIONS,
    TRUNCATION,
    WEIGHTS_FILE,
    TerrainCPPN,
    draw_weights,
    load_weights,
)
from teachgym.envs.walkers.parkour.env import CPPN_INPUT_SPACES, CPPN_SCALE
from teachgym.envs.walkers.physics import TERRAIN_STEP


@pytest.fixture(scope="module")
def cppn():
    return TerrainCPPN(load_weights())


def test_the_shipped_weights_are_what_the_generation_script_writes(tmp_path):
    written = generate_cppn_weights.write_weights(tmp_path / "weights.npz")
    with np.load(written) as fresh, np.load(WEIGHTS_FILE) as shipped:
        assert sorted(fresh.files) == sorted(shipped.files) == sorted(LAYER_NAMES)
        for name in LAYER_NAMES:
            np.testing.assert_array_equal(fresh[name], shipped[name])
            assert shipped[name].dtype == np.float32
    assert WEIGHTS_FILE.stat().st_size < 60_000


def test_weights_have_the_reference_architecture_and_a_truncated_normal_draw():
    weights = draw_weights()
    assert [weights[name].shape for name in LAYER_NAMES] == [(4, 64), (64, 64), (64, 64), (64, 64), (64, 2)]
    hidden = np.concatenate([weights[name].ravel() for name in LAYER_NAMES[:-1]])
    assert np.abs(hidden).max() <= TRUNCATION * HIDDEN_STD
    assert np.abs(weights[LAYER_NAMES[-1]]).max() <= TRUNCATION * OUTPUT_STD
    # a normal truncated at 2 std has a std of about 0.88 of the untruncated one
    assert hidden.std() == pytest.approx(0.88 * HIDDEN_STD, rel=0.05)
    assert not np.array_equal(draw_weights(1)["layer_0"], weights["layer_0"])


def test_heights_are_deterministic_per_input_and_differ_between_inputs(cppn):
    ground, ceiling = cppn.heights(np.array([-0.15, 0.8, 0.1]))
    assert ground.shape == ceiling.shape == (POSITIONS,)
    again, _ = cppn.heights([-0.15, 0.8, 0.1])
    np.testing.assert_array_equal(ground, again)
    other, _ = cppn.heights([0.05, 0.6, 0.3])
    assert np.abs(other - ground).max() > 1.0


def test_the_output_is_linear_in_the_last_layer(cppn):
    weights = load_weights()
    doubled = TerrainCPPN((*weights[:-1], 2 * weights[-1]))
    vector = np.array([0.0, 1.0, 0.0])
    np.testing.assert_allclose(doubled.heights(vector)[0], 2 * cppn.heights(vector)[0], rtol=1e-12)


@pytest.mark.parametrize("space", sorted(CPPN_INPUT_SPACES))
def test_every_corner_of_the_input_boxes_gives_a_varied_mostly_walkable_ground(cppn, space):
    ranges = []
    for corner in itertools.product(*CPPN_INPUT_SPACES[space]):
        ground = cppn.heights(np.array(corner))[0] / CPPN_SCALE
        ranges.append(np.ptp(ground))
        # no cliff: one terrain step never rises or falls by more than 1.3 steps
        assert np.abs(np.diff(ground)).max() < 1.3 * TERRAIN_STEP
    assert 0.5 < min(ranges) and max(ranges) < 3.5  # hills of metres, neither flat nor mountains
