"""The staircase student: a simulated student whose cells unlock one after another, as teachDeepRL's toy env.

A cell is learnt only once a previous neighbour is mastered, starting from one corner cell: a teacher must follow the
student's frontier across the grid, and uniform sampling wastes almost every episode on locked cells (Portelas,
Colas, Hofmann & Oudeyer, "Teacher algorithms for curriculum learning of Deep RL in continuously parameterized
environments", CoRL 2019, toy environment of flowersteam/teachDeepRL).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium.utils import EzPickle

from ...errors import EnvOptionError, TeachgymError
from .competence import LearningRule, _read_only
from .student import DEFAULT_RETURN_RANGE, SimulatedStudent, _check_count

DEFAULT_CELLS = 10
DEFAULT_COMPETENCE_STEPS = 100  # teachDeepRL: competence counts up to 100 episodes per cell
# On the default return scale, a cell is mastered above competence 0.75: teachDeepRL's "above 3/4 of the maximum".
DEFAULT_STAIRCASE_SUCCESS_RETURN = 200.0
# teachDeepRL's toy env returns the cell's competence as it is: its `noise` argument defaults to 0 and the line that
# would add Gaussian noise is commented out.
DEFAULT_STAIRCASE_RETURN_NOISE = 0.0


class StaircaseMap:
    """Competence of a grid of cells learnt like a staircase.

    A learnable episode on a cell adds ``1 / competence_steps`` to its competence (up to 1); a cell is learnable when
    it is the start cell (all indices 0) or a previous neighbour (every index equal or one lower, not the cell
    itself) is mastered (competence above ``mastery``). Nothing spreads to other cells and nothing is forgotten.
    The interface is :class:`~.competence.CompetenceMap`'s, so the simulated student uses either.

    Raises:
        TeachgymError: on a grid with an empty axis, fewer than 1 competence step or a mastery level outside (0, 1).
    """

    def __init__(self, shape: Sequence[int], competence_steps: int, mastery: float):
        if not shape or any(n < 1 for n in shape):
            raise TeachgymError(f"a staircase grid needs at least one cell per axis, got shape {tuple(shape)}")
        _check_count("competence_steps", competence_steps, 1, None)
        if not 0 < mastery < 1:
            raise TeachgymError(f"mastery must lie in (0, 1), got {mastery!r}")
        self.shape = tuple(int(n) for n in shape)
        self.competence_steps = int(competence_steps)
        self.mastery = float(mastery)
        self._counts = np.zeros(int(np.prod(self.shape)), dtype=np.int64)
        cells = np.array(list(np.ndindex(*self.shape)), dtype=np.int64).reshape(-1, len(self.shape))
        offsets = [offset for offset in itertools.product((0, -1), repeat=len(self.shape)) if any(offset)]
        self._previous = [
            np.array(
                [np.ravel_multi_index(cell + offset, self.shape) for offset in offsets if np.all(cell + offset >= 0)],
                dtype=np.int64,
            )
            for cell in cells
        ]
        self._steps_from_start = cells.max(axis=1).astype(np.float64)

    def index_of(self, cell: Sequence[int]) -> int:
        """The flat index of a cell (a tuple of grid indices).

        Raises:
            TeachgymError: if the cell is not in the grid.
        """
        if len(cell) != len(self.shape) or not all(0 <= int(i) < n for i, n in zip(cell, self.shape)):
            raise TeachgymError(f"cell {tuple(cell)} is not in the grid of shape {self.shape}")
        return int(np.ravel_multi_index(tuple(int(i) for i in cell), self.shape))

    def learnability(self, index: int) -> float:
        """1 if the cell at flat ``index`` can be learnt now (the start cell, or one with a mastered previous
        neighbour), else 0."""
        previous = self._previous[index]
        unlocked = index == 0 or bool(np.any(self._counts[previous] / self.competence_steps > self.mastery))
        return 1.0 if unlocked else 0.0

    def train(self, index: int) -> float:
        """One episode on the cell at flat ``index``: one competence step if it is learnable. Returns the
        learnability."""
        learnability = self.learnability(index)
        if learnability:
            self._counts[index] = min(self._counts[index] + 1, self.competence_steps)
        return learnability

    def competence_at(self, index: int) -> float:
        """Competence of the cell at flat ``index``."""
        return float(self._counts[index] / self.competence_steps)

    def reset(self) -> None:
        """Forget everything: a new student with competence 0 everywhere."""
        self._counts[:] = 0

    @property
    def competence(self) -> np.ndarray:
        """Competence of every cell (a read-only copy, the grid's shape)."""
        return _read_only((self._counts / self.competence_steps).reshape(self.shape))

    @competence.setter
    def competence(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        counts = np.rint(values * self.competence_steps)
        if (
            values.shape != self.shape
            or not np.all((values >= 0) & (values <= 1))
            or not np.array_equal(counts / self.competence_steps, values)
        ):
            raise TeachgymError(
                f"competence must be an array of shape {self.shape} of multiples of 1/{self.competence_steps} in [0, 1]"
            )
        self._counts[:] = counts.astype(np.int64).ravel()

    @property
    def difficulty(self) -> np.ndarray:
        """The stair of every cell: the fewest cells to master before it can be learnt (its largest index)."""
        return _read_only(self._steps_from_start.reshape(self.shape))

    @property
    def feasible(self) -> np.ndarray:
        """Every cell can be learnt (a read-only boolean array)."""
        return _read_only(np.ones(self.shape, dtype=bool))

    def mastered_share(self) -> float:
        """Share of the cells whose competence is above the mastery level."""
        return float(np.mean(self._counts / self.competence_steps > self.mastery))


class StaircaseStudent(SimulatedStudent):
    """
    ## Description
    A simulated student whose skills unlock like a staircase, after the toy environment of teachDeepRL (Portelas et
    al., 2019; `teachDRL/toy_env/toy_env.py` in flowersteam/teachDeepRL): the task space is a grid of
    `cells x cells` cells over two dimensions in [0, 1]; a cell can only be learnt once a *previous* neighbour (each
    index equal or one lower) is mastered, and the start cell, at the origin, is learnable from the start. A teacher
    that follows the frontier masters the grid in about `cells**2 * 76` episodes; uniform sampling spends almost all
    its episodes on locked cells. Everything but the learning rule, the noise-free default and the graded success is
    :class:`SimulatedStudent`'s (one-step episodes, returns, value estimates, state, rendering).

    ## Action Space
    `Box(-1, 1, (1,), float32)`, ignored.

    ## Observation Space
    `Box(0, 1, (2,), float32)`: the episode's task.

    ## Rewards
    `low + (high - low) * c + return_noise * N(0, 1)`, clipped, with `c` the competence of the task's cell before
    the episode and `(low, high) = return_range` ((-100, 300)). The return noise is 0 by default: the toy env's
    reward is the cell's competence, noise-free (its `noise` defaults to 0 and is never added), so a training
    episode visibly raises the return of a learnable cell, by 4, and leaves a locked cell's at -100. The toy env
    returns the competence after the episode's training; here, as on every simulated student, before it.

    ## Starting State
    As :class:`SimulatedStudent`: `reset(seed=...)` starts a new student (competence 0 everywhere), plain resets
    keep it.

    ## Episode End
    After one step. `info["success"]` is, by default (`graded_success=True`), a draw that is True with probability
    `c`, the competence of the task's cell before the episode (from `self.np_random`): the toy env has no notion of
    success, and reads its normalised competence as "mastered" above 3/4, so the competence is read here as the
    share of episodes the student succeeds in, as the success of an RL student's stochastic policy on a task is a
    draw whose rate rises from 0 to 1 while it learns that task (the success rate `p` of Sampling for Learnability,
    Rutherford et al. 2024, and of ProCuRL's probability of success, Tzannetos et al. 2023). A cell being learnt
    then succeeds in a share of its episodes strictly between 0 and 1, a locked cell never, and a mastered cell in
    more than 3/4 of them. `evaluate_successes` samples the same way. With `graded_success=False`, success is the
    return above `success_return` (200), as on every simulated student: a sharp threshold at mastery, blurred only
    by the return noise.

    ## Task Parameters
    | name | bounds | default task | meaning |
    |---|---|---|---|
    | `difficulty_x` | [0, 1] | 0 | the cell's column: `min(int(x * cells), cells - 1)` |
    | `difficulty_y` | [0, 1] | 0 | the cell's row |

    ## The Student
    Every learnable episode on a cell raises its competence by `1 / competence_steps` (100 episodes to full
    competence); nothing spreads to other cells and nothing is forgotten. A cell is mastered when its competence is
    above the mastery level, `(success_return - low) / (high - low)` = 0.75 by default: after 76 learnable episodes
    (teachDeepRL: competence above 75 of 100). A mastered cell unlocks its next neighbours (one index higher in
    one or both dimensions). teachDeepRL unlocks at a competence of 75, one episode before its cell counts as
    mastered; here one level decides both.

    ## Arguments
    - `cells` (10): cells per dimension.
    - `competence_steps` (100): learnable episodes from competence 0 to 1.
    - `return_range` ((-100, 300)), `success_return` (200): the return scale; `success_return` sets the mastery level.
    - `return_noise` (0): the std of the Gaussian noise on every return; 5 is every other simulated student's.
    - `graded_success` (True): success is a draw with the cell's competence as its probability; False for a return
      above `success_return`. `return_noise=5, graded_success=False` is this student before version v0's defaults
      changed (see Version History).
    - `render_mode`: None or `"rgb_array"` (as :class:`SimulatedStudent`).

    ## Registered ids
    - `teachgym/SimulatedStudent-Staircase-v0`: the 10 x 10 staircase.

    ## Version History
    - v0: initial version; its defaults became the toy env's noise-free return and a graded success (before:
      `return_noise=5`, success a return above 200) before any release.
    """

    def __init__(
        self,
        cells: int = DEFAULT_CELLS,
        competence_steps: int = DEFAULT_COMPETENCE_STEPS,
        return_range: tuple[float, float] = DEFAULT_RETURN_RANGE,
        success_return: float = DEFAULT_STAIRCASE_SUCCESS_RETURN,
        return_noise: float = DEFAULT_STAIRCASE_RETURN_NOISE,
        graded_success: bool = True,
        render_mode: str | None = None,
    ):
        _check_count("cells", cells, 1, None)
        if not isinstance(graded_success, (bool, np.bool_)):
            raise EnvOptionError(f"graded_success must be True or False, got {graded_success!r}")
        self.graded_success = bool(graded_success)
        self._competence_steps = competence_steps
        # The grid, task mapping and return scale are SimulatedStudent's; its learning rule is unused here, but its
        # support radius must reach a neighbouring cell for the grid to be accepted.
        super().__init__(
            n_relevant=2,
            resolution=cells,
            support_radius=LearningRule.support_radius * 10,
            return_range=return_range,
            success_return=success_return,
            return_noise=return_noise,
            render_mode=render_mode,
        )
        EzPickle.__init__(
            self,
            cells=cells,
            competence_steps=competence_steps,
            return_range=return_range,
            success_return=success_return,
            return_noise=return_noise,
            graded_success=graded_success,
            render_mode=render_mode,
        )

    def _competence_map(
        self, difficulty: np.ndarray, feasible: np.ndarray, cell_widths: np.ndarray, mastery: float, rule: LearningRule
    ) -> StaircaseMap:
        """The staircase's competence model over the simulated student's grid."""
        return StaircaseMap(difficulty.shape, self._competence_steps, mastery)

    def _step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Run the episode as :class:`SimulatedStudent`; with ``graded_success``, ``info["success"]`` is then a draw
        that is True with the cell's competence before the episode as its probability.

        Raises:
            ResetNeeded: if no episode was started since the last step.
        """
        competence = None if self._index is None else self._map.competence_at(self._index)
        observation, episode_return, terminated, truncated, info = super()._step(action)
        if self.graded_success:
            info["success"] = bool(self.np_random.random() < competence)
        return observation, episode_return, terminated, truncated, info

    def evaluate_successes(self, tasks: Any, n_rollouts: int) -> np.ndarray:
        """How many of ``n_rollouts`` episodes on each of ``tasks`` (one per row) succeed, without training the
        student: with ``graded_success``, binomial with the competence of each task's cell as its probability, as
        :meth:`step` draws them; otherwise :class:`SimulatedStudent`'s.

        Raises:
            TaskError: if a task is not in the task space.
            TeachgymError: if ``n_rollouts`` is not a positive integer.
        """
        if not self.graded_success:
            return super().evaluate_successes(tasks, n_rollouts)
        _check_count("n_rollouts", n_rollouts, 1, None)
        rows = np.atleast_2d(np.asarray(tasks, dtype=np.float64))
        competences = np.array([self._map.competence_at(self._cell_of(self.task_space.validate(task))[1])
                                for task in rows])
        return self.np_random.binomial(int(n_rollouts), competences)
