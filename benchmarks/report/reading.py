"""Reading run folders for the report and ``teachgym show``: one :class:`RunRecord` per run folder, with its scores,
or with the reason it cannot be used (failed, interrupted, without evaluations, or damaged: a run file that cannot be
read, naming the file and what is wrong), never an exception.

Runs are labelled (env, teacher, student): a run folder in the sweep layout ``<env>/<teacher>/<student>/seed-<n>``
takes its labels from those folder names (the sweep's labels, which tell apart two settings of one teacher); any
other run takes the default labels from its ``config.yaml`` (the env id without namespace and version, the teacher
name, the student name).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from teachgym.errors import TeachgymError, did_you_mean

from .. import provenance
from ..config import RunConfig, env_label
from ..run_folder import RunFolder, RunFolderError, Table
from ..states import WRITTEN_STATES, RunState
from ..statistics import CVAR_ALPHA, area_under_curve, cvar

__all__ = ["BASELINE", "ReportError", "RunRecord", "find_runs", "group_runs", "read_columns", "read_run"]

BASELINE = "random"  # the teacher every other is compared with
SEED_FOLDER = re.compile(r"^seed-(\d+)$")
METRICS = ("timesteps", "mastered_share", "mean_test_return")
TEST_RETURNS = ("timesteps", "return")
UNKNOWN_VERSIONS = "unknown"

Sections = dict[tuple[str, str], dict[str, list["RunRecord"]]]
"""(env, student) -> teacher -> the teacher's runs (see :func:`group_runs`)"""


class ReportError(TeachgymError, ValueError):
    """A folder cannot be reported on (it is missing or holds no run), or a run table is malformed."""


@dataclass(frozen=True)
class RunRecord:
    """One run folder as the report (and ``teachgym show``) sees it.

    ``state`` is the status's (running, done, failed; unknown without a status.json), or ``damaged`` when a run file
    cannot be read; ``problem`` says why the run is not used (None when it is): for a damaged run, which file and
    what is wrong. ``timesteps`` and ``mastered_share`` are the evaluations'; ``timesteps_done`` the status's.
    """

    path: Path
    run_id: str
    env: str
    teacher: str
    student: str
    seed: int | None
    config: RunConfig | None
    state: RunState
    problem: str | None = None
    timesteps: np.ndarray | None = None
    mastered_share: np.ndarray | None = None
    final: float = np.nan
    auc: float = np.nan
    timesteps_done: int = 0
    test_return: float = np.nan
    """the mean test return at the last evaluation"""
    error: str | None = None
    """the error a failed run recorded"""
    cvar: float = np.nan
    """CVaR at alpha 0.1 of the test returns at the last evaluation (NaN when test_returns.csv is absent)"""
    environments: tuple[dict, ...] = ()
    """the run's environment.json records, one per start or resume (empty without the file)"""

    @property
    def version_sets(self) -> tuple[str, ...]:
        """The distinct version sets the run ran with, in the order it first used them (``unknown`` without an
        environment.json)."""
        lines = dict.fromkeys(provenance.versions_line(record) for record in self.environments)
        return tuple(lines) or (UNKNOWN_VERSIONS,)



def find_runs(folder: str | Path) -> list[RunRecord]:
    """Every run folder in ``folder`` (``folder`` itself when it holds a config.yaml), read (:func:`read_run`), in
    path order.

    Raises:
        ReportError: when ``folder`` is not a folder or holds no config.yaml anywhere below it.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ReportError(f"{root} is not a folder; expected a sweep folder or a run folder")
    paths = [root] if (root / "config.yaml").is_file() else sorted(p.parent for p in root.rglob("config.yaml"))
    if not paths:
        raise ReportError(f"{root} holds no runs (no folder with a config.yaml below it); expected a sweep folder "
                          f"or a run folder")
    return [read_run(path, root) for path in paths]




def group_runs(runs: Sequence[RunRecord]) -> Sections:
    """The used runs (``problem`` None) by (env, student), sorted, then by teacher: the baseline first, then the
    others by name; each teacher's runs by seed."""
    sections: Sections = defaultdict(lambda: defaultdict(list))
    for record in runs:
        if record.problem is None:
            sections[record.env, record.student][record.teacher].append(record)
    return {key: _ordered(sections[key]) for key in sorted(sections)}


