"""``write_report(folder)``: statistics, tables and figures of a sweep folder or of a single run folder.

Every folder below ``folder`` that holds a ``config.yaml`` is a run. A run is used when its ``status.json`` says
done and its ``metrics.csv`` has at least one evaluation; every other run (failed, interrupted, without evaluations,
or damaged: a run file that cannot be read, naming the file and what is wrong) is listed in the report with the
reason, never dropped silently, and the report is written for the others.

Runs are grouped by (env, student, teacher) labels (:mod:`.reading`). Runs of one group whose configs differ in
anything but the seed and the folder are flagged in the report.

The report opens with the answer: a summary matrix (teachers x envs: the IQM final share mastered with its 95%
confidence interval, the best of each env in bold, a mark where Welch's test against ``random`` gives p < 0.05) and
an overview heat map (scores normalised per env so that random = 0 and the best = 1; absolute where that is
undefined, and said). Then, per env and student, for each teacher over its seeds (statistics module for the
definitions):

- final: the share of the test set mastered (``mastered_share``) at the last evaluation;
- AUC: the trapezoid area under ``mastered_share`` over timesteps, from the first to the last evaluation, divided by
  that span: the mean share mastered over the run, in [0, 1];
- CVaR: the conditional value at risk at alpha 0.1 of the test returns at the last evaluation (``test_returns.csv``):
  the mean return of the worst 10% of test tasks (the ceil(0.1 n) lowest of n); absent (n/a) without that file;
- mean and IQM of each, with a 95% stratified-bootstrap confidence interval;
- Welch's t-test and the probability of improvement of each teacher against the teacher labelled ``random``;
- learning curves and curriculum pictures, every teacher in one style across all the report's figures.

The report lists the version sets the used runs ran with (``environment.json``: Python, package versions, teachgym
commit; "unknown" for a run folder without one) and warns when the runs of one group, or one run across a resume, used
several.

Everything goes to ``<out or folder>/report/``: ``report.md`` and ``report.html`` (the same blocks), the PNG figures
in ``figures/`` (linked from both; ``self_contained`` embeds them in the HTML as data URIs instead, so that the file
alone is the whole report) and ``scores.csv`` (one row per used run: its labels, seed, scores and folder, for other
statistics).

Modules: :mod:`.reading` (run folders), :mod:`.scores` (numbers), :mod:`.figures`, :mod:`.document` (what the
report says, in order), :mod:`.rendering` (Markdown and HTML).
"""

from __future__ import annotations

from pathlib import Path

from ..config import check_output_folder
from .document import document
from .reading import ReportError, RunRecord, find_runs, read_run
from .rendering import FIGURES_FOLDER, Heading, Image, markdown, page
from .scores import SCORES_FILE, write_scores

__all__ = ["ReportError", "RunRecord", "find_runs", "read_run", "write_report"]

REPORT_FOLDER = "report"


def write_report(folder: str | Path, *, out: str | Path | None = None, seed: int = 0,
                 self_contained: bool = False) -> Path:
    """Write report.md, report.html, the PNG figures (in ``figures/``) and scores.csv for the runs in ``folder`` into
    ``<out or folder>/report``.

    ``seed`` seeds the bootstrap confidence intervals; ``self_contained`` embeds the figures in report.html. Figures
    a previous report left in ``figures/`` and this one does not draw are removed. Damaged runs are listed with the
    reason, not used. Returns the report folder.

    Raises:
        ReportError: when ``folder`` does not exist or holds no run folder.
        ConfigError: when the report folder cannot be made (``out`` is a file, or lies under one); nothing is
            written.
    """
    root = Path(folder)
    runs = find_runs(root)
    target = Path(out if out is not None else root) / REPORT_FOLDER
    check_output_folder(target, "--out" if out is not None else str(root))
    blocks = document(root, runs, seed)
    images = [block for block in blocks if isinstance(block, Image)]
    (target / FIGURES_FOLDER).mkdir(parents=True, exist_ok=True)
    for stale in set((target / FIGURES_FOLDER).glob("*.png")) - {target / image.path for image in images}:
        stale.unlink()
    for image in images:
        (target / image.path).write_bytes(image.png)
    title = f"teachgym report: {root.resolve().name}"
    (target / "report.md").write_text(markdown([Heading(title, 1), *blocks]))
    (target / "report.html").write_text(page([Heading(title, 1), *blocks], title, self_contained=self_contained))
    write_scores(target / SCORES_FILE, [record for record in runs if record.problem is None])
    return target
