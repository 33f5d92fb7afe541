"""Reports of a real small sweep (simulated students): tables against statistics computed from the run folders,
self-contained HTML, valid PNGs, runs that cannot be used, single runs and folders without runs."""

import base64
import csv
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
import scipy.stats
from simulated_sweeps import simulated_config, simulated_sweep

from teachgym.benchmarks import provenance
from teachgym.benchmarks.report import ReportError, write_report
from teachgym.benchmarks.run import run
from teachgym.benchmarks.run_folder import RunFolder
from teachgym.benchmarks.statistics import (
    area_under_curve,
    iqm,
    mean,
    probability_of_improvement,
    stratified_bootstrap_ci,
    welch_t_test,
)
from teachgym.errors import TeachgymError

ENV = "teachgym/SimulatedStudent-v0"
SECTION = "SimulatedStudent / simulated"
TEACHERS = ("random", "alp-gmm")
SEEDS = range(3)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FAILED_RUN = "SimulatedStudent/alp-gmm/simulated/seed-3"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """2 teachers x 3 seeds in the sweep layout, plus one failed run."""
    root = simulated_sweep(tmp_path_factory.mktemp("sweep"), [ENV], TEACHERS, SEEDS)
    failed = RunFolder(root / FAILED_RUN)
    failed.create(simulated_config("alp-gmm", 3, failed.path))
    failed.set_status("failed", timesteps=0, error="RuntimeError: the student crashed")
    return root


@pytest.fixture(scope="module")
def report(sweep) -> Path:
    return write_report(sweep)


def _tables(markdown: str) -> dict[tuple[str, str | None], list[list[dict[str, str]]]]:
    """The Markdown tables under each (## heading, ### heading), as lists of rows keyed by column."""
    tables: dict[tuple[str, str | None], list[list[dict[str, str]]]] = {}
    section, subsection, lines = "", None, []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            lines.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if lines:
            header, _, *rows = lines
            tables.setdefault((section, subsection), []).append([dict(zip(header, row)) for row in rows])
            lines = []
        if line.startswith("## "):
            section, subsection = line[3:], None
        elif line.startswith("### "):
            subsection = line[4:]
    return tables


def _by_teacher(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["teacher"]: row for row in rows}


def _scores(sweep: Path, teacher: str) -> tuple[np.ndarray, np.ndarray]:
    """Final share and AUC of each seed, straight from the metrics.csv files."""
    finals, aucs = [], []
    for seed in SEEDS:
        with (sweep / f"SimulatedStudent/{teacher}/simulated/seed-{seed}/metrics.csv").open() as handle:
            rows = list(csv.DictReader(handle))
        timesteps = [float(row["timesteps"]) for row in rows]
        shares = [float(row["mastered_share"]) for row in rows]
        finals.append(shares[-1])
        aucs.append(area_under_curve(timesteps, shares))
    return np.array(finals), np.array(aucs)


def _interval(scores, aggregate=mean, *more) -> str:
    interval = stratified_bootstrap_ci(aggregate, scores, *more, seed=0)
    return f"[{interval.low:.3f}, {interval.high:.3f}]"


def test_score_tables_match_statistics_of_the_metrics(sweep, report):
    tables = _tables((report / "report.md").read_text())
    for heading, index in (("Final share mastered", 0), ("Area under the curve (AUC) of the share mastered", 1)):
        [rows] = tables[SECTION, heading]
        assert [row["teacher"] for row in rows] == ["random", "alp-gmm"]
        for teacher, row in _by_teacher(rows).items():
            scores = _scores(sweep, teacher)[index]
            assert row["runs"] == "3"
            assert row["mean"] == f"{scores.mean():.3f}"
            assert row["IQM"] == f"{scipy.stats.trim_mean(scores, 0.25):.3f}"
            assert row["mean 95% CI"] == _interval(scores)
            assert row["IQM 95% CI"] == _interval(scores, iqm)
    random_finals = _scores(sweep, "random")[0]
    assert random_finals.min() < random_finals.max()  # the runs differ: the statistics are not trivial


