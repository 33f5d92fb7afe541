"""The run folder: what one experiment writes, and how it is made safe against a kill at any moment.

Layout::

    config.yaml        the RunConfig
    status.json        running / done / failed (with the error), timesteps, updated time; once done, the wall time
    environment.json   a list: one record per start or resume (timesteps, versions, commit, CPU, GPU)
    test_set.csv       the fixed test set
    metrics.csv        one row per evaluation
    test_returns.csv   one row per (evaluation, test task)
    curriculum.csv     one row per training episode (the curriculum trace)
    tensorboard/       SB3 and teacher scalars
    checkpoints/       the latest checkpoint (and the one before), written atomically

Beside the folder, ``.<name>.lock`` is the claim of the process running the run: an exclusive ``flock`` that the
operating system drops when that process ends, killed or not, so two processes never run one run and a kill leaves
no stale claim.

Tables are appended row by row, each row in one write that is undone when it fails (a full disk), so a killed run
keeps every row it wrote and none half-written. A checkpoint records how many rows each table had and the SHA-256 of
each of its files; resuming cuts the tables back to those counts, so rows written after the checkpoint are written
again exactly once by the resumed run. A checkpoint that is damaged (a file that does not match its digest, a table
shorter than it counts) is passed over for the one before it. Files and folders whose name starts with a dot are a
writer's staging copies: a kill may leave them, and the next process to claim the folder removes them.

Over 300 lines (about 640) because the atomic table writes, the claim and the checkpoint digests all guard the same
files and must change together: a split would put one guarantee's halves in two modules.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from teachgym.errors import TeachgymError

from .states import WRITTEN_STATES, RunState

try:
    import fcntl
except ImportError:  # Windows has no flock: there, keeping one process per run folder is the user's job
    fcntl = None

TABLES = ("metrics", "test_returns", "curriculum")
LATEST = "LATEST"
PROGRESS = "progress.json"
ENVIRONMENT = "environment.json"
KEPT_CHECKPOINTS = 2
CHECKPOINT_NAME = re.compile(r"step-(\d{12})")
STAGING = "."  # the first character of every staging file or folder a writer makes
FULL_DISK = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded"}
DIGEST_CHUNK = 1 << 20
CLAIM_RETRY_SECONDS = 1.0  # how long a claim waits for a holder's pid to appear, or its lock to go


class RunFolderError(TeachgymError, ValueError):
    """A run folder cannot be used as asked (it holds another run, a file in it is corrupt, or the disk is full)."""


class RunFolderBusy(RunFolderError):
    """Another process holds the run folder's claim: it is running that run now. ``pid`` is its process id (None
    when it could not be read)."""

    def __init__(self, path: Path, pid: int | None):
        self.path = path
        self.pid = pid
        super().__init__(f"{path} is in use by {holder(pid)}; it is running that run now")


def holder(pid: int | None) -> str:
    """How messages name the process holding a claim: ``another process (pid N)``."""
    return f"another process (pid {pid})" if pid else "another process (pid unknown)"


def write_error(path: Path, error: OSError) -> RunFolderError:
    """The typed error for a failed write of ``path``; a full disk says so in those words."""
    reason = FULL_DISK.get(error.errno)
    if reason:
        return RunFolderError(f"{reason} while writing {path}; free some space and run again to resume")
    return RunFolderError(f"cannot write {path}: {error.strerror or error}")


@contextlib.contextmanager
def writing(path: Path, staging: Path | None = None) -> Iterator[None]:
    """Turn an OSError raised in the block into a RunFolderError naming ``path``, after removing ``staging`` (the
    block's temporary file or folder), so that a failed write leaves nothing behind."""
    try:
        yield
    except OSError as error:
        if staging is not None:
            if staging.is_dir() and not staging.is_symlink():
                shutil.rmtree(staging, ignore_errors=True)
            else:
                staging.unlink(missing_ok=True)
        raise write_error(path, error) from None


def atomic_write(path: Path, content: bytes) -> None:
    """Replace ``path`` by ``content`` in one rename: readers and a later kill see the old file or the new one,
    never a mix. The staging copy is named by process, so that two writers never share one.

    Raises:
        RunFolderError: naming ``path`` when the write fails (a full disk); the old file is left as it was.
    """
    staging = path.with_name(f"{STAGING}{path.name}.{os.getpid()}.tmp")
    try:
        staging.write_bytes(content)
        os.replace(staging, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            staging.unlink()
        raise write_error(path, error) from None


@contextlib.contextmanager
def locked(path: Path, *, wait: bool = True) -> Iterator[int]:
    """Hold an exclusive ``flock`` on ``path`` (created if needed) for the block; yields its descriptor. Without
    ``wait``, a lock held elsewhere raises BlockingIOError at once. The operating system releases the lock when the
    process dies, so a kill never leaves a stale one."""
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        yield descriptor
    finally:
        os.close(descriptor)


class TableRecord(NamedTuple):
    """One CSV record of a table (see :meth:`Table.records`)."""

    fields: list[str]
    end: int
    complete: bool
    line: int


class Table:
    """An append-only CSV table whose header is fixed by its first row (later rows may not add columns).

    Each row goes to the operating system in one write as it is appended: a killed process loses none of them. A
    write that fails part way (a full disk) is cut back, so the table never holds half a row of its own.
    """

    def __init__(self, path: Path):
        self.path = path
        self._columns: list[str] | None = None
        self._rows: int | None = None  # read from the file when first needed
        self._descriptor: int | None = None
        self._size = 0  # of the file, while it is open for appending

    @property
    def columns(self) -> list[str] | None:
        self._load()
        return self._columns

    @property
    def rows(self) -> int:
        """The complete rows in the table (a row cut mid-way at the end does not count)."""
        self._load()
        return self._rows

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one row.

        Raises:
            RunFolderError: if the row has a column the table does not, or the write fails (a full disk).
        """
        if self.columns is None:
            columns = list(row)
            self._write(_csv_line(columns), fresh=True)
            self._columns = columns
        extra = [name for name in row if name not in self._columns]
        if extra:
            raise RunFolderError(f"{self.path.name}: row has columns {extra} that the table does not")
        self._write(_csv_line([_cell(row.get(name, "")) for name in self._columns]))
        self._rows += 1

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def end_of(self, rows: int) -> int:
        """The byte offset where the table's ``rows``-th row ends (0 when there is no table to keep).

        Raises:
            RunFolderError: naming the file, if it has fewer complete rows than ``rows`` or a row or header that
                does not parse.
        """
        records = self.records()
        header = next(records, None)
        if header is None or not header.complete:  # no header, or half of one: the table was never begun
            if rows:
                raise RunFolderError(f"{self.path} is missing or empty but the checkpoint counts {rows} rows in it")
            return 0
        end, found = header.end, 0
        for fields, record_end, complete, _ in records:
            if found == rows or not complete:
                break
            found += 1
            if len(fields) != len(header.fields):
                raise RunFolderError(f"{self.path} is corrupt: row {found} has {len(fields)} fields, the header "
                                     f"{len(header.fields)}")
            end = record_end
        if found < rows:
            raise RunFolderError(f"{self.path} has {found} complete rows but the checkpoint counts {rows}")
        return end

    def truncate(self, rows: int) -> None:
        """Keep the header and the first ``rows`` rows: one cut of the file at the end of that row, so that a kill
        at any moment leaves either the whole table or the cut one, and a row cut mid-way goes too.

        Raises:
            RunFolderError: as :meth:`end_of`.
        """
        self.close()
        end = self.end_of(rows)
        with writing(self.path):
            if end == 0:
                self.path.unlink(missing_ok=True)
            elif self.path.stat().st_size != end:
                os.truncate(self.path, end)
        self._columns = self._rows = None

    def read(self) -> list[dict[str, str]]:
        """The complete rows as dictionaries.

        Raises:
            RunFolderError: naming the file, if it does not parse.
        """
        records = self.records()
        header = next(records, None)
        if header is None or not header.complete:
            return []
        return [dict(zip(header.fields, record.fields)) for record in records if record.complete]

    def _load(self) -> None:
        if self._rows is not None:
            return
        records = self.records()
        header = next(records, None)
        if header is None or not header.complete:
            self._columns, self._rows = None, 0
        else:
            self._columns, self._rows = header.fields, sum(record.complete for record in records)

    def records(self) -> Iterator[TableRecord]:
        """Each CSV record of the file, header first (none when the file does not exist): its fields, the byte
        offset where it ends, whether it ends with a line break (the last one may not: a row cut by a kill or by a
        full disk) and the line it ends on. Every reader of a run's tables (the run itself, the report) parses
        them here.

        Raises:
            RunFolderError: naming the file (and the line, or the byte) for a file that is unreadable, not UTF-8
                text, holds a NUL byte (what a crash leaves in blocks never written; csv would take it as text) or a
                record csv cannot parse.
        """
        consumed, last, number = 0, b"", 0

        def lines() -> Iterator[str]:
            nonlocal consumed, last, number
            with self.path.open("rb") as handle:
                for last in handle:
                    number += 1
                    try:
                        text = last.decode("utf-8")
                    except UnicodeDecodeError as error:
                        raise RunFolderError(f"{self.path} is not UTF-8 text (byte {consumed + error.start}); "
                                             f"expected a CSV table") from None
                    if "\0" in text:
                        raise RunFolderError(f"{self.path}, line {number}: a NUL byte; expected a CSV table (the file "
                                             f"is damaged)")
                    consumed += len(last)
                    yield text

        if not self.path.exists():
            return
        reader = csv.reader(lines())
        try:
            for fields in reader:
                yield TableRecord(fields, consumed, last.endswith(b"\n"), number)
        except csv.Error as error:
            raise RunFolderError(f"{self.path}, line {number}: not a CSV row ({error})") from None
        except OSError as error:
            raise RunFolderError(f"{self.path} is unreadable: {error.strerror or error}") from None

    def _write(self, data: bytes, *, fresh: bool = False) -> None:
        with writing(self.path):
            if fresh:
                self.close()
            if self._descriptor is None:
                flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if fresh else 0)
                self._descriptor = os.open(self.path, flags, 0o666)
                self._size = os.fstat(self._descriptor).st_size  # the claim makes this the only writer
        try:
            written = 0
            while written < len(data):
                written += os.write(self._descriptor, data[written:])
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(self._descriptor, self._size)
            raise write_error(self.path, error) from None
        self._size += len(data)


class RunFolder:
    """Paths, tables, status, claim and checkpoints of one run folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.checkpoints = self.path / "checkpoints"
        self.tensorboard = self.path / "tensorboard"
        self.tables = {name: Table(self.path / f"{name}.csv") for name in TABLES}
        self.notes: list[str] = []
        """remarks every status record written by this object carries (a checkpoint passed over on resume)"""

    @property
    def config_path(self) -> Path:
        return self.path / "config.yaml"

    @property
    def test_set_path(self) -> Path:
        return self.path / "test_set.csv"

    @property
    def lock_path(self) -> Path:
        """The claim's lock file, beside the folder (inside it, it would race the folder's atomic creation)."""
        path = Path(os.path.abspath(self.path))
        return path.parent / f"{STAGING}{path.name}.lock"

    @contextlib.contextmanager
    def claim(self) -> Iterator[None]:
        """Hold the folder for this process during the block: no other process can claim it meanwhile. The claim
        is a non-blocking ``flock`` on :attr:`lock_path`, which holds the holder's pid for messages.

        Raises:
            RunFolderBusy: if another process holds the claim (at once, or within :data:`CLAIM_RETRY_SECONDS`
                when it meets the holder between its lock and its pid).
        """
        deadline = time.monotonic() + CLAIM_RETRY_SECONDS
        with contextlib.ExitStack() as stack:
            while True:
                try:
                    descriptor = stack.enter_context(locked(self.lock_path, wait=False))
                    break
                except BlockingIOError:
                    # A holder writes its pid just after locking and blanks it just before unlocking: a blank pid
                    # under a held lock is one of those moments, so try again rather than name no holder.
                    pid = _read_pid(self.lock_path)
                    if pid is not None or time.monotonic() >= deadline:
                        raise RunFolderBusy(self.path, pid) from None
                    time.sleep(0.005)
            with contextlib.suppress(OSError):  # the pid is for messages only; a full disk may refuse it
                os.pwrite(descriptor, f"{os.getpid():>10}\n".encode(), 0)
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    os.pwrite(descriptor, b" " * 10 + b"\n", 0)

    def claimed_by(self) -> int | None:
        """The pid written by the process holding the claim, or None (it reads the lock file without locking: a
        process killed while holding it leaves its pid there)."""
        return _read_pid(self.lock_path)

    def create(self, config: Any) -> None:
        """Make the folder with its config (anything with ``to_yaml``) in one atomic rename, so that a kill never
        leaves a folder without its config. Call it while holding the claim: it removes the staging folders earlier
        processes left beside it.

        Raises:
            RunFolderError: if the folder cannot be written (a full disk); nothing is left behind.
        """
        parent, prefix = self.path.parent, f"{STAGING}{self.path.name}."
        with writing(parent):
            parent.mkdir(parents=True, exist_ok=True)
            for stale in parent.iterdir():
                if stale.name.startswith(prefix) and stale.name.endswith(".staging"):
                    shutil.rmtree(stale, ignore_errors=True)
        staging = parent / f"{prefix}{os.getpid()}.staging"
        try:
            (staging / "checkpoints").mkdir(parents=True)
            config.to_yaml(staging / "config.yaml")
            if self.path.exists():
                self.path.rmdir()  # empty, or is_empty() would not have let us here
            os.rename(staging, self.path)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise write_error(self.config_path, error) from None

    def remove_staging(self) -> None:
        """Remove the staging copies a killed writer left in the folder (``.<file>.<pid>.tmp``) and in its checkpoints
        (every name there that starts with a dot). Call it while holding the claim."""
        if self.path.is_dir():
            for stale in self.path.iterdir():
                if stale.name.startswith(STAGING) and stale.name.endswith(".tmp") and stale.is_file():
                    stale.unlink(missing_ok=True)
        if self.checkpoints.is_dir():
            for stale in self.checkpoints.iterdir():
                if stale.name.startswith(STAGING):
                    if stale.is_dir() and not stale.is_symlink():
                        shutil.rmtree(stale, ignore_errors=True)
                    else:
                        stale.unlink(missing_ok=True)

    def close(self) -> None:
        for table in self.tables.values():
            table.close()

    def is_empty(self) -> bool:
        return not self.path.exists() or not any(self.path.iterdir())

    # -------------------------------------------------------------------------------------------------- status
    def status(self) -> dict[str, Any]:
        """The status record ({} when there is none).

        Raises:
            RunFolderError: naming status.json, if it does not parse.
        """
        path = self.path / "status.json"
        try:
            record = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise RunFolderError(f"{path} is unreadable: {error}") from None
        if not isinstance(record, dict):
            raise RunFolderError(f"{path} is unreadable: expected a JSON object, got {type(record).__name__}")
        return record

    def state(self) -> RunState | None:
        """The run's state as its status.json says (None when there is none).

        Raises:
            RunFolderError: naming status.json, if it does not parse or holds a state no run writes.
        """
        record = self.status()
        if not record:
            return None
        if record.get("state") not in WRITTEN_STATES:
            raise RunFolderError(f"{self.path / 'status.json'}: state {record.get('state')!r}; expected running, "
                                 f"done or failed")
        return RunState(record["state"])

    def set_status(self, state: RunState, *, timesteps: int, error: str | None = None,
                   wall_time: float | None = None) -> None:
        """Write the status record atomically (``wall_time``: the seconds a done run trained, over all its starts).

        Raises:
            RunFolderError: if it cannot be written (a full disk); the previous record stays.
        """
        record = {"state": state, "timesteps": timesteps, "updated": time.strftime("%Y-%m-%dT%H:%M:%S")}
        if error is not None:
            record["error"] = error
        if wall_time is not None:
            record["wall_time"] = round(wall_time, 3)
        if self.notes:
            record["notes"] = self.notes
        atomic_write(self.path / "status.json", json.dumps(record, indent=2).encode())

    # --------------------------------------------------------------------------------------------- environment
    @property
    def environment_path(self) -> Path:
        return self.path / ENVIRONMENT

    def environments(self) -> list[dict[str, Any]]:
        """The environment records, one per start or resume of the run, oldest first ([] when there is no
        environment.json: a run folder written before teachgym recorded them).

        Raises:
            RunFolderError: naming environment.json, if it does not parse or is not a list of records with the
                timesteps and the versions.
        """
        path = self.environment_path
        try:
            records = json.loads(path.read_text())
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            raise RunFolderError(f"{path} is unreadable: {error}") from None
        if not isinstance(records, list) or not records:
            raise RunFolderError(f"{path} is unreadable: expected a non-empty JSON list of records, got "
                                 f"{type(records).__name__}")
        for number, record in enumerate(records, 1):
            if not (isinstance(record, dict) and isinstance(record.get("timesteps"), int)
                    and isinstance(record.get("versions"), dict)
                    and all(isinstance(value, str) for value in record["versions"].values())):
                raise RunFolderError(f"{path} is unreadable: record {number} lacks the timesteps or the versions")
        return records

    def record_environment(self, record: Mapping[str, Any]) -> None:
        """Append ``record`` to environment.json, rewritten atomically. An unreadable file is replaced by a new list
        (a note in the status says so), so that a damaged record never stops a run.

        Raises:
            RunFolderError: if it cannot be written (a full disk); the previous file stays.
        """
        try:
            records = self.environments()
        except RunFolderError as error:
            self.notes.append(f"{error}; it was replaced by a new record")
            records = []
        atomic_write(self.environment_path, json.dumps([*records, dict(record)], indent=2).encode())

    # --------------------------------------------------------------------------------------------- checkpoints
    def save_checkpoint(self, timesteps: int, files: Mapping[str, bytes | Path], progress: Mapping[str, Any]) -> None:
        """Write a checkpoint atomically: its files (bytes, or paths to move in), the progress record (with the
        current table sizes and every file's SHA-256 added), then the LATEST pointer. Checkpoints beyond the last
        two are removed, and so are any of later steps (left by a run that resumed from an earlier one).

        Raises:
            RunFolderError: naming the file, if a write fails (a full disk); the previous checkpoint stays the
                latest and no staging copy is left.
        """
        name = f"step-{timesteps:012d}"
        staging = self.checkpoints / f"{STAGING}{name}.tmp"
        final = self.checkpoints / name
        replaced = self.checkpoints / f"{STAGING}{name}.replaced"
        writing_now = final  # what an error names: the file as it will be called, not its staging copy
        try:
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            digests = {}
            for file_name, content in files.items():
                writing_now = final / file_name
                if isinstance(content, Path):
                    shutil.move(str(content), staging / file_name)
                else:
                    (staging / file_name).write_bytes(content)
                digests[file_name] = _digest(staging / file_name)
            record = {**progress, "timesteps": timesteps, "rows": {n: t.rows for n, t in self.tables.items()},
                      "files": digests}
            writing_now = final / PROGRESS
            (staging / PROGRESS).write_text(json.dumps(record))
            writing_now = final
            if final.exists():  # the same step again: moved aside, so that the new one can take its name at once
                shutil.rmtree(replaced, ignore_errors=True)
                os.rename(final, replaced)
            os.replace(staging, final)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise write_error(writing_now, error) from None
        atomic_write(self.checkpoints / LATEST, name.encode())
        shutil.rmtree(replaced, ignore_errors=True)
        steps = sorted(self._checkpoint_folders().items())
        earlier = [path for step, path in steps if step <= timesteps]
        for path in earlier[:-KEPT_CHECKPOINTS] + [path for step, path in steps if step > timesteps]:
            shutil.rmtree(path, ignore_errors=True)

    def checkpoint_candidates(self) -> list[Path]:
        """The checkpoints a resume may start from, best first: the one LATEST names, then the earlier ones, latest
        first (LATEST may name a missing or damaged checkpoint after a kill or a disk failure). [] when there is no
        LATEST (the run starts over).

        Raises:
            RunFolderError: if LATEST names anything but a checkpoint folder of this run folder (a path, ``..``):
                pickles are only ever read from this folder's own checkpoints.
        """
        pointer = self.checkpoints / LATEST
        try:
            name = pointer.read_text().strip()
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            raise RunFolderError(f"{pointer} is unreadable: {error}") from None
        match = CHECKPOINT_NAME.fullmatch(name)
        if match is None:
            raise RunFolderError(f"{pointer} names {name[:80]!r}, not a checkpoint of this run folder (expected "
                                 f"step-<12 digits>); checkpoints are only read from {self.checkpoints}")
        latest = int(match.group(1))
        earlier = sorted(((step, path) for step, path in self._checkpoint_folders().items() if step < latest),
                         reverse=True)
        return [self.checkpoints / name, *(path for _, path in earlier)]

    def latest_checkpoint(self) -> Path | None:
        """The checkpoint folder LATEST names (which a resume checks before using it), or None."""
        candidates = self.checkpoint_candidates()
        return candidates[0] if candidates else None

    def load_progress(self, checkpoint: Path) -> dict[str, Any]:
        """The progress record of ``checkpoint``, after checking that each of its files has the SHA-256 recorded
        when it was written.

        Raises:
            RunFolderError: naming the file that is missing, unreadable or does not match.
        """
        if checkpoint.is_symlink() or checkpoint.resolve().parent != self.checkpoints.resolve():
            raise RunFolderError(f"checkpoint {checkpoint} is a link out of {self.checkpoints}; checkpoints are only "
                                 f"read from the run folder itself")
        path = checkpoint / PROGRESS
        try:
            record = json.loads(path.read_text())
        except FileNotFoundError:
            raise RunFolderError(f"checkpoint {checkpoint} is incomplete or missing (no {PROGRESS})") from None
        except (OSError, ValueError) as error:
            raise RunFolderError(f"checkpoint file {path} is corrupt: {error}") from None
        if not (isinstance(record, dict) and isinstance(record.get("rows"), dict)
                and isinstance(record.get("timesteps"), int)):
            raise RunFolderError(f"checkpoint file {path} is corrupt: it lacks the timesteps or the table sizes")
        for file_name, digest in record.get("files", {}).items():  # checkpoints written before digests have none
            file_path = checkpoint / Path(file_name).name
            try:
                matches = _digest(file_path) == digest
            except OSError as error:
                raise RunFolderError(f"checkpoint file {file_path} is missing or unreadable: "
                                     f"{error.strerror or error}") from None
            if not matches:
                raise RunFolderError(f"checkpoint file {file_path} is corrupt: its content is not what was written "
                                     f"(SHA-256 mismatch)")
        return record

    def table_ends(self, rows: Mapping[str, int]) -> dict[str, int]:
        """Where each table ends after the counted rows (see :meth:`Table.end_of`), checking that it has them."""
        return {name: table.end_of(int(rows.get(name, 0))) for name, table in self.tables.items()}

    def restore_tables(self, rows: Mapping[str, int]) -> None:
        """Cut every table back to its row count at a checkpoint (all of them to none without one)."""
        for name, table in self.tables.items():
            table.truncate(int(rows.get(name, 0)))

    def _checkpoint_folders(self) -> dict[int, Path]:
        if not self.checkpoints.is_dir():
            return {}
        folders = {}
        for path in self.checkpoints.iterdir():
            match = CHECKPOINT_NAME.fullmatch(path.name)
            if match and path.is_dir() and not path.is_symlink():
                folders[int(match.group(1))] = path
        return folders


def load_pickle(path: Path) -> Any:
    """Unpickle a checkpoint file, turning any failure into a RunFolderError naming the file. Only call it on files
    of a run folder you trust: unpickling runs code."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception as error:  # a corrupt pickle can raise almost anything
        raise RunFolderError(f"checkpoint file {path} is corrupt or unreadable: {error}") from None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_bytes()[:32].strip() or 0) or None
    except (OSError, ValueError):
        return None


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(DIGEST_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _csv_line(values: Sequence[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue().encode()


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return json.dumps(list(value))
    return value
