"""The report's figures, as PNG bytes: learning curves, where each teacher sampled its tasks over time, and each
teacher's final share mastered relative to random.

Figures are drawn on ``matplotlib.figure.Figure`` objects, never through pyplot, so nothing global changes (no
backend switch, no figure registry to leak) and PNGs are rendered by Agg on any machine.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from .statistics import stratified_bootstrap_ci

DPI = 110
PANEL_INCHES = 2.6  # the side of one curriculum snapshot
MAX_POINTS_PER_PANEL = 2000  # more points only hide each other and bloat the PNG
RETURN_COLOURS = "viridis"


class Trace(NamedTuple):
    """The training episodes of one run: timesteps (n,), tasks (n, d) and returns (n,)."""

    timesteps: np.ndarray
    tasks: np.ndarray
    returns: np.ndarray


def learning_curves(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], *, title: str, seed: int = 0) -> bytes:
    """Mean share mastered against timesteps, one line per teacher, with the 95% bootstrap CI of the mean.

    ``curves`` maps a teacher to (timesteps of shape (points,), shares of shape (runs, points)).
    """
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = figure.add_subplot()
    for teacher, (timesteps, shares) in curves.items():
        interval = stratified_bootstrap_ci(_mean_per_point, shares, seed=seed)
        (line,) = axes.plot(timesteps, shares.mean(axis=0), label=f"{teacher} ({len(shares)} runs)", marker=".")
        axes.fill_between(timesteps, interval.low, interval.high, color=line.get_color(), alpha=0.2, linewidth=0)
    axes.set(title=title, xlabel="timesteps", ylabel="share of the test set mastered")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    return _png(figure)


def curriculum_snapshots(traces: Mapping[str, Trace], *, names: Sequence[str], low: np.ndarray, high: np.ndarray,
                         total_timesteps: float, slices: int = 4, title: str) -> bytes:
    """Where each teacher (a row) sampled its tasks, colour = episode return.

    One task dimension: a single panel per teacher, task value against timesteps. Two: ``slices`` scatter
    snapshots over equal time slices, in the task space's bounds ``low``/``high``. More: the same snapshots in
    the first two principal components of the tasks normalised to [0, 1] by the bounds, fitted on all the
    episodes drawn.
    """
    dims = len(names)
    columns = 1 if dims == 1 else slices
    figure = Figure(figsize=(PANEL_INCHES * columns + 1.2 + 2 * (dims == 1), PANEL_INCHES * len(traces) + 0.5),
                    layout="constrained")
    grid = figure.subplots(len(traces), columns, squeeze=False)
    every_return = np.concatenate([trace.returns for trace in traces.values()])
    colours = Normalize(*(every_return.min(), every_return.max()) if every_return.size else (0, 1))
    points, axis_names, limits = _coordinates(traces, names, np.asarray(low), np.asarray(high))
    drawn = None
    for row, (teacher, trace) in zip(grid, traces.items()):
        if dims == 1:
            keep = _thin(np.arange(len(trace.timesteps)))
            drawn = row[0].scatter(trace.timesteps[keep], points[teacher][keep, 0], c=trace.returns[keep], s=6,
                                   cmap=RETURN_COLOURS, norm=colours)
            row[0].set(xlim=(0, total_timesteps), ylim=limits[0], xlabel="timesteps", ylabel=axis_names[0],
                       title=teacher)
            continue
        edges = np.linspace(0, total_timesteps, columns + 1)
        for column, (axes, start, end) in enumerate(zip(row, edges[:-1], edges[1:])):
            inside = (trace.timesteps > start) & (trace.timesteps <= end) if column else trace.timesteps <= end
            keep = _thin(np.flatnonzero(inside))
            drawn = axes.scatter(points[teacher][keep, 0], points[teacher][keep, 1], c=trace.returns[keep], s=6,
                                 cmap=RETURN_COLOURS, norm=colours)
            axes.set(xlim=limits[0], ylim=limits[1], title=f"{teacher}: steps {start:.0f}-{end:.0f}",
                     xlabel=axis_names[0])
            axes.title.set_fontsize("small")
            if column == 0:
                axes.set_ylabel(axis_names[1])
    if drawn is not None:
        figure.colorbar(drawn, ax=grid, label="episode return", shrink=0.8)
    figure.suptitle(title)
    return _png(figure)


def relative_to_random(ratios: Mapping[str, Mapping[str, float]], *, title: str) -> bytes:
    """Grouped bars: for each env (a group), each teacher's mean final share over random's; NaN bars are left out.

    ``ratios`` maps an env label to {teacher: ratio}.
    """
    teachers = sorted({teacher for by_teacher in ratios.values() for teacher in by_teacher})
    figure = Figure(figsize=(max(4.0, 1.5 + 0.4 * len(ratios) * len(teachers)), 4.0), layout="constrained")
    axes = figure.add_subplot()
    width = min(0.35, 0.8 / max(1, len(teachers)))
    places = np.arange(len(ratios))
    for index, teacher in enumerate(teachers):
        heights = [by_teacher.get(teacher, np.nan) for by_teacher in ratios.values()]
        bars = axes.bar(places + (index - (len(teachers) - 1) / 2) * width, heights, width, label=teacher)
        axes.bar_label(bars, fmt="%.2f", fontsize="small")
    axes.axhline(1.0, color="black", linestyle="--", linewidth=1, label="random")
    axes.set_xticks(places, list(ratios), rotation=20, ha="right")
    axes.set(title=title, ylabel="mean final share / random's")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return _png(figure)


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


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