def test_tests_against_random_match_scipy(sweep, report):
    welch, improvement = tables = _tables((report / "report.md").read_text())[SECTION, "Against random"]
    assert [len(table) for table in tables] == [1, 1]
    for name, index in (("final", 0), ("AUC", 1)):
        teacher, random = _scores(sweep, "alp-gmm")[index], _scores(sweep, "random")[index]
        reference = scipy.stats.ttest_ind(teacher, random, equal_var=False)
        row = welch[0]
        assert row["teacher"] == "alp-gmm"
        assert row[f"{name}: t"] == f"{reference.statistic:.3f}"
        assert row[f"{name}: dof"] == f"{reference.df:.2f}"
        assert row[f"{name}: p"] == f"{welch_t_test(teacher, random).p:.3g}" == f"{reference.pvalue:.3g}"
        row = improvement[0]
        assert row[f"P({name} > random)"] == f"{probability_of_improvement(teacher, random):.3f}"
        assert 0 <= probability_of_improvement(teacher, random) <= 1
    for name, index in (("final", 0), ("AUC", 1)):
        scores = _scores(sweep, "alp-gmm")[index], _scores(sweep, "random")[index]
        assert improvement[0][f"{name} 95% CI"] == _interval(scores[0], probability_of_improvement, scores[1])


def test_summary_relative_to_random(sweep, report):
    [rows] = _tables((report / "report.md").read_text())["Final share mastered relative to random", None]
    finals = {teacher: _scores(sweep, teacher)[0] for teacher in TEACHERS}
    assert rows == [{"env / student": SECTION, "teacher": "alp-gmm",
                     "final / random": f"{finals['alp-gmm'].mean() / finals['random'].mean():.3f}"}]


def test_failed_run_is_listed_not_used(report):
    tables = _tables((report / "report.md").read_text())
    [unused] = tables["Runs not used", None]
    assert unused == [{"run": FAILED_RUN, "state": "failed", "reason": "failed: RuntimeError: the student crashed"}]
    [runs] = tables["Runs", None]
    assert {row["teacher"]: (row["runs used"], row["seeds"]) for row in runs} == {
        "random": ("3", "0, 1, 2"), "alp-gmm": ("3", "0, 1, 2")}


def test_figures_are_png_files_beside_the_report(report):
    markdown = (report / "report.md").read_text()
    names = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert sorted(names) == [f"figures/{name}.png" for name in ("curriculum-SimulatedStudent-simulated",
                                                                 "curves-SimulatedStudent-simulated", "overview",
                                                                 "relative-to-random")]
    assert sorted(report.glob("figures/*")) == sorted(report / name for name in names)
    for name in names:
        png = (report / name).read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 3_000
        with PIL.Image.open(report / name) as picture:
            picture.load()  # decodes every pixel: a truncated or corrupt file raises
            assert picture.width >= 400 and picture.height >= 200
            assert picture.convert("L").getextrema()[0] < 128  # something dark is drawn on the white
    page = (report / "report.html").read_text()
    assert re.findall(r'<img alt="[^"]*" src="([^"]*)">', page) == re.findall(r"!\[[^\]]*\]\(([^)]+)\)",
                                                                              markdown)
    assert "data:" not in page and len(page) < 100_000


def test_self_contained_html_embeds_the_figures(sweep, report, tmp_path):
    page = (write_report(sweep, out=tmp_path, self_contained=True) / "report.html").read_text()
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 4
    for source, name in zip(sources, re.findall(r'<img alt="([^"]*)"', page)):
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]) == (report / "figures" / name).read_bytes()
    assert "href=" not in page and "<link" not in page
    markdown = (report / "report.md").read_text()
    assert page.count("<table>") == sum(len(tables) for tables in _tables(markdown).values())
    [rows] = _tables(markdown)[SECTION, "Final share mastered"]
    assert f"<td>{rows[0]['mean 95% CI']}</td>" in page


def test_a_new_report_removes_the_figures_it_no_longer_draws(sweep, tmp_path):
    (tmp_path / "report" / "figures").mkdir(parents=True)
    (tmp_path / "report" / "figures" / "curves-gone.png").write_bytes(b"old")
    write_report(sweep, out=tmp_path)
    assert not (tmp_path / "report" / "figures" / "curves-gone.png").exists()


