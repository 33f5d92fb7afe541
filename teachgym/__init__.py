"""teachgym: procedurally parameterised environments, curriculum teachers and benchmarks for automatic curriculum
learning.

``import teachgym`` registers every environment with gymnasium under the ``teachgym/`` namespace::

    import gymnasium as gym
    import teachgym

    env = gym.make("teachgym/StumpTracks-v0", body="classic_bipedal")
    env.unwrapped.task_space        # TaskSpace({'stump_height': (0, 3), 'obstacle_spacing': (0, 6)}, ...)
"""

from .errors import TaskError, TeachgymError, UnknownNameError
from .registration import env_ids, register_envs
from .task_space import TaskSpace
from .test_sets import TestSet

__all__ = ["TaskError", "TaskSpace", "TeachgymError", "TestSet", "UnknownNameError", "env_ids", "register_envs"]
__version__ = "0.1.0"

register_envs()
