"""The teacher benchmarks run end to end and print what they promise (figures are not asserted)."""

import pytest

from teachgym.benchmarks import alp_gmm_speed, teacher_benchmark
from teachgym.teachers import available_teachers


def test_alp_gmm_speed_prints_costs_quality_and_the_ratio(capsys):
    assert alp_gmm_speed.main(["--episodes", "300", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    assert "speed ratio" in out and "reference" in out and "alp-gmm" in out


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
    with pytest.raises(SystemExit) as exited:
        teacher_benchmark.main(["--teachers", "alp-gmn"])
    assert exited.value.code == 2
    assert "unknown teacher(s) ['alp-gmn']" in capsys.readouterr().err


def test_curriculum_overhead_prints_both_modes_and_the_ratio(capsys):
    from teachgym.benchmarks import curriculum_overhead

    assert curriculum_overhead.main(["--algorithms", "ppo", "--steps", "128", "--rounds", "1", "--n-envs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("teachgym/StumpTracks-v0, 1 env(s), teacher 'alp-gmm', device ")
    student, steps, plain, _, taught, _, ratio, *verdict = lines[-1].split()
    assert (student, steps) == ("ppo", "128")
    assert float(ratio) == pytest.approx(float(taught) / float(plain), rel=0.6)
    assert " ".join(verdict).endswith("the 0.95x target")


def test_neural_teacher_speed_prints_every_neural_teacher_and_the_reference(capsys):
    from teachgym.benchmarks import neural_teacher_speed

    assert neural_teacher_speed.main(["--episodes", "60", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    rows = {tuple(line.split()[:2]): line.split() for line in out.splitlines()[2:] if line.split()}
    devices = neural_teacher_speed.devices()
    assert {("alp-gmm", "cpu")} | {(name, device) for name in neural_teacher_speed.NEURAL_TEACHERS
                                   for device in devices} <= set(rows)
    assert rows[("alp-gmm", "cpu")][3] == "1.0"  # the reference against itself
    assert ("cuda" in devices) != ("CUDA: not available on this machine" in out)
