"""``write_report(folder)``: statistics, tables and figures of a sweep folder or of a single run folder.

Every folder below ``folder`` that holds a ``config.yaml`` is a run. A run is used when its ``status.json`` says
done and its ``metrics.csv`` has at least one evaluation; every other run (failed, interrupted, without evaluations,
or damaged: a run file that cannot be read, naming the file and what is wrong) is listed in the report with the
reason, never dropped silently, and the report is written for the others.

Runs are grouped by (env, student, teacher) labels: a run folder in the sweep layout
``<env>/<teacher>/<student>/seed-<n>`` takes its labels from those folder names (the sweep's labels, which tell apart
two settings of one teacher); any other run takes the default labels from its ``config.yaml`` (the env id without
namespace and version, the teacher name, the student name). Runs of one group whose configs differ in anything but
the seed and the folder are flagged in the report.

Per env and student, for each teacher over its seeds (statistics module for the definitions):

- final: the share of the test set mastered (``mastered_share``) at the last evaluation;
- AUC: the trapezoid area under ``mastered_share`` over timesteps, from the first to the last evaluation, divided by
  that span: the mean share mastered over the run, in [0, 1];
- CVaR: the conditional value at risk at alpha 0.1 of the test returns at the last evaluation (``test_returns.csv``):
  the mean return of the worst 10% of test tasks (the ceil(0.1 n) lowest of n); absent (n/a) without that file;
- mean and IQM of each, with a 95% stratified-bootstrap confidence interval;
- Welch's t-test and the probability of improvement of each teacher against the teacher labelled ``random``.

The report lists the version sets the used runs ran with (``environment.json``: Python, package versions, teachgym
commit; "unknown" for a run folder without one) and warns when the runs of one group, or one run across a resume, used
several.

Everything goes to ``<out or folder>/report/``: ``report.md`` (Markdown tables, figures as PNG files next to it),
``report.html`` (the same blocks as HTML, figures embedded as data URIs: the file alone is the whole report), the
PNG figures and ``scores.csv`` (one row per used run: its labels, seed, scores and folder, for other statistics).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import gymnasium as gym
import numpy as np

from teachgym.errors import TeachgymError, did_you_mean

from . import figures, provenance
from .config import RunConfig, check_output_folder, env_label
from .run_folder import RunFolder, RunFolderError
from .statistics import (
    CONFIDENCE,
    CVAR_ALPHA,
    RESAMPLES,
    Interval,
    area_under_curve,
    cvar,
    iqm,
    mean,
    probability_of_improvement,
    stratified_bootstrap_ci,
    welch_t_test,
)

__all__ = ["DAMAGED", "ReportError", "RunRecord", "find_runs", "read_run", "write_report"]

BASELINE = "random"
REPORT_FOLDER = "report"
TIME_SLICES = 4
SEED_FOLDER = re.compile(r"^seed-(\d+)$")
DAMAGED = "damaged"  # the state of a run whose files cannot be read
METRICS = ("timesteps", "mastered_share", "mean_test_return")
TEST_RETURNS = ("timesteps", "return")
UNKNOWN_VERSIONS = "unknown"
SCORES_FILE = "scores.csv"
SCORES_COLUMNS = ("env", "teacher", "student", "seed", "final_mastered_share", "auc", f"cvar_{CVAR_ALPHA:g}",
                  "run_folder")
# (name in the tables, RunRecord attribute, heading of its table)
SCORES = (("final", "final", "Final share mastered"),
          ("AUC", "auc", "Area under the curve (AUC) of the share mastered"),
          ("CVaR", "cvar", f"CVaR at alpha {CVAR_ALPHA:g} of the test returns"))
STYLE = ("body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.4}"
         "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.25em .6em;"
         "text-align:right}th:first-child,td:first-child{text-align:left}th{background:#eee}"
         "img{max-width:100%}figcaption{font-size:.9em;color:#444}code{background:#f4f4f4}")


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
    state: str
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


def write_report(folder: str | Path, *, out: str | Path | None = None, seed: int = 0) -> Path:
    """Write report.md, report.html and the PNG figures for the runs in ``folder`` into ``<out or folder>/report``.

    ``seed`` seeds the bootstrap confidence intervals. Damaged runs are listed with the reason, not used. Returns the
    report folder.

    Raises:
        ReportError: when ``folder`` does not exist or holds no run folder.
        ConfigError: when the report folder cannot be made (``out`` is a file, or lies under one); nothing is
            written.
    """
    root = Path(folder)
    runs = find_runs(root)
    target = Path(out if out is not None else root) / REPORT_FOLDER
    check_output_folder(target, "--out" if out is not None else str(root))
    target.mkdir(parents=True, exist_ok=True)
    blocks = _document(root, runs, seed)
    for block in blocks:
        if isinstance(block, Image):
            (target / block.file_name).write_bytes(block.png)
    title = f"teachgym report: {root.resolve().name}"
    (target / "report.md").write_text(_markdown([Heading(title, 1), *blocks]))
    (target / "report.html").write_text(_html([Heading(title, 1), *blocks], title))
    _write_scores(target / SCORES_FILE, [record for record in runs if record.problem is None])
    return target


def _write_scores(path: Path, runs: Sequence[RunRecord]) -> None:
    """One row per used run: labels, seed, final share, AUC, CVaR (empty when absent) and the run folder."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SCORES_COLUMNS)
        for record in runs:
            writer.writerow([record.env, record.teacher, record.student, "" if record.seed is None else record.seed,
                             *("" if np.isnan(value) else repr(float(value))
                               for value in (record.final, record.auc, record.cvar)),
                             str(record.path)])


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


