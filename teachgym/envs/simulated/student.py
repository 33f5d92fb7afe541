"""Simulated students: a one-step env whose return is a simulated learner's competence at the task.

The env *is* the student: it owns a :class:`~.competence.CompetenceMap` that every episode trains, so a teacher
can be run against it in seconds, with no RL in the loop, and the share of the task space mastered read off
directly (:attr:`SimulatedStudent.mastered_share`).

Over 300 lines because the learning rule's options, the return model, value estimates and the challenge options
(infeasible, distractors, forgetting, rugged) are the state of one env, checked together at construction.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.error import ResetNeeded
from gymnasium.utils import EzPickle
from scipy import special

from ...errors import EnvOptionError, TeachgymError
from ...task_space import TaskSpace
from ...validation import check_integer, check_number
from ..parametric import ParametricEnv
from ..rugged import interval_permutations
from .competence import CompetenceMap, LearningRule

RELEVANT_NAMES = ("difficulty_x", "difficulty_y", "difficulty_z")
DISTRACTOR_PREFIX = "distractor_"
DEFAULT_CELL_WIDTH = 0.05  # task units per cell when no resolution is given: 20 cells over [0, 1]
# A Stump-Tracks-like return scale: a mastered task returns > 230, an impossible one about -100.
DEFAULT_RETURN_RANGE = (-100.0, 300.0)
DEFAULT_SUCCESS_RETURN = 230.0
DEFAULT_RETURN_NOISE = 5.0
# Returns are clipped to the return range widened by this share of its width on each side (noise room), which is
# the env's REWARD_RANGE; the thresholds sit at these competences (Stump Tracks' (0, 180) on the default scale).
RETURN_MARGIN_SHARE = 0.125
THRESHOLD_COMPETENCES = (0.25, 0.7)
# Rendering: pixels per cell and colours (RGB).
CELL_PIXELS = 12
NOVICE_COLOUR = (40, 40, 90)
LEARNING_COLOUR = (235, 200, 60)
MASTERED_COLOUR = (40, 170, 60)
INFEASIBLE_COLOUR = (110, 110, 110)
TASK_MARK_COLOUR = (255, 255, 255)


class SimulatedStudent(ParametricEnv, EzPickle):
    """
    ## Description
    A fast, deterministic stand-in for an RL student, so that teachers can be compared in seconds. An episode is
    one step: the student "trains" on the episode's task and the return says how well it does on it. Behind it is a
    competence map over the relevant task dimensions (a grid in the task space, competence in [0, 1] per cell)
    that grows where the student trains and spreads to neighbouring tasks, only where the task is learnable now
    (see *The Student* below). Variants add the challenges of TeachMyAgent (Romac et al., 2021): mostly infeasible
    spaces, distractor dimensions, forgetting and a rugged difficulty ordering.

    ## Action Space
    `Box(-1, 1, (1,), float32)`. The action is ignored: the student is simulated.

    ## Observation Space
    `Box(0, 1, (n_task_dims,), float32)`: the episode's task, normalised to [0, 1] per dimension (the same on
    reset and on the step).

    ## Rewards
    One reward per episode, the episode return: `low + (high - low) * c + return_noise * N(0, 1)` where `c` is the
    student's competence at the task *before* this episode's training and `(low, high) = return_range` (default
    (-100, 300)), clipped to `REWARD_RANGE` (the range widened by 1/8 on each side: (-150, 350) by default). A
    mastered task returns > 230, an impossible one about -100. The noise comes from `self.np_random`.

    ## Starting State
    The observation is the task. The student is *not* reset by a plain `reset()`: a curriculum is a sequence of
    episodes with one student. `reset(seed=...)` starts a new student (competence 0 everywhere) with a freshly
    seeded generator, so a seed and a sequence of tasks determine every return. This matches how SB3 and the run
    API use an env (one seeded reset at the start, plain resets after), and keeps gymnasium's rule that a seeded
    reset reproduces everything after it. Pickling keeps the student (its competence and generator state);
    `state_dict()` / `load_state_dict()` do the same for checkpoints.

    ## Episode End
    Terminated after its one step (`step` before the next `reset` raises `ResetNeeded`). Registered with
    `max_episode_steps=2`, which never truncates. `info["success"]` is True when the return exceeds
    `success_return` (230), `info["task"]` is the episode's task.

    ## Task Parameters
    | name | default bounds | default task | meaning |
    |---|---|---|---|
    | `difficulty_x` | [0, 1] | 0 | first relevant dimension: a task's difficulty is the mean of its relevant values |
    | `difficulty_y` | [0, 1] | 0 | second relevant dimension (with `n_relevant >= 2`) |
    | `difficulty_z` | [0, 1] | 0 | third relevant dimension (with `n_relevant = 3`) |
    | `distractor_0`, ... | [0, 1] | 0 | `n_distractors` dimensions that change nothing |

    A task's difficulty is the mean of its relevant values, in task units; tasks harder than `feasible_difficulty`
    (0.7) can never be learned (18% of the default space). Bounds can be widened or narrowed with constructor
    keywords, e.g. `difficulty_x=(0, 3), difficulty_y=(0, 3)`: 89% infeasible, as Stump Tracks with heights up to 9.
    With `rugged_intervals=k`, each relevant dimension is cut into `k` intervals that are permuted (seeded by
    `rugged_seed`): the student's world is unchanged, but the teacher sees the difficulty ordering in pieces. The
    default task is always the easiest task.

    ## The Student
    The competence map is a grid of cells over the relevant dimensions (`resolution` cells per dimension; by
    default cells 0.05 task units wide, 20 over [0, 1]); every task in a cell is the same task to the student.
    Training on a task of difficulty `d` is learnable at a rate `1 - gap / zpd_width` (clipped to [0, 1]), where
    `gap = d - max(base_difficulty, hardest mastered cell within support_radius)`: tasks easy from scratch, or
    only a little harder than what is mastered nearby, are learnable (the zone of proximal development); tasks
    far too hard, and infeasible ones, teach nothing. A learnable episode raises every feasible cell's competence
    `c` by `learning_rate * learnability * kernel * (1 - c)`, with a Gaussian kernel of std `spread` around the
    task (skills spread to neighbours). With `forgetting_rate > 0`, every cell outside the kernel loses that share
    of its competence per episode. A cell is mastered when its noise-free return exceeds `success_return`; so
    training at the frontier of what is mastered pays, random tasks mostly waste episodes.

    ## Arguments
    - `n_relevant` (1-3, default 2), `n_distractors` (default 0): the task dimensions.
    - `resolution`: cells per relevant dimension; None (default) for cells 0.05 task units wide.
    - `feasible_difficulty` (0.7): the hardest learnable difficulty.
    - `rugged_intervals` (1: smooth), `rugged_seed` (0): the rugged difficulty ordering.
    - `learning_rate`, `spread`, `base_difficulty`, `zpd_width`, `support_radius`, `forgetting_rate`: the learning
      rule (:class:`~teachgym.envs.simulated.competence.LearningRule`, which holds the defaults).
    - `return_range` ((-100, 300)), `success_return` (230), `return_noise` (5): the return scale.
    - `render_mode`: None or `"rgb_array"` (the competence map: blue novice to yellow almost mastered, green
      mastered, grey infeasible, the episode's cell outlined in white; a slice at the task for 3 dimensions).
    - `**task_bounds`: `name=(low, high)` overrides of the task parameters' bounds.

    Attribute `learning` (True): whether episodes train the student. Set it to False before an episode that must only
    measure the student (a teacher's exploratory episode, see `teachgym.teachers.exploratory_episodes`): the episode
    returns as usual and leaves the competence untouched (no training, no forgetting). It is a switch of the loop
    that runs the student, not student state: `state_dict()` and pickles leave it out (an unpickled student learns).

    Properties: `mastered_share` (share of the task space mastered: the run API reports it instead of a test-set
    evaluation), `competence`, `difficulty`, `feasible` (grids in the teacher's view of the task space, for
    pictures).

    ```python
    import gymnasium as gym, teachgym
    env = gym.make("teachgym/SimulatedStudent-Rugged-v0")
    env.reset(seed=0)                                    # a new student
    for task in my_curriculum:                           # e.g. a teacher's tasks
        env.reset(options={"task": task})                # the same student
        _, episode_return, _, _, info = env.step(env.action_space.sample())
    env.unwrapped.mastered_share
    ```

    ## Registered ids
    - `teachgym/SimulatedStudent-v0`: 2 relevant dimensions, a smooth difficulty gradient, 82% feasible.
    - `teachgym/SimulatedStudent-Infeasible-v0`: both dimensions on [0, 3], 11% feasible.
    - `teachgym/SimulatedStudent-Distractors-v0`: 2 relevant and 4 distractor dimensions.
    - `teachgym/SimulatedStudent-Forgetting-v0`: unpractised cells lose 0.03% of their competence per episode.
    - `teachgym/SimulatedStudent-Rugged-v0`: each relevant dimension in 4 permuted intervals (seed 0).

    ## Version History
    - v0: initial version.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(
        self,
        n_relevant: int = 2,
        n_distractors: int = 0,
        resolution: int | None = None,
        feasible_difficulty: float = 0.7,
        rugged_intervals: int = 1,
        rugged_seed: int = 0,
        learning_rate: float = LearningRule.learning_rate,
        spread: float = LearningRule.spread,
        base_difficulty: float = LearningRule.base_difficulty,
        zpd_width: float = LearningRule.zpd_width,
        support_radius: float = LearningRule.support_radius,
        forgetting_rate: float = LearningRule.forgetting_rate,
        return_range: tuple[float, float] = DEFAULT_RETURN_RANGE,
        success_return: float = DEFAULT_SUCCESS_RETURN,
        return_noise: float = DEFAULT_RETURN_NOISE,
        render_mode: str | None = None,
        **task_bounds: tuple[float, float],
    ):
        EzPickle.__init__(
            self, n_relevant=n_relevant, n_distractors=n_distractors, resolution=resolution,
            feasible_difficulty=feasible_difficulty, rugged_intervals=rugged_intervals, rugged_seed=rugged_seed,
            learning_rate=learning_rate, spread=spread, base_difficulty=base_difficulty, zpd_width=zpd_width,
            support_radius=support_radius, forgetting_rate=forgetting_rate, return_range=return_range,
            success_return=success_return, return_noise=return_noise, render_mode=render_mode, **task_bounds,
        )
        self._set_render_mode(render_mode)
        _check_count("n_relevant", n_relevant, 1, len(RELEVANT_NAMES))
        _check_count("n_distractors", n_distractors, 0, None)
        _check_count("rugged_intervals", rugged_intervals, 1, None)
        check_number("feasible_difficulty", feasible_difficulty, error=EnvOptionError)
        self.n_relevant = n_relevant
        self._return_low, self._return_high = _check_return_scale(return_range, success_return, return_noise)
        self.success_return = float(success_return)
        self.return_noise = float(return_noise)
        span = self._return_high - self._return_low
        # The expert knowledge follows the configured scale, so these are per instance.
        self.REWARD_RANGE = (self._return_low - RETURN_MARGIN_SHARE * span,
                             self._return_high + RETURN_MARGIN_SHARE * span)
        self.REWARD_THRESHOLDS = tuple(self._return_low + span * c for c in THRESHOLD_COMPETENCES)

        names = RELEVANT_NAMES[:n_relevant] + tuple(f"{DISTRACTOR_PREFIX}{i}" for i in range(n_distractors))
        space = TaskSpace({name: (0.0, 1.0) for name in names}).with_bounds(task_bounds)
        low, high = space.low[:n_relevant], space.high[:n_relevant]
        shape = _grid_shape(resolution, high - low, rugged_intervals)
        # Zero-width dimensions have one cell; any positive width keeps the stencils finite.
        cell_widths = np.where(high > low, (high - low) / np.array(shape), DEFAULT_CELL_WIDTH)
        rule = LearningRule(learning_rate, spread, base_difficulty, zpd_width, support_radius, forgetting_rate)
        _check_support_reaches_neighbours(rule, names[:n_relevant], cell_widths, shape)

        # cell_order[axis][view cell] is the cell of the student's world that the teacher's view cell stands for.
        self._cell_order = _rugged_cell_order(shape, rugged_intervals, rugged_seed)
        centres = [lo + (np.arange(n) + 0.5) * width for lo, n, width in zip(low, shape, cell_widths)]
        difficulty = np.mean(np.meshgrid(*centres, indexing="ij"), axis=0)
        self._map = self._competence_map(difficulty, difficulty <= feasible_difficulty, cell_widths,
                                         (success_return - self._return_low) / span, rule)
        easiest = [lo + int(np.argmin(order)) * width for lo, order, width in zip(low, self._cell_order, cell_widths)]
        self.task_space = TaskSpace(space.bounds, default=easiest + list(space.low[n_relevant:]))

        self._shape = shape
        self._task_low = space.low.copy()
        task_widths = space.high - space.low
        self._task_scale = np.divide(1.0, task_widths, out=np.zeros_like(task_widths), where=task_widths > 0)
        self._cell_scale = [float(n * s) for n, s in zip(shape, self._task_scale[:n_relevant])]
        self._order_lists = [order.tolist() for order in self._cell_order]
        self.action_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(space.ndim,), dtype=np.float32)
        self._index: int | None = None
        self._view_cell: tuple[int, ...] | None = None
        self._observation: np.ndarray | None = None
        self.learning = True

    def _competence_map(self, difficulty: np.ndarray, feasible: np.ndarray, cell_widths: np.ndarray, mastery: float,
                        rule: LearningRule) -> CompetenceMap:
        """The student's competence model over the grid: the hook a variant overrides (e.g. the staircase)."""
        return CompetenceMap(difficulty, feasible, cell_widths, mastery=mastery, rule=rule)

    # --------------------------------------------------------------------------------------------- episode
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode (see the class docs); with a ``seed``, also start a new student (competence 0)."""
        observation, info = super().reset(seed=seed, options=options)
        if seed is not None:
            self._map.reset()
        return observation, info

    def _reset_task(self, task: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        self._view_cell, self._index = self._cell_of(task)
        self._observation = ((task - self._task_low) * self._task_scale).astype(np.float32)
        return self._observation.copy(), {"success": False}

    def _step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Run the episode: the return is the competence at the task plus noise; then the student trains on it,
        unless :attr:`learning` is False."""
        if self._index is None:
            raise ResetNeeded("call reset() before step(); an episode of a simulated student is one step")
        index, self._index = self._index, None
        noise = self.return_noise * float(self.np_random.standard_normal())
        low, high = self.REWARD_RANGE
        episode_return = min(max(self._noise_free_return(index) + noise, low), high)
        if self.learning:
            self._map.train(index)
        return self._observation.copy(), episode_return, True, False, {"success": episode_return > self.success_return}

    def _cell_of(self, task: np.ndarray) -> tuple[tuple[int, ...], int]:
        """The task's cell in the teacher's view of the grid, and the student's index of that cell."""
        view_cell = tuple(
            min(int((float(task[axis]) - float(self._task_low[axis])) * self._cell_scale[axis]), n - 1)
            for axis, n in enumerate(self._shape)
        )
        return view_cell, self._map.index_of([order[i] for order, i in zip(self._order_lists, view_cell)])

    def _noise_free_return(self, index: int) -> float:
        return self._return_low + (self._return_high - self._return_low) * self._map.competence_at(index)

    # --------------------------------------------------------------------------------------------- student
    def expected_return(self, task: Any) -> float:
        """The noise-free return the student would get on ``task`` now, without training on it: how a run scores
        a test set on a simulated student.

        Raises:
            TaskError: if the task is not in the task space.
        """
        return self._noise_free_return(self._cell_of(self.task_space.validate(task))[1])

    def value_estimates(self, observations: Any) -> np.ndarray:
        """The student's value of episodes starting from ``observations`` (initial observations as ``reset`` returns
        them, one per row): the expected return of the task each stands for, as :meth:`expected_return`. A simulated
        student's answer to a teacher asking for value estimates (see ``teachgym.teachers.value_estimates``)."""
        units = np.clip(np.atleast_2d(np.asarray(observations, dtype=np.float64)), 0.0, 1.0)
        return np.array([self.expected_return(task) for task in self.task_space.denormalize(units)])

    def evaluate_successes(self, tasks: Any, n_rollouts: int) -> np.ndarray:
        """How many of ``n_rollouts`` episodes on each of ``tasks`` (one task per row, in the task space) succeed,
        sampled from the student as it is now, without training it: a simulated student's answer to a teacher asking
        for evaluation rollouts (see ``teachgym.teachers.evaluation_rollouts``). An episode succeeds when its noisy
        return exceeds ``success_return``, so each count is binomial with that probability; the draws come from
        ``self.np_random``.

        Raises:
            TaskError: if a task is not in the task space.
            TeachgymError: if ``n_rollouts`` is not a positive integer.
        """
        check_integer("n_rollouts", n_rollouts, minimum=1, error=TeachgymError)
        rows = np.atleast_2d(np.asarray(tasks, dtype=np.float64))
        margins = np.array([self.expected_return(task) for task in rows]) - self.success_return
        if self.return_noise > 0:
            probabilities = special.ndtr(margins / self.return_noise)
        else:
            probabilities = (margins > 0).astype(np.float64)
        return self.np_random.binomial(int(n_rollouts), probabilities)

    @property
    def mastered_share(self) -> float:
        """Share of the task space (uniform over the relevant dimensions) where the student's noise-free return
        exceeds ``success_return``: what a run reports instead of a test-set evaluation."""
        return self._map.mastered_share()

    @property
    def mastery(self) -> float:
        """The competence above which a cell is mastered: its noise-free return exceeds ``success_return``."""
        return self._map.mastery

    @property
    def competence(self) -> np.ndarray:
        """Competence in [0, 1] of every cell, indexed as the task space (axis ``i`` is relevant dimension ``i``,
        low to high): a read-only copy, for pictures."""
        return self._in_task_view(self._map.competence)

    @property
    def difficulty(self) -> np.ndarray:
        """Difficulty of every cell, indexed as :attr:`competence` (non-smooth in a rugged space)."""
        return self._in_task_view(self._map.difficulty)

    @property
    def feasible(self) -> np.ndarray:
        """Which cells can be learned at all, indexed as :attr:`competence`."""
        return self._in_task_view(self._map.feasible)

    def state_dict(self) -> dict[str, Any]:
        """The student's state: its competence (as :attr:`competence`) and its generator's state."""
        return {"competence": np.array(self.competence), "np_random": self.np_random.bit_generator.state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`, exactly.

        Raises:
            TeachgymError: if the competence does not fit this student's grid.
        """
        view = np.asarray(state["competence"], dtype=np.float64)
        if view.shape != self._shape:
            raise TeachgymError(f"a competence of shape {view.shape} does not fit this student's grid {self._shape}")
        competence = np.empty(self._shape)
        competence[np.ix_(*self._cell_order)] = view
        self._map.competence = competence
        self.np_random.bit_generator.state = state["np_random"]

    def __getstate__(self) -> dict[str, Any]:
        return {**EzPickle.__getstate__(self), "student": self.state_dict()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        EzPickle.__setstate__(self, state)
        self.load_state_dict(state["student"])

    # ------------------------------------------------------------------------------------------- rendering
    def render(self) -> np.ndarray | None:
        """The competence map as an RGB image (x to the right, y upwards); None without ``render_mode``."""
        if self.render_mode is None:
            return None
        view_cell = self._view_cell or (0,) * self.n_relevant
        competence, feasible = self.competence, self.feasible
        if self.n_relevant == 3:  # the slice of the episode's task
            competence, feasible = competence[:, :, view_cell[2]], feasible[:, :, view_cell[2]]
        competence, feasible = np.atleast_2d(competence.T)[::-1], np.atleast_2d(feasible.T)[::-1]
        share = np.clip(competence / self.mastery, 0.0, 1.0)[..., None]
        image = (1 - share) * np.array(NOVICE_COLOUR) + share * np.array(LEARNING_COLOUR)
        image[competence > self.mastery] = MASTERED_COLOUR
        image[~feasible] = INFEASIBLE_COLOUR
        image = np.repeat(np.repeat(image.astype(np.uint8), CELL_PIXELS, axis=0), CELL_PIXELS, axis=1)
        if self._view_cell is not None:
            row = (competence.shape[0] - 1 - (view_cell[1] if self.n_relevant > 1 else 0)) * CELL_PIXELS
            column = view_cell[0] * CELL_PIXELS
            mark = image[row:row + CELL_PIXELS, column:column + CELL_PIXELS]
            mark[[0, -1], :] = TASK_MARK_COLOUR
            mark[:, [0, -1]] = TASK_MARK_COLOUR
        return image

    # --------------------------------------------------------------------------------------------- helpers
    def _in_task_view(self, grid: np.ndarray) -> np.ndarray:
        view = grid[np.ix_(*self._cell_order)]
        view.flags.writeable = False
        return view


def _check_count(name: str, value: object, low: int, high: int | None) -> None:
    """A count option of a simulated student: an integer in ``[low, high]`` (``high`` None: no upper bound)."""
    check_integer(name, value, minimum=low, maximum=high, error=EnvOptionError)


def _check_return_scale(return_range: Any, success_return: float, return_noise: float) -> tuple[float, float]:
    """Check the return scale; returns ``(low, high)`` of the competence-to-return map."""
    try:
        low, high = (float(v) for v in return_range)
    except (TypeError, ValueError):
        raise EnvOptionError(f"return_range must be a (low, high) pair, got {return_range!r}") from None
    if not all(math.isfinite(v) for v in (low, high, success_return)) or not low < success_return < high:
        raise EnvOptionError(f"need finite low < success_return < high, got return_range {return_range!r} and "
                             f"success_return {success_return!r}")
    check_number("return_noise", return_noise, low=0, error=EnvOptionError)
    return low, high


def _grid_shape(resolution: int | None, widths: np.ndarray, intervals: int) -> tuple[int, ...]:
    """Cells per relevant dimension: ``resolution``, or cells ``DEFAULT_CELL_WIDTH`` wide rounded up to a multiple
    of the rugged intervals."""
    if resolution is None:
        cells = np.maximum(1, np.ceil(widths / DEFAULT_CELL_WIDTH - 1e-9)).astype(int)
        return tuple(int(-(-n // intervals) * intervals) for n in cells)
    _check_count("resolution", resolution, 1, None)
    if resolution % intervals:
        raise EnvOptionError(f"resolution {resolution} must be a multiple of rugged_intervals {intervals}, e.g. "
                             f"{-(-resolution // intervals) * intervals}")
    return (int(resolution),) * len(widths)


def _check_support_reaches_neighbours(
    rule: LearningRule, names: tuple[str, ...], cell_widths: np.ndarray, shape: tuple[int, ...]
) -> None:
    """A mastered cell must support its neighbours, or no frontier could ever move."""
    for name, width, cells in zip(names, cell_widths, shape):
        if cells > 1 and rule.support_radius < width:
            raise EnvOptionError(
                f"support_radius {rule.support_radius:g} is smaller than a cell along {name!r} ({width:g} wide): "
                f"no mastered cell could support its neighbours; use a finer resolution or a larger support_radius"
            )


def _rugged_cell_order(shape: tuple[int, ...], intervals: int, seed: int) -> list[np.ndarray]:
    """Per axis, the world cell of every view cell: identity when smooth; else the axis is cut into ``intervals``
    equal pieces in a seeded permutation that is never the identity."""
    permutations = interval_permutations(len(shape), intervals, seed)
    return [(permutation[:, None] * (cells // intervals) + np.arange(cells // intervals)).ravel()
            for cells, permutation in zip(shape, permutations)]
