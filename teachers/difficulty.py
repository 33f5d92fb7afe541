"""How tasks are ordered from easy to hard, and drawn from the easiest share of a task space.

Ordering-based teachers (the cyclical curriculum) offer "the easiest share q of the space": the tasks whose
difficulty score is at most the q-quantile of that score over the whole space. The score comes either from an
expert (:class:`ExpertDifficulty`: a function of the task, or linear weights over the normalised task) or, without
one, from the teacher's own estimate of the student's competence (:class:`CompetenceMap`: the higher the recent
return in a region, the easier). Quantiles are estimated on a fixed set of probe tasks (:func:`fixed_design`), and
:func:`sample_easiest` draws uniformly from the offered share by rejection, which is exact whatever the shape of the
easy region and costs about ``1 / share`` score evaluations per task.

Every score is taken on the task as it will be offered (integer dimensions rounded), so what is offered and what is
measured agree on discrete spaces too. The module ends with the hyperparameter checks the ordering teachers share.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from teachgym.errors import TaskError, did_you_mean
from teachgym.task_space import TaskSpace
from teachgym.validation import is_finite_number

from .base import TeacherError

# What an expert may pass as ``difficulty``: a function of the task (name -> value, task units; higher = harder) or
# linear weights name -> weight over the normalised task (YAML-friendly).
Difficulty = Callable[[dict[str, float]], float] | Mapping[str, float]

# Probe tasks on which the quantiles of a score over the space are estimated: on a 64 x 64 grid (or 4096 draws above
# two dimensions) the share of the space below a threshold is off by well under 1%, and scoring them takes a few ms.
PROBE_COUNT = 4096
# Fixed designs (probes, competence regions) must not depend on the teacher's seed: they define the ordering, so a
# teacher restored into an instance built with another seed orders the space exactly as the one that saved it.
DESIGN_SEED = 2023
# Rejection sampling draws about this many candidates per expected acceptance at once (fewer numpy calls), and gives
# up after MAX_REJECTION_ROUNDS batches: only a score whose easy share has (almost) no volume gets there.
CANDIDATES_PER_ACCEPTANCE = 2
MAX_REJECTION_ROUNDS = 1000


def fixed_design(ndim: int, count: int) -> np.ndarray:
    """About ``count`` points spread evenly over the unit cube, identical for every teacher, shape ``(n, ndim)``.

    One or two dimensions: the centres of a regular grid of ``round(count ** (1 / ndim))`` cells per dimension, at
    least two (each point stands for an equal cell). More: ``count`` uniform draws from a fixed seed, since a grid of
    ``count`` points would soon have fewer than two cells per dimension.
    """
    if ndim <= 2:
        per_dimension = max(2, round(count ** (1.0 / ndim)))
        axis = (np.arange(per_dimension) + 0.5) / per_dimension
        return np.stack([g.ravel() for g in np.meshgrid(*([axis] * ndim), indexing="ij")], axis=1)
    return np.random.default_rng(DESIGN_SEED).uniform(size=(count, ndim))


def as_offered(task_space: TaskSpace, unit_tasks: np.ndarray) -> np.ndarray:
    """Unit tasks as the teacher will offer them: integer dimensions rounded, as ``Teacher.sample_task`` does."""
    return task_space.normalize(task_space.denormalize(unit_tasks))


def share_threshold(probe_scores: np.ndarray, share: float) -> float:
    """The score at or below which the easiest ``share`` of the space lies.

    The smallest probe score with at least ``share`` of the probes at or below it (ties count in, so the offered
    share may exceed ``share`` on scores with plateaus); +inf for the whole space, so that no task is left out that
    merely scores above every probe.
    """
    if share >= 1.0:
        return math.inf
    return float(np.quantile(probe_scores, share, method="inverted_cdf"))


def sample_easiest(rng: np.random.Generator, task_space: TaskSpace, score: Callable[[np.ndarray], np.ndarray],
                   threshold: float, share: float) -> np.ndarray:
    """A unit task drawn uniformly from the tasks whose ``score`` is at most ``threshold`` (about ``share`` of the
    space): uniform candidates, the first accepted one is returned.

    Raises:
        TeacherError: if no candidate is accepted in ``MAX_REJECTION_ROUNDS`` batches (a score whose easy share has
            almost no volume, e.g. one that is low only on isolated points).
    """
    if threshold == math.inf:
        return as_offered(task_space, rng.uniform(size=(1, task_space.ndim)))[0]
    batch = math.ceil(CANDIDATES_PER_ACCEPTANCE / share)
    for _ in range(MAX_REJECTION_ROUNDS):
        candidates = as_offered(task_space, rng.uniform(size=(batch, task_space.ndim)))
        accepted = np.flatnonzero(score(candidates) <= threshold)
        if accepted.size:
            return candidates[accepted[0]]
    raise TeacherError(
        f"no task with difficulty <= {threshold:g} in {batch * MAX_REJECTION_ROUNDS} uniform draws: the easiest "
        f"{share:g} of the space has almost no volume under this difficulty (is it low only on isolated tasks?)"
    )


class ExpertDifficulty:
    """An expert's difficulty score of tasks (higher = harder).

    Args:
        task_space: the space the tasks come from.
        teacher: name of the teacher it serves, for error messages.
        difficulty: a callable taking a task dict (name -> value, task units) and returning a finite number, or a
            mapping name -> weight: the score is the weighted sum of the NORMALISED task (weight > 0: larger values
            are harder; < 0: easier; missing names weigh 0). For Stump Tracks an expert would pass
            ``{"stump_height": 1.0, "obstacle_spacing": -1.0}``.

    Raises:
        TaskError: for a weight on an unknown task parameter (with the closest name).
        TeacherError: for anything but a callable or a mapping, a weight that is not a finite number, or weights
            that are all 0 (they order nothing).
    """

    def __init__(self, task_space: TaskSpace, difficulty: Difficulty, *, teacher: str):
        self.task_space = task_space
        self.teacher = teacher
        self._function: Callable[[dict[str, float]], float] | None = None
        self._weights: np.ndarray | None = None
        if isinstance(difficulty, Mapping):
            self._weights = _linear_weights(teacher, task_space, difficulty)
        elif callable(difficulty):
            self._function = difficulty
        else:
            raise TeacherError(
                f"teacher {teacher!r}: difficulty must be a callable (task dict in task units -> float, higher = "
                f"harder) or a mapping task parameter -> weight over the normalised task, got {difficulty!r}"
            )

    def __call__(self, unit_tasks: np.ndarray) -> np.ndarray:
        """Scores of unit tasks (shape ``(n, ndim)``, as offered), shape ``(n,)``.

        Raises:
            TeacherError: if the expert's function returns anything but a finite number.
        """
        if self._weights is not None:
            return unit_tasks @ self._weights
        tasks = self.task_space.denormalize(unit_tasks)
        return np.array([self._checked_score(task) for task in tasks], dtype=np.float64)

    def _checked_score(self, task: np.ndarray) -> float:
        named = self.task_space.to_dict(task)
        value = self._function(named)
        if not is_finite_number(value):
            raise TeacherError(f"teacher {self.teacher!r}: difficulty must return a finite number for every task, "
                               f"got {value!r} for {named}")
        return float(value)


def _linear_weights(teacher: str, task_space: TaskSpace, weights: Mapping[str, float]) -> np.ndarray:
    for name in weights:
        if name not in task_space.names:
            raise TaskError(f"teacher {teacher!r}: difficulty weight for unknown task parameter {name!r}"
                            f"{did_you_mean(str(name), task_space.names)}; expected some of {list(task_space.names)}")
    for name, weight in weights.items():
        if not is_finite_number(weight):
            raise TeacherError(f"teacher {teacher!r}: difficulty weight of {name!r} must be a finite number, "
                               f"got {weight!r}")
    vector = np.array([float(weights.get(name, 0.0)) for name in task_space.names])
    if not vector.any():
        raise TeacherError(f"teacher {teacher!r}: difficulty weights {dict(weights)} are all 0: they order no task "
                           f"before another")
    return vector


@dataclass
class CompetenceMap:
    """The teacher's own estimate of where the student is competent, to order tasks when no expert difficulty is
    given: a region's competence is an exponential moving average of the normalised returns of the episodes whose
    task fell in it, and the higher the competence, the easier the region.

    Regions are the cells of fixed anchors (:func:`fixed_design`: grid cells in one or two dimensions, nearest-anchor
    cells above), so the map costs the same per episode at any history length.

    Attributes:
        anchors: ``(regions, ndim)`` region centres in the unit cube.
        rate: weight of a new return in its region's average, in (0, 1].
        estimate: ``(regions,)`` competence estimates (meaningless where ``visits`` is 0).
        visits: ``(regions,)`` number of episodes recorded per region.
    """

    anchors: np.ndarray
    rate: float
    estimate: np.ndarray
    visits: np.ndarray

    @classmethod
    def empty(cls, ndim: int, regions: int, rate: float) -> CompetenceMap:
        """A map of about ``regions`` regions (a square grid in two dimensions) with nothing recorded."""
        anchors = fixed_design(ndim, regions)
        return cls(anchors, rate, np.zeros(len(anchors)), np.zeros(len(anchors), dtype=np.int64))

    def region_of(self, unit_tasks: np.ndarray) -> np.ndarray:
        """Region index of each unit task (shape ``(n, ndim)``): its nearest anchor."""
        distances = ((unit_tasks ** 2).sum(axis=1)[:, None] - 2.0 * unit_tasks @ self.anchors.T
                     + (self.anchors ** 2).sum(axis=1)[None, :])
        return np.argmin(distances, axis=1)

    def record(self, unit_task: np.ndarray, normalized_return: float) -> None:
        """Fold one episode's normalised return into its region's average (the first one sets it)."""
        region = int(self.region_of(unit_task[None, :])[0])
        rate = 1.0 if self.visits[region] == 0 else self.rate
        self.estimate[region] += rate * (normalized_return - self.estimate[region])
        self.visits[region] += 1

    def ranks(self, rng: np.random.Generator) -> np.ndarray:
        """Each region's place from easy to hard (0 = easiest): visited regions by decreasing competence, then the
        unvisited ones, which count as the hardest since nothing says the student can do them; ties in random order.
        """
        tie_break = rng.permutation(len(self.estimate))
        hardness = np.where(self.visits > 0, -self.estimate, np.inf)
        order = np.lexsort((tie_break, hardness))
        ranks = np.empty(len(order), dtype=np.int64)
        ranks[order] = np.arange(len(order))
        return ranks