# ------------------------------------------------------------------------------------------------------ reading
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
    state = status.get("state", "unknown")
    columns = None
    try:
        # A running run may be writing its last row; a done one wrote every row whole.
        columns = _read_columns(path / "metrics.csv", METRICS, complete=state == "done", missing_ok=state != "done")
        _check_metrics(path / "metrics.csv", columns)
    except ReportError as error:
        damage = damage or str(error)
    if damage is None and state == "done" and not len(columns["timesteps"]):
        damage = f"{path / 'metrics.csv'} holds no evaluation, though status.json says the run is done"
    record = RunRecord(path, path.relative_to(root).as_posix(), env, teacher, student, seed, config,
                       DAMAGED if damage else state, damage, timesteps_done=status.get("timesteps", 0),
                       error=status.get("error"), environments=tuple(environments))
    if damage is not None:
        return record
    evaluations = len(columns["timesteps"])
    record = replace(record, test_return=float(columns["mean_test_return"][-1]) if evaluations else np.nan,
                     timesteps=columns["timesteps"], mastered_share=columns["mastered_share"])
    if state != "done":
        return replace(record, problem={"failed": f"failed: {status.get('error', 'no error recorded')}",
                                        "running": "running or interrupted (status running)"}.get(
                                            state, f"status {state!r}" if status else "no status.json"))
    try:
        worst = _final_cvar(path / "test_returns.csv", columns["timesteps"][-1])
    except ReportError as error:
        return replace(record, state=DAMAGED, problem=str(error))
    return replace(record, final=float(columns["mastered_share"][-1]),
                   auc=area_under_curve(columns["timesteps"], columns["mastered_share"]), cvar=worst)


def _final_cvar(path: Path, last: float) -> float:
    """CVaR of the test returns of the evaluation at timesteps ``last`` (NaN when the file or that evaluation is
    absent: run folders of other tools).

    Raises:
        ReportError: naming the file, when it is malformed or holds a return that is not finite.
    """
    columns = _read_columns(path, TEST_RETURNS, missing_ok=True)
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
    if status and (not isinstance(status.get("state"), str) or not status["state"]):
        return {}, f"{file}: state {status.get('state')!r}; expected running, done or failed"
    timesteps = status.get("timesteps", 0)
    if isinstance(timesteps, bool) or not isinstance(timesteps, int) or timesteps < 0:
        return {}, f"{file}: timesteps {timesteps!r}; expected an integer >= 0"
    if not isinstance(status.get("error", ""), str):
        return {}, f"{file}: error {status['error']!r}; expected the text of an error"
    return status, None


