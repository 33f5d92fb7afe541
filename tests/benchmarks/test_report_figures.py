"""The report's figures and summary on hand-made run records: one style per teacher (20 distinct), kept across
figures; the summary matrix's normalised scores and Welch marks against scipy; random = 0 drawn and said; labels
that do not overlap however many teachers and envs."""

import itertools
from pathlib import Path

import numpy as np
import pytest
import scipy.stats
from matplotlib.colors import to_hex, to_rgb

from teachgym.benchmarks.report import RunRecord, document, figures
from teachgym.benchmarks.report.reading import group_runs
from teachgym.benchmarks.report.rendering import Heading, Image, Table
from teachgym.benchmarks.report.scores import summary_matrix

FINALS = {  # env -> teacher -> final shares of its seeds
    "Easy": {"random": [0.10, 0.12, 0.11], "strong": [0.50, 0.55, 0.60], "weak": [0.00, 0.01, 0.00]},
    "Hard": {"random": [0.0, 0.0, 0.0], "strong": [0.20, 0.30, 0.25], "weak": [0.0, 0.05, 0.0]},
    "Infeasible": {"random": [0.0, 0.0], "strong": [0.0, 0.0]},
}


def _records(finals: dict[str, dict[str, list[float]]]) -> list[RunRecord]:
    records = []
    for env, by_teacher in finals.items():
        for teacher, shares in by_teacher.items():
            for seed, share in enumerate(shares):
                run_id = f"{env}/{teacher}/simulated/seed-{seed}"
                records.append(RunRecord(Path("/runs") / run_id, run_id, env, teacher, "simulated", seed, None, "done",
                                         timesteps=np.array([100.0, 200.0]), mastered_share=np.array([0.0, share]),
                                         final=share, auc=share / 2))
    return records


def _iqm(env: str, teacher: str) -> float:
    return float(scipy.stats.trim_mean(FINALS[env][teacher], 0.25))


def test_twenty_teachers_get_twenty_distinct_colours_and_markers():
    names = [f"teacher-{index:02d}" for index in range(19)] + ["random"]
    styles = figures.teacher_styles(reversed(names))
    assert list(styles) == ["random", *sorted(set(names) - {"random"})]  # the baseline first, then by name
    assert styles == figures.teacher_styles(names)  # whatever order they come in
    assert styles["random"] == figures.Style("#000000", "o", "--")
    assert len({style.colour for style in styles.values()}) == 20
    assert len({(style.colour, style.marker) for style in styles.values()}) == 20
    assert len({style.marker for style in styles.values()}) == len(figures.MARKERS) + 1
    distances = [np.linalg.norm(np.subtract(to_rgb(a.colour), to_rgb(b.colour)))
                 for a, b in itertools.combinations(styles.values(), 2)]
    assert min(distances) > 0.2  # no two colours a reader would confuse
    many = figures.teacher_styles(f"t{index}" for index in range(60))
    assert len(set(many.values())) == 60


def test_a_teacher_keeps_its_style_in_every_figure_of_a_report(monkeypatch):
    drawn = []

    def recording(function):
        def draw(*args, styles, **kwargs):
            figure = function(*args, styles=styles, **kwargs)
            drawn.append((function.__name__, figure))
            return figure
        return draw

    for name in ("learning_curves", "relative_to_random"):
        monkeypatch.setattr(figures, name, recording(getattr(figures, name)))
    finals = {**FINALS, "Other": {"strong": [0.3, 0.4], "weak": [0.1, 0.2]}}  # a section without random
    document(Path("/runs"), _records(finals), seed=0)
    expected = figures.teacher_styles(["random", "strong", "weak"])
    assert [name for name, _ in drawn] == ["learning_curves"] * 4 + ["relative_to_random"]
    seen = {}
    for name, figure in drawn:
        for axes in figure.axes:
            for line in axes.get_lines():
                teacher = line.get_label().split(" (")[0]
                if teacher in expected:
                    seen.setdefault(teacher, set()).add((to_hex(line.get_color()), line.get_marker(),
                                                         line.get_linestyle()))
            for bars in axes.containers:
                for patch, label in zip(bars, axes.get_yticklabels()):
                    seen.setdefault(label.get_text(), set()).add(to_hex(patch.get_facecolor()))
    assert seen["random"] == {("#000000", "o", "--")}
    for teacher in ("strong", "weak"):
        style = expected[teacher]
        assert seen[teacher] == {(style.colour, style.marker, "-"), style.colour}


def test_the_summary_matrix_normalises_to_random_and_best_and_marks_welch_against_scipy():
    columns = {column.title: column for column in summary_matrix(group_runs(_records(FINALS)), seed=0)}
    easy = columns["Easy / simulated"]
    assert easy.normalised
    low, best = _iqm("Easy", "random"), _iqm("Easy", "strong")
    assert easy.scaled == pytest.approx({"random": 0.0, "strong": 1.0, "weak": (_iqm("Easy", "weak") - low) /
                                         (best - low)}, abs=1e-12)
    assert easy.scaled["weak"] < 0
    for teacher, above in (("strong", True), ("weak", False)):
        p = scipy.stats.ttest_ind(FINALS["Easy"][teacher], FINALS["Easy"]["random"], equal_var=False).pvalue
        assert easy.cells[teacher].p == pytest.approx(p, rel=1e-9) and p < 0.05
        assert easy.cells[teacher].significant and easy.cells[teacher].above == above
    assert np.isnan(easy.cells["random"].p)
    hard = columns["Hard / simulated"]  # random masters 0, a teacher does not: still normalised
    assert hard.normalised and hard.scaled["strong"] == 1.0 and hard.scaled["random"] == 0.0
    infeasible = columns["Infeasible / simulated"]
    assert not infeasible.normalised and infeasible.scaled == {"random": 0.0, "strong": 0.0}
    assert infeasible.why_absolute == "random masters 0 and so does every teacher"


