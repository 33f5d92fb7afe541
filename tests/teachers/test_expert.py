"""Expert-knowledge levels: each level gives a teacher exactly the knowledge it takes."""

import gymnasium as gym
import numpy as np
import pytest

import teachgym  # noqa: F401  (registers the ids)
from teachgym.envs import ExpertKnowledge
from teachgym.errors import UnknownNameError
from teachgym.teachers import Teacher, make_teacher
from teachgym.teachers.adr import ADRTeacher
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


@pytest.mark.parametrize("level", ["none", "low"])
def test_adr_starts_from_a_random_task_of_its_own_generator_below_high(level):
    """TeachMyAgent's ADR starts from a uniform task unless the level gives the easy initial distribution."""
    stump_tracks = gym.make("teachgym/StumpTracks-v0").unwrapped
    space, knowledge = stump_tracks.task_space, stump_tracks.expert_knowledge()
    hyperparameters = expert_hyperparameters(ADRTeacher, knowledge, level)
    assert hyperparameters["initial_task"] == "random"
    starts = np.array([make_teacher("adr", space, seed=seed, preset="tma", **hyperparameters).sample_task()
                       for seed in range(100)])
    again = make_teacher("adr", space, seed=0, preset="tma", **hyperparameters).sample_task()
    np.testing.assert_array_equal(again, starts[0])
    assert len({tuple(start) for start in starts}) == 100
    assert not any(np.array_equal(start, space.default) for start in starts)
    assert space.normalize(starts).mean(axis=0) == pytest.approx([0.5, 0.5], abs=0.08)


def test_adr_starts_from_the_easy_task_at_high():
    stump_tracks = gym.make("teachgym/StumpTracks-v0").unwrapped
    space, knowledge = stump_tracks.task_space, stump_tracks.expert_knowledge()
    hyperparameters = expert_hyperparameters(ADRTeacher, knowledge, "high")
    assert "initial_task" not in hyperparameters
    for seed in range(5):
        teacher = make_teacher("adr", space, seed=seed, preset="tma", **hyperparameters)
        np.testing.assert_allclose(teacher.sample_task(), knowledge.initial_distribution["mean"])
