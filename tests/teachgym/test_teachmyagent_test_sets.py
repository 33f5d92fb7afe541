"""TeachMyAgent's pickled test sets: an unpickler that admits numpy arrays only, columns mapped onto teachgym's task
spaces, and the `teachgym import-test-set` command (TeachMyAgent's own files from ../shared/data, skipped when
absent)."""

import os
import pickle

import gymnasium as gym
import numpy as np
import pytest
from helpers import TMA_DATA, needs_tma_data

import teachgym  # noqa: F401  (registers the teachgym/ ids)
from teachgym.benchmarks.cli import main
from teachgym.errors import FileFormatError, TaskError, UnknownNameError
from teachgym.teachmyagent_test_sets import import_test_set, load_array_pickle
from teachgym.test_sets import TestSet

TEST_SETS = TMA_DATA / "test_sets"


def parkour(**kwargs):
    return gym.make("teachgym/Parkour-v0", **kwargs)


def parkour_rows(n=3):
    """TeachMyAgent-shaped Parkour rows: CPPN input, water, creepers width / height / spacing, CPPN scale."""
    rows = np.array([[-0.1, 0.8, 0.1, 0.5, 0.25, 2.0, 1.0, 10.0]] * n)
    rows[:, 3] = np.linspace(0, 1, n)
    return rows


class Malicious:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


# --------------------------------------------------------------------------------------------- the unpickler
@pytest.mark.parametrize("protocol", [2, 4, pickle.HIGHEST_PROTOCOL])
def test_arrays_load_in_every_protocol(tmp_path, protocol):
    array = np.arange(12, dtype=np.float64).reshape(4, 3) / 7
    (tmp_path / "a.pkl").write_bytes(pickle.dumps(array, protocol=protocol))
    loaded = load_array_pickle(tmp_path / "a.pkl")
    assert loaded.dtype == np.float64
    np.testing.assert_array_equal(loaded, array)


def test_a_pickle_naming_any_other_global_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(Malicious(marker)))
    with pytest.raises(FileFormatError, match=r"asks for the global posix\.system; refused, only numpy arrays"):
        load_array_pickle(tmp_path / "evil.pkl")
    (tmp_path / "eval.pkl").write_bytes(b"cbuiltins\neval\n(S'1+1'\ntR.")
    with pytest.raises(FileFormatError, match=r"builtins\.eval; refused"):
        load_array_pickle(tmp_path / "eval.pkl")
    assert not marker.exists()


def test_non_pickles_and_non_arrays_are_refused(tmp_path):
    (tmp_path / "text.pkl").write_text("stump_height,obstacle_spacing\n0,1\n")
    with pytest.raises(FileFormatError, match="not a readable pickle of a numpy array"):
        load_array_pickle(tmp_path / "text.pkl")
    (tmp_path / "list.pkl").write_bytes(pickle.dumps([[0.0, 1.0]]))
    with pytest.raises(FileFormatError, match="holds list; expected a 2-D array of numbers"):
        load_array_pickle(tmp_path / "list.pkl")
    (tmp_path / "objects.pkl").write_bytes(pickle.dumps(np.array([[1, "a"]], dtype=object)))
    with pytest.raises(FileFormatError, match="holds a 2-D object array"):
        load_array_pickle(tmp_path / "objects.pkl")


# ---------------------------------------------------------------------------------------------- the mapping
def test_parkour_columns_map_by_name_and_dropped_columns_are_noted(tmp_path):
    rows = parkour_rows()
    (tmp_path / "same.pkl").write_bytes(pickle.dumps(rows))
    imported = import_test_set(tmp_path / "same.pkl", parkour())
    assert imported.test_set.name == "same" and imported.notes == ()
    assert imported.test_set.names[3:] == ("water_level", "creepers_height", "creepers_spacing")
    np.testing.assert_array_equal(imported.test_set.tasks, rows[:, [0, 1, 2, 3, 5, 6]])
    rows[:, 7] = [10.0, 20.0, 20.0]
    (tmp_path / "scaled.pkl").write_bytes(pickle.dumps(rows))
    notes = import_test_set(tmp_path / "scaled.pkl", parkour()).notes
    assert notes == ("column 'terrain_cppn_scale' (10, 20) is not a teachgym task parameter and was dropped; "
                     "teachgym uses 10",)