def test_the_summary_table_bolds_the_best_and_marks_significance():
    blocks = document(Path("/runs"), _records(FINALS), seed=0)
    assert blocks[1] == Heading("Summary: IQM final share mastered")
    table = blocks[3]
    assert isinstance(table, Table) and table.headers == ["teacher", "Easy / simulated", "Hard / simulated",
                                                          "Infeasible / simulated"]
    rows = {row[0]: row[1:] for row in table.rows}
    assert list(rows) == ["random", "strong", "weak"]
    assert rows["strong"][0].startswith(f"**{_iqm('Easy', 'strong'):.3f} [") and rows["strong"][0].endswith("** ↑")
    assert rows["weak"][0].startswith(f"{_iqm('Easy', 'weak'):.3f} [") and rows["weak"][0].endswith("] ↓")
    assert rows["random"][0].endswith("]")  # the baseline is never marked against itself
    assert rows["weak"][2] == "–"  # not run on Infeasible
    assert rows["random"][2].startswith("**0.000 [0.000, 0.000]**")  # ties for the best: all bold
    overview = blocks[4]
    assert isinstance(overview, Image) and overview.file_name == "overview.png"
    assert ("absolute IQM (blue) where that is undefined: Infeasible / simulated (random masters 0 and so does "
            "every teacher)") in overview.caption
    assert "3 seeds each" not in overview.caption and "2 to 3 seeds" in overview.caption


def test_where_random_masters_nothing_the_relative_panel_draws_absolute_shares_and_says_why():
    styles = figures.teacher_styles(["random", "strong", "weak"])
    figure = figures.relative_to_random({"Easy": (0.11, {"strong": 5.0, "weak": 0.03}),
                                         "Hard": (0.0, {"strong": 0.25, "weak": 0.0})}, styles=styles)
    easy, hard = figure.axes[:2]
    assert "random masters 0: absolute shares" in hard.get_title()
    assert hard.get_xlabel() == "mean final share"
    assert [patch.get_width() for patch in hard.containers[0]] == [0.25, 0.0]
    assert [text.get_text() for text in hard.texts] == ["0.25", "0.00"]  # the zero is written, not a silent gap
    assert hard.containers[0][0].get_hatch() == "//"
    assert "random masters 0" not in easy.get_title() and easy.get_xlabel() == "mean final share / random's"
    assert [patch.get_width() for patch in easy.containers[0]] == [5.0, 0.03]
    blocks = document(Path("/runs"), _records(FINALS), seed=0)
    [table] = [b for i, b in enumerate(blocks) if isinstance(b, Table) and blocks[i - 2] == Heading(
        "Final share mastered relative to random")]
    assert ["Hard / simulated", "strong", "n/a (random 0; the teacher 0.250)"] in [list(row) for row in table.rows]
    [image] = [block for block in blocks if isinstance(block, Image) and block.file_name == "relative-to-random.png"]
    assert "Where random masters 0 (Hard / simulated; Infeasible / simulated) no ratio exists" in image.caption


def _overlaps(labels) -> list[tuple[str, str]]:
    boxes = [(label.get_text(), label.get_window_extent()) for label in labels if label.get_text()]
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


def test_labels_do_not_overlap_with_twenty_teachers_and_twelve_envs():
    teachers = ["random", *(f"teacher-with-a-long-name-{index}" for index in range(19))]
    envs = [f"SimulatedStudent-Distractors-{index} / simulated" for index in range(12)]
    rng = np.random.default_rng(0)
    columns = [figures.HeatColumn(env, {t: float(v) for t, v in zip(teachers, rng.uniform(-1, 1, 20))}, True)
               for env in envs]
    overview = figures.overview(columns, teachers)
    styles = figures.teacher_styles(teachers)
    panels = figures.relative_to_random({env: (0.1, {t: 1.0 for t in teachers[1:]}) for env in envs}, styles=styles)
    curves = figures.learning_curves({t: (np.arange(1, 6) * 100.0, rng.uniform(0, 1, (3, 5))) for t in teachers},
                                     styles=styles, title="twenty teachers")
    for figure in (overview, panels, curves):
        figure.canvas.draw()  # lays the labels out
    heat_maps = [axes for axes in overview.axes if axes.get_label() != "<colorbar>"]
    assert len(heat_maps) == 2  # 12 envs wrap into two rows of at most 8
    for axes in heat_maps + [axes for axes in panels.axes if axes.get_visible()]:
        assert not _overlaps(axes.get_xticklabels()) and not _overlaps(axes.get_yticklabels())
    assert len(panels.axes) == 12 and panels.get_size_inches()[0] < 12  # three panels a row, not a 12-wide strip
    [axes] = curves.axes
    legend = axes.get_legend().get_window_extent()
    assert not legend.overlaps(axes.get_window_extent())  # beside the curves, not over them
