"""The scoreboard: one row per tier, env, student and teacher, from run folders only, never typed by hand.

A tier is one sweep folder (its name is the sweep's ``name`` in ``sweep.yaml``, or the folder's name for a folder of
runs without one). Each row gives the teacher's final share mastered over its seeds (IQM with its 95%
stratified-bootstrap interval), its probability of improvement over ``random`` with its interval, Welch's p against
``random`` (the report's definitions, :mod:`.scores`), the budget in timesteps, and the version sets the runs were
measured with (numbered under the table: the same numbers name the same Python, packages and teachgym commit).

``teachgym report --scoreboard FOLDER [FOLDER ...]`` prints it and writes ``scoreboard.md``; the README's
scoreboard block is the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

from ..statistics import probability_of_improvement, stratified_bootstrap_ci
from .reading import BASELINE, RunRecord, find_runs, group_runs
from .scores import cell, interval, number, present

SCOREBOARD_FILE = "scoreboard.md"
COLUMNS = ("tier", "env", "student", "timesteps", "teacher", "seeds", "IQM final share mastered", "95% CI",
           f"P(> {BASELINE})", "95% CI", "Welch p", "versions")


def tier_name(folder: Path) -> str:
    """The sweep's name from its ``sweep.yaml``; the folder's name when there is none or it names nothing."""
    sweep_file = folder / "sweep.yaml"
    if sweep_file.is_file():
        data = yaml.safe_load(sweep_file.read_text())
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            return data["name"]
    return folder.resolve().name


def scoreboard(folders: Sequence[str | Path], *, seed: int = 0) -> str:
    """The scoreboard of the sweep folders ``folders`` (one tier each, in the given order) as Markdown: the table,
    then the version sets it refers to, then the runs left out (not done, failed or damaged) with the reason.

    ``seed`` seeds the bootstrap intervals.

    Raises:
        ReportError: when a folder does not exist or holds no run folder.
    """
    version_sets: dict[str, int] = {}
    rows, left_out = [], []
    for folder in folders:
        tier = tier_name(Path(folder))
        runs = find_runs(folder)
        left_out += [f"- {tier}: `{record.run_id}` ({record.state}): {record.problem}"
                     for record in runs if record.problem is not None]
        for (env, student), by_teacher in group_runs(runs).items():
            baseline = by_teacher.get(BASELINE)
            for teacher, group in by_teacher.items():
                rows.append([tier, env, student, _budget(group), teacher,
                             *_scores(group, baseline if teacher != BASELINE else None, seed),
                             _version_refs(group, version_sets)])
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", "Version sets:", ""]
    lines += [f"v{ref}: {line}" for line, ref in version_sets.items()]
    if left_out:
        lines += ["", "Runs left out:", "", *left_out]
    return "\n".join(lines) + "\n"


def _scores(group: list[RunRecord], baseline: list[RunRecord] | None, seed: int) -> list[str]:
    """seeds, IQM final and its CI (the summary matrix's :func:`~.scores.cell`), then P(improvement) with its CI and
    Welch's p against the baseline ("-" for the baseline itself or where a side has fewer than 2 runs)."""
    summary = cell(group, baseline, seed)
    cells = [str(summary.runs), number(summary.iqm), interval(summary.interval)]
    if baseline is None or min(summary.runs, len(present(baseline, "final"))) < 2:
        return cells + ["-", "-", "-"]
    finals, reference = present(group, "final"), present(baseline, "final")
    return cells + [number(float(probability_of_improvement(finals, reference))),
                    interval(stratified_bootstrap_ci(probability_of_improvement, finals, reference, seed=seed)),
                    "n/a" if np.isnan(summary.p) else f"{summary.p:.3g}"]


def _budget(group: list[RunRecord]) -> str:
    """The runs' total timesteps (several values joined by '/' when the runs of a group disagree)."""
    budgets = sorted({record.config.total_timesteps for record in group if record.config is not None})
    return "/".join(f"{budget:,}" for budget in budgets) or "?"


def _version_refs(group: list[RunRecord], version_sets: dict[str, int]) -> str:
    """The numbers of the group's version sets, numbering new ones in order of appearance."""
    refs = []
    for record in group:
        for line in record.version_sets:
            refs.append(version_sets.setdefault(line, len(version_sets) + 1))
    return ", ".join(f"v{ref}" for ref in sorted(set(refs)))