def test_report_is_seeded(sweep, report, tmp_path):
    again = write_report(sweep, out=tmp_path, seed=0)
    assert again == tmp_path / "report"
    assert (again / "report.md").read_text() == (report / "report.md").read_text()


def test_single_run_folder(tmp_path):
    folder = run(simulated_config("alp-gmm", 0, tmp_path / "one-run"))
    report = write_report(folder, out=tmp_path / "elsewhere")
    assert report == tmp_path / "elsewhere" / "report"
    markdown = (report / "report.md").read_text()
    [rows] = _tables(markdown)[SECTION, "Final share mastered"]  # labels from config.yaml
    with (folder / "metrics.csv").open() as handle:
        final = float(list(csv.DictReader(handle))[-1]["mastered_share"])
    assert rows == [{"teacher": "alp-gmm", "runs": "1", "mean": f"{final:.3f}", "mean 95% CI": f"[{final:.3f}, "
                     f"{final:.3f}]", "IQM": f"{final:.3f}", "IQM 95% CI": f"[{final:.3f}, {final:.3f}]"}]
    assert "No `random` runs for SimulatedStudent / simulated" in markdown
    assert "Skipped: no env has both `random` runs and runs of another teacher." in markdown
    assert sorted(path.name for path in report.glob("figures/*.png")) == [
        "curriculum-SimulatedStudent-simulated.png", "curves-SimulatedStudent-simulated.png", "overview.png"]


def test_runs_outside_the_sweep_layout_group_by_config_and_differences_are_flagged(tmp_path):
    run(simulated_config("random", 0, tmp_path / "first"))
    run(replace(simulated_config("random", 1, tmp_path / "second"), total_timesteps=200))
    markdown = (write_report(tmp_path) / "report.md").read_text()
    [rows] = _tables(markdown)[SECTION, "Final share mastered"]
    assert [(row["teacher"], row["runs"]) for row in rows] == [("random", "2")]
    assert "Warning: the runs of `random` differ in total_timesteps; they are aggregated together." in markdown


def test_malformed_metrics_are_listed(sweep, tmp_path):
    copy = tmp_path / "SimulatedStudent/random/simulated/seed-0"
    shutil.copytree(sweep / "SimulatedStudent/random/simulated/seed-0", copy)
    (copy / "metrics.csv").write_text("timesteps,mastered_shares\n100,0.5\n")
    markdown = (write_report(tmp_path) / "report.md").read_text()
    [unused] = _tables(markdown)["Runs not used", None]
    assert unused[0]["run"] == "SimulatedStudent/random/simulated/seed-0"
    assert "has no column 'mastered_share' (did you mean 'mastered_shares'?)" in unused[0]["reason"]


def _rewrite_metrics(row: int, column: str, value: str):
    def damage(run: Path) -> None:
        with (run / "metrics.csv").open(newline="") as handle:
            lines = list(csv.reader(handle))
        lines[row][lines[0].index(column)] = value
        with (run / "metrics.csv").open("w", newline="") as handle:
            csv.writer(handle).writerows(lines)
    return damage


def _rewrite_test_return(value: str):
    def damage(run: Path) -> None:
        with (run / "test_returns.csv").open(newline="") as handle:
            lines = list(csv.reader(handle))
        lines[201][lines[0].index("return")] = value  # the first task of the last evaluation (timesteps 300)
        with (run / "test_returns.csv").open("w", newline="") as handle:
            csv.writer(handle).writerows(lines)
    return damage


def _drop_the_last_cells_of_the_first_row(run: Path) -> None:
    header, first, *rest = (run / "metrics.csv").read_text().splitlines(keepends=True)
    (run / "metrics.csv").write_text("".join([header, first.rsplit(",", 2)[0] + "\n", *rest]))


