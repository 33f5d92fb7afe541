"""Stump Tracks: a walker crosses a track of stumps whose height and spacing are the task."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...errors import TaskError
from ...task_space import TaskSpace
from ...test_sets import TestSet
from .physics import TERRAIN_STEP
from .terrain import Obstacle
from .track import WalkerTrackEnv

STUMP_HEIGHT_STD = 0.1  # each stump's height is drawn around the task's mean height
MIN_STUMP_HEIGHT = 0.05  # in terrain steps: a stump never vanishes completely
STUMP_WIDTH = TERRAIN_STEP
# TeachMyAgent's fixed test set, used for every Stump Tracks criterion whatever the bounds: a 10 x 10 grid.
TEST_GRID = {"stump_height": tuple(np.linspace(0.0, 3.0, 10)), "obstacle_spacing": tuple(np.linspace(0.0, 6.0, 10))}


class StumpTracks(WalkerTrackEnv):
    """
    ## Description
    A Box2D walker (any embodiment of `teachgym.envs.walkers.bodies`) must cross a flat 200-step track studded with
    stumps. The stumps' mean height and the flat distance between them are the task: low, sparse stumps are
    easy, tall dense ones impossible. This is TeachMyAgent's Stump Tracks (Romac et al., 2021), itself a
    procedural version of gymnasium's BipedalWalker.

    ## Action Space
    `Box(-1, 1, (n_motors,), float32)`: one value per motor. Its sign sets the motor's direction (at the motor's
    fixed speed), its magnitude the share of the body's maximal torque. classic_bipedal has 4 motors.

    ## Observation Space
    `Box(float32)` of `4 + motor block + 10` values: head angle, angular velocity, horizontal and vertical
    velocity (scaled to about [-1, 1]); per motor its angle, speed / motor speed and, for ground-contact
    sensors, a 0/1 contact flag; then 10 lidar fractions of a downward fan (1 = nothing within range).
    Values are clipped to the space's finite bounds. classic_bipedal observes 24 values.

    ## Rewards
    The increase of `130 * x_head / SCALE - 5 * |head_angle|` (no angle term for wheel and profile_chimpanzee),
    minus `0.00035 * 80 * min(|a_i|, 1)` per action value (divided by the number of limb groups for multi-limb
    bodies). A fall (the hull or head touches the ground) or walking off the left edge gives -100.

    ## Starting State
    The body stands on the middle of a flat start pad (20 terrain steps, wider for wide bodies) and receives a
    random horizontal push drawn from U(-5, 5).

    ## Episode End
    Terminated on a fall, on leaving the track to the left, or on reaching the end of the track (10 steps before
    its end). Truncated after 2000 steps when made through `gymnasium.make`. `info["success"]` is True once the
    episode return exceeds 230, the benchmark's "mastered" criterion.

    ## Task Parameters
    | name | default bounds | default task | meaning |
    |---|---|---|---|
    | `stump_height` | [0, 3] | 0 | mean stump height in terrain steps (14/30 m); each stump ~ N(h, 0.1), >= 0.05 |
    | `obstacle_spacing` | [0, 6] | 6 | flat distance between stumps, in metres (at least 0.01) |

    Stumps are one terrain step wide. Any bounds can be widened or narrowed with constructor keywords, e.g.
    `stump_height=(0, 9)` (mostly infeasible) or `stump_height=(-3, 3)` (mostly trivial: negative means give
    stumps only a few centimetres high).

    ## Arguments
    - `body`: the embodiment's name (default `"classic_bipedal"`); `body_kwargs`: its options, e.g.
      `{"motors_torque": 100}` or `{"nb_pairs_of_legs": 3}` for the spider.
    - `render_mode`: None or `"rgb_array"`.
    - `**task_bounds`: `name=(low, high)` overrides of the task parameters' bounds.

    ```python
    import gymnasium as gym, teachgym
    env = gym.make("teachgym/StumpTracks-v0", body="spider", stump_height=(0, 9))
    env.unwrapped.set_task({"stump_height": 1.5, "obstacle_spacing": 3.0})
    obs, info = env.reset(seed=0)
    ```

    ## Version History
    - v0: initial version.
    """

    DEFAULT_TASK_SPACE = TaskSpace(
        {"stump_height": (0.0, 3.0), "obstacle_spacing": (0.0, 6.0)},
        default={"stump_height": 0.0, "obstacle_spacing": 6.0},
    )

    def __init__(
        self,
        body: str = "classic_bipedal",
        body_kwargs: Mapping[str, Any] | None = None,
        render_mode: str | None = None,
        **task_bounds: tuple[float, float],
    ):
        super().__init__(body, body_kwargs, render_mode, task_bounds)

    def default_test_set(self) -> TestSet:
        """TeachMyAgent's test set: the 10 x 10 grid ``stump_height`` in ``linspace(0, 3, 10)`` x
        ``obstacle_spacing`` in ``linspace(0, 6, 10)``, the same whatever the bounds (e.g. ``stump_height=(0, 9)``).

        Raises:
            TaskError: if the bounds were narrowed so that the grid leaves the task space.
        """
        try:
            return TestSet.grid(self.task_space, TEST_GRID, name="stump-tracks-grid-10x10")
        except TaskError as error:
            raise TaskError(f"Stump Tracks' default test set (the 10 x 10 grid over stump_height [0, 3] and "
                            f"obstacle_spacing [0, 6]) does not fit the task space {self.task_space.bounds}: {error}; "
                            f"pass a test set explicitly, e.g. test_set: {{grid: 10}} in the run config") from None

    def _obstacle_spacing(self, task: np.ndarray) -> float:
        return float(task[1])

    def _generate_obstacle(self, x: float, ground_y: float, task: np.ndarray) -> tuple[Obstacle, float]:
        height = max(MIN_STUMP_HEIGHT, float(self.np_random.normal(task[0], STUMP_HEIGHT_STD))) * TERRAIN_STEP
        top = ground_y + height
        stump = Obstacle(((x, ground_y), (x + STUMP_WIDTH, ground_y), (x + STUMP_WIDTH, top), (x, top)))
        return stump, x + STUMP_WIDTH
