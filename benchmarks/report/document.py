"""The report's blocks, in reading order: the answer first (the summary matrix of teachers x envs and the overview
heat map), then one section per env and student, the ratios to random, how the numbers are computed, and the runs
(the list of used runs folded, the runs not used, the version sets)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import gymnasium as gym
import numpy as np

from teachgym.errors import TeachgymError

from ..config import RunConfig
from ..statistics import CONFIDENCE, CVAR_ALPHA, RESAMPLES
from . import figures
from .reading import BASELINE, UNKNOWN_VERSIONS, ReportError, RunRecord, Sections, group_runs, read_columns
from .rendering import Block, Folded, Heading, Image, Paragraph, Table
from .scores import (
    SCORES,
    SCORES_FILE,
    SIGNIFICANCE,
    Column,
    improvement_cells,
    interval,
    number,
    ratios_to_baseline,
    score_row,
    summary_matrix,
    welch_cells,
)

TIME_SLICES = 4
SUMMARY = "Summary: IQM final share mastered"
HIGHER, LOWER = "↑", "↓"  # Welch p < SIGNIFICANCE against the baseline, mean above / below
NOT_RUN = "–"


def document(root: Path, runs: list[RunRecord], seed: int) -> list[Block]:
    """Every block of the report, in order (``seed`` seeds the bootstrap intervals)."""
    sections = group_runs(runs)
    unused = [record for record in runs if record.problem is not None]
    styles = figures.teacher_styles(teacher for by_teacher in sections.values() for teacher in by_teacher)
    blocks: list[Block] = [Paragraph(
        f"{len(runs)} run folders in `{root}`, {len(runs) - len(unused)} used (done, with at least one evaluation)"
        + (f"; {len(unused)} not used (see Runs not used)." if unused else "."))]
    if sections:
        blocks += _summary(sections, list(styles), seed)
    for (env, student), by_teacher in sections.items():
        blocks += _section(env, student, by_teacher, styles, seed)
    blocks += _relative_to_random(sections, styles)
    blocks += _method(seed)
    blocks += _run_lists(sections, unused)
    return blocks + _version_sets([record for record in runs if record.problem is None])


def _summary(sections: Sections, teachers: list[str], seed: int) -> list[Block]:
    """The summary matrix (teachers x envs) and the overview heat map."""
    columns = summary_matrix(sections, seed)
    rows = [[teacher, *(_summary_cell(column, teacher) for column in columns)] for teacher in teachers]
    absolute = [f"{column.title} ({column.why_absolute})" for column in columns if not column.normalised]
    heat = [figures.HeatColumn(c.title, c.scaled, c.normalised, c.why_absolute) for c in columns]
    return [
        Heading(SUMMARY),
        Paragraph(f"Each cell: the IQM over the teacher's seeds ({_seed_counts(sections)}) of the final share of the "
                  f"test set mastered, with its {CONFIDENCE:.0%} bootstrap confidence interval. **Bold**: the best "
                  f"IQM of the column. {HIGHER} / {LOWER}: Welch's t-test against `{BASELINE}` gives p < "
                  f"{SIGNIFICANCE:g}, the teacher's mean above / below. {NOT_RUN}: not run there."),
        Table(["teacher", *(column.title for column in columns)], rows),
        Image("overview.png",
              f"Overview: each teacher's IQM final share mastered ({_seed_counts(sections)}), normalised per env so "
              f"that `{BASELINE}` = 0 and the best teacher = 1 (green up to the best, red below `{BASELINE}`); "
              + (f"absolute IQM (blue) where that is undefined: {'; '.join(absolute)}; " if absolute else "")
              + "grey: the teacher did not run on that env.",
              figures.png(figures.overview(heat, teachers))),
    ]


def _summary_cell(column: Column, teacher: str) -> str:
    cell = column.cells.get(teacher)
    if cell is None:
        return NOT_RUN
    text = f"{number(cell.iqm)} {interval(cell.interval)}"
    if cell.iqm == column.best:
        text = f"**{text}**"
    return f"{text} {HIGHER if cell.above else LOWER}" if cell.significant else text


def _seed_counts(sections: Sections) -> str:
    """How many seeds each teacher has: "3 seeds each" or "1 to 3 seeds"."""
    counts = sorted({len(group) for by_teacher in sections.values() for group in by_teacher.values()})
    if len(counts) == 1:
        return f"{counts[0]} seed{'s' * (counts[0] > 1)} each"
    return f"{counts[0]} to {counts[-1]} seeds; see Runs"


def _section(env: str, student: str, by_teacher: dict[str, list[RunRecord]], styles: dict[str, figures.Style],
             seed: int) -> list[Block]:
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
                         [score_row(teacher, group, attribute, seed) for teacher, group in by_teacher.items()])]
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
                  [[teacher, *welch_cells(group, baseline)] for teacher, group in others.items()]),
            Paragraph(f"Probability of improvement: P(a run of the teacher scores higher than a run of "
                      f"{BASELINE})."),
            Table(["teacher", *(heading for name, _, _ in SCORES
                                for heading in (f"P({name} > {BASELINE})", f"{name} {CONFIDENCE:.0%} CI"))],
                  [[teacher, *improvement_cells(group, baseline, seed)] for teacher, group in others.items()]),
        ]
    slug = _slug(f"{env}-{student}")
    seeds = _seed_counts({(env, student): by_teacher})
    blocks.append(Image(f"curves-{slug}.png",
                        f"Learning curves on {title}: mean share of the test set mastered over each teacher's runs "
                        f"({seeds}), with the {CONFIDENCE:.0%} bootstrap confidence interval of the mean at each "
                        f"evaluation (evaluations all of a teacher's runs have).",
                        figures.png(figures.learning_curves(_curves(by_teacher), styles=styles, title=title,
                                                            seed=seed))))
    return blocks + _curriculum_picture(title, slug, by_teacher)


def _relative_to_random(sections: Sections, styles: dict[str, figures.Style]) -> list[Block]:
    """TeachMyAgent's summary: each teacher's mean final share relative to the baseline's, per env; where the
    baseline masters nothing, no ratio exists, and the teachers' own shares stand in, said in table and figure."""
    blocks: list[Block] = [Heading(f"Final share mastered relative to {BASELINE}")]
    panels = {f"{env} / {student}": ratios_to_baseline(by_teacher) for (env, student), by_teacher in sections.items()
              if BASELINE in by_teacher and len(by_teacher) > 1}
    if not panels:
        return blocks + [Paragraph(f"Skipped: no env has both `{BASELINE}` runs and runs of another teacher.")]
    zero = [title for title, (baseline, _) in panels.items() if baseline == 0]
    blocks += [
        Paragraph(f"mean(final of the teacher) / mean(final of {BASELINE}), per env and student (1: as good as "
                  f"{BASELINE}); where {BASELINE}'s mean final share is 0 there is no ratio: the table says n/a and "
                  f"gives the teacher's own mean final share."),
        Table(["env / student", "teacher", f"final / {BASELINE}"],
              [[title, teacher, number(value) if baseline > 0 else f"n/a ({BASELINE} 0; the teacher {value:.3f})"]
               for title, (baseline, values) in panels.items() for teacher, value in values.items()]),
        Image("relative-to-random.png",
              f"Each teacher's mean final share mastered over {BASELINE}'s (dashed line: 1), one panel per env and "
              f"student; all seeds of each teacher ({_seed_counts(sections)})."
              + (f" Where {BASELINE} masters 0 ({'; '.join(zero)}) no ratio exists: the hatched bars are the "
                 f"teachers' mean final shares themselves." if zero else ""),
              figures.png(figures.relative_to_random(panels, styles=styles))),
    ]
    return blocks