@pytest.mark.parametrize(("damage", "reasons"), [
    (lambda run: (run / "status.json").write_text("[1, 2]"),
     ["status.json is unreadable: expected a JSON object, got list"]),
    (lambda run: (run / "status.json").write_text('{"state": 3, "timesteps": 300}'),
     ["status.json: state 3; expected running, done or failed"]),
    (lambda run: (run / "status.json").write_text('{"state": "paused", "timesteps": 300}'),
     ["status.json: state 'paused'; expected running, done or failed"]),
    (_rewrite_metrics(2, "mastered_share", "abc"),
     ["metrics.csv, line 3, column 'mastered_share': 'abc' is not a number"]),
    (_rewrite_metrics(1, "mastered_share", "1.5"),
     ["metrics.csv, line 2: mastered_share 1.5; expected a share in [0, 1]"]),
    (_rewrite_metrics(3, "timesteps", "150"), ["metrics.csv, line 4: timesteps 150 after 200; expected increasing"]),
    (lambda run: (run / "metrics.csv").write_text("timesteps,mean_test_return\n100,1.0\n"),
     ["metrics.csv has no column 'mastered_share'"]),
    (lambda run: (run / "metrics.csv").write_bytes((run / "metrics.csv").read_bytes()[:-40]),
     ["metrics.csv, line 4: the last row is cut mid-way (no line end)"]),
    (_drop_the_last_cells_of_the_first_row, ["metrics.csv, line 2: 8 fields, the header has 10"]),
    (lambda run: (run / "metrics.csv").write_bytes(b"\xff\xfe\x00t"), ["metrics.csv is not UTF-8 text (byte 0)"]),
    (lambda run: (run / "metrics.csv").unlink(), ["metrics.csv is missing"]),
    (lambda run: (run / "config.yaml").write_text("env: [\n"), ["config.yaml: cannot read the run config: invalid YAML "
                                                                "at line 2"]),
    (lambda run: (run / "environment.json").write_text('[{"timesteps": 0'), ["environment.json is unreadable"]),
    (lambda run: (run / "environment.json").write_text('[{"timesteps": 0}]'),
     ["environment.json is unreadable: record 1 lacks the timesteps or the versions"]),
    (_rewrite_test_return("inf"), ["test_returns.csv: a return of the last evaluation is inf"]),
    (_rewrite_test_return("x"), ["test_returns.csv, line 202, column 'return': 'x' is not a number"]),
])
def test_a_damaged_run_is_listed_with_the_reason_and_the_report_covers_the_others(sweep, tmp_path, damage, reasons):
    for seed in (0, 1):
        shutil.copytree(sweep / f"SimulatedStudent/random/simulated/seed-{seed}",
                        tmp_path / f"SimulatedStudent/random/simulated/seed-{seed}")
    damage(tmp_path / "SimulatedStudent/random/simulated/seed-0")
    markdown = (write_report(tmp_path) / "report.md").read_text()
    [[unused]] = _tables(markdown)["Runs not used", None]
    assert (unused["run"], unused["state"]) == ("SimulatedStudent/random/simulated/seed-0", "damaged")
    assert all(reason in unused["reason"] for reason in reasons), unused["reason"]
    assert str(tmp_path / "SimulatedStudent/random/simulated/seed-0") in unused["reason"]  # the file is named
    [rows] = _tables(markdown)[SECTION, "Final share mastered"]
    assert [(row["teacher"], row["runs"]) for row in rows] == [("random", "1")]


def test_a_report_whose_out_is_a_file_writes_nothing(sweep, tmp_path):
    (tmp_path / "file").write_text("mine")
    for out in (tmp_path / "file", tmp_path / "file" / "below"):
        with pytest.raises(TeachgymError, match=f"{tmp_path / 'file'} is a file, so no folder can be made"):
            write_report(sweep, out=out)
    assert (tmp_path / "file").read_text() == "mine" and sorted(tmp_path.iterdir()) == [tmp_path / "file"]


