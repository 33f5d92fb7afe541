"""The staircase benchmark: its script prints every teacher against random, and a short version of its claim holds
in the suite (the full 20,000-episode comparison of every teacher is ``python -m teachgym.benchmarks.staircase``)."""

import statistics
from functools import cache

import pytest

from teachgym.benchmarks import staircase
from teachgym.benchmarks.teacher_benchmark import run_one

EPISODES = 6000
SEEDS = (0, 1)
# Teachers whose every seed masters at least 4% of the grid by 6000 episodes on the toy env's noise-free student with
# graded success (measured over seeds 0-2: alp-gmm 0.04-0.06, covar-gmm 0.11-0.18, riac 0.10-0.12,
# expert-easy-to-hard 0.04-0.06, robust-plr 0.13-0.14, sfl 0.24-0.25, and at `high` adr 0.18-0.21 and goal-gan
# 0.24-0.26), where uniform sampling has not yet visited the start cell the 76 times that master it.
FRONTIER_TEACHERS = ("adr", "alp-gmm", "covar-gmm", "expert-easy-to-hard", "goal-gan", "riac", "robust-plr", "sfl")


@cache
def final_share(teacher: str, seed: int) -> float:
    level = staircase.teacher_levels([teacher], "low")[teacher]
    return run_one(staircase.STAIRCASE, teacher, seed, EPISODES, 1, level).mastered[-1]


@pytest.mark.parametrize("teacher", FRONTIER_TEACHERS)
def test_teachers_that_follow_the_frontier_master_clearly_more_than_random(teacher):
    random_share = statistics.mean(final_share("random", seed) for seed in SEEDS)
    shares = [final_share(teacher, seed) for seed in SEEDS]
    assert random_share <= 0.01
    assert min(shares) >= random_share + 0.03


def test_teachers_that_start_from_the_experts_easy_task_run_at_high():
    levels = staircase.teacher_levels(["adr", "alp-gmm", "goal-gan", "random", "self-paced"], "low")
    assert levels == {"adr": "high", "alp-gmm": "low", "goal-gan": "high", "random": "low", "self-paced": "high"}
    assert staircase.teacher_levels(["adr", "riac"], "high") == {"adr": "high", "riac": "high"}


def test_the_script_prints_every_teacher_against_random(capsys):
    assert staircase.main(["--episodes", "30", "--seeds", "2", "--workers", "1", "--teachers", "alp-gmm", "adr"]) == 0
    out = capsys.readouterr().out
    rows = {
        fields[0]: fields
        for fields in map(str.split, out.splitlines())
        if fields[:1] in (["adr"], ["alp-gmm"], ["random"])
    }
    assert sorted(rows) == ["adr", "alp-gmm", "random"]
    assert rows["random"][6] == "-" and rows["adr"][6] in ("yes", "no")
    assert (rows["adr"][1], rows["alp-gmm"][1], rows["random"][1]) == ("high", "low", "low")
    assert "6 runs of 30 episodes (seeds 0-1)" in out


def test_the_script_rejects_unknown_teachers(capsys):
    with pytest.raises(SystemExit) as exited:
        staircase.main(["--teachers", "curot"])
    assert exited.value.code == 2
    assert "unknown teacher(s) ['curot']" in capsys.readouterr().err
