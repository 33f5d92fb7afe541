"""The teacher speed scripts run end to end and print what they promise (figures are not asserted)."""

import pytest

from teachgym.benchmarks.perf import alp_gmm_speed, curriculum_overhead, neural_teacher_speed


def test_alp_gmm_speed_prints_costs_quality_and_the_ratio(capsys):
    assert alp_gmm_speed.main(["--episodes", "300", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    assert "speed ratio" in out and "reference" in out and "alp-gmm" in out


def test_curriculum_overhead_prints_both_modes_and_the_ratio(capsys):
    assert curriculum_overhead.main(["--algorithms", "ppo", "--steps", "128", "--rounds", "1", "--n-envs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("teachgym/StumpTracks-v0, 1 env(s), teacher 'alp-gmm', device ")
    student, steps, plain, _, taught, _, ratio, *verdict = lines[-1].split()
    assert (student, steps) == ("ppo", "128")
    assert float(ratio) == pytest.approx(float(taught) / float(plain), rel=0.6)
    assert " ".join(verdict).endswith("the 0.95x target")


def test_neural_teacher_speed_prints_every_neural_teacher_and_the_reference(capsys):
    assert neural_teacher_speed.main(["--episodes", "60", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    rows = {tuple(line.split()[:2]): line.split() for line in out.splitlines()[2:] if line.split()}
    devices = neural_teacher_speed.devices()
    assert {("alp-gmm", "cpu")} | {(name, device) for name in neural_teacher_speed.NEURAL_TEACHERS
                                   for device in devices} <= set(rows)
    assert rows[("alp-gmm", "cpu")][3] == "1.0"  # the reference against itself
    assert ("cuda" in devices) != ("CUDA: not available on this machine" in out)
