"""Sweep files: expansion to runs with stable ids, the precedence of defaults and overrides, and errors that name the
file and the key path before anything is written."""

import textwrap
from pathlib import Path

import pytest

from teachgym.benchmarks.config import ConfigError, RunConfig
from teachgym.benchmarks.sweep import Sweep, SweepRun

ENV = "teachgym/SimulatedStudent-v0"
TWO_BY_TWO = """\
    name: two-by-two
    out: {out}
    defaults: {{total_timesteps: 300, eval_every: 100, checkpoint_every: 150}}
    grid:
      envs: [teachgym/SimulatedStudent-v0]
      teachers: [random, alp-gmm]
      students: [simulated]
      seeds: 2
"""


def write(folder: Path, text: str, **fields: str) -> Path:
    path = folder / "sweep.yaml"
    path.write_text(textwrap.dedent(text).format(out=folder / "out", **fields))
    return path


def test_two_teachers_by_two_seeds_expand_to_four_runs_with_readable_ids(tmp_path):
    sweep = Sweep.from_yaml(write(tmp_path, TWO_BY_TWO))
    assert sweep.name == "two-by-two" and sweep.out == tmp_path / "out"
    assert [r.run_id for r in sweep.runs] == [
        "SimulatedStudent/random/simulated/seed-0", "SimulatedStudent/random/simulated/seed-1",
        "SimulatedStudent/alp-gmm/simulated/seed-0", "SimulatedStudent/alp-gmm/simulated/seed-1",
    ]
    assert sweep.runs[3] == SweepRun("SimulatedStudent/alp-gmm/simulated/seed-1", RunConfig(
        env=ENV, teacher="alp-gmm", student="simulated", total_timesteps=300, eval_every=100, checkpoint_every=150,
        seed=1, out_dir=str(tmp_path / "out" / "SimulatedStudent/alp-gmm/simulated/seed-1")))


def test_the_name_and_out_default_to_the_file_stem(tmp_path):
    path = tmp_path / "quick.yaml"
    path.write_text(f"grid: {{envs: [{ENV}], teachers: [random], students: [simulated], seeds: [7]}}\n")
    sweep = Sweep.from_yaml(path)
    assert (sweep.name, sweep.out) == ("quick", Path("runs/quick"))
    assert [(r.run_id, r.config.out_dir) for r in sweep.runs] == [
        ("SimulatedStudent/random/simulated/seed-7", str(Path("runs/quick/SimulatedStudent/random/simulated/seed-7")))]


def test_defaults_then_grid_defaults_then_entries_then_overrides_in_file_order(tmp_path):
    path = write(tmp_path, """\
        out: {out}
        defaults: {{total_timesteps: 300, eval_every: 100, env_kwargs: {{return_noise: 2.0}}}}
        grids:
          - envs: [{{id: teachgym/SimulatedStudent-v0, kwargs: {{spread: 0.1}}, label: narrow}}]
            teachers: [random, {{name: alp-gmm, kwargs: {{fit_rate: 50}}}}]
            students: [simulated]
            seeds: [0, 1]
            defaults: {{total_timesteps: 400}}
          - envs: [teachgym/SimulatedStudent-v0]
            teachers: [random]
            students: [simulated]
            seeds: [0]
        overrides:
          - where: {{teacher: "alp*", seed: 1}}
            set: {{eval_every: 50, teacher_kwargs: {{random_task_ratio: 0.3}}}}
          - where: {{env: narrow, seed: "[1-9]"}}
            set: {{eval_every: 60, env_kwargs: {{return_noise: 0.0}}}}
    """)
    runs = {r.run_id: r.config for r in Sweep.from_yaml(path).runs}
    assert list(runs) == ["narrow/random/simulated/seed-0", "narrow/random/simulated/seed-1",
                          "narrow/alp-gmm/simulated/seed-0", "narrow/alp-gmm/simulated/seed-1",
                          "SimulatedStudent/random/simulated/seed-0"]
    settings = {run_id: (c.total_timesteps, c.eval_every, dict(c.env_kwargs), dict(c.teacher_kwargs))
                for run_id, c in runs.items()}
    assert settings == {
        "narrow/random/simulated/seed-0": (400, 100, {"return_noise": 2.0, "spread": 0.1}, {}),
        "narrow/random/simulated/seed-1": (400, 60, {"return_noise": 0.0, "spread": 0.1}, {}),
        "narrow/alp-gmm/simulated/seed-0": (400, 100, {"return_noise": 2.0, "spread": 0.1}, {"fit_rate": 50}),
        "narrow/alp-gmm/simulated/seed-1": (400, 60, {"return_noise": 0.0, "spread": 0.1},
                                            {"fit_rate": 50, "random_task_ratio": 0.3}),
        "SimulatedStudent/random/simulated/seed-0": (300, 100, {"return_noise": 2.0}, {}),
    }


def test_the_same_file_and_the_saved_sweep_read_back_as_the_same_runs(tmp_path):
    path = write(tmp_path, TWO_BY_TWO)
    sweep = Sweep.from_yaml(path)
    assert Sweep.from_yaml(path).runs == sweep.runs
    saved = sweep.save(tmp_path / "copy")
    assert saved == tmp_path / "copy" / "sweep.yaml"
    again = Sweep.from_yaml(saved)
    assert (again.name, again.out, again.runs) == (sweep.name, sweep.out, sweep.runs)
    moved = sweep.with_out(tmp_path / "elsewhere")
    assert [r.config.out_dir for r in moved.runs] == [str(tmp_path / "elsewhere" / r.run_id) for r in sweep.runs]
    assert [r.config.differences(m.config) for r, m in zip(sweep.runs, moved.runs)] == [[]] * 4