def test_folder_without_runs_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="holds no runs") as error:
        write_report(tmp_path / "empty")
    assert isinstance(error.value, TeachgymError) and str(tmp_path / "empty") in str(error.value)
    with pytest.raises(ReportError, match="is not a folder"):
        write_report(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()


# ------------------------------------------------------------------------------------------ CVaR and scores.csv
def _worst_tenth(run: Path) -> float:
    """The mean of the 10 lowest of the 100 test returns of the last evaluation, straight from test_returns.csv."""
    with (run / "test_returns.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    last = max(int(row["timesteps"]) for row in rows)
    returns = sorted(float(row["return"]) for row in rows if int(row["timesteps"]) == last)
    assert len(returns) == 100
    return sum(returns[:10]) / 10


def test_cvar_table_matches_the_worst_tenth_of_the_test_returns(sweep, report):
    [rows] = _tables((report / "report.md").read_text())[SECTION, "CVaR at alpha 0.1 of the test returns"]
    for teacher, row in _by_teacher(rows).items():
        scores = np.array([_worst_tenth(sweep / f"SimulatedStudent/{teacher}/simulated/seed-{seed}") for seed in SEEDS])
        assert row["runs"] == "3"
        assert row["mean"] == f"{scores.mean():.3f}" and row["mean 95% CI"] == _interval(scores)
        assert row["IQM"] == f"{scipy.stats.trim_mean(scores, 0.25):.3f}"
        assert row["IQM 95% CI"] == _interval(scores, iqm)
    assert len(set(rows[0].values())) > 3  # the runs differ: not a constant


def test_scores_csv_has_one_row_per_used_run(sweep, report):
    assert "`scores.csv`" in (report / "report.md").read_text()
    with (report / "scores.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["env", "teacher", "student", "seed", "final_mastered_share", "auc", "cvar_0.1",
                             "run_folder"]
    assert len(rows) == len(TEACHERS) * len(SEEDS)  # the failed run is not a score
    for row in rows:
        run = sweep / f"SimulatedStudent/{row['teacher']}/simulated/seed-{row['seed']}"
        assert (row["env"], row["student"], row["run_folder"]) == ("SimulatedStudent", "simulated", str(run))
        finals, aucs = _scores(sweep, row["teacher"])
        assert float(row["final_mastered_share"]) == finals[int(row["seed"])]
        assert float(row["auc"]) == aucs[int(row["seed"])]
        assert float(row["cvar_0.1"]) == pytest.approx(_worst_tenth(run), rel=1e-12)


def test_a_run_without_test_returns_has_no_cvar_but_its_other_scores(sweep, tmp_path):
    for seed in (0, 1):
        shutil.copytree(sweep / f"SimulatedStudent/random/simulated/seed-{seed}",
                        tmp_path / f"SimulatedStudent/random/simulated/seed-{seed}")
    (tmp_path / "SimulatedStudent/random/simulated/seed-0/test_returns.csv").unlink()
    report = write_report(tmp_path)
    tables = _tables((report / "report.md").read_text())
    [[cvar_row]] = tables[SECTION, "CVaR at alpha 0.1 of the test returns"]
    assert cvar_row["runs"] == "1"
    assert cvar_row["mean"] == f"{_worst_tenth(tmp_path / 'SimulatedStudent/random/simulated/seed-1'):.3f}"
    [[final_row]] = tables[SECTION, "Final share mastered"]
    assert final_row["runs"] == "2"
    with (report / "scores.csv").open(newline="") as handle:
        assert [row["cvar_0.1"] == "" for row in csv.DictReader(handle)] == [True, False]


# --------------------------------------------------------------------------------------------------- versions
def _set_numpy_version(run: Path, version: str, record: int = 0) -> None:
    records = json.loads((run / "environment.json").read_text())
    records[record]["versions"]["numpy"] = version
    (run / "environment.json").write_text(json.dumps(records))


def test_the_report_lists_the_version_sets_of_the_runs_it_uses(sweep, report):
    markdown = (report / "report.md").read_text()
    [rows] = _tables(markdown)["Version sets", None]
    [record] = json.loads((sweep / "SimulatedStudent/random/simulated/seed-0/environment.json").read_text())
    assert rows == [{"version set": provenance.versions_line(record), "runs": "6"}]  # the failed run is not used
    assert "ran with 2 version sets" not in markdown and "resumed under another version set" not in markdown


def test_mixed_version_sets_are_counted_and_warned_about(sweep, tmp_path):
    for seed in SEEDS:
        shutil.copytree(sweep / f"SimulatedStudent/random/simulated/seed-{seed}",
                        tmp_path / f"SimulatedStudent/random/simulated/seed-{seed}")
    shutil.copytree(sweep / "SimulatedStudent/alp-gmm/simulated/seed-0",
                    tmp_path / "SimulatedStudent/alp-gmm/simulated/seed-0")
    old = tmp_path / "SimulatedStudent/random/simulated/seed-0"
    (old / "environment.json").unlink()  # a run folder from before environment.json: used, its versions unknown
    resumed = tmp_path / "SimulatedStudent/random/simulated/seed-1"
    records = json.loads((resumed / "environment.json").read_text())
    (resumed / "environment.json").write_text(json.dumps([*records, {**records[0], "event": "resume",
                                                                     "timesteps": 200}]))
    _set_numpy_version(resumed, "1.0.0", record=1)
    markdown = (write_report(tmp_path) / "report.md").read_text()
    current = provenance.versions_line(records[0])
    [rows] = _tables(markdown)["Version sets", None]
    assert {row["version set"]: row["runs"] for row in rows} == {
        current: "3", current.replace(f"numpy {records[0]['versions']['numpy']}", "numpy 1.0.0"): "1", "unknown": "1"}
    assert ("Warning: 1 run(s) resumed under another version set than they started with: "
            "`SimulatedStudent/random/simulated/seed-1`.") in markdown
    assert "Warning: the runs of `random` ran with 3 version sets (see Version sets)" in markdown
    assert "the runs of `alp-gmm` ran with" not in markdown
    assert "None: every run is done and has evaluations." in markdown  # versions warn, never drop a run


# ----------------------------------------------------------------------------------------------- summary first
def _summary_cell(row: dict[str, str]) -> str:
    """An IQM and its CI as the summary matrix writes them (bold for the best, a mark for Welch's p < 0.05)."""
    return f"{row['IQM']} {row['IQM 95% CI']}"


def test_the_summary_matrix_comes_first_and_agrees_with_the_env_tables(sweep, report):
    markdown = (report / "report.md").read_text()
    headings = re.findall(r"^## (.+)$", markdown, re.MULTILINE)
    assert headings[0] == "Summary: IQM final share mastered"
    assert headings.index(SECTION) > 0
    tables = _tables(markdown)
    [summary] = tables["Summary: IQM final share mastered", None]
    [final] = tables[SECTION, "Final share mastered"]
    finals = {teacher: _scores(sweep, teacher)[0] for teacher in TEACHERS}
    best = max(TEACHERS, key=lambda teacher: scipy.stats.trim_mean(finals[teacher], 0.25))
    p = scipy.stats.ttest_ind(finals["alp-gmm"], finals["random"], equal_var=False).pvalue
    mark = ("" if not p < 0.05 else " ↑" if finals["alp-gmm"].mean() > finals["random"].mean() else " ↓")
    expected = {}
    for teacher, row in _by_teacher(final).items():
        cell = f"**{_summary_cell(row)}**" if teacher == best else _summary_cell(row)
        expected[teacher] = cell + (mark if teacher == "alp-gmm" else "")
    assert summary == [{"teacher": teacher, SECTION: expected[teacher]} for teacher in TEACHERS]
    page = (report / "report.html").read_text()
    assert page.index("<h2>Summary: IQM final share mastered</h2>") < page.index('src="figures/overview.png"') < (
        page.index(f"<h2>{SECTION}</h2>"))
    assert f"<strong>{_summary_cell(_by_teacher(final)[best])}</strong>" in page


def test_the_run_list_is_folded(report):
    page = (report / "report.html").read_text()
    folded = page[page.index("<details>"):page.index("</details>")]
    assert "<summary>6 runs used in 2 groups (env, student, teacher): show</summary>" in folded
    assert "<td>0, 1, 2</td>" in folded
    assert page.index("<details>") > page.index(f"<h2>{SECTION}</h2>")
    assert "<details><summary>6 runs used in 2 groups" in (report / "report.md").read_text()
