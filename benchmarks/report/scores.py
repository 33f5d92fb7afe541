"""The report's numbers: per-teacher aggregates over seeds, the tests against the baseline, the summary matrix (the
IQM final share of every teacher on every env, and its normalised form for the overview figure), and
``scores.csv``.

Definitions are the statistics module's; every number the report prints comes from here, so the tables, the
summary matrix and the figures agree.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..states import RunState
from ..statistics import (
    CVAR_ALPHA,
    Interval,
    iqm,
    mean,
    probability_of_improvement,
    stratified_bootstrap_ci,
    welch_t_test,
)
from .reading import BASELINE, RunRecord, Sections

SIGNIFICANCE = 0.05  # Welch's p below this marks a teacher in the summary matrix
SCORES_FILE = "scores.csv"
SCORES_COLUMNS = ("env", "teacher", "student", "seed", "final_mastered_share", "auc", f"cvar_{CVAR_ALPHA:g}",
                  "run_folder")
# (name in the tables, RunRecord attribute, heading of its table)
SCORES = (("final", "final", "Final share mastered"),
          ("AUC", "auc", "Area under the curve (AUC) of the share mastered"),
          ("CVaR", "cvar", f"CVaR at alpha {CVAR_ALPHA:g} of the test returns"))


@dataclass(frozen=True)
class Cell:
    """One teacher on one env and student in the summary matrix: its runs, the IQM of their final shares with its
    bootstrap interval, and Welch's p against the baseline (NaN for the baseline itself, without baseline runs, or
    with fewer than 2 runs on a side) with the sign of the difference of the means."""

    runs: int
    iqm: float
    interval: Interval
    p: float = np.nan
    above: bool = False

    @property
    def significant(self) -> bool:
        return bool(self.p < SIGNIFICANCE)


@dataclass(frozen=True)
class Column:
    """One env and student of the summary matrix: each teacher's cell and the scores the overview figure draws.

    ``normalised`` says whether ``scaled`` is (IQM - baseline's) / (best IQM - baseline's), so that the baseline is
    0 and the best teacher 1; when that is undefined (no baseline runs, or no teacher above the baseline, as when
    every teacher masters 0) ``scaled`` holds the IQM itself and ``why_absolute`` says why.
    """

    title: str
    cells: dict[str, Cell]
    scaled: dict[str, float]
    normalised: bool
    why_absolute: str = ""

    @property
    def best(self) -> float:
        return max(cell.iqm for cell in self.cells.values())


def summary_matrix(sections: Sections, seed: int) -> list[Column]:
    """One column per (env, student) of ``sections``, in their order."""
    columns = []
    for (env, student), by_teacher in sections.items():
        baseline = by_teacher.get(BASELINE)
        cells = {teacher: cell(group, baseline, seed) for teacher, group in by_teacher.items()}
        best = max(cell.iqm for cell in cells.values())
        if baseline is not None and best > cells[BASELINE].iqm:
            reference = cells[BASELINE].iqm
            scaled = {teacher: (cell.iqm - reference) / (best - reference) for teacher, cell in cells.items()}
            columns.append(Column(f"{env} / {student}", cells, scaled, True))
            continue
        why = (f"no {BASELINE} runs" if baseline is None else
               f"{BASELINE} masters 0 and so does every teacher" if best == 0 else f"no teacher above {BASELINE}")
        columns.append(Column(f"{env} / {student}", cells, {t: c.iqm for t, c in cells.items()}, False, why))
    return columns


def cell(group: list[RunRecord], baseline: list[RunRecord] | None, seed: int) -> Cell:
    """The IQM final share of ``group`` with its interval, and Welch's p against ``baseline`` (see :class:`Cell`)."""
    finals = present(group, "final")
    cell = Cell(len(finals), float(iqm(finals)), stratified_bootstrap_ci(iqm, finals, seed=seed))
    if baseline is None or group is baseline:
        return cell
    reference = present(baseline, "final")
    if min(len(finals), len(reference)) < 2:
        return cell
    return Cell(cell.runs, cell.iqm, cell.interval, welch_t_test(finals, reference).p,
                bool(np.mean(finals) > np.mean(reference)))