def _ordered(by_teacher: dict[str, list[RunRecord]]) -> dict[str, list[RunRecord]]:
    """The baseline first, then the teachers by name; each teacher's runs by seed."""
    names = sorted(by_teacher, key=lambda name: (name != BASELINE, name))
    return {name: sorted(by_teacher[name], key=lambda r: (r.seed is None, r.seed or 0)) for name in names}


def read_run(path: str | Path, root: str | Path | None = None) -> RunRecord:
    """Read one run folder; a damaged one (a run file that cannot be read) gives a record in state ``damaged`` whose
    ``problem`` names the file and what is wrong, never an exception.

    ``root`` is the folder the run id is relative to (a sweep folder; default: the run folder itself, id ".").
    """
    path = Path(path)
    root = path if root is None else Path(root)
    parts = path.relative_to(root).parts
    damage = None
    try:
        config = RunConfig.from_yaml(path / "config.yaml")
    except TeachgymError as error:
        config, damage = None, str(error)
    if len(parts) >= 4 and SEED_FOLDER.match(parts[-1]):
        env, teacher, student = parts[-4:-1]
    elif config is not None:
        env, teacher, student = env_label(config.env), config.teacher, config.student
    else:
        env = teacher = student = "?"
    seed_folder = SEED_FOLDER.match(path.name)
    seed = config.seed if config is not None else int(seed_folder.group(1)) if seed_folder else None
    status, status_damage = _read_status(path)
    damage = damage or status_damage
    environments: list[dict] = []
    try:
        environments = RunFolder(path).environments()
    except RunFolderError as error:
        damage = damage or str(error)
    state = RunState(status["state"]) if status else RunState.UNKNOWN
    columns = None
    try:
        # A running run may be writing its last row; a done one wrote every row whole.
        columns = read_columns(path / "metrics.csv", METRICS, complete=state is RunState.DONE,
                               missing_ok=state is not RunState.DONE)
        _check_metrics(path / "metrics.csv", columns)
    except ReportError as error:
        damage = damage or str(error)
    if damage is None and state is RunState.DONE and not len(columns["timesteps"]):
        damage = f"{path / 'metrics.csv'} holds no evaluation, though status.json says the run is done"
    record = RunRecord(path, path.relative_to(root).as_posix(), env, teacher, student, seed, config,
                       RunState.DAMAGED if damage else state, damage, timesteps_done=status.get("timesteps", 0),
                       error=status.get("error"), environments=tuple(environments))
    if damage is not None:
        return record
    evaluations = len(columns["timesteps"])
    record = replace(record, test_return=float(columns["mean_test_return"][-1]) if evaluations else np.nan,
                     timesteps=columns["timesteps"], mastered_share=columns["mastered_share"])
    if state is not RunState.DONE:
        return replace(record, problem={RunState.FAILED: f"failed: {status.get('error', 'no error recorded')}",
                                        RunState.RUNNING: "running or interrupted (status running)"}.get(
                                            state, "no status.json"))
    try:
        worst = _final_cvar(path / "test_returns.csv", columns["timesteps"][-1])
    except ReportError as error:
        return replace(record, state=RunState.DAMAGED, problem=str(error))
    return replace(record, final=float(columns["mastered_share"][-1]),
                   auc=area_under_curve(columns["timesteps"], columns["mastered_share"]), cvar=worst)


def _final_cvar(path: Path, last: float) -> float:
    """CVaR of the test returns of the evaluation at timesteps ``last`` (NaN when the file or that evaluation is
    absent: run folders of other tools).

    Raises:
        ReportError: naming the file, when it is malformed or holds a return that is not finite.
    """
    columns = read_columns(path, TEST_RETURNS, missing_ok=True)
    returns = columns["return"][columns["timesteps"] == last]
    if not returns.size:
        return np.nan
    if not np.all(np.isfinite(returns)):
        raise ReportError(f"{path}: a return of the last evaluation is {returns[~np.isfinite(returns)][0]:g}; "
                          f"expected finite returns")
    return cvar(returns, CVAR_ALPHA)


