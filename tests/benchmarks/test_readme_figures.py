"""The README's figures are generated: every block names the command that measured it and where, a rewrite replaces
one block only, a failing measurement leaves the README as it was, and the sweep summary has the quoted statistics."""

import csv
import platform
from pathlib import Path

import numpy as np
import pytest

from teachgym.benchmarks import provenance, readme_figures
from teachgym.benchmarks.executors import run_sweep
from teachgym.benchmarks.readme_figures import (
    FiguresError,
    Source,
    check,
    main,
    rewrite,
    summarize_curves,
    summarize_sweep,
)
from teachgym.benchmarks.sweep import Sweep

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_readme_block_is_generated_by_a_known_source():
    assert check(README.read_text()) == []


def two_blocks(first: str = "old one\n", second: str = "old two\n") -> str:
    return (f"intro\n<!-- figures: cartpole -->\n{first}<!-- /figures -->\nmiddle\n"
            f"<!-- figures: env-speed -->\n{second}<!-- /figures -->\nend\n")


def test_a_rewrite_replaces_only_the_named_block():
    text = rewrite(two_blocks(), "env-speed", "new two\n")
    assert text == two_blocks(second="new two\n")
    with pytest.raises(FiguresError, match="no <!-- figures: alp-gmm-speed --> block"):
        rewrite(two_blocks(), "alp-gmm-speed", "x\n")


@pytest.mark.parametrize("readme, problem", [
    ("<!-- figures: carpole -->\nx\n<!-- /figures -->\n", "'carpole' names no source (did you mean 'cartpole'?)"),
    ("<!-- figures: cartpole -->\n42 %\n<!-- /figures -->\n", "'cartpole' does not say where its figures come from"),
    ("<!-- figures: cartpole -->\nnever closed\n", "lacks its <!-- /figures -->"),
    (two_blocks() + "<!-- figures: cartpole -->\nx\n<!-- /figures -->\n", "'cartpole' appears twice"),
    ("no blocks at all\n", "source 'env-speed' has no block"),
])
def test_check_names_each_problem(readme, problem):
    assert any(problem in found for found in check(readme)), check(readme)


@pytest.fixture
def echo_source(monkeypatch):
    """A source whose command prints a known table, registered under a name the README does not use."""
    sources = {"echo": Source(("python", "-c", "print('teacher  score'); print('random   0.25')"))}
    monkeypatch.setattr(readme_figures, "SOURCES", sources)
    return sources


