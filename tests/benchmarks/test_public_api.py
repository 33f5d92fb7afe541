"""The run API where users look for it: ``from teachgym.benchmarks import RunConfig, run, sweep``."""

import textwrap

import pytest
import yaml

import teachgym.benchmarks as benchmarks
from teachgym.benchmarks import ConfigError, RunConfig, Sweep, run, sweep
from teachgym.benchmarks.run_folder import RunFolder

SWEEP = """\
    name: api
    out: {out}
    defaults: {{total_timesteps: 2000, eval_every: 1000, checkpoint_every: 1000}}
    grid:
      envs: [teachgym/SimulatedStudent-v0]
      teachers: [random]
      students: [simulated]
      seeds: 1
"""


def test_the_package_names_are_the_functions_not_the_submodules_of_the_same_name():
    assert callable(run) and callable(sweep)
    assert benchmarks.run is run and benchmarks.sweep is sweep
    assert set(benchmarks.__all__) == {"ConfigError", "RunConfig", "Sweep", "SweepResult", "run", "sweep"}


def test_run_and_sweep_from_the_package_write_the_same_metrics(tmp_path):
    config = RunConfig(env="teachgym/SimulatedStudent-v0", teacher="random", student="simulated", seed=0,
                       total_timesteps=2000, eval_every=1000, checkpoint_every=1000, out_dir=str(tmp_path / "one"))
    folder = run(config)
    text = textwrap.dedent(SWEEP).format(out=tmp_path / "from-dict")
    by_dict = sweep(yaml.safe_load(text))
    path = tmp_path / "sweep.yaml"
    path.write_text(textwrap.dedent(SWEEP).format(out=tmp_path / "from-file"))
    by_file = sweep(path, workers=1)
    by_sweep = sweep(Sweep.from_yaml(path), out=tmp_path / "from-sweep", workers=1)
    metrics = [RunFolder(folder).tables["metrics"].read()]
    for result in (by_dict, by_file, by_sweep):
        assert [outcome.status for outcome in result.runs] == ["done"]
        metrics.append(RunFolder(result.out / result.runs[0].run_id).tables["metrics"].read())
    shares = [[row["mastered_share"] for row in rows] for rows in metrics]
    assert len(shares[0]) == 2 and float(shares[0][-1]) > 0 and all(share == shares[0] for share in shares)


def test_sweep_refuses_what_is_not_a_sweep():
    with pytest.raises(ConfigError, match="expected a Sweep, a sweep YAML path or a mapping, got int"):
        sweep(3)