def _read_status(path: Path) -> tuple[dict, str | None]:
    """The run's status record ({} when there is none) and what is wrong with it (None when nothing is): RunFolder
    checks that it is a JSON object, this that its fields have the types a run writes."""
    file = path / "status.json"
    try:
        status = RunFolder(path).status()
    except RunFolderError as error:
        return {}, str(error)
    if status and status.get("state") not in WRITTEN_STATES:
        return {}, f"{file}: state {status.get('state')!r}; expected running, done or failed"
    timesteps = status.get("timesteps", 0)
    if isinstance(timesteps, bool) or not isinstance(timesteps, int) or timesteps < 0:
        return {}, f"{file}: timesteps {timesteps!r}; expected an integer >= 0"
    if not isinstance(status.get("error", ""), str):
        return {}, f"{file}: error {status['error']!r}; expected the text of an error"
    return status, None


def read_columns(path: Path, names: Sequence[str], prefix: str | None = None, *, complete: bool = True,
                 missing_ok: bool = False) -> dict[str, np.ndarray]:
    """The numeric columns ``names`` (plus every column starting with ``prefix``) of a CSV table written by a run,
    parsed by the run folder's own table reader (:meth:`~..run_folder.Table.records`).

    With ``complete``, a last row without its line end (cut mid-way) is damage; without, it is a row being written
    and left out. With ``missing_ok``, a missing or empty file has no rows.

    Raises:
        ReportError: naming the file (and the line) for a missing, unreadable or non-text file, a missing column, a
            row with more or fewer fields than the header, or a cell that is not a number.
    """
    empty = {name: np.empty(0) for name in names}
    if not path.exists():
        if missing_ok:
            return empty
        raise ReportError(f"{path} is missing")
    try:
        records = [record for record in Table(path).records() if record.fields]
    except RunFolderError as error:
        raise ReportError(str(error)) from None
    if records and not records[-1].complete:
        if complete:
            raise ReportError(f"{path}, line {records[-1].line}: the last row is cut mid-way (no line end); the file "
                              f"is damaged")
        records.pop()
    if not records:
        if missing_ok:
            return empty
        raise ReportError(f"{path} is empty; expected a header with the columns {list(names)}")
    header, rows = records[0].fields, records[1:]
    for name in names:
        if name not in header:
            raise ReportError(f"{path} has no column {name!r}{did_you_mean(name, header)}; its columns are {header}")
    wanted = [*names, *(column for column in header if prefix is not None and column.startswith(prefix))]
    indices = [header.index(name) for name in wanted]
    values = np.empty((len(rows), len(wanted)))
    for number, row in enumerate(rows):
        if len(row.fields) != len(header):
            raise ReportError(f"{path}, line {row.line}: {len(row.fields)} fields, the header has {len(header)}; the "
                              f"row is cut or damaged")
        for k, index in enumerate(indices):
            try:
                values[number, k] = float(row.fields[index])
            except ValueError:
                raise ReportError(f"{path}, line {row.line}, column {wanted[k]!r}: {row.fields[index]!r} is not a "
                                  f"number") from None
    return {name: values[:, k] for k, name in enumerate(wanted)}


def _check_metrics(path: Path, columns: dict[str, np.ndarray]) -> None:
    """Raise ReportError for evaluations no run writes: timesteps that do not increase, a share outside [0, 1]."""
    steps, shares = columns["timesteps"], columns["mastered_share"]
    for index in range(len(steps)):
        line = index + 2  # the header is line 1; a run writes one line per row
        if not math.isfinite(steps[index]):
            raise ReportError(f"{path}, line {line}: timesteps {steps[index]:g}; expected a finite number")
        if index and steps[index] <= steps[index - 1]:
            raise ReportError(f"{path}, line {line}: timesteps {steps[index]:g} after {steps[index - 1]:g}; expected "
                              f"increasing timesteps")
        if not 0 <= shares[index] <= 1:
            raise ReportError(f"{path}, line {line}: mastered_share {shares[index]:g}; expected a share in [0, 1]")


