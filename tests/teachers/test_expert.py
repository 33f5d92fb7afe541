"""Expert-knowledge levels: each level gives a teacher exactly the knowledge it takes."""

import pytest

from teachgym.envs import ExpertKnowledge
from teachgym.errors import UnknownNameError
from teachgym.teachers import Teacher
from teachgym.teachers.expert import expert_hyperparameters

KNOWLEDGE = ExpertKnowledge((-150.0, 350.0), (0.0, 180.0), {"mean": [0.0, 6.0], "std": [0.3, 0.6]})


class NeedsNothing(Teacher):
    """Takes only the base hyperparameters (seed, reward_range)."""

    def _sample(self):
        raise NotImplementedError

    def _update(self, unit_task, episode_return, success):
        raise NotImplementedError


class NeedsEverything(NeedsNothing):
    def __init__(self, task_space, *, reward_thresholds=None, initial_distribution=None, **base):
        super().__init__(task_space, **base)


def test_each_level_offers_more_knowledge():
    assert expert_hyperparameters(NeedsEverything, KNOWLEDGE, "none") == {}
    assert expert_hyperparameters(NeedsEverything, KNOWLEDGE, "low") == {
        "reward_range": (-150.0, 350.0), "reward_thresholds": (0.0, 180.0)}
    assert expert_hyperparameters(NeedsEverything, KNOWLEDGE, "high") == {
        "reward_range": (-150.0, 350.0), "reward_thresholds": (0.0, 180.0),
        "initial_distribution": {"mean": [0.0, 6.0], "std": [0.3, 0.6]}}


def test_a_teacher_gets_only_what_it_takes():
    assert expert_hyperparameters(NeedsNothing, KNOWLEDGE, "high") == {"reward_range": (-150.0, 350.0)}


def test_unknown_level_suggests_the_closest():
    with pytest.raises(UnknownNameError, match="unknown expert-knowledge level 'hihg' \\(did you mean 'high'\\?\\)"):
        expert_hyperparameters(NeedsNothing, KNOWLEDGE, "hihg")
