"""Configs and test-set specs are stored as plain data: numpy values and tuples become what YAML writes."""

import numpy as np
import yaml

from teachgym.benchmarks.config import RunConfig
from teachgym.plain_data import plain_data


def test_numpy_values_tuples_and_keys_become_plain():
    value = {1: (np.float32(0.5), np.arange(3)), "m": {"mean": np.array([[0.0, 1.5]]), "n": np.int64(4)}, "s": "x"}
    plain = plain_data(value)
    assert plain == {"1": [0.5, [0, 1, 2]], "m": {"mean": [[0.0, 1.5]], "n": 4}, "s": "x"}
    assert type(plain["m"]["n"]) is int and type(plain["1"][0]) is float
    assert yaml.safe_load(yaml.safe_dump(plain)) == plain


def test_a_run_config_with_numpy_teacher_settings_writes_plain_yaml():
    config = RunConfig(env="teachgym/SimulatedStudent-v0", teacher="alp-gmm", student="simulated",
                       teacher_kwargs={"initial_distribution": {"mean": np.array([0.1, 0.2]), "std": (0.05, 0.05)}})
    written = config.to_dict()["teacher_kwargs"]
    assert written == {"initial_distribution": {"mean": [0.1, 0.2], "std": [0.05, 0.05]}}
