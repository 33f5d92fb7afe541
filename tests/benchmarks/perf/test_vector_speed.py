"""The vector env speed benchmark runs end to end and prints its table, and its training timer splits the time
(figures are not asserted: speed targets live in the benchmark's output, not in timed tests)."""

import multiprocessing
import sys

import pytest

from teachgym.benchmarks.perf import vector_speed
from teachgym.vector import default_start_method


def test_prints_every_case_with_its_ratio_to_the_single_env(capsys):
    assert vector_speed.main(["--steps", "64", "--rounds", "1", "--skip-training"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Python 3" in lines[0]  # where it was measured
    names = [vector_speed.SINGLE, vector_speed.ceiling_name()] + [case.name for case in vector_speed.vector_cases()]
    rows = {line[:44].strip(): line[44:].split() for line in lines if line[:44].strip() in names}
    assert list(rows) == names
    assert rows[vector_speed.SINGLE][1] == "1.00" and rows[vector_speed.SINGLE][3] == "1.00"
    assert all(float(rate) > 0 and float(cpu) > 0 for rate, _, cpu, _ in rows.values())
    assert lines[-4].startswith(f"{vector_speed.ceiling_name()}: ") and "the default reaches" in lines[-4]
    assert lines[-3].startswith(f"{vector_speed.default_case_name()}: ") and "the same with spin_s=0" in lines[-3]
    assert lines[-2].startswith(f"{vector_speed.OURS_8_2}: ") and "target 3.0x" in lines[-2]
    assert lines[-1].startswith(f"{vector_speed.default_case_name()}: ") and "target 3.0x" in lines[-1]


def test_training_is_timed_with_its_env_inference_and_gradient_seconds():
    ppo = vector_speed.train("ppo", "shared-memory", 128, "cpu", 0, {"n_steps": 16, "batch_size": 64, "n_epochs": 1,
                                                                        "policy_kwargs": {"net_arch": [8]}})
    sac = vector_speed.train("sac", "subproc", 96, "cpu", 0, {"learning_starts": 48, "batch_size": 16,
                                                              "policy_kwargs": {"net_arch": [8]}})
    for result in (ppo, sac):
        assert result.seconds > 0 and result.steps_per_second > 0
        assert 0 < result.env + result.inference + result.gradient <= result.seconds
        assert result.env > 0 and result.inference > 0 and result.gradient > 0


def test_the_ceiling_row_raises_rather_than_waits_when_a_process_ends_without_its_figures():
    context = multiprocessing.get_context(default_start_method())
    process = context.Process(target=sys.exit, args=(3,))
    process.start()
    process.join()
    with pytest.raises(RuntimeError, match=r"ended without its figures \(exit codes \[3\]\)"):
        vector_speed._next_result(context.Queue(), [process])


def test_a_torch_thread_count_below_one_stops_before_anything_is_measured(capsys):
    with pytest.raises(SystemExit) as stopped:
        vector_speed.main(["--torch-threads", "2", "0"])
    assert stopped.value.code == 2
    assert "--torch-threads must be integers >= 1, got [2, 0]" in capsys.readouterr().err
