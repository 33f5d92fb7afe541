"""The teacher benchmark runs end to end and prints what it promises (figures are not asserted)."""

from helpers import assert_usage_error

from teachgym.benchmarks import teacher_benchmark
from teachgym.teachers import available_teachers


def test_teacher_benchmark_covers_every_teacher_and_simulated_student(capsys):
    assert teacher_benchmark.main(["--episodes", "40", "--seeds", "2", "--checkpoints", "2", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    for env_id in teacher_benchmark.simulated_env_ids():
        assert f"{env_id}: share of the task space mastered" in out
    rows = [line.split() for line in out.splitlines() if line.split() and line.split()[0] in available_teachers()]
    assert len(rows) == len(available_teachers()) * len(teacher_benchmark.simulated_env_ids())
    levels = {row[0]: row[1] for row in rows}
    assert levels["expert-easy-to-hard"] == "high" and levels["random"] == "low"
    assert "runs of 40 episodes" in out


def test_teacher_benchmark_rejects_bad_input(capsys):
    assert_usage_error(teacher_benchmark.main, ["--teachers", "alp-gmn"], "unknown teacher(s) ['alp-gmn']", capsys)
