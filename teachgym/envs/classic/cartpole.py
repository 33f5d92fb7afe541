"""Cart-pole with the pole's length and mass, the cart's mass, the push force and gravity as the task."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.envs.classic_control.cartpole import CartPoleEnv

from ...task_space import TaskSpace
from .base import ClassicEnv

SUCCESS_STEPS = 500  # CartPole-v1's episode limit: a success balances the pole for the whole episode
# Observation bounds that hold over the whole task space. While the episode runs, the angular acceleration stays
# under 245 rad/s^2 at every task, so the angular velocity stays under about 20 rad/s (it restarts from 0 at every
# reversal within +-12 degrees), the cart's velocity under about 30 m/s, and the last step carries the pole to at
# most about 0.6 rad: past gymnasium's 24 degrees (0.42 rad), which holds for its own pole only.
CART_POSITION_BOUND = 4.8
CART_VELOCITY_BOUND = 50.0
POLE_ANGLE_BOUND = math.pi / 2
POLE_ANGULAR_VELOCITY_BOUND = 50.0


class CartPole(ClassicEnv, CartPoleEnv):
    """
    ## Description
    Gymnasium's cart-pole (`CartPole-v1`): push a cart left or right to keep the pole hinged on it upright. The
    pole's length and mass, the cart's mass, the strength of the push and gravity are the task: a long light pole
    on a light cart with a strong push is easy, a short heavy pole on a heavy cart with a weak push in strong gravity
    cannot be balanced. This is gymnasium's `CartPoleEnv` itself; a task only sets the physical attributes its
    dynamics read (`length`, `masspole`, `masscart`, `force_mag`, `gravity` and the derived `total_mass` and
    `polemass_length`), so the default task is `CartPole-v1`, observation for observation.

    ## Action Space
    `Discrete(2)`, as gymnasium's: 0 pushes the cart to the left, 1 to the right, with the task's
    `force_magnitude`.

    ## Observation Space
    `Box(float32)` of cart position, cart velocity, pole angle and pole angular velocity, as gymnasium's. The
    bounds differ: gymnasium's are infinite for the velocities (both env checkers ask for finite ones) and +-24
    degrees for the angle, which short poles in strong gravity can pass on the step they fall (up to about 0.6
    rad). Here they are +-4.8 m, +-50 m/s, +-pi/2 rad and +-50 rad/s, which bounds on the accelerations over the
    whole space keep every observation within. The observations themselves are gymnasium's, unclipped.

    ## Rewards
    +1 for every step, the terminating one included (gymnasium's). An episode returns 1 to 500.

    ## Starting State
    Every observation uniform in (-0.05, 0.05), as gymnasium's.

    ## Episode End
    Terminated when the pole leans more than 12 degrees or the cart leaves +-2.4 m; truncated after 500 steps when
    made through `gymnasium.make`, as `CartPole-v1`. `info["success"]` turns True on the step the pole has been
    balanced for 500 steps (the whole episode); it is False on every step before and on a termination.

    ## Task Parameters
    | name | bounds | default | meaning |
    |---|---|---|---|
    | `pole_length` | [0.1, 1] | 1 | full length of the pole in m (gymnasium's `length` is half of it: 0.5) |
    | `pole_mass` | [0.1, 2] | 0.1 | mass of the pole in kg |
    | `cart_mass` | [1, 10] | 1 | mass of the cart in kg |
    | `force_magnitude` | [1, 10] | 10 | force of a push in N |
    | `gravity` | [9.8, 25] | 9.8 | gravitational acceleration in m/s^2 |

    The default task is gymnasium's and the easy corner of the space: shorter or heavier poles, heavier carts,
    weaker pushes and stronger gravity are all harder. A linear-quadratic controller (pushing towards the sign of
    its command) balances the default task in every episode; over the space, it balances half of the tasks in at
    least 4 episodes of 5 and about 30% in none. Bounds can be narrowed or widened with constructor keywords, e.g.
    `force_magnitude=(5, 10)`.

    ## Arguments
    - `render_mode`: None, `"rgb_array"` or `"human"` (gymnasium's rendering; the pole is drawn at its length).
    - `**task_bounds`: `name=(low, high)` overrides of the task parameters' bounds.

    ```python
    import gymnasium as gym, teachgym
    env = gym.make("teachgym/CartPole-v0")
    env.unwrapped.set_task({"pole_length": 0.3, "pole_mass": 0.5, "cart_mass": 2.0, "force_magnitude": 5.0,
                            "gravity": 15.0})
    obs, info = env.reset(seed=0)
    ```

    ## Version History
    - v0: initial version (gymnasium's `CartPole-v1` at the default task).
    """

    DEFAULT_TASK_SPACE = TaskSpace(
        {
            "pole_length": (0.1, 1.0),
            "pole_mass": (0.1, 2.0),
            "cart_mass": (1.0, 10.0),
            "force_magnitude": (1.0, 10.0),
            "gravity": (9.8, 25.0),
        },
        default={"pole_length": 1.0, "pole_mass": 0.1, "cart_mass": 1.0, "force_magnitude": 10.0, "gravity": 9.8},
    )
    GYMNASIUM_ID = "CartPole-v1"
    REWARD_RANGE = (0.0, 500.0)
    REWARD_THRESHOLDS = (100.0, 475.0)  # 475: CartPole-v1's reward threshold

    def __init__(self, render_mode: str | None = None, **task_bounds: tuple[float, float]):
        CartPoleEnv.__init__(self, render_mode=render_mode)
        self._init_task_space(render_mode, task_bounds)
        high = np.array([CART_POSITION_BOUND, CART_VELOCITY_BOUND, POLE_ANGLE_BOUND, POLE_ANGULAR_VELOCITY_BOUND],
                        dtype=np.float32)
        self.observation_space = spaces.Box(-high, high, dtype=np.float32)
        self._elapsed_steps = 0

    def _apply_task(self, pole_length: float, pole_mass: float, cart_mass: float, force_magnitude: float,
                    gravity: float) -> None:
        # The same operations, in the same order, as CartPoleEnv.__init__: the default task is bit for bit gymnasium's.
        self.gravity = gravity
        self.masscart = cart_mass
        self.masspole = pole_mass
        self.total_mass = self.masspole + self.masscart
        self.length = pole_length / 2
        self.polemass_length = self.masspole * self.length
        self.force_mag = force_magnitude

    def _start_episode(self) -> None:
        self._elapsed_steps = 0

    def _step(self, action: int | np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Gymnasium's step, with the success (balanced for 500 steps) in the info."""
        result = CartPoleEnv.step(self, action)
        self._elapsed_steps += 1
        info = result[4]
        info["success"] = self._elapsed_steps >= SUCCESS_STEPS and not result[2]
        return result
