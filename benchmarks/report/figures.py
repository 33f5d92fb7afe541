"""The report's figures: the overview heat map, learning curves, where each teacher sampled its tasks over time, and
each teacher's final share mastered relative to random.

Every figure of a report draws a teacher in the same :class:`Style` (:func:`teacher_styles`: the baseline in black,
dashed, the others in 20 distinct colours and 12 markers, given in the order of the sorted names). Figures are drawn
on ``matplotlib.figure.Figure`` objects, never through pyplot, so nothing global changes (no backend switch, no figure
registry to leak); :func:`png` renders one with Agg on any machine, as a 256-colour PNG (a quarter of the bytes of
a full-colour one for these plots).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
from matplotlib.colors import ListedColormap, Normalize, TwoSlopeNorm, to_rgb
from matplotlib.figure import Figure
from PIL import Image

from ..statistics import stratified_bootstrap_ci

DPI = 110
PANEL_INCHES = 2.6  # the side of one curriculum snapshot
SMALL_PANEL_INCHES = 1.9  # ... when more than SMALL_PANELS_FROM teachers share the figure
SMALL_PANELS_FROM = 5
MAX_POINTS_PER_PANEL = 2000  # more points only hide each other and bloat the PNG
MAX_MARKERS_PER_LINE = 12
RETURN_COLOURS = "viridis"
NORMALISED_COLOURS = "RdYlGn"  # random = 0 in the middle, the best = 1 green, below random red
ABSOLUTE_COLOURS = "Blues"
NOT_RUN = "#d9d9d9"
HEATMAP_COLUMNS = 8  # more envs wrap into further rows of the overview
PANELS_PER_ROW = 3  # relative-to-random panels
LABEL_WIDTH = 16  # characters per line of an env label under a heat map column or over a panel
BASELINE_STYLE = ("#000000", "o", "--")
# Distinct on white and from black (at least 0.24 apart in RGB): tab10 without its grey, then ten more.
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
           "#000080", "#800000", "#008080", "#f032e6", "#808000", "#ffd700", "#b08cff", "#7f7f7f", "#00e060",
           "#fa8072", "#4b0082")
MARKERS = ("s", "^", "D", "v", "P", "X", "<", ">", "p", "h", "*", "d")  # 20 and 12: 60 distinct pairs


class Style(NamedTuple):
    """How a teacher is drawn in every figure of a report."""

    colour: str
    marker: str
    linestyle: str = "-"


class Trace(NamedTuple):
    """The training episodes of one run: timesteps (n,), tasks (n, d) and returns (n,)."""

    timesteps: np.ndarray
    tasks: np.ndarray
    returns: np.ndarray


class HeatColumn(NamedTuple):
    """One column of the overview: its label, each teacher's score, and whether the scores are normalised (random =
    0, best = 1) or absolute (``why`` says why)."""

    title: str
    scores: Mapping[str, float]
    normalised: bool
    why: str = ""


def teacher_styles(teachers: Iterable[str], baseline: str = "random") -> dict[str, Style]:
    """A style per teacher: the baseline black, dashed, circles; the others, sorted by name, take the colours and
    markers in turn (no two alike up to 60 teachers, no two colours alike up to 20)."""
    names = set(teachers)
    styles = {baseline: Style(*BASELINE_STYLE)} if baseline in names else {}
    others = sorted(names - {baseline})
    for index, teacher in enumerate(others):
        styles[teacher] = Style(COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)])
    return styles


def learning_curves(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], *, styles: Mapping[str, Style], title: str,
                    seed: int = 0) -> Figure:
    """Mean share mastered against timesteps, one line per teacher in its style, with the 95% bootstrap CI of the
    mean; the legend beside the axes.

    ``curves`` maps a teacher to (timesteps of shape (points,), shares of shape (runs, points)).
    """
    figure = Figure(figsize=(7.6, 4.2), layout="constrained")
    axes = figure.add_subplot()
    for teacher, (timesteps, shares) in curves.items():
        style = styles[teacher]
        interval = stratified_bootstrap_ci(_mean_per_point, shares, seed=seed)
        axes.plot(timesteps, shares.mean(axis=0), label=f"{teacher} ({len(shares)} runs)", color=style.colour,
                  marker=style.marker, linestyle=style.linestyle, markersize=5,
                  markevery=max(1, math.ceil(len(timesteps) / MAX_MARKERS_PER_LINE)))
        axes.fill_between(timesteps, interval.low, interval.high, color=style.colour, alpha=0.12, linewidth=0)
    axes.set(title=title, xlabel="timesteps", ylabel="share of the test set mastered")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", ncols=1 + (len(curves) > 14))
    return figure


def overview(columns: Sequence[HeatColumn], teachers: Sequence[str]) -> Figure:
    """A heat map, teachers (rows, in the given order) by envs (columns, wrapping into further rows of at most
    HEATMAP_COLUMNS), each cell written out: the normalised score (colour: red below random, green up to the best),
    the IQM itself in an absolute column (blue), or "not run"."""
    chunks = [columns[start:start + HEATMAP_COLUMNS] for start in range(0, len(columns), HEATMAP_COLUMNS)]
    widest = max(len(chunk) for chunk in chunks)
    row_inches = 0.3 * len(teachers) + 1.3
    names_inches = 0.3 + 0.075 * max(map(len, teachers))
    figure = Figure(figsize=(max(5.0, names_inches + 1.4 * widest + 1.3), row_inches * len(chunks) + 0.4),
                    layout="constrained")
    grids = figure.subplots(len(chunks), 1, squeeze=False)[:, 0]
    scales = {True: TwoSlopeNorm(vmin=-1, vcenter=0, vmax=1), False: Normalize(0, 1)}
    maps = {True: NORMALISED_COLOURS, False: ABSOLUTE_COLOURS}
    drawn = {}
    for axes, chunk in zip(grids, chunks):
        values = np.array([[column.scores.get(teacher, np.nan) for column in chunk] for teacher in teachers])
        not_run = np.isnan(values)
        if not_run.any():
            axes.imshow(np.ma.masked_where(~not_run, np.zeros_like(values)), cmap=ListedColormap([NOT_RUN]),
                        aspect="auto")
        for normalised in (True, False):
            kind = np.array([column.normalised == normalised for column in chunk])
            if kind.any():
                hidden = np.isnan(values) | ~kind[None, :]
                drawn[normalised] = axes.imshow(np.ma.masked_where(hidden, values), cmap=maps[normalised],
                                                norm=scales[normalised], aspect="auto")
        for row, column in np.ndindex(values.shape):
            value = values[row, column]
            colour = (drawn[chunk[column].normalised].to_rgba(value) if np.isfinite(value) else to_rgb(NOT_RUN))
            axes.text(column, row, "not run" if np.isnan(value) else f"{value:.2f}", ha="center", va="center",
                      fontsize="small", color="white" if _dark(colour) else "black")
        axes.set_xticks(range(len(chunk)), [_label(column.title) + ("" if column.normalised else
                                                                  f"\n(absolute: {_label(column.why)})")
                                           for column in chunk], fontsize="small")
        axes.set_yticks(range(len(teachers)), list(teachers))
        axes.tick_params(length=0)
        axes.set_xlim(-0.5, widest - 0.5)  # every row's cells as wide as the first's
        axes.spines[:].set_visible(False)
    labels = {True: "normalised score (random = 0, best = 1)", False: "IQM final share (absolute columns)"}
    for normalised, image in drawn.items():
        figure.colorbar(image, ax=grids, label=labels[normalised], shrink=0.8, aspect=30)
    return figure


def relative_to_random(panels: Mapping[str, tuple[float, Mapping[str, float]]], *,
                       styles: Mapping[str, Style]) -> Figure:
    """One panel per env (wrapping into rows of PANELS_PER_ROW): horizontal bars of each teacher's mean final share
    over random's (dashed line: 1), or, where random's mean is 0 and no ratio exists, of the teacher's mean final
    share itself, hatched, the panel's title saying so.

    ``panels`` maps an env label to (random's mean final share, {teacher: ratio, or share where random's is 0}).
    """
    rows = math.ceil(len(panels) / PANELS_PER_ROW)
    columns = min(len(panels), PANELS_PER_ROW)
    teachers = max(len(values) for _, values in panels.values())
    figure = Figure(figsize=(3.7 * columns + 0.3, rows * (0.3 * teachers + 1.6)), layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False).ravel()
    for axes, (title, (baseline, values)) in zip(grid, panels.items()):
        names = list(values)
        bars = axes.barh(range(len(names)), [values[name] for name in names],
                         color=[styles[name].colour for name in names], hatch=None if baseline > 0 else "//",
                         edgecolor="white" if baseline > 0 else "black")
        axes.bar_label(bars, fmt="%.2f", fontsize="small", padding=2)
        axes.set_yticks(range(len(names)), names, fontsize="small")
        axes.invert_yaxis()
        axes.margins(x=0.25)
        if baseline > 0:
            axes.axvline(1.0, color="black", linestyle="--", linewidth=1)
            axes.set(title=_label(title, 40), xlabel="mean final share / random's")
        else:
            axes.set(title=f"{_label(title, 40)}\nrandom masters 0: absolute shares", xlabel="mean final share")
            axes.set_xlim(0, max(1.0, *values.values()))
        axes.title.set_fontsize("small")
        axes.grid(axis="x", alpha=0.3)
    for axes in grid[len(panels):]:
        axes.set_axis_off()
    return figure


def curriculum_snapshots(traces: Mapping[str, Trace], *, names: Sequence[str], low: np.ndarray, high: np.ndarray,
                         total_timesteps: float, slices: int = 4, title: str) -> Figure:
    """Where each teacher (a row, named on the left) sampled its tasks, colour = episode return.

    One task dimension: a single panel per teacher, task value against timesteps. Two: ``slices`` scatter
    snapshots over equal time slices (named over the top row), in the task space's bounds ``low``/``high``. More:
    the same snapshots in the first two principal components of the tasks normalised to [0, 1] by the bounds,
    fitted on all the episodes drawn.
    """
    dims = len(names)
    columns = 1 if dims == 1 else slices
    side = PANEL_INCHES if len(traces) < SMALL_PANELS_FROM else SMALL_PANEL_INCHES
    figure = Figure(figsize=(side * columns + 1.6 + 2 * (dims == 1), side * len(traces) + 0.6), layout="constrained")
    grid = figure.subplots(len(traces), columns, squeeze=False, sharex=True, sharey=True)
    every_return = np.concatenate([trace.returns for trace in traces.values()])
    colours = Normalize(*(every_return.min(), every_return.max()) if every_return.size else (0, 1))
    points, axis_names, limits = _coordinates(traces, names, np.asarray(low), np.asarray(high))
    edges = np.linspace(0, total_timesteps, columns + 1)
    drawn = None
    for row, (teacher, trace) in zip(grid, traces.items()):
        for column, (axes, start, end) in enumerate(zip(row, edges[:-1], edges[1:])):
            if dims == 1:
                keep = _thin(np.arange(len(trace.timesteps)))
                x, y = trace.timesteps[keep], points[teacher][keep, 0]
                axes.set(xlim=(0, total_timesteps), ylim=limits[0])
            else:
                inside = (trace.timesteps > start) & (trace.timesteps <= end) if column else trace.timesteps <= end
                keep = _thin(np.flatnonzero(inside))
                x, y = points[teacher][keep, 0], points[teacher][keep, 1]
                axes.set(xlim=limits[0], ylim=limits[1])
            drawn = axes.scatter(x, y, c=trace.returns[keep], s=4, cmap=RETURN_COLOURS, norm=colours,
                                 linewidths=0)
            axes.tick_params(labelsize="small")
            if dims > 1 and axes is grid[0][column]:
                axes.set_title(f"steps {start:.0f}-{end:.0f}", fontsize="small")
        row[0].set_ylabel(f"{teacher}\n{axis_names[-1] if dims > 1 else axis_names[0]}", fontsize="small")
    for axes in grid[-1]:
        axes.set_xlabel("timesteps" if dims == 1 else axis_names[0], fontsize="small")
    if drawn is not None:
        figure.colorbar(drawn, ax=grid, label="episode return", shrink=0.6)
    figure.suptitle(title)
    return figure


def png(figure: Figure) -> bytes:
    """The figure as a 256-colour PNG (adaptive palette, no dithering)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    picture = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    quantised = picture.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    quantised.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _label(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` broken into lines of about ``width`` characters (at spaces and hyphens), so that labels side by side
    do not overlap."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=True)) or text


def _dark(colour: Sequence[float]) -> bool:
    red, green, blue = colour[:3]
    return 0.299 * red + 0.587 * green + 0.114 * blue < 0.5


def _coordinates(traces: Mapping[str, Trace], names: Sequence[str], low: np.ndarray,
                 high: np.ndarray) -> tuple[dict[str, np.ndarray], list[str], list[tuple[float, float]]]:
    """Each teacher's points in the plotted coordinates, the axis names and limits."""
    if len(names) <= 2:
        return ({teacher: trace.tasks for teacher, trace in traces.items()}, list(names),
                [(float(a), float(b)) for a, b in zip(low, high)])
    normalised = {teacher: (trace.tasks - low) / (high - low) for teacher, trace in traces.items()}
    pooled = np.concatenate(list(normalised.values()))
    centre = pooled.mean(axis=0)
    _, singular_values, components = np.linalg.svd(pooled - centre, full_matrices=False)
    # Fewer than two episodes give fewer than two components: pad with zeros so the picture still draws.
    components = np.vstack([components, np.zeros((2, len(names)))])[:2]
    variance = np.concatenate([singular_values**2, [0.0, 0.0]])[:2]
    explained = variance / max(float(np.sum(singular_values**2)), np.finfo(float).tiny)
    points = {teacher: (tasks - centre) @ components.T for teacher, tasks in normalised.items()}
    projected = np.concatenate(list(points.values()))
    margin = 0.05 * np.ptp(projected, axis=0) + 1e-9
    limits = [(float(a), float(b)) for a, b in zip(projected.min(axis=0) - margin, projected.max(axis=0) + margin)]
    return points, [f"PC{k + 1} ({explained[k]:.0%} of variance)" for k in range(2)], limits


def _thin(indices: np.ndarray) -> np.ndarray:
    """At most MAX_POINTS_PER_PANEL of ``indices``, evenly spread over them."""
    if len(indices) <= MAX_POINTS_PER_PANEL:
        return indices
    return indices[np.linspace(0, len(indices) - 1, MAX_POINTS_PER_PANEL).astype(int)]


def _mean_per_point(shares: np.ndarray) -> np.ndarray:
    """The mean over runs at each evaluation (runs x points -> points), for a pointwise bootstrap band."""
    return shares.mean(axis=-2)
