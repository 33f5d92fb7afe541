"""The run folder: what one experiment writes, and how it is made safe against a kill at any moment.

Layout::

    config.yaml        the RunConfig
    status.json        running / done / failed (with the error), timesteps, updated time
    test_set.csv       the fixed test set
    metrics.csv        one row per evaluation
    test_returns.csv   one row per (evaluation, test task)
    curriculum.csv     one row per training episode (the curriculum trace)
    tensorboard/       SB3 and teacher scalars
    checkpoints/       the latest checkpoint (and the one before), written atomically

Tables are appended row by row and flushed, so a killed run keeps everything it wrote. A checkpoint records how many
rows each table had; resuming truncates the tables to those counts, so rows written after the checkpoint are
written again exactly once by the resumed run.
"""

from __future__ import annotations

import csv
import json
import os
import pickle
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from teachgym.errors import TeachgymError

TABLES = ("metrics", "test_returns", "curriculum")
LATEST = "LATEST"
KEPT_CHECKPOINTS = 2


class RunFolderError(TeachgymError, ValueError):
    """A run folder cannot be used as asked (it holds another run, or its checkpoint is corrupt)."""


class Table:
    """An append-only CSV table whose header is fixed by its first row (later rows may not add columns).

    Rows are flushed to the operating system as they are written: a killed process loses none of them.
    """

    def __init__(self, path: Path):
        self.path = path
        self.columns: list[str] | None = None
        self.rows = 0
        self._handle = None
        self._writer = None
        if path.exists() and path.stat().st_size:
            with path.open(newline="") as handle:
                reader = csv.reader(handle)
                self.columns = next(reader)
                self.rows = sum(1 for _ in reader)

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one row and flush it."""
        if self.columns is None:
            self.columns = list(row)
            with self.path.open("w", newline="") as handle:
                csv.writer(handle).writerow(self.columns)
        extra = [name for name in row if name not in self.columns]
        if extra:
            raise RunFolderError(f"{self.path.name}: row has columns {extra} that the table does not")
        if self._handle is None:
            self._handle = self.path.open("a", newline="")
            self._writer = csv.DictWriter(self._handle, self.columns)
        self._writer.writerow({name: _cell(row.get(name, "")) for name in self.columns})
        self._handle.flush()
        self.rows += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = self._writer = None

    def truncate(self, rows: int) -> None:
        """Keep the header and the first ``rows`` rows."""
        self.close()
        if not self.path.exists():
            if rows:
                raise RunFolderError(f"{self.path} is missing but the checkpoint counts {rows} rows in it")
            return
        with self.path.open(newline="") as handle:
            lines = list(csv.reader(handle))
        if not lines:  # killed before its header was written
            if rows:
                raise RunFolderError(f"{self.path} is empty but the checkpoint counts {rows} rows in it")
            self.path.unlink()
            self.rows, self.columns = 0, None
            return
        if len(lines) - 1 < rows:
            raise RunFolderError(f"{self.path} has {len(lines) - 1} rows but the checkpoint counts {rows}")
        with self.path.open("w", newline="") as handle:
            csv.writer(handle).writerows(lines[: rows + 1])
        self.rows = rows
        self.columns = lines[0] if lines else None

    def read(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        with self.path.open(newline="") as handle:
            return list(csv.DictReader(handle))


class RunFolder:
    """Paths, tables, status and checkpoints of one run folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.checkpoints = self.path / "checkpoints"
        self.tensorboard = self.path / "tensorboard"
        self.tables = {name: Table(self.path / f"{name}.csv") for name in TABLES}

    @property
    def config_path(self) -> Path:
        return self.path / "config.yaml"

    @property
    def test_set_path(self) -> Path:
        return self.path / "test_set.csv"

    def create(self, config: Any) -> None:
        """Make the folder with its config (anything with ``to_yaml``) in one atomic rename, so that a kill never
        leaves a folder without its config."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_name(f".{self.path.name}.{os.getpid()}.staging")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "checkpoints").mkdir(parents=True)
        config.to_yaml(staging / "config.yaml")
        if self.path.exists():
            self.path.rmdir()  # empty, or is_empty() would not have let us here
        os.rename(staging, self.path)

    def close(self) -> None:
        for table in self.tables.values():
            table.close()

    def is_empty(self) -> bool:
        return not self.path.exists() or not any(self.path.iterdir())

    # -------------------------------------------------------------------------------------------------- status
    def status(self) -> dict[str, Any]:
        """The status record ({} when there is none)."""
        try:
            return json.loads((self.path / "status.json").read_text())
        except FileNotFoundError:
            return {}
        except (OSError, json.JSONDecodeError) as error:
            raise RunFolderError(f"{self.path / 'status.json'} is unreadable: {error}") from None

    def set_status(self, state: str, *, timesteps: int, error: str | None = None) -> None:
        record = {"state": state, "timesteps": timesteps, "updated": time.strftime("%Y-%m-%dT%H:%M:%S")}
        if error is not None:
            record["error"] = error
        _atomic_write(self.path / "status.json", json.dumps(record, indent=2).encode())

    # --------------------------------------------------------------------------------------------- checkpoints
    def save_checkpoint(self, timesteps: int, files: Mapping[str, bytes | Path], progress: Mapping[str, Any]) -> None:
        """Write a checkpoint atomically: its files (bytes, or paths to move in), the progress record (with the
        current table sizes added), then the LATEST pointer; older checkpoints beyond the last two are removed."""
        name = f"step-{timesteps:012d}"
        staging = self.checkpoints / f".{name}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for file_name, content in files.items():
            if isinstance(content, Path):
                shutil.move(str(content), staging / file_name)
            else:
                (staging / file_name).write_bytes(content)
        record = {**progress, "timesteps": timesteps, "rows": {n: t.rows for n, t in self.tables.items()}}
        (staging / "progress.json").write_text(json.dumps(record))
        final = self.checkpoints / name
        shutil.rmtree(final, ignore_errors=True)
        os.replace(staging, final)
        _atomic_write(self.checkpoints / LATEST, name.encode())
        for old in sorted(p for p in self.checkpoints.iterdir() if p.is_dir() and p.name.startswith("step-"))[
            :-KEPT_CHECKPOINTS
        ]:
            shutil.rmtree(old, ignore_errors=True)

    def latest_checkpoint(self) -> Path | None:
        """The folder of the latest complete checkpoint, or None."""
        try:
            name = (self.checkpoints / LATEST).read_text().strip()
        except FileNotFoundError:
            return None
        folder = self.checkpoints / name
        if not (folder / "progress.json").is_file():
            raise RunFolderError(f"checkpoint {folder} is incomplete or missing; delete {self.checkpoints / LATEST} "
                                 f"to restart the run from scratch")
        return folder

    def load_progress(self, checkpoint: Path) -> dict[str, Any]:
        try:
            return json.loads((checkpoint / "progress.json").read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise RunFolderError(f"checkpoint {checkpoint} is corrupt: {error}") from None

    def restore_tables(self, progress: Mapping[str, Any]) -> None:
        """Truncate every table to its size at the checkpoint."""
        for name, table in self.tables.items():
            table.truncate(int(progress["rows"].get(name, 0)))


def load_pickle(path: Path) -> Any:
    """Unpickle a checkpoint file, turning any failure into a RunFolderError naming the file."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception as error:  # a corrupt pickle can raise almost anything
        raise RunFolderError(f"checkpoint file {path} is corrupt or unreadable: {error}") from None


def _atomic_write(path: Path, content: bytes) -> None:
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_bytes(content)
    os.replace(staging, path)


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return json.dumps(list(value))
    return value
