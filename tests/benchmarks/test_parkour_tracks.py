"""The Parkour track-shape table: its structure, consistent figures, and definitions that match the CPPN's output."""

import numpy as np
import pytest

from teachgym.benchmarks import parkour_tracks
from teachgym.envs.walkers.parkour.cppn import POSITIONS, TerrainCPPN, load_weights
from teachgym.envs.walkers.parkour.env import CPPN_INPUT_SPACES, CPPN_SCALE
from teachgym.envs.walkers.parkour.terrain import generate_parkour_terrain
from teachgym.envs.walkers.physics import TERRAIN_STARTPAD, TERRAIN_STEP


def _figures(cell: str) -> list[float]:
    return [float(value) for value in cell.split(" / ")]


def test_prints_a_markdown_row_per_box_with_ordered_positive_figures(capsys):
    assert parkour_tracks.main(["--inputs", "12", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"{TERRAIN_STEP:.3f} m apart" in lines[0] and "12 uniform inputs per box (seed 3;" in lines[0]
    table = [line for line in lines if line.startswith("|")]
    assert table[:2] == ["| box | height range p10 / p50 / p90 | steepest step p50 / p90 / max |", "|---|---|---|"]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:]]
    assert [row[0] for row in rows] == ["easy", "medium", "full"] == list(CPPN_INPUT_SPACES)
    for _, range_cell, step_cell in rows:
        ranges, steps = _figures(range_cell), _figures(step_cell)
        assert len(ranges) == 3 and len(steps) == 3
        assert 0 < ranges[0] <= ranges[1] <= ranges[2]
        assert 0 < steps[0] <= steps[1] <= steps[2]
        assert steps[2] <= ranges[2] + 0.005  # one step never exceeds the track's whole range (2-decimal rounding)


def test_rejects_a_non_positive_number_of_inputs(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parkour_tracks.main(["--inputs", "0"])
    assert exit_info.value.code == 2
    assert "--inputs must be positive, got 0" in capsys.readouterr().err


def test_inputs_are_seeded_uniform_draws_inside_the_box():
    inputs = parkour_tracks.box_inputs("medium", 50, seed=4)
    np.testing.assert_array_equal(inputs, parkour_tracks.box_inputs("medium", 50, seed=4))
    assert not np.array_equal(inputs, parkour_tracks.box_inputs("medium", 50, seed=5))
    low, high = np.array(CPPN_INPUT_SPACES["medium"]).T
    assert inputs.shape == (50, 3) and np.all((low <= inputs) & (inputs <= high))


def test_the_measures_match_an_independent_computation_from_the_cppn():
    vector = parkour_tracks.box_inputs("full", 1, seed=0)[0]
    ground = TerrainCPPN(load_weights()).heights(vector)[0] / CPPN_SCALE  # the bare CPPN output, no pad, no shift
    expected_range = ground.max() - ground.min()
    expected_step = max(abs(ground[i + 1] - ground[i]) for i in range(POSITIONS - 1))

    track = parkour_tracks.track_ground(vector)
    assert len(track) == TERRAIN_STARTPAD + POSITIONS
    assert parkour_tracks.height_range(track) == pytest.approx(expected_range, abs=1e-12)
    assert parkour_tracks.steepest_step(track) == pytest.approx(expected_step, abs=1e-12)
    shapes = parkour_tracks.measure_box("full", 1, seed=0)
    assert shapes.height_ranges.tolist() == pytest.approx([expected_range], abs=1e-12)
    assert shapes.steepest_steps.tolist() == pytest.approx([expected_step], abs=1e-12)
    assert expected_range > 0.1 and expected_step > 0.01  # a real hill, so the comparison can fail


def test_consecutive_ground_points_are_one_terrain_step_apart():
    terrain = generate_parkour_terrain(
        TerrainCPPN(load_weights()), np.zeros(3), water_level=0.0, creepers_height=0.0, creepers_spacing=5.0,
        startpad=TERRAIN_STARTPAD, cppn_scale=CPPN_SCALE, rng=np.random.default_rng(0))
    np.testing.assert_allclose(np.diff([x for x, _ in terrain.ground]), TERRAIN_STEP)
    assert TERRAIN_STEP == pytest.approx(0.467, abs=5e-4)
