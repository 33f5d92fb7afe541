"""save_student / load_student: a student goes on training exactly as it was; check_student_options for configs."""

import numpy as np
import pytest
import torch

import teachgym  # noqa: F401  (registers the ids)
from teachgym.errors import UnknownNameError, UnknownOptionError
from teachgym.students import (
    StudentError,
    check_student_options,
    load_student,
    make_student,
    make_vec_env,
    save_student,
)

STUDENT = "teachgym/SimulatedStudent-v0"


def parameters(model):
    return torch.cat([p.detach().flatten() for p in model.policy.parameters()])


def test_an_off_policy_student_comes_back_with_its_networks_timesteps_and_replay_buffer(tmp_path):
    model = make_student("sac", make_vec_env(STUDENT, 1, seed=0), preset="tiny", seed=0, device="cpu")
    model.learn(150)
    written = save_student(model, tmp_path / "checkpoint")
    assert sorted(path.name for path in written) == ["model.zip", "replay_buffer.pkl"]
    loaded = load_student("sac", tmp_path / "checkpoint", make_vec_env(STUDENT, 1, seed=0), device="cpu")
    assert torch.equal(parameters(loaded), parameters(model))
    assert loaded.num_timesteps == 150 and loaded.replay_buffer.size() == model.replay_buffer.size() == 150
    np.testing.assert_array_equal(loaded.replay_buffer.rewards[:150], model.replay_buffer.rewards[:150])
    loaded.learn(50, reset_num_timesteps=False)
    assert loaded.num_timesteps == 200


def test_observation_statistics_go_back_into_the_new_envs_normaliser(tmp_path):
    model = make_student("ppo", make_vec_env(STUDENT, 1, seed=0, normalize_observations=True), preset="tiny",
                         seed=0, device="cpu")
    model.learn(64)
    assert "vec_normalize.pkl" in [path.name for path in save_student(model, tmp_path)]
    vec_env = make_vec_env(STUDENT, 1, seed=0, normalize_observations=True)
    loaded = load_student("PPO", tmp_path, vec_env, device="cpu")
    saved_rms, loaded_rms = model.get_vec_normalize_env().obs_rms, loaded.get_vec_normalize_env().obs_rms
    assert loaded.get_vec_normalize_env() is vec_env and loaded_rms.count == saved_rms.count > 64
    np.testing.assert_array_equal(loaded_rms.mean, saved_rms.mean)
    with pytest.raises(StudentError, match="saved with observation normalisation, and the envs are built without"):
        load_student("ppo", tmp_path, make_vec_env(STUDENT, 1), device="cpu")


def test_a_folder_without_a_model_is_refused(tmp_path):
    with pytest.raises(StudentError, match="model.zip is missing"):
        load_student("sac", tmp_path, make_vec_env(STUDENT, 1), device="cpu")


def test_student_options_are_checked_without_building_anything():
    check_student_options("sac", {"preset": "tma", "learning_rate": 3e-4})
    with pytest.raises(UnknownNameError, match="unknown student 'sacc'") as caught:
        check_student_options("sacc", {})
    assert caught.value.kind == "student"
    with pytest.raises(UnknownNameError, match="unknown preset 'tmа'") as caught:
        check_student_options("ppo", {"preset": "tmа"})
    assert caught.value.kind == "preset"
    with pytest.raises(UnknownOptionError, match="unknown option 'gama' for algorithm 'td3' \\(did you mean 'gamma'"):
        check_student_options("td3", {"gama": 0.9})
    with pytest.raises(UnknownOptionError, match="unknown option 'device'"):
        check_student_options("td3", {"device": "cpu"})  # given to make_student apart, not as a hyperparameter
