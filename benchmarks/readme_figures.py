"""The README's figures, generated: every figure it quotes sits in a block this module writes from the command that
measures it, with the machine, versions and wall time of that measurement.

A block in README.md (the lines between the markers are this module's; never edit them by hand)::

    <!-- figures: NAME -->
    Measured with `COMMAND` in N s on MACHINE; VERSIONS. Regenerate: `python -m ...readme_figures NAME`.
    ```text
    the command's output
    ```
    <!-- /figures -->

Usage (from the repository root)::

    python -m teachgym.benchmarks.readme_figures                  # list the sources and where the README uses them
    python -m teachgym.benchmarks.readme_figures NAME [NAME ...]  # measure again and rewrite those blocks
    python -m teachgym.benchmarks.readme_figures --all            # every block (about half an hour on 2 cores)
    python -m teachgym.benchmarks.readme_figures --check          # every block names a source and says where from
    python -m teachgym.benchmarks.readme_figures cartpole --from runs/classic-control   # summarise a finished sweep

Prose around a block may comment on it, but a number it quotes must be in the block.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from teachgym.errors import TeachgymError, did_you_mean

from . import provenance
from .report import find_runs
from .report.reading import BASELINE, group_runs, read_columns
from .statistics import iqm, mean, probability_of_improvement, stratified_bootstrap_ci, welch_t_test

BLOCK = re.compile(r"<!-- figures: (?P<name>[a-z0-9-]+) -->\n(?P<body>.*?)<!-- /figures -->\n", re.DOTALL)
PROVENANCE_PREFIX = "Measured with `"
CONFIGS = Path(__file__).resolve().parent / "configs"
SCRATCH = Path("runs") / "readme-figures"  # <SCRATCH>/<name>: a measurement's output folder while it runs


class FiguresError(TeachgymError, ValueError):
    """A README figure block or source cannot be used as asked."""


@dataclass(frozen=True)
class Source:
    """How one block is measured: ``command`` (shown as typed; run with this interpreter), and ``summary``, which
    turns the command's output folder into the block's text (None: the command's standard output is the text)."""

    command: tuple[str, ...]
    summary: Callable[[Path], str] | None = None
    markdown: bool = False  # the text is Markdown (a table) rather than plain text for a fence
    folder_flag: tuple[str, ...] = ()  # arguments that send the command's output to a scratch folder ({out})

    def shown(self) -> str:
        """The command as a user types it from the repository root."""
        return " ".join(self.command).replace(str(CONFIGS), "benchmarks/configs")

    def measure(self, scratch: Path) -> tuple[str, float]:
        """Run the command with its output folder (if it has one) in ``scratch``; return the block's text and the
        wall time in seconds. ``scratch`` is removed once the text is made; a failed measurement keeps it, so that
        running it again resumes a sweep where it stopped."""
        started = time.monotonic()
        scratch.mkdir(parents=True, exist_ok=True)
        argv = [*self._argv(), *(part.replace("{out}", str(scratch)) for part in self.folder_flag)]
        result = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise FiguresError(f"`{self.shown()}` failed with exit code {result.returncode}; no block rewritten "
                               f"(its output folder {scratch} is kept: the same command resumes there)")
        text = self.summary(scratch) if self.summary else result.stdout
        shutil.rmtree(scratch)
        return text.strip("\n"), time.monotonic() - started

    def _argv(self) -> list[str]:
        program, *arguments = self.command
        if program == "python":
            return [sys.executable, *arguments]
        if program == "teachgym":
            return [sys.executable, "-m", "teachgym.benchmarks.cli", *arguments]
        raise FiguresError(f"cannot run {program!r}; sources run python or teachgym")


def summarize_sweep(folder: Path, *, task_range: bool = False) -> str:
    """Per env and student, each teacher's final share of the test set mastered and its area under the curve
    (mean, 95% stratified-bootstrap CI, IQM), with Welch's p and the probability of improvement against random; then
    each teacher's final mean test return (mean, CI, Welch's p against random), which still moves where nothing is
    mastered. With ``task_range``, also how much of each teacher's training went to tasks outside the test set's
    range (for a task space made wider than the test set, such as TeachMyAgent's mostly infeasible one)."""
    runs = find_runs(folder)
    lines = []
    for (env, student), by_teacher in group_runs(runs).items():  # random first
        baseline = by_teacher.get(BASELINE)
        lines.append(f"{env} / {student}: final share of the test set mastered and its AUC (mean [95% CI], IQM)")
        lines.append(f"{'teacher':<14} {'runs':>4}  {'final':<22}  {'IQM':>6}  {'AUC':<22}  {'p vs random':<16}  "
                     f"P(final > random)")
        for teacher, group in by_teacher.items():
            final = np.array([record.final for record in group])
            auc = np.array([record.auc for record in group])
            cells = [f"{teacher:<14} {len(group):>4}", f"{_with_interval(mean, final):<22}", f"{iqm(final):>6.3f}",
                     f"{_with_interval(mean, auc):<22}"]
            if _comparable(group, baseline):
                base_final = [record.final for record in baseline]
                base_auc = [record.auc for record in baseline]
                p_final, p_auc = welch_t_test(final, base_final).p, welch_t_test(auc, base_auc).p
                improvement = probability_of_improvement(final, base_final)
                low, high = stratified_bootstrap_ci(probability_of_improvement, final, base_final, seed=0)
                cells += [f"{p_final:.2g} / {p_auc:.2g}".ljust(16), f"{improvement:.2f} [{low:.2f}, {high:.2f}]"]
            lines.append("  ".join(cells).rstrip())
        lines += _test_return_lines(by_teacher)
        if task_range:
            lines += _outside_test_range_lines(by_teacher)
        seeds = sorted({record.seed for record in runs if record.env == env and record.problem is None})
        lines.append(f"seeds {seeds[0]}-{seeds[-1]}; p: Welch's t-test on the final share / on the AUC, and on the "
                     f"final mean test return")
    return "\n".join(lines)


def summarize_curves(folder: Path) -> str:
    """Per run, each evaluation: timesteps, share of the test set mastered, mean and median test return and mean
    training return (for sweeps too short to separate teachers, where the returns show what the student learnt)."""
    columns = ("timesteps", "mastered_share", "mean_test_return", "median_test_return", "mean_train_return")
    lines = []
    for record in find_runs(folder):
        if record.problem is not None:
            lines.append(f"{record.run_id}: not used ({record.problem})")
            continue
        table = read_columns(record.path / "metrics.csv", columns)
        lines.append(f"{record.run_id}")
        lines.append(f"{'timesteps':>12}  {'mastered':>8}  {'mean test return':>16}  {'median test return':>18}  "
                     f"{'mean training return':>20}")
        for row in zip(*(table[name] for name in columns)):
            lines.append(f"{int(row[0]):>12,}  {row[1]:>8.3f}  {_fixed(row[2], 1):>16}  {_fixed(row[3], 1):>18}  "
                         f"{_fixed(row[4], 1):>20}")
    return "\n".join(lines)


def _outside_test_range_lines(by_teacher: dict[str, list]) -> list[str]:
    """Each teacher's share of training episodes on tasks outside the range its test set spans (per parameter, the
    lowest to the highest test value), over the whole run and over its second half (mean over seeds)."""
    shares = {teacher: np.array([_outside_test_range(record) for record in group])
              for teacher, group in by_teacher.items()}
    lines = [f"{'teacher':<14} {'runs':>4}  training episodes outside the test set's range: whole run, second half"]
    for teacher, values in shares.items():
        whole, second_half = values.mean(axis=0)
        lines.append(f"{teacher:<14} {len(values):>4}  {whole:.2f}  {second_half:.2f}")
    return lines


def _outside_test_range(record) -> tuple[float, float]:
    """The run's share of training episodes whose task is outside its test set's range, over the whole run and over
    the episodes that ended after half its total timesteps (nan for a part without episodes)."""
    tests = read_columns(record.path / "test_set.csv", (), prefix="")
    episodes = read_columns(record.path / "curriculum.csv", ("timesteps", *(f"task.{name}" for name in tests)))
    outside = np.zeros(len(episodes["timesteps"]), dtype=bool)
    for name, values in tests.items():
        tasks = episodes[f"task.{name}"]
        outside |= (tasks < values.min()) | (tasks > values.max())
    second_half = episodes["timesteps"] > record.config.total_timesteps / 2
    return _share(outside), _share(outside[second_half])


def _share(flags: np.ndarray) -> float:
    """The share of ``flags`` that are true; nan when there are none (rather than numpy's warning)."""
    return float(flags.mean()) if flags.size else float("nan")


def _test_return_lines(by_teacher: dict[str, list]) -> list[str]:
    """Each teacher's final mean test return over its seeds (mean [95% CI]) and Welch's p against random."""
    baseline = by_teacher.get(BASELINE)
    lines = [f"{'teacher':<14} {'runs':>4}  {'final mean test return':<24}  p vs random"]
    for teacher, group in by_teacher.items():
        returns = np.array([record.test_return for record in group])
        cells = [f"{teacher:<14} {len(group):>4}", f"{_with_interval(mean, returns, digits=1):<24}"]
        if _comparable(group, baseline):
            cells.append(f"{welch_t_test(returns, [record.test_return for record in baseline]).p:.2g}")
        lines.append("  ".join(cells).rstrip())
    return lines


def _comparable(group: list, baseline: list | None) -> bool:
    """Whether a teacher's runs are compared with random's: not random itself, and two runs or more on each side."""
    return baseline is not None and group is not baseline and min(len(group), len(baseline)) >= 2


def _with_interval(aggregate, scores: np.ndarray, digits: int = 3) -> str:
    low, high = stratified_bootstrap_ci(aggregate, scores, seed=0)
    return f"{_fixed(aggregate(scores), digits)} [{_fixed(low, digits)}, {_fixed(high, digits)}]"


def _fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals, a small negative that rounds to zero printed as 0.0 rather than -0.0."""
    return f"{round(float(value), digits) + 0.0:.{digits}f}"


def sweep_source(config: str, summary: Callable[[Path], str]) -> Source:
    """A block summarising the sweep ``benchmarks/configs/<config>.yaml``, run into a scratch folder when measured."""
    return Source(("teachgym", "sweep", str(CONFIGS / f"{config}.yaml")), summary=summary,
                  folder_flag=("--out", "{out}", "--no-report"))


# The sweeps on the scoreboard, each in its config's output folder (runs/<name>), one tier or scouting run a line.
SCOREBOARD_SWEEPS = ("classic-control", "stump-tracks-cpu-scout", "stump-tracks-cpu", "stump-tracks-cpu-2m",
                     "stump-tracks-cpu-infeasible", "stump-tracks-cpu-bodies-scout", "parkour-cpu-scout", "parkour-cpu")

SOURCES: dict[str, Source] = {
    "env-speed": Source(("python", "-m", "teachgym.benchmarks.perf.env_speed")),
    "teacher-benchmark": Source(("python", "-m", "teachgym.benchmarks.teacher_benchmark")),
    "teacher-benchmark-high": Source(("python", "-m", "teachgym.benchmarks.teacher_benchmark", "--expert-level",
                                      "high", "--teachers", "random", "adr", "goal-gan", "self-paced", "currot")),
    "alp-gmm-speed": Source(("python", "-m", "teachgym.benchmarks.perf.alp_gmm_speed")),
    "neural-teacher-speed": Source(("python", "-m", "teachgym.benchmarks.perf.neural_teacher_speed")),
    "curriculum-overhead": Source(("python", "-m", "teachgym.benchmarks.perf.curriculum_overhead")),
    "vector-speed": Source(("python", "-m", "teachgym.benchmarks.perf.vector_speed")),
    "staircase": Source(("python", "-m", "teachgym.benchmarks.staircase")),
    "parkour-tracks": Source(("python", "-m", "teachgym.benchmarks.parkour_tracks"), markdown=True),
    "cartpole": sweep_source("classic-control", summarize_sweep),
    "stump-tracks-cpu-scout": sweep_source("stump-tracks-cpu-scout", summarize_curves),
    "stump-tracks-cpu-bodies-scout": sweep_source("stump-tracks-cpu-bodies-scout", summarize_curves),
    "parkour-cpu-scout": sweep_source("parkour-cpu-scout", summarize_curves),
    "parkour-cpu": sweep_source("parkour-cpu", summarize_sweep),
    "stump-tracks-cpu": sweep_source("stump-tracks-cpu", summarize_sweep),
    "stump-tracks-cpu-2m": sweep_source("stump-tracks-cpu-2m", summarize_sweep),
    "stump-tracks-cpu-infeasible": sweep_source("stump-tracks-cpu-infeasible",
                                                partial(summarize_sweep, task_range=True)),
    "protocol-cost": Source(("python", "-m", "teachgym.benchmarks.perf.protocol_cost", "--configs", "stump-tracks-cpu",
                             "parkour-cpu-scout", "stump-tracks", "challenges", "parkour")),
    "scoreboard": Source(("teachgym", "report", "--scoreboard", *(f"runs/{name}" for name in SCOREBOARD_SWEEPS)),
                         markdown=True),
}


# ------------------------------------------------------------------------------------------------------- blocks
def blocks(readme: str) -> list[tuple[str, str]]:
    """The (name, body) of every figure block in the README text, in order."""
    return [(match["name"], match["body"]) for match in BLOCK.finditer(readme)]


def render(name: str, text: str, seconds: float | None) -> str:
    """A block's body: where it comes from, then the measured text (in a fence unless it is Markdown). ``seconds``
    is None when the text summarises an output folder made earlier (``--from``)."""
    figures = text if SOURCES[name].markdown else f"```text\n{text}\n```"
    when = "earlier, summarised" if seconds is None else f"in {seconds:.0f} s"
    return (f"{PROVENANCE_PREFIX}{SOURCES[name].shown()}` {when} on {provenance.describe()}. "
            f"Regenerate: `python -m teachgym.benchmarks.readme_figures {name}`.\n\n{figures}\n\n")


def check(readme: str) -> list[str]:
    """Problems with the README's blocks: unknown names, a body without its provenance or its figures, a
    source no block uses, a marker without its pair."""
    problems = []
    found = blocks(readme)
    for name, body in found:
        if name not in SOURCES:
            problems.append(f"block {name!r} names no source{did_you_mean(name, SOURCES)}")
        elif not body.startswith(PROVENANCE_PREFIX) or "Regenerate:" not in body or body.count("\n") < 3:
            problems.append(f"block {name!r} does not say where its figures come from (rewrite it with "
                            f"`python -m teachgym.benchmarks.readme_figures {name}`)")
    names = [name for name, _ in found]
    problems += [f"source {name!r} has no block in the README" for name in SOURCES if name not in names]
    problems += [f"block {name!r} appears twice" for name in dict.fromkeys(names) if names.count(name) > 1]
    if readme.count("<!-- figures: ") != len(found) or readme.count("<!-- /figures -->") != len(found):
        problems.append("a <!-- figures: NAME --> marker lacks its <!-- /figures --> (or the reverse)")
    return problems


def rewrite(readme: str, name: str, body: str) -> str:
    """The README text with block ``name``'s body replaced."""
    if not any(found == name for found, _ in blocks(readme)):
        raise FiguresError(f"README has no <!-- figures: {name} --> block; add the two markers where it goes")
    return BLOCK.sub(lambda match: (f"<!-- figures: {name} -->\n{body}<!-- /figures -->\n"
                                    if match["name"] == name else match[0]), readme)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"blocks to measure again: {', '.join(SOURCES)}")
    parser.add_argument("--all", action="store_true", help="measure every block again")
    parser.add_argument("--check", action="store_true", help="exit 1 if a block is unknown or lacks provenance")
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    parser.add_argument("--from", dest="folder", type=Path,
                        help="summarise this output folder of the one named source (a sweep run earlier, here or on "
                             "a cluster with the same versions) instead of running its command")
    args = parser.parse_args(argv)
    if not args.readme.is_file():
        parser.error(f"{args.readme} is not a file; run from the repository root or pass --readme")
    readme = args.readme.read_text()
    if args.check:
        problems = check(readme)
        for problem in problems:
            print(f"{args.readme}: {problem}", file=sys.stderr)
        return 1 if problems else 0
    names = list(SOURCES) if args.all else args.names
    unknown = [name for name in names if name not in SOURCES]
    if unknown:
        parser.error(f"unknown block {unknown[0]!r}{did_you_mean(unknown[0], SOURCES)}; expected some of "
                     f"{list(SOURCES)}")
    if not names:
        used = {name for name, _ in blocks(readme)}
        for name, source in SOURCES.items():
            print(f"{name:<24} {'in README' if name in used else 'unused':<10} {source.shown()}")
        return 0
    if args.folder is not None and (len(names) != 1 or SOURCES[names[0]].summary is None):
        parser.error(f"--from takes one source that summarises a folder: "
                     f"{[name for name, source in SOURCES.items() if source.summary]}")
    for name in names:
        print(f"measuring {name}: {SOURCES[name].shown()}", file=sys.stderr)
        try:
            rewrite(readme, name, "")  # the block exists, before minutes of measuring
            if args.folder is not None:
                text, seconds = SOURCES[name].summary(args.folder), None
            else:
                text, seconds = SOURCES[name].measure(SCRATCH / name)
        except (FiguresError, TeachgymError) as error:
            print(f"readme_figures: error: {error}", file=sys.stderr)
            return 2
        readme = rewrite(readme, name, render(name, text, seconds))
        args.readme.write_text(readme)  # after each block: an interrupted --all keeps what it measured
    return 0


if __name__ == "__main__":
    sys.exit(main())