def _read_columns(path: Path, names: Sequence[str], prefix: str | None = None, *, complete: bool = True,
                  missing_ok: bool = False) -> dict[str, np.ndarray]:
    """The numeric columns ``names`` (plus every column starting with ``prefix``) of a CSV file written by a run.

    With ``complete``, a last row without its line end (cut mid-way) is damage; without, it is a row being written
    and left out. With ``missing_ok``, a missing or empty file has no rows.

    Raises:
        ReportError: naming the file (and the line) for a missing, unreadable or non-text file, a missing column, a
            row with more or fewer fields than the header, or a cell that is not a number.
    """
    empty = {name: np.empty(0) for name in names}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return empty
        raise ReportError(f"{path} is missing") from None
    except OSError as error:
        raise ReportError(f"{path} is unreadable: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ReportError(f"{path} is not UTF-8 text (byte {error.start}); expected a CSV table") from None
    if "\0" in text:
        raise ReportError(f"{path}, line {text.count(chr(10), 0, text.index(chr(0))) + 1}: a NUL byte; expected a CSV "
                          f"table (the file is damaged)")
    cut = bool(text) and not text.endswith(("\n", "\r"))
    if cut and not complete:
        text = text[:max(text.rfind("\n"), text.rfind("\r")) + 1]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [(reader.line_num, row) for row in reader if row]
    except csv.Error as error:
        raise ReportError(f"{path}, line {reader.line_num}: not a CSV row ({error})") from None
    if not records:
        if missing_ok:
            return empty
        raise ReportError(f"{path} is empty; expected a header with the columns {list(names)}")
    if cut:
        raise ReportError(f"{path}, line {records[-1][0]}: the last row is cut mid-way (no line end); the file is "
                          f"damaged")
    (_, header), rows = records[0], records[1:]
    for name in names:
        if name not in header:
            raise ReportError(f"{path} has no column {name!r}{did_you_mean(name, header)}; its columns are {header}")
    wanted = [*names, *(column for column in header if prefix is not None and column.startswith(prefix))]
    indices = [header.index(name) for name in wanted]
    values = np.empty((len(rows), len(wanted)))
    for number, (line, row) in enumerate(rows):
        if len(row) != len(header):
            raise ReportError(f"{path}, line {line}: {len(row)} fields, the header has {len(header)}; the row is cut "
                              f"or damaged")
        for k, index in enumerate(indices):
            try:
                values[number, k] = float(row[index])
            except ValueError:
                raise ReportError(f"{path}, line {line}, column {wanted[k]!r}: {row[index]!r} is not a "
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


# ---------------------------------------------------------------------------------------------------- document
@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Image:
    file_name: str
    caption: str
    png: bytes


Block = Heading | Paragraph | Table | Image


def _document(root: Path, runs: list[RunRecord], seed: int) -> list[Block]:
    """Every block of the report, in order."""
    sections: dict[tuple[str, str], dict[str, list[RunRecord]]] = defaultdict(lambda: defaultdict(list))
    for record in runs:
        if record.problem is None:
            sections[record.env, record.student][record.teacher].append(record)
    sections = {key: _ordered(sections[key]) for key in sorted(sections)}
    unused = [record for record in runs if record.problem is not None]
    blocks: list[Block] = [
        Paragraph(f"{len(runs)} run folders in `{root}`, {len(runs) - len(unused)} used (done, with at least one "
                  f"evaluation)."),
        Paragraph("Scores of a run: final = the share of the test set mastered (`mastered_share` in metrics.csv) at "
                  "the last evaluation; AUC = the trapezoid area under that share over timesteps, from the first to "
                  "the last evaluation, divided by that span (the mean share mastered over the run, in [0, 1]); "
                  f"CVaR = the conditional value at risk at alpha {CVAR_ALPHA:g} of the test returns at the last "
                  f"evaluation (`test_returns.csv`): the mean return of the worst {CVAR_ALPHA:.0%} of the test tasks "
                  f"(the ceil({CVAR_ALPHA:g} n) lowest of n), n/a for a run without that file. Every used run's "
                  f"scores are in `{SCORES_FILE}` beside this report (one row per run, with its folder)."),
        Paragraph(f"Over the seeds of a teacher: the mean and the IQM (interquartile mean: the mean of the middle 50% "
                  f"of the scores), each with a {CONFIDENCE:.0%} percentile stratified-bootstrap confidence interval "
                  f"({RESAMPLES} resamples, seed {seed}). Against `{BASELINE}`: Welch's t-test (two-sided) and the "
                  f"probability of improvement P(teacher > {BASELINE}) over pairs of runs (ties count half), with its "
                  f"bootstrap interval. n/a: fewer than 2 runs on a side, or both sides constant and equal."),
        Heading("Runs"),
        Table(["env", "student", "teacher", "runs used", "seeds"],
              [[env, student, teacher, str(len(group)), ", ".join(str(r.seed) for r in group)]
               for (env, student), by_teacher in sections.items() for teacher, group in by_teacher.items()]),
        Heading("Runs not used"),
    ]
    if unused:
        blocks.append(Table(["run", "state", "reason"], [[r.run_id, r.state, r.problem or ""] for r in unused]))
    else:
        blocks.append(Paragraph("None: every run is done and has evaluations."))
    blocks += _version_sets([record for record in runs if record.problem is None])
    ratios: dict[str, dict[str, float]] = {}
    for (env, student), by_teacher in sections.items():
        blocks += _section(env, student, by_teacher, seed)
        if BASELINE in by_teacher and len(by_teacher) > 1:
            ratios[f"{env} / {student}"] = _ratios_to_baseline(by_teacher)
    return blocks + _summary(ratios)


def _version_sets(runs: list[RunRecord]) -> list[Block]:
    """The distinct version sets of the used runs and how many runs used each; the runs resumed under another."""
    counts: dict[str, int] = defaultdict(int)
    for record in runs:
        for line in record.version_sets:
            counts[line] += 1
    blocks: list[Block] = [
        Heading("Version sets"),
        Paragraph(f"The versions the used runs ran with (`environment.json` of each run: Python, packages, teachgym "
                  f"commit); `{UNKNOWN_VERSIONS}`: a run folder without that file. A run resumed under another set "
                  f"counts under each."),
        Table(["version set", "runs"], [[line, str(count)] for line, count in sorted(counts.items())]),
    ]
    mixed = [record for record in runs if len(record.version_sets) > 1]
    if mixed:
        blocks.append(Paragraph(f"Warning: {len(mixed)} run(s) resumed under another version set than they started "
                                f"with: {', '.join(f'`{record.run_id}`' for record in mixed)}."))
    return blocks


def _ordered(by_teacher: dict[str, list[RunRecord]]) -> dict[str, list[RunRecord]]:
    """The baseline first, then the teachers by name; each teacher's runs by seed."""
    names = sorted(by_teacher, key=lambda name: (name != BASELINE, name))
    return {name: sorted(by_teacher[name], key=lambda r: (r.seed is None, r.seed or 0)) for name in names}


def _section(env: str, student: str, by_teacher: dict[str, list[RunRecord]], seed: int) -> list[Block]:
    """One env and student: score tables, tests against the baseline, learning curves and curriculum pictures."""
    title = f"{env} / {student}"
    blocks: list[Block] = [Heading(title)]
    for teacher, group in by_teacher.items():
        differences = _config_differences(group)
        if differences:
            blocks.append(Paragraph(f"Warning: the runs of `{teacher}` differ in {', '.join(differences)}; they are "
                                    f"aggregated together."))
        version_sets = dict.fromkeys(line for record in group for line in record.version_sets)
        if len(version_sets) > 1:
            blocks.append(Paragraph(f"Warning: the runs of `{teacher}` ran with {len(version_sets)} version sets "
                                    f"(see Version sets); they are aggregated together."))
    for _, attribute, heading in SCORES:
        blocks += [Heading(heading, 3),
                   Table(["teacher", "runs", "mean", f"mean {CONFIDENCE:.0%} CI", "IQM", f"IQM {CONFIDENCE:.0%} CI"],
                         [_score_row(teacher, group, attribute, seed) for teacher, group in by_teacher.items()])]
    blocks.append(Heading(f"Against {BASELINE}", 3))
    baseline = by_teacher.get(BASELINE)
    others = {teacher: group for teacher, group in by_teacher.items() if teacher != BASELINE}
    if baseline is None:
        blocks.append(Paragraph(f"No `{BASELINE}` runs for {title}: no t-tests, probabilities of improvement or "
                                f"ratios to {BASELINE}."))
    elif not others:
        blocks.append(Paragraph(f"Only `{BASELINE}` ran on {title}: nothing to compare."))
    else:
        blocks += [
            Paragraph(f"Welch's t-test of each teacher's scores against {BASELINE}'s (t > 0: the teacher scores "
                      f"higher)."),
            Table(["teacher", *(f"{name}: {column}" for name, _, _ in SCORES for column in ("t", "dof", "p"))],
                  [[teacher, *_welch_cells(group, baseline)] for teacher, group in others.items()]),
            Paragraph(f"Probability of improvement: P(a run of the teacher scores higher than a run of "
                      f"{BASELINE})."),
            Table(["teacher", *(heading for name, _, _ in SCORES
                                for heading in (f"P({name} > {BASELINE})", f"{name} {CONFIDENCE:.0%} CI"))],
                  [[teacher, *_improvement_cells(group, baseline, seed)] for teacher, group in others.items()]),
        ]
    slug = _slug(f"{env}-{student}")
    blocks.append(Image(f"curves-{slug}.png",
                        f"Learning curves on {title}: mean share of the test set mastered over each teacher's runs, "
                        f"with the {CONFIDENCE:.0%} bootstrap confidence interval of the mean at each evaluation "
                        f"(evaluations all of a teacher's runs have).",
                        figures.learning_curves(_curves(by_teacher), title=title, seed=seed)))
    blocks += _curriculum_picture(title, slug, by_teacher)
    return blocks


def _score_row(teacher: str, group: list[RunRecord], attribute: str, seed: int) -> list[str]:
    scores = _present(group, attribute)
    cells = [teacher, str(len(scores))]
    for aggregate in (mean, iqm):
        if not scores:
            cells += ["n/a", "n/a"]
            continue
        cells += [_number(aggregate(scores)), _interval(stratified_bootstrap_ci(aggregate, scores, seed=seed))]
    return cells


def _present(group: Sequence[RunRecord], attribute: str) -> list[float]:
    """The runs' scores, without the absent ones (NaN: a CVaR without test_returns.csv)."""
    return [float(getattr(record, attribute)) for record in group if np.isfinite(getattr(record, attribute))]


def _welch_cells(group: list[RunRecord], baseline: list[RunRecord]) -> list[str]:
    cells = []
    for _, attribute, _ in SCORES:
        scores = _present(group, attribute), _present(baseline, attribute)
        if min(map(len, scores)) < 2:
            cells += ["n/a"] * 3
            continue
        test = welch_t_test(*scores)
        cells += [_number(test.t), _number(test.dof, 2), "n/a" if np.isnan(test.p) else f"{test.p:.3g}"]
    return cells


def _improvement_cells(group: list[RunRecord], baseline: list[RunRecord], seed: int) -> list[str]:
    cells = []
    for _, attribute, _ in SCORES:
        scores = _present(group, attribute), _present(baseline, attribute)
        if not all(scores):
            cells += ["n/a", "n/a"]
            continue
        cells += [_number(probability_of_improvement(*scores)),
                  _interval(stratified_bootstrap_ci(probability_of_improvement, *scores, seed=seed))]
    return cells


def _ratios_to_baseline(by_teacher: dict[str, list[RunRecord]]) -> dict[str, float]:
    """Each teacher's mean final share over the baseline's (NaN when the baseline's is 0)."""
    baseline = float(np.mean([r.final for r in by_teacher[BASELINE]]))
    return {teacher: float(np.mean([r.final for r in group])) / baseline if baseline > 0 else np.nan
            for teacher, group in by_teacher.items() if teacher != BASELINE}


def _summary(ratios: dict[str, dict[str, float]]) -> list[Block]:
    """TeachMyAgent's summary: each teacher's mean final share relative to the baseline's, per env."""
    blocks: list[Block] = [Heading(f"Final share mastered relative to {BASELINE}")]
    if not ratios:
        return blocks + [Paragraph(f"Skipped: no env has both `{BASELINE}` runs and runs of another teacher.")]
    blocks += [
        Paragraph(f"mean(final of the teacher) / mean(final of {BASELINE}), per env and student (1: as good as "
                  f"{BASELINE}); n/a where {BASELINE}'s mean final share is 0."),
        Table(["env / student", "teacher", f"final / {BASELINE}"],
              [[section, teacher, _number(ratio)] for section, by_teacher in ratios.items()
               for teacher, ratio in by_teacher.items()]),
    ]
    if any(np.isfinite(ratio) for by_teacher in ratios.values() for ratio in by_teacher.values()):
        blocks.append(Image("relative-to-random.png",
                            f"Each teacher's mean final share mastered over {BASELINE}'s (dashed line: 1), per env "
                            f"and student; bars left out where {BASELINE}'s is 0.",
                            figures.relative_to_random(ratios, title=f"final share mastered relative to {BASELINE}")))
    return blocks


def _config_differences(group: list[RunRecord]) -> list[str]:
    """The config fields (other than seed and out_dir) on which the runs of a group disagree."""
    configs = [record.config.to_dict() for record in group if record.config is not None]
    return [name for name in configs[0] if name not in ("seed", "out_dir")
            and any(config[name] != configs[0][name] for config in configs[1:])] if configs else []


# ----------------------------------------------------------------------------------------------------- figures
def _curves(by_teacher: dict[str, list[RunRecord]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each teacher's shares (runs x evaluations) at the evaluation timesteps all its runs have."""
    curves = {}
    for teacher, group in by_teacher.items():
        common = group[0].timesteps
        for record in group[1:]:
            common = np.intersect1d(common, record.timesteps)
        shares = np.array([r.mastered_share[np.isin(r.timesteps, common)] for r in group])
        curves[teacher] = (common, shares)
    return curves


def _curriculum_picture(title: str, slug: str, by_teacher: dict[str, list[RunRecord]]) -> list[Block]:
    """Where each teacher's first run (lowest seed) sampled its tasks over time, from its curriculum.csv."""
    traces, missing, names = {}, [], None
    for teacher, group in by_teacher.items():
        try:
            columns = _read_columns(group[0].path / "curriculum.csv", ("timesteps", "return"), prefix="task.")
        except ReportError as error:
            missing.append(f"{teacher} ({error})")
            continue
        task_names = [name.removeprefix("task.") for name in columns if name.startswith("task.")]
        if not len(columns["timesteps"]) or not task_names or names not in (None, task_names):
            missing.append(f"{teacher} (no episodes, or other task dimensions than {names})")
            continue
        names = task_names
        traces[teacher] = figures.Trace(columns["timesteps"], np.column_stack([columns[f"task.{n}"] for n in names]),
                                        columns["return"])
    if not traces:
        return [Paragraph(f"No curriculum picture for {title}: no curriculum trace ({'; '.join(missing)}).")]
    shown = [by_teacher[teacher][0] for teacher in traces]
    low, high, source = _task_bounds(shown[0].config, names, traces.values())
    total = max(record.config.total_timesteps for record in shown)
    if len(names) == 1:
        layout = f"the task ({names[0]}, over {source}) against timesteps"
    elif len(names) == 2:
        layout = (f"{TIME_SLICES} equal time slices of the run, axes {names[0]} and {names[1]} over {source}")
    else:
        layout = (f"{TIME_SLICES} equal time slices of the run, projected onto the first two principal components "
                  f"of the {len(names)}-dimensional tasks ({', '.join(names)}) normalised to [0, 1] by {source}, "
                  f"fitted on all the episodes shown")
    caption = (f"Curriculum on {title}: the tasks each teacher sampled in its lowest-seed run, {layout}; colour = "
               f"episode return (one scale for every panel)." + (f" Left out: {'; '.join(missing)}." if missing
                                                                  else ""))
    png = figures.curriculum_snapshots(traces, names=names, low=low, high=high, total_timesteps=total,
                                       slices=TIME_SLICES, title=f"curriculum on {title}")
    return [Image(f"curriculum-{slug}.png", caption, png)]


def _task_bounds(config: RunConfig, names: Sequence[str],
                 traces: Iterable[figures.Trace]) -> tuple[np.ndarray, np.ndarray, str]:
    """The bounds of the task dimensions ``names``: from the env's task space (the env is built from the run's
    config), or, when the env cannot be built here, from the range of the sampled tasks. Also says which."""
    try:
        env = gym.make(config.env, **config.env_kwargs)
        space = env.unwrapped.task_space
        env.close()
        index = [list(space.names).index(name) for name in names]
        return np.asarray(space.low)[index], np.asarray(space.high)[index], f"the task space of {config.env}"
    except (TeachgymError, gym.error.Error, TypeError, ValueError, AttributeError) as error:
        tasks = np.concatenate([trace.tasks for trace in traces])
        low, high = tasks.min(axis=0), tasks.max(axis=0)
        flat = high <= low  # a dimension that never varied still needs a non-empty range
        return (low - 0.5 * flat, high + 0.5 * flat,
                f"the range of the sampled tasks ({config.env}'s task space could not be built here: {error})")


# --------------------------------------------------------------------------------------------------- rendering
def _markdown(blocks: Sequence[Block]) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            lines = [block.headers, ["---"] * len(block.headers), *block.rows]
            parts.append("\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |"
                                   for line in lines))
        else:
            parts.append(f"![{block.file_name}]({block.file_name})\n\n*{block.caption}*")
    return "\n\n".join(parts) + "\n"


def _html(blocks: Sequence[Block], title: str) -> str:
    parts = [f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{html.escape(title)}</title>'
             f"<style>{STYLE}</style></head>\n<body>"]
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"<h{block.level}>{_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{_inline(block.text)}</p>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{_inline(cell)}</th>" for cell in block.headers)
            body = "\n".join("<tr>" + "".join(f"<td>{_inline(cell)}</td>" for cell in row) + "</tr>"
                             for row in block.rows)
            parts.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>")
        else:
            data = base64.b64encode(block.png).decode("ascii")
            parts.append(f'<figure><img alt="{html.escape(block.file_name)}" src="data:image/png;base64,{data}">'
                         f"<figcaption>{_inline(block.caption)}</figcaption></figure>")
    return "\n".join([*parts, "</body>\n</html>\n"])


def _inline(text: str) -> str:
    """Escaped HTML of one line of the report's Markdown subset (only `code` spans)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _number(value: float, digits: int = 3) -> str:
    return "n/a" if np.isnan(value) else f"{value:.{digits}f}"


def _interval(interval: Interval) -> str:
    return f"[{interval.low:.3f}, {interval.high:.3f}]"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")