def present(group: Sequence[RunRecord], attribute: str) -> list[float]:
    """The runs' scores, without the absent ones (NaN: a CVaR without test_returns.csv)."""
    return [float(getattr(record, attribute)) for record in group if np.isfinite(getattr(record, attribute))]


def score_row(teacher: str, group: list[RunRecord], attribute: str, seed: int) -> list[str]:
    """teacher, runs, mean, its CI, IQM, its CI of one score (n/a where the teacher has none)."""
    scores = present(group, attribute)
    cells = [teacher, str(len(scores))]
    for aggregate in (mean, iqm):
        if not scores:
            cells += ["n/a", "n/a"]
            continue
        cells += [number(aggregate(scores)), interval(stratified_bootstrap_ci(aggregate, scores, seed=seed))]
    return cells


def welch_cells(group: list[RunRecord], baseline: list[RunRecord]) -> list[str]:
    """t, degrees of freedom and p of Welch's test against the baseline, for each score."""
    cells = []
    for _, attribute, _ in SCORES:
        scores = present(group, attribute), present(baseline, attribute)
        if min(map(len, scores)) < 2:
            cells += ["n/a"] * 3
            continue
        test = welch_t_test(*scores)
        cells += [number(test.t), number(test.dof, 2), "n/a" if np.isnan(test.p) else f"{test.p:.3g}"]
    return cells


def improvement_cells(group: list[RunRecord], baseline: list[RunRecord], seed: int) -> list[str]:
    """P(teacher > baseline) and its bootstrap CI, for each score."""
    cells = []
    for _, attribute, _ in SCORES:
        scores = present(group, attribute), present(baseline, attribute)
        if not all(scores):
            cells += ["n/a", "n/a"]
            continue
        cells += [number(probability_of_improvement(*scores)),
                  interval(stratified_bootstrap_ci(probability_of_improvement, *scores, seed=seed))]
    return cells


def ratios_to_baseline(by_teacher: dict[str, list[RunRecord]]) -> tuple[float, dict[str, float]]:
    """The baseline's mean final share, and each other teacher's mean final share (over the baseline's when that is
    above 0; the share itself when the baseline masters nothing, as no ratio exists)."""
    baseline = float(np.mean([r.final for r in by_teacher[BASELINE]]))
    means = {teacher: float(np.mean([r.final for r in group])) for teacher, group in by_teacher.items()
             if teacher != BASELINE}
    return baseline, {teacher: share / baseline if baseline > 0 else share for teacher, share in means.items()}


def sweep_summary(runs: Sequence[RunRecord], expected: Iterable[str] = ()) -> list[list[str]]:
    """One row per (env, teacher, student), the baseline first in each env: env, teacher, student, runs done (used),
    failed, not done (running, interrupted, damaged, or one of the ``expected`` run ids without a folder yet), and
    the IQM final share mastered of the runs done ("-" without any)."""
    groups: dict[tuple[str, str, str], list[RunRecord]] = defaultdict(list)
    for record in runs:
        groups[record.env, record.teacher, record.student].append(record)
    found = {record.run_id for record in runs}
    missing = Counter(tuple(run_id.split("/")[:3]) for run_id in expected if run_id not in found)
    rows = []
    for key in sorted(set(groups) | set(missing), key=lambda k: (k[0], k[2], k[1] != BASELINE, k[1])):
        group = groups.get(key, [])
        done = present([record for record in group if record.problem is None], "final")
        failed = sum(record.state is RunState.FAILED for record in group)
        rows.append([*key, str(len(done)), str(failed), str(len(group) - len(done) - failed + missing[key]),
                     number(iqm(done)) if done else "-"])
    return rows


def write_scores(path: Path, runs: Sequence[RunRecord]) -> None:
    """One row per used run: labels, seed, final share, AUC, CVaR (empty when absent) and the run folder."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SCORES_COLUMNS)
        for record in runs:
            writer.writerow([record.env, record.teacher, record.student, "" if record.seed is None else record.seed,
                             *("" if np.isnan(value) else repr(float(value))
                               for value in (record.final, record.auc, record.cvar)),
                             str(record.path)])


def number(value: float, digits: int = 3) -> str:
    return "n/a" if np.isnan(value) else f"{value:.{digits}f}"


def interval(bounds: Interval) -> str:
    return f"[{bounds.low:.3f}, {bounds.high:.3f}]"