GRID = "envs: [teachgym/SimulatedStudent-v0], teachers: [random], students: [simulated]"


@pytest.mark.parametrize(("text", "message"), [
    (f"grid: {{{GRID}}}\n", "grid.seeds: missing: a grid needs envs, teachers, students, seeds"),
    ("defaults: {total_timesteps: 300}\n", "grids: missing: a sweep needs grids"),
    (f"grids: [{{{GRID}, seeds: 1}}]\noverides: []\n", "overides: unknown key (did you mean 'overrides'?)"),
    (f"defaults: [total_timesteps]\ngrid: {{{GRID}, seeds: 1}}\n",
     "defaults: expected a mapping of run settings (RunConfig fields), got a list ['total_timesteps']"),
    (f"grids: [{{{GRID}, seeds: [0, one]}}]\n", "grids[0].seeds[1]: expected an integer >= 0, got 'one'"),
    (f"grid: {{{GRID}, seeds: 2.5}}\n", "grid.seeds: expected a number of seeds >= 1 or a non-empty list of seeds, "
                                        "got 2.5"),
    ("grid: {envs: [teachgym/SimulatedStudent-v0], teachers: random, students: [simulated], seeds: 1}\n",
     "grid.teachers: expected a non-empty list of teacher names or {name, kwargs, label} mappings, got 'random'"),
    ("grid: {envs: [teachgym/SimulatedStudent-v0], teachers: [{name: random, kwarg: {}}], students: [simulated], "
     "seeds: 1}\n", "grid.teachers[0].kwarg: unknown key (did you mean 'kwargs'?)"),
    (f"defaults: {{eval_evry: 10}}\ngrid: {{{GRID}, seeds: 1}}\n",
     "defaults.eval_evry: unknown key (did you mean 'eval_every'?)"),
    (f"grid: {{{GRID}, seeds: 1, defaults: {{total_timesteps: -5}}}}\n",
     "grid.defaults.total_timesteps: expected an integer >= 1, got -5"),
    (f"defaults: {{seed: 3}}\ngrid: {{{GRID}, seeds: 1}}\n", "defaults.seed: set by the grid's seeds, not here"),
    (f"grid: {{{GRID}, seeds: 1}}\noverrides: [{{where: {{teacher: alp*}}, set: {{total_timesteps: 9}}}}]\n",
     "overrides[0].where: matches no run; the labels are env: SimulatedStudent; teacher: random; student: simulated"),
    ("grid: {envs: [teachgym/SimulatedStudent-v0], teachers: [random, alp-gmn], students: [simulated], seeds: 1}\n",
     "SimulatedStudent/alp-gmn/simulated/seed-0.teacher: unknown teacher 'alp-gmn' (did you mean 'alp-gmm'?)"),
    ("grid: {envs: [teachgym/SimulatedStudnt-v0], teachers: [random], students: [simulated], seeds: 1}\n",
     "SimulatedStudnt/random/simulated/seed-0.env: unknown environment id 'teachgym/SimulatedStudnt-v0' "
     "(did you mean 'teachgym/SimulatedStudent-v0'?)"),
    (f"defaults: {{n_envs: 2}}\ngrid: {{{GRID}, seeds: 1}}\n",
     "SimulatedStudent/random/simulated/seed-0.n_envs: a simulated student trains in one env"),
    ("grid: {envs: [teachgym/SimulatedStudent-v0, {id: teachgym/SimulatedStudent-v0, kwargs: {spread: 0.1}}], "
     "teachers: [random], students: [simulated], seeds: 1}\n",
     "grid.envs[1] x grid.teachers[0] x grid.students[0] x seed 0: the run id "
     "'SimulatedStudent/random/simulated/seed-0' is also the id of grid.envs[0] x grid.teachers[0] x "
     "grid.students[0] x seed 0; give one of their entries a label"),
    ("runs: [{id: SimulatedStudent/random/simulated/seed 0, config: {env: teachgym/SimulatedStudent-v0}}]\n",
     "runs[0].id: the run id 'SimulatedStudent/random/simulated/seed 0' cannot name a folder"),
    (f"runs: [{{id: a/b, config: {{env: {ENV}, student: simulated}}}}]\ngrid: {{{GRID}, seeds: 1}}\n",
     "grid: a sweep with runs (a resolved sweep) takes no grids, defaults or overrides"),
    # the file's first line is `out: ...`
    (f"grid: {{{GRID}, seeds: 1}}\ndefaults:\n  total_timesteps: 300\n   eval_every: 10\n",
     "cannot read the sweep file: invalid YAML at line 5, column 14: mapping values are not allowed here"),
    ("grid: {envs: [teachgym/SimulatedStudent-v0, teachers: [random]}\n",
     "cannot read the sweep file: invalid YAML at line 2, column 63: expected ',' or ']', but got '}'"),
])
def test_a_malformed_sweep_names_the_file_and_the_key_path_and_writes_nothing(tmp_path, text, message):
    path = tmp_path / "sweep.yaml"
    path.write_text(f"out: {tmp_path / 'out'}\n{text}")
    with pytest.raises(ConfigError) as raised:
        Sweep.from_yaml(path)
    assert f"{path}: {message}" in str(raised.value)
    assert raised.value.field.startswith(str(path))
    assert list(tmp_path.iterdir()) == [path]


def test_an_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="missing.yaml: cannot read the sweep file: No such file"):
        Sweep.from_yaml(tmp_path / "missing.yaml")
