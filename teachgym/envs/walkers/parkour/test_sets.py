"""Parkour's three test sets: 100 tasks each for walkers, climbers and swimmers, from fixed seeds and rules.

Every set draws the CPPN input uniformly over the env's CPPN box, then applies its rule to the other parameters
(a value range is drawn uniformly; ranges are clipped to the env's bounds, so narrowed spaces still get 100 tasks):

| set | seed | water_level | creepers_height | creepers_spacing |
|---|---|---|---|---|
| `parkour-walkers` | 1 | [0, 0.2] (dry in TeachMyAgent's world) | 0 (only stubs near the ceiling) | 5 (the widest) |
| `parkour-climbers` | 2 | [0, 0.2] | [1, 4] (with creepers) | [0, 5] |
| `parkour-swimmers` | 3 | 1 (fully under water) | [0, 4] | [0, 5] |
"""

from __future__ import annotations

import numpy as np

from ....task_space import TaskSpace
from ....test_sets import TestSet

TEST_SET_SIZE = 100
CPPN_PREFIX = "cppn_input_"
# name -> (seed, {parameter: (low, high) drawn uniformly, or a fixed value})
TEST_SET_RULES: dict[str, tuple[int, dict[str, tuple[float, float] | float]]] = {
    "parkour-walkers": (1, {"water_level": (0.0, 0.2), "creepers_height": 0.0, "creepers_spacing": 5.0}),
    "parkour-climbers": (2, {"water_level": (0.0, 0.2), "creepers_height": (1.0, 4.0), "creepers_spacing": (0.0, 5.0)}),
    "parkour-swimmers": (3, {"water_level": 1.0, "creepers_height": (0.0, 4.0), "creepers_spacing": (0.0, 5.0)}),
}


def parkour_test_set(task_space: TaskSpace, name: str) -> TestSet:
    """The named Parkour test set over ``task_space`` (see the module's table)."""
    seed, rule = TEST_SET_RULES[name]
    rng = np.random.default_rng(seed)
    columns = []
    for index, parameter in enumerate(task_space.names):
        low, high = float(task_space.low[index]), float(task_space.high[index])
        value = rule.get(parameter, (low, high)) if not parameter.startswith(CPPN_PREFIX) else (low, high)
        if isinstance(value, tuple):
            value_low, value_high = min(max(value[0], low), high), min(max(value[1], low), high)
            columns.append(rng.uniform(value_low, value_high, TEST_SET_SIZE))
        else:
            columns.append(np.full(TEST_SET_SIZE, min(max(float(value), low), high)))
    return TestSet(task_space, np.column_stack(columns), name=name)


def parkour_test_sets(task_space: TaskSpace) -> dict[str, TestSet]:
    """Every Parkour test set over ``task_space``, by name."""
    return {name: parkour_test_set(task_space, name) for name in TEST_SET_RULES}