def _method(seed: int) -> list[Block]:
    """How every number of the report is computed."""
    return [
        Heading("How the numbers are computed"),
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
    ]


def _run_lists(sections: Sections, unused: list[RunRecord]) -> list[Block]:
    """The used runs (folded) and the runs not used, with the reason."""
    rows = [[env, student, teacher, str(len(group)), ", ".join(str(r.seed) for r in group)]
            for (env, student), by_teacher in sections.items() for teacher, group in by_teacher.items()]
    blocks: list[Block] = [
        Heading("Runs"),
        Folded(f"{sum(int(row[3]) for row in rows)} runs used in {len(rows)} groups (env, student, teacher): show",
               [Table(["env", "student", "teacher", "runs used", "seeds"], rows)]),
        Heading("Runs not used"),
    ]
    if unused:
        return blocks + [Table(["run", "state", "reason"], [[r.run_id, r.state, r.problem or ""] for r in unused])]
    return blocks + [Paragraph("None: every run is done and has evaluations.")]


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


def _config_differences(group: list[RunRecord]) -> list[str]:
    """The config fields (other than seed and out_dir) on which the runs of a group disagree."""
    configs = [record.config.to_dict() for record in group if record.config is not None]
    return [name for name in configs[0] if name not in ("seed", "out_dir")
            and any(config[name] != configs[0][name] for config in configs[1:])] if configs else []


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
            columns = read_columns(group[0].path / "curriculum.csv", ("timesteps", "return"), prefix="task.")
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
        layout = f"{TIME_SLICES} equal time slices of the run, axes {names[0]} and {names[1]} over {source}"
    else:
        layout = (f"{TIME_SLICES} equal time slices of the run, projected onto the first two principal components "
                  f"of the {len(names)}-dimensional tasks ({', '.join(names)}) normalised to [0, 1] by {source}, "
                  f"fitted on all the episodes shown")
    caption = (f"Curriculum on {title}: the tasks each teacher (a row) sampled in its lowest-seed run (one run per "
               f"teacher), {layout}; colour = episode return (one scale for every panel)."
               + (f" Left out: {'; '.join(missing)}." if missing else ""))
    figure = figures.curriculum_snapshots(traces, names=names, low=low, high=high, total_timesteps=total,
                                          slices=TIME_SLICES, title=f"curriculum on {title}")
    return [Image(f"curriculum-{slug}.png", caption, figures.png(figure))]


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


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")
