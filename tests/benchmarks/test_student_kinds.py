"""The student-kind registry: every accepted name resolves to the kind that lists it, and checking a config's
scalar fields imports no SB3."""

import subprocess
import sys

import pytest

from teachgym.benchmarks.config import SIMULATED, ConfigError, RunConfig
from teachgym.benchmarks.student_kinds import STUDENT_KINDS, student_kind, student_names
from teachgym.benchmarks.student_kinds.sb3 import SB3Students
from teachgym.benchmarks.student_kinds.simulated import SimulatedStudents


def test_every_student_name_resolves_to_the_one_kind_that_lists_it():
    names = student_names()
    assert len(names) == len(set(names))
    for kind in STUDENT_KINDS:
        for name in kind.students():
            assert student_kind(name) is kind
    assert isinstance(student_kind(SIMULATED), SimulatedStudents)
    assert isinstance(student_kind("sac"), SB3Students) and isinstance(student_kind("SAC"), SB3Students)


@pytest.mark.parametrize("field, value", [("n_envs", 2), ("reset_student_every", 100)])
def test_the_simulated_kind_refuses_rl_only_settings_before_an_env_is_made(field, value):
    config = RunConfig(env="no/SuchEnv-v0", student=SIMULATED, **{field: value})
    with pytest.raises(ConfigError) as caught:
        config.check_scalars("cell")
    assert caught.value.field == f"cell.{field}"


def test_checking_an_rl_config_imports_no_sb3_nor_torch():
    code = ("import sys; from teachgym.benchmarks.config import RunConfig; "
            "RunConfig(env='teachgym/CartPole-v0', student='ppo').check_scalars(); "
            "print(sorted({'stable_baselines3', 'torch'} & set(sys.modules)))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
