"""The sweep's progress display: one bar with the time left on a terminal, a line per finished run elsewhere; the
estimate counts only the runs this process ran (skipped ones are instant)."""

import io

from teachgym.benchmarks.sweep_progress import SweepProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(stream: io.StringIO) -> None:
    now = [100.0]
    with SweepProgress(5, "tiny", stream=stream, clock=lambda: now[0]) as progress:
        assert progress.time_left(0, 5) == "time left unknown until a run finishes"
        progress(1, 5, "a/seed-0", "skipped", "")  # done before: says nothing, costs nothing
        now[0] = 130.0
        progress(2, 5, "a/seed-1", "done", "")  # 30 s for one run, 3 left
        now[0] = 160.0
        progress(3, 5, "a/seed-2", "failed", "RuntimeError: boom")  # 30 s a run, 2 left
        progress(4, 5, "a/seed-3", "claimed", "held by process 42")
        assert progress.time_left(4, 5) == "about 30 s left"
        now[0] = 7460.0
        assert progress.time_left(4, 5) == "about 1 h 1 min left"
        assert progress.time_left(3, 50) == "about 48 h 2 min left"
        assert progress.time_left(4, 6) == "about 2 h 2 min left"
        assert progress.time_left(5, 5) == "all finished"


def test_elsewhere_a_plain_line_per_finished_run():
    stream = io.StringIO()
    _run(stream)
    assert stream.getvalue().splitlines() == ["[2/5] a/seed-1: done; about 1 min 30 s left",
                                              "[3/5] a/seed-2: failed (RuntimeError: boom); about 1 min 0 s left",
                                              "skipping a/seed-3: held by process 42"]


def test_on_a_terminal_one_bar_with_the_time_left():
    stream = Terminal()
    _run(stream)
    text = stream.getvalue()
    assert "\n[" not in text and not text.startswith("[")  # no plain lines
    assert "skipping a/seed-3: held by process 42\n" in text  # written above the bar
    final = text.rstrip("\n").split("\r")[-1].rstrip()  # the bar as it was left
    assert final.startswith("tiny:  80%|") and "4/5 runs [" in final
    assert final.endswith("a/seed-3: claimed; about 30 s left]")