def test_main_measures_and_writes_the_block_with_its_provenance(tmp_path, monkeypatch, echo_source):
    monkeypatch.chdir(tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- figures: echo -->\n<!-- /figures -->\ntail\n")
    assert main(["echo", "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "```text\nteacher  score\nrandom   0.25\n```" in text
    assert "Measured with `python -c" in text and f"Python {platform.python_version()}" in text
    assert f"numpy {np.__version__}" in text
    assert "Regenerate: `python -m teachgym.benchmarks.readme_figures echo`" in text
    assert text.endswith("<!-- /figures -->\ntail\n") and check(text) == []
    assert main(["--check", "--readme", str(readme)]) == 0
    assert not (tmp_path / "runs" / "readme-figures" / "echo").exists()  # the scratch folder goes with success


def test_a_failing_measurement_leaves_the_readme_untouched(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(readme_figures, "SOURCES", {"broken": Source(("python", "-c", "raise SystemExit(3)"))})
    readme = tmp_path / "README.md"
    original = "<!-- figures: broken -->\nold figures\n<!-- /figures -->\n"
    readme.write_text(original)
    assert main(["broken", "--readme", str(readme)]) == 2
    assert "failed with exit code 3; no block rewritten" in capsys.readouterr().err
    assert readme.read_text() == original
    assert (tmp_path / "runs" / "readme-figures" / "broken").is_dir()  # kept for a resumed measurement


def test_unknown_names_and_missing_readmes_are_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["carpole", "--readme", str(README)])
    assert exit_info.value.code == 2 and "did you mean 'cartpole'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--check", "--readme", str(tmp_path / "absent.md")])
    assert "is not a file" in capsys.readouterr().err


def rows_of(run_folder: Path) -> list[dict[str, str]]:
    with (run_folder / "metrics.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_sweep_summary_reports_each_teacher_against_random(tmp_path):
    sweep = Sweep.from_dict({"name": "tiny", "out": str(tmp_path / "tiny"), "defaults": {
        "total_timesteps": 300, "eval_every": 100, "checkpoint_every": 300},
        "grids": [{"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random", "riac"],
                   "students": ["simulated"], "seeds": 3}]})
    result = run_sweep(sweep, workers=1)
    assert not result.failed
    lines = summarize_sweep(result.out).splitlines()
    assert lines[0].startswith("SimulatedStudent / simulated: final share")
    rows = {line.split()[0]: line for line in lines[2:4]}
    assert set(rows) == {"random", "riac"}
    assert rows["random"].split()[1] == rows["riac"].split()[1] == "3"
    assert "P(final > random)" in lines[1] and " / " in rows["riac"] and " / " not in rows["random"]
    assert "final mean test return" in lines[4]
    for line in lines[5:7]:  # the mean over seeds of each run's last mean test return; Welch's p for riac only
        teacher, runs, mean_return, *rest = line.split()
        finals = [float(rows_of(result.out / f"SimulatedStudent/{teacher}/simulated/seed-{seed}")[-1]
                        ["mean_test_return"]) for seed in range(3)]
        assert runs == "3" and mean_return == f"{np.mean(finals):.1f}"
        assert len(rest) == (3 if teacher == "riac" else 2)
    assert lines[-1].startswith("seeds 0-2")


def test_the_sweep_summary_can_say_how_much_training_went_outside_the_test_sets_range(tmp_path):
    tests = tmp_path / "tests.csv"
    tests.write_text("difficulty_x,difficulty_y\n0.1,0.2\n0.5,0.4\n0.3,0.1\n")  # x in [0.1, 0.5], y in [0.1, 0.4]
    sweep = Sweep.from_dict({"name": "tiny", "out": str(tmp_path / "tiny"), "defaults": {
        "total_timesteps": 300, "eval_every": 100, "checkpoint_every": 300, "test_set": {"csv": str(tests)}},
        "grids": [{"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random", "riac"],
                   "students": ["simulated"], "seeds": 2}]})
    result = run_sweep(sweep, workers=1)
    assert not result.failed
    plain = summarize_sweep(result.out).splitlines()
    lines = summarize_sweep(result.out, task_range=True).splitlines()
    assert lines[:len(plain) - 1] == plain[:-1] and lines[-1] == plain[-1]  # the same, and three lines more
    assert "outside the test set's range: whole run, second half" in lines[-4]
    for line in lines[-3:-1]:
        teacher, runs, whole, second_half = line.split()
        shares = []
        for seed in range(2):
            with (result.out / f"SimulatedStudent/{teacher}/simulated/seed-{seed}/curriculum.csv").open() as handle:
                episodes = list(csv.DictReader(handle))
            outside = [not (0.1 <= float(row["task.difficulty_x"]) <= 0.5 and 0.1 <= float(row["task.difficulty_y"])
                            <= 0.4) for row in episodes]
            late = [flag for flag, row in zip(outside, episodes) if int(row["timesteps"]) > 150]
            shares.append((np.mean(outside), np.mean(late)))
        assert runs == "2" and (whole, second_half) == tuple(f"{share:.2f}" for share in np.mean(shares, axis=0))
    assert 0.5 < float(lines[-3].split()[2]) < 1.0  # random: most of [0, 1]^2 is outside


def test_provenance_names_the_machine_and_versions():
    line = provenance.describe()
    assert f"Python {platform.python_version()}" in line and f"{platform.machine()}" in line
    assert all(name in line for name in ("numpy", "gymnasium", "teachgym"))


def test_the_curves_summary_prints_every_evaluation_of_every_run(tmp_path):
    sweep = Sweep.from_dict({"name": "tiny", "out": str(tmp_path / "tiny"), "defaults": {
        "total_timesteps": 300, "eval_every": 100, "checkpoint_every": 300},
        "grids": [{"envs": ["teachgym/SimulatedStudent-v0"], "teachers": ["random"], "students": ["simulated"],
                   "seeds": 2}]})
    result = run_sweep(sweep, workers=1)
    lines = summarize_curves(result.out).splitlines()
    assert lines[0] == "SimulatedStudent/random/simulated/seed-0"
    assert lines[5] == "SimulatedStudent/random/simulated/seed-1"
    metrics = (result.out / "SimulatedStudent/random/simulated/seed-1/metrics.csv").read_text().splitlines()
    header = metrics[0].split(",")
    for line, row in zip(lines[7:10], metrics[1:]):
        values = dict(zip(header, row.split(",")))
        cells = line.split()
        assert cells[0] == f"{int(values['timesteps']):,}" and cells[1] == f"{float(values['mastered_share']):.3f}"
        assert cells[2:] == [f"{float(values[name]):.1f}" for name in
                             ("mean_test_return", "median_test_return", "mean_train_return")]
    assert len(lines) == 10


@pytest.mark.parametrize(("value", "digits", "printed"), [
    (-0.04, 1, "0.0"), (-0.0, 3, "0.000"), (-0.06, 1, "-0.1"), (np.float64(0.0425), 3, "0.043"),
    (np.float64(-12.25), 1, "-12.2"), (np.float32(0.5), 2, "0.50")])
def test_figures_round_as_printf_does_and_never_print_minus_zero(value, digits, printed):
    # numpy's own round() of 0.0425 gives 0.042 (it scales by 10**digits first); the printed figure must not
    assert readme_figures._fixed(value, digits) == printed
