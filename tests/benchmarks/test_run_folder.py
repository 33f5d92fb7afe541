"""Run folders against damage: a damaged checkpoint falls back to the one before, a row cut mid-way is dropped, a
corrupt file is named, LATEST cannot point out of the folder, and a folder is run by one process at a time."""

import errno
import json
import os
import pickle
import shutil
import threading
from pathlib import Path

import pytest

from teachgym.benchmarks import provenance
from teachgym.benchmarks.config import ConfigError, RunConfig
from teachgym.benchmarks.run import run
from teachgym.benchmarks.run_folder import RunFolder, RunFolderBusy, RunFolderError, Table, locked
from teachgym.benchmarks.states import RunState
from teachgym.benchmarks.sweep_safety import computed_tables

# checkpoints at 400, 800 and 1200 episodes; the last two are kept
SETTINGS = dict(env="teachgym/SimulatedStudent-v0", student="simulated", teacher="alp-gmm", total_timesteps=1200,
                eval_every=500, checkpoint_every=400, seed=5)
LATEST = "step-000000001200"
BEFORE = "step-000000000800"


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The uninterrupted run."""
    return run(RunConfig(**SETTINGS, out_dir=str(tmp_path_factory.mktemp("reference") / "run")))


@pytest.fixture
def config(tmp_path) -> RunConfig:
    return RunConfig(**SETTINGS, out_dir=str(tmp_path / "run"))


def finished_then_interrupted(config: RunConfig) -> Path:
    """A finished run whose status says running, as if it had been killed after its last checkpoint."""
    folder = run(config)
    RunFolder(folder).set_status(RunState.RUNNING, timesteps=1200)
    return folder


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def cut(path: Path, keep: float) -> None:
    """Keep the first share ``keep`` of the file's bytes."""
    os.truncate(path, int(path.stat().st_size * keep))


