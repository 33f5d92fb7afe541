"""The sweep scaling benchmark times one worker against two and prints the ratio it promises."""

from teachgym.benchmarks.perf import scale


def test_the_scale_benchmark_times_one_worker_against_two(capsys):
    assert scale.main(["--runs", "2", "--episodes", "100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 runs of 100 episodes (alp-gmm on teachgym/SimulatedStudent-v0)"
    words = lines[1].split()
    serial, parallel, ratio = float(words[2]), float(words[6]), float(words[9])
    assert words[:2] == ["1", "worker:"] and words[3:6] == ["s", "2", "workers:"]
    assert serial > 0 and parallel > 0
    # the times are printed rounded to 0.01 s
    assert (parallel - 0.005) / (serial + 0.005) - 0.005 <= ratio <= (parallel + 0.005) / (serial - 0.005) + 0.005
    assert "the 0.6x target" in lines[1]