def test_tasks_outside_the_space_or_wrong_column_counts_are_refused(tmp_path):
    rows = parkour_rows()
    rows[1, 0] = -0.9
    (tmp_path / "wide.pkl").write_bytes(pickle.dumps(rows))
    with pytest.raises(TaskError, match=r"task 1: task parameter 'cppn_input_0' = -0.9 is outside .*'full'"):
        import_test_set(tmp_path / "wide.pkl", parkour())
    assert len(import_test_set(tmp_path / "wide.pkl", parkour(cppn_input_space="full")).test_set) == 3
    (tmp_path / "six.pkl").write_bytes(pickle.dumps(rows[:, :6]))
    with pytest.raises(FileFormatError, match="6 columns; TeachMyAgent's Parkour test sets have 8"):
        import_test_set(tmp_path / "six.pkl", parkour())
    with pytest.raises(UnknownNameError, match="unknown env with a TeachMyAgent test-set format 'CartPole'"):
        import_test_set(tmp_path / "six.pkl", gym.make("teachgym/CartPole-v0"))


# ----------------------------------------------------------------------------------------------- the command
def test_the_command_writes_a_csv_test_set_that_runs_read(tmp_path, capsys):
    (tmp_path / "tasks.pkl").write_bytes(pickle.dumps(parkour_rows()))
    out = tmp_path / "tasks.csv"
    assert main(["import-test-set", str(tmp_path / "tasks.pkl"), "--env", "teachgym/Parkour-v0", "--out",
                 str(out)]) == 0
    assert capsys.readouterr().out == f"wrote 3 tasks of teachgym/Parkour-v0 to {out}\n"
    read = TestSet.from_config({"csv": str(out)}, parkour().unwrapped.task_space)
    np.testing.assert_array_equal(read.tasks, parkour_rows()[:, [0, 1, 2, 3, 5, 6]])


def test_the_command_refuses_a_malicious_pickle_and_writes_nothing(tmp_path, capsys):
    marker = tmp_path / "ran"
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(Malicious(marker)))
    out = tmp_path / "tasks.csv"
    assert main(["import-test-set", str(tmp_path / "evil.pkl"), "--env", "teachgym/Parkour-v0", "--out",
                 str(out)]) == 2
    assert "the global posix.system; refused" in capsys.readouterr().err
    assert not out.exists() and not marker.exists()
    (tmp_path / "text.pkl").write_text("not a pickle")
    assert main(["import-test-set", str(tmp_path / "text.pkl"), "--env", "teachgym/Parkour-v0", "--out",
                 str(out)]) == 2
    assert "not a readable pickle" in capsys.readouterr().err and not out.exists()


# ------------------------------------------------------------------------------------------ TeachMyAgent's files
@needs_tma_data
@pytest.mark.parametrize(("name", "water", "scale_note"), [
    ("walking_test_set_v1", (0.0, 0.75), "(20)"), ("climbing_test_set_v1", (0.0054, 0.8052), None),
    ("swimming_test_set_v1", (1.0, 1.0), "(10, 20)")])
def test_teachmyagents_parkour_test_sets_import_into_the_full_cppn_space(name, water, scale_note):
    imported = import_test_set(TEST_SETS / f"{name}.pkl", parkour(cppn_input_space="full"))
    tasks = imported.test_set.tasks
    assert tasks.shape == (100, 6)
    column = dict(zip(imported.test_set.names, tasks.T))
    assert (column["water_level"].min(), column["water_level"].max()) == pytest.approx(water, abs=1e-4)
    assert any("creepers_width" in note for note in imported.notes)
    scale_notes = [note for note in imported.notes if "terrain_cppn_scale" in note]
    assert [scale_note in note for note in scale_notes] == ([] if scale_note is None else [True])
    with pytest.raises(TaskError, match="outside its bounds"):  # TeachMyAgent tested beyond its "medium" box
        import_test_set(TEST_SETS / f"{name}.pkl", parkour())


@needs_tma_data
def test_teachmyagents_stump_tracks_test_set_is_the_10_by_10_grid():
    imported = import_test_set(TEST_SETS / "parametric_stumps_test_set.pkl", gym.make("teachgym/StumpTracks-v0"))
    grid = TestSet.grid(imported.test_set.task_space, 10)
    assert imported.notes == ()
    def by_rows(tasks):
        return tasks[np.lexsort(tasks.T[::-1])]

    np.testing.assert_allclose(by_rows(imported.test_set.tasks), by_rows(grid.tasks), rtol=0, atol=1e-12)