def cut_mid_row(path: Path, rows: int) -> None:
    """Keep the header, ``rows`` rows and half of the next row."""
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: rows + 1]) + lines[rows + 1][: len(lines[rows + 1]) // 2])


DAMAGES = {
    "teacher.pkl overwritten": lambda folder: (folder / "checkpoints" / LATEST / "teacher.pkl").write_bytes(
        os.urandom((folder / "checkpoints" / LATEST / "teacher.pkl").stat().st_size)),
    "student.pkl truncated": lambda folder: cut(folder / "checkpoints" / LATEST / "student.pkl", 0.5),
    "rng.pkl missing": lambda folder: (folder / "checkpoints" / LATEST / "rng.pkl").unlink(),
    "progress.json truncated": lambda folder: cut(folder / "checkpoints" / LATEST / "progress.json", 0.5),
    "checkpoint missing": lambda folder: shutil.rmtree(folder / "checkpoints" / LATEST),
    "curriculum.csv cut mid-row": lambda folder: cut_mid_row(folder / "curriculum.csv", 1000),
    "metrics.csv cut mid-row": lambda folder: cut_mid_row(folder / "metrics.csv", 2),
}
NAMED = {"teacher.pkl overwritten": "teacher.pkl", "student.pkl truncated": "student.pkl",
         "rng.pkl missing": "rng.pkl", "progress.json truncated": "progress.json",
         "checkpoint missing": "progress.json", "curriculum.csv cut mid-row": "curriculum.csv",
         "metrics.csv cut mid-row": "metrics.csv"}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_latest_checkpoint_falls_back_to_the_one_before(reference, config, damage):
    folder = finished_then_interrupted(config)
    kept = {name: (folder / name).read_bytes() for name in ("config.yaml", "test_set.csv")}
    DAMAGES[damage](folder)
    assert run(config, resume=True) == folder
    assert computed_tables(folder) == computed_tables(reference)  # no row lost or duplicated, and the same numbers
    status = RunFolder(folder).status()
    assert status["state"] == "done"
    [note] = status["notes"]
    assert NAMED[damage] in note and note.endswith(f"resumed from {BEFORE} instead")
    assert {name: (folder / name).read_bytes() for name in kept} == kept
    assert sorted(path.name for path in (folder / "checkpoints").iterdir()) == ["LATEST", BEFORE, LATEST]


def test_a_row_cut_mid_way_after_the_checkpoint_is_dropped_on_resume(reference, config):
    folder = finished_then_interrupted(config)
    with (folder / "curriculum.csv").open("ab") as handle:
        handle.write(b"1201,1201,0,0.53")  # a kill in the middle of a row the checkpoint does not count
    assert RunFolder(folder).tables["curriculum"].rows == 1200
    run(config, resume=True)
    assert computed_tables(folder) == computed_tables(reference)
    assert "notes" not in RunFolder(folder).status()


def test_a_table_counts_and_reads_only_complete_rows_and_cuts_the_rest(tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n3,4\r\n5,")
    table = Table(path)
    assert (table.columns, table.rows) == (["a", "b"], 2)
    assert table.read() == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]
    table.truncate(2)
    assert path.read_bytes() == b"a,b\r\n1,2\r\n3,4\r\n"
    table.append({"a": 5, "b": 6.5})
    table.close()
    assert path.read_bytes() == b"a,b\r\n1,2\r\n3,4\r\n5,6.5\r\n"
    with pytest.raises(RunFolderError, match=f"{path} has 3 complete rows but the checkpoint counts 4"):
        Table(path).truncate(4)
    path.write_bytes(b"a,b\r\n1,2\r\n3\r\n")
    with pytest.raises(RunFolderError, match=f"{path} is corrupt: row 2 has 1 fields, the header 2"):
        Table(path).truncate(2)
    path.write_bytes(b"a,b\r\n1,\x002\r\n")
    with pytest.raises(RunFolderError, match=f"{path}, line 2: a NUL byte; expected a CSV table \\(the file is "
                                             f"damaged\\)"):
        Table(path).read()


def test_damage_that_no_checkpoint_survives_is_named_and_the_folder_left_as_it_is(config):
    folder = finished_then_interrupted(config)
    with (folder / "curriculum.csv").open("r+b") as handle:  # a row both checkpoints count
        handle.seek(200)
        handle.write(b"\x00")
    before = snapshot(folder)
    with pytest.raises(RunFolderError, match=f"{folder / 'curriculum.csv'}, line 3: a NUL byte; expected a CSV table "
                                             f"\\(the file is damaged\\); the earlier checkpoints are unusable too"):
        run(config, resume=True)
    assert snapshot(folder) == before


def test_an_unreadable_status_is_named_and_a_resume_rewrites_it(reference, config):
    folder = finished_then_interrupted(config)
    (folder / "status.json").write_bytes(b'{"state": "runn')
    with pytest.raises(RunFolderError, match=f"{folder / 'status.json'} is unreadable: .*pass resume=True"):
        run(config)
    run(config, resume=True)
    assert computed_tables(folder) == computed_tables(reference)
    status = RunFolder(folder).status()
    assert status["state"] == "done" and status["notes"] == ["status.json was unreadable; the run resumed from its "
                                                             "checkpoint"]


def test_a_state_no_run_writes_is_named_and_a_resume_rewrites_it(reference, config):
    folder = finished_then_interrupted(config)
    (folder / "status.json").write_text(json.dumps({"state": "paused", "timesteps": 1200}))
    with pytest.raises(RunFolderError, match=r"status.json: state 'paused'; expected running, done or failed; pass "
                                             r"resume=True"):
        run(config)
    run(config, resume=True)
    assert computed_tables(folder) == computed_tables(reference)
    assert RunFolder(folder).state() is RunState.DONE
    assert json.loads((folder / "status.json").read_text())["state"] == "done"  # the plain word, as before


def test_an_unreadable_config_is_named_and_nothing_is_touched(config):
    folder = finished_then_interrupted(config)
    (folder / "config.yaml").write_bytes(b"env: [teachgym/Simul\x00")
    before = snapshot(folder)
    with pytest.raises(ConfigError) as raised:
        run(config, resume=True)
    assert str(raised.value).startswith(f"{folder / 'config.yaml'}: ")
    assert snapshot(folder) == before


class Trap:
    """A pickle that leaves a file behind when it is loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


@pytest.mark.parametrize("latest", ["../../elsewhere/step-000000000400", "/tmp/step-000000000400", "..",
                                    "step-000000000400/../../../elsewhere"])
def test_latest_cannot_lead_the_resume_out_of_the_run_folder(config, tmp_path, latest):
    folder = finished_then_interrupted(config)
    trap = tmp_path / "elsewhere" / "step-000000000400"
    trap.mkdir(parents=True)
    for name in ("teacher.pkl", "rng.pkl", "student.pkl"):
        (trap / name).write_bytes(pickle.dumps(Trap(tmp_path / "loaded")))
    (folder / "checkpoints" / "LATEST").write_text(latest)
    with pytest.raises(RunFolderError, match=f"LATEST names '{latest[:30]}.*not a checkpoint of this run folder"):
        run(config, resume=True)
    assert not (tmp_path / "loaded").exists()


def test_a_checkpoint_linked_from_elsewhere_is_passed_over(reference, config, tmp_path):
    folder = finished_then_interrupted(config)
    checkpoint = folder / "checkpoints" / LATEST
    outside = tmp_path / "outside"
    shutil.move(checkpoint, outside)
    (outside / "teacher.pkl").write_bytes(pickle.dumps(Trap(tmp_path / "loaded")))
    checkpoint.symlink_to(outside)
    run(config, resume=True)
    assert not (tmp_path / "loaded").exists()
    assert computed_tables(folder) == computed_tables(reference)
    assert "is a link out of" in RunFolder(folder).status()["notes"][0]


def test_a_run_another_process_holds_is_refused_at_once(config):
    folder = RunFolder(config.out_dir)
    with folder.claim():  # flock: a second open of the lock file conflicts even within one process
        with pytest.raises(RunFolderBusy, match=f"{folder.path} is in use by another process \\(pid {os.getpid()}\\)"):
            run(config)
        assert folder.claimed_by() == os.getpid()
        assert not folder.path.exists()
    assert folder.claimed_by() is None
    assert RunFolder(run(config)).status()["state"] == "done"


def test_a_claim_met_before_the_holder_wrote_its_pid_waits_for_it_and_names_it(tmp_path):
    folder = RunFolder(tmp_path / "run")
    with locked(folder.lock_path, wait=False) as descriptor:  # a holder between its flock and its pid
        writer = threading.Timer(0.05, os.pwrite, (descriptor, b"     12345\n", 0))
        writer.start()
        with pytest.raises(RunFolderBusy, match=r"in use by another process \(pid 12345\)"):
            with folder.claim():
                pass
        writer.join()


def test_a_claim_met_while_the_holder_releases_it_is_taken(tmp_path):
    folder = RunFolder(tmp_path / "run")
    lock = locked(folder.lock_path, wait=False)
    lock.__enter__()  # a holder that has blanked its pid and is about to unlock
    releaser = threading.Timer(0.05, lock.__exit__, (None, None, None))
    releaser.start()
    with folder.claim():
        assert folder.claimed_by() == os.getpid()
    releaser.join()


def _environments(folder: Path) -> list[dict]:
    return json.loads((folder / "environment.json").read_text())


def test_each_start_and_resume_appends_its_environment(reference, config):
    [start] = _environments(reference)
    assert (start["event"], start["timesteps"]) == ("start", 0)
    assert start["versions"] == provenance.versions() and start["commit"] == provenance.source_revision()
    folder = finished_then_interrupted(config)
    run(config, resume=True)
    first, resumed = _environments(folder)
    assert (resumed["event"], resumed["timesteps"]) == ("resume", 1200)
    assert {k: v for k, v in resumed.items() if k not in ("event", "timesteps", "time")} == {
        k: v for k, v in first.items() if k not in ("event", "timesteps", "time")}


def test_a_damaged_environment_file_is_replaced_on_resume_and_the_status_says_so(config):
    folder = finished_then_interrupted(config)
    (folder / "environment.json").write_text('[{"timesteps": 0')
    with pytest.raises(RunFolderError, match=f"{folder / 'environment.json'} is unreadable"):
        RunFolder(folder).environments()
    run(config, resume=True)
    [record] = _environments(folder)
    assert (record["event"], record["timesteps"]) == ("resume", 1200)
    [note] = RunFolder(folder).status()["notes"]
    assert note.startswith(f"{folder / 'environment.json'} is unreadable") and "replaced by a new record" in note


def test_a_full_disk_while_recording_the_environment_is_named_and_keeps_the_old_file(reference, monkeypatch):
    before = (reference / "environment.json").read_bytes()

    def full(self, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(RunFolderError, match=f"no space left on device while writing "
                                             f"{reference / 'environment.json'}"):
        RunFolder(reference).record_environment(provenance.environment_record(1200, event="resume"))
    monkeypatch.undo()
    assert (reference / "environment.json").read_bytes() == before
    assert not [path for path in reference.iterdir() if path.name.endswith(".tmp")]
