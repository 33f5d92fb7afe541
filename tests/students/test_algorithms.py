"""make_student: every algorithm and preset builds and trains; presets map the reference values; bad names fail."""

import importlib.util

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import A2C, DDPG, DQN, PPO, SAC, TD3
from stable_baselines3.common.vec_env import DummyVecEnv

import teachgym  # noqa: F401  (registers the ids)
from teachgym.errors import UnknownNameError, UnknownOptionError, keyword_parameters
from teachgym.students import (
    ALGORITHMS,
    PRESETS,
    StudentError,
    algorithm_class,
    check_student_options,
    make_student,
    make_vec_env,
    preset_normalization,
    resolve_device,
    student_hyperparameters,
)

STUMPS = "teachgym/StumpTracks-v0"
STUDENT = "teachgym/SimulatedStudent-v0"
CLASSES = {"sac": SAC, "ppo": PPO, "td3": TD3, "a2c": A2C, "ddpg": DDPG}


@pytest.fixture
def student_env():
    env = make_vec_env(STUDENT, 1, seed=0)
    yield env
    env.close()


@pytest.mark.parametrize("env_id", [STUMPS, STUDENT])
@pytest.mark.parametrize("algo", sorted(CLASSES))
def test_every_algorithm_builds_with_the_tiny_preset_and_trains(algo, env_id):
    env = make_vec_env(env_id, 1, seed=0, env_kwargs={"max_episode_steps": 50} if env_id == STUMPS else None)
    model = make_student(algo, env, preset="tiny", seed=0, device="cpu")
    assert type(model) is CLASSES[algo]
    assert model.policy_kwargs["net_arch"] == [16]
    model.learn(250)
    assert model.num_timesteps >= 250
    assert model._n_updates > 0  # it trained, not only collected
    assert all(np.isfinite(p.detach().numpy()).all() for p in model.policy.parameters())
    env.close()


def test_names_are_case_insensitive_and_map_to_the_sb3_classes(student_env):
    assert type(make_student("SAC", student_env, preset="tiny", device="cpu")) is SAC
    assert algorithm_class("Ppo") is PPO


def test_every_algorithm_sb3_exports_is_a_student_and_sb3_contrib_adds_its_own():
    assert {"a2c", "ddpg", "dqn", "ppo", "sac", "td3"} <= set(ALGORITHMS)
    assert algorithm_class("DQN") is DQN
    contrib = pytest.importorskip("sb3_contrib")
    assert algorithm_class("tqc") is contrib.TQC and algorithm_class("TRPO") is contrib.TRPO
    assert {"ars", "qrdqn", "recurrentppo"} <= set(ALGORITHMS)
    assert student_hyperparameters("recurrentppo")["policy"] == "MlpLstmPolicy"  # its own MLP policy


@pytest.mark.parametrize(("algo", "env_id", "refused_on"), [("dqn", "teachgym/CartPole-v0", STUMPS),
                                                             ("tqc", STUDENT, "teachgym/CartPole-v0"),
                                                             ("trpo", STUDENT, None)])
def test_algorithms_beyond_the_first_five_train_with_their_tiny_preset(algo, env_id, refused_on):
    if algo != "dqn":
        pytest.importorskip("sb3_contrib")
    env = make_vec_env(env_id, 1, seed=0)
    model = make_student(algo, env, preset="tiny", seed=0, device="cpu")
    before = [p.detach().clone() for p in model.policy.parameters()]
    model.learn(300)
    assert model.num_timesteps >= 300
    assert any(not torch.equal(old, p) for old, p in zip(before, model.policy.parameters()))  # it trained
    assert all(np.isfinite(p.detach().numpy()).all() for p in model.policy.parameters())
    if refused_on is not None:
        with pytest.raises(StudentError, match=r"cannot act in the env's action space"):
            make_student(algo, make_vec_env(refused_on, 1), device="cpu")


def test_every_algorithm_has_a_tiny_preset_and_sac_and_ppo_have_the_reference_one():
    assert set(CLASSES) | {"dqn"} <= set(PRESETS)
    assert all("tiny" in presets for presets in PRESETS.values())
    assert sorted(name for name, presets in PRESETS.items() if "tma" in presets) == ["ppo", "sac"]


def test_the_tma_sac_preset_keeps_the_reference_values_and_one_gradient_step_per_10_env_steps():
    for n_envs in (1, 4):
        values = student_hyperparameters("sac", preset="tma", n_envs=n_envs)
        assert values == {
            "policy": "MlpPolicy",
            "policy_kwargs": {"net_arch": [400, 300], "activation_fn": torch.nn.ReLU},
            "learning_rate": 1e-3, "batch_size": 1000, "gamma": 0.99, "ent_coef": 0.005, "buffer_size": 2_000_000,
            "learning_starts": 10_000, "tau": 0.005, "train_freq": (10, "step"), "gradient_steps": n_envs,
        }


@pytest.mark.parametrize(("n_envs", "n_steps"), [(1, 20_000), (4, 5_000), (16, 1_250), (3, 6_667)])
def test_the_tma_ppo_preset_collects_20000_steps_per_update_over_all_envs(n_envs, n_steps):
    values = student_hyperparameters("ppo", preset="tma", n_envs=n_envs)
    assert values["n_steps"] == n_steps
    assert {k: values[k] for k in ("batch_size", "n_epochs", "clip_range", "gae_lambda", "vf_coef", "ent_coef",
                                   "max_grad_norm", "learning_rate")} == {
        "batch_size": 1000, "n_epochs": 5, "clip_range": 0.2, "gae_lambda": 0.95, "vf_coef": 0.5, "ent_coef": 0.0,
        "max_grad_norm": 0.5, "learning_rate": 3e-4}


def test_a_tma_ppo_student_shares_one_tanh_400_300_trunk_and_needs_normalised_observations_and_returns(student_env):
    assert preset_normalization("ppo", "tma") == {"normalize_observations": True, "normalize_returns": True}
    assert preset_normalization("sac", "tma") == {"normalize_observations": False, "normalize_returns": False}
    assert preset_normalization("ppo", None) == {"normalize_observations": False, "normalize_returns": False}
    expected = r"make_vec_env\(\.\.\., normalize_observations=True, normalize_returns=True\)"
    with pytest.raises(StudentError, match=expected):
        make_student("ppo", student_env, preset="tma", device="cpu")
    with pytest.raises(StudentError, match=r"normalises observations and returns: .*normalize_returns=True"):
        make_student("ppo", make_vec_env(STUDENT, 1, normalize_observations=True), preset="tma", device="cpu")
    env = make_vec_env(STUDENT, 1, **preset_normalization("ppo", "tma"))
    model = make_student("ppo", env, preset="tma", device="cpu", seed=0)
    policy = model.policy
    assert policy.share_features_extractor and policy.pi_features_extractor is policy.vf_features_extractor
    layers = [m for m in policy.features_extractor.layers if isinstance(m, torch.nn.Linear)]
    assert [(layer.in_features, layer.out_features) for layer in layers] == [
        (env.observation_space.shape[0], 400), (400, 300)]
    assert sum(isinstance(m, torch.nn.Tanh) for m in policy.features_extractor.layers) == 2
    assert policy.action_net.in_features == policy.value_net.in_features == 300  # both heads on the trunk
    assert not list(policy.mlp_extractor.parameters())  # no separate policy or value layers
    assert (model.n_steps, model.batch_size, model.n_epochs) == (20_000, 1000, 5)


def test_the_value_loss_trains_the_trunk_the_policy_reads(student_env):
    """One PPO update with only the value loss moves the shared layers, so the policy's output changes too."""
    env = make_vec_env(STUDENT, 1, seed=0, **preset_normalization("ppo", "tma"))
    model = make_student("ppo", env, preset="tma", device="cpu", seed=0, n_steps=64, batch_size=32, n_epochs=1)
    observation = torch.ones((1, *env.observation_space.shape))
    before = model.policy.get_distribution(observation).distribution.mean.detach().clone()
    trunk = [parameter.detach().clone() for parameter in model.policy.features_extractor.parameters()]
    model.policy.optimizer.zero_grad()
    (model.policy.predict_values(observation) - 1.0).pow(2).mean().backward()
    model.policy.optimizer.step()
    after = model.policy.get_distribution(observation).distribution.mean.detach()
    assert any(not torch.equal(old, new) for old, new in zip(trunk, model.policy.features_extractor.parameters()))
    assert not torch.equal(before, after)


def test_a_tma_sac_student_gets_the_values_and_plain_sac_checkpoints(student_env):
    model = make_student("sac", student_env, preset="tma", device="cpu")
    assert type(model) is SAC
    assert (model.batch_size, model.buffer_size, model.learning_starts, model.tau) == (1000, 2_000_000, 10_000, 0.005)
    assert float(model.ent_coef_tensor) == pytest.approx(0.005)
    assert (model.train_freq.frequency, model.train_freq.unit.value, model.gradient_steps) == (10, "step", 1)
    assert [layer.out_features for layer in model.actor.latent_pi if isinstance(layer, torch.nn.Linear)] == [400, 300]


def test_explicit_hyperparameters_override_the_preset(student_env):
    model = make_student("sac", student_env, preset="tiny", device="cpu", batch_size=8, gamma=0.5)
    assert (model.batch_size, model.gamma, model.learning_starts) == (8, 0.5, 100)


def test_the_same_seed_gives_the_same_student():
    def trained_parameters(seed):
        env = make_vec_env(STUDENT, 1)
        model = make_student("sac", env, preset="tiny", device="cpu", seed=seed)
        model.learn(150)
        return torch.cat([p.detach().flatten() for p in model.policy.parameters()])

    assert torch.equal(trained_parameters(3), trained_parameters(3))
    assert not torch.equal(trained_parameters(3), trained_parameters(4))


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda env: make_student("sca", env), UnknownNameError, "unknown student 'sca' (did you mean 'sac'?)"),
    (lambda env: make_student("sac", env, preset="tinny"), UnknownNameError,
     "unknown preset 'tinny' of algorithm 'sac' (did you mean 'tiny'?); expected one of: tiny, tma"),
    (lambda env: make_student("td3", env, preset="tma"), UnknownNameError,
     "unknown preset 'tma' of algorithm 'td3'; expected one of: tiny"),
    (lambda env: make_student("ppo", env, learning_rat=1e-3), UnknownOptionError,
     "unknown option 'learning_rat' for algorithm 'ppo' (did you mean 'learning_rate'?)"),
    (lambda env: make_student("sac", env, n_epochs=3), UnknownOptionError, "unknown option 'n_epochs' for algorithm"),
    (lambda env: make_student("sac", env, device="gpu"), UnknownNameError,
     "expected one of: auto, cpu, cuda, cuda:N"),
    (lambda env: make_student("sac", env, device="cuda0"), UnknownNameError, "(did you mean 'cuda'?)"),
    (lambda env: make_student("sac", env.envs[0]), StudentError, "needs an SB3 VecEnv, got Monitor"),
])
def test_bad_names_fail_before_anything_is_built_with_the_closest_choice(student_env, call, error, message):
    with pytest.raises(error) as caught:
        call(student_env)
    assert message in str(caught.value)


@pytest.mark.parametrize(("algo", "options", "message"), [
    ("ppo", {"learning_rate": -1}, "'ppo': hyperparameter learning_rate = -1; expected a number > 0 or a schedule"),
    ("ppo", {"learning_rate": "1e-3"}, "learning_rate = '1e-3' (YAML reads 1e-3 as text: write it with a dot"),
    ("ppo", {"n_steps": 0}, "'ppo': hyperparameter n_steps = 0; expected an integer >= 1"),
    ("ppo", {"preset": "tiny", "n_epochs": 2.5}, "n_epochs = 2.5; expected an integer >= 1"),
    ("ppo", {"batch_size": 1}, "batch_size = 1; expected an integer >= 2 while normalize_advantage is true"),
    ("ppo", {"gamma": 0}, "gamma = 0; expected a number in (0, 1]"),
    ("a2c", {"gamma": float("nan")}, "gamma = nan; expected a number in (0, 1]"),
    ("ppo", {"gae_lambda": 1.5}, "gae_lambda = 1.5; expected a number in [0, 1]"),
    ("ppo", {"clip_range": 0}, "clip_range = 0; expected a number > 0 or a schedule"),
    ("a2c", {"ent_coef": -0.1}, "ent_coef = -0.1; expected a number >= 0"),
    ("a2c", {"max_grad_norm": 0}, "max_grad_norm = 0; expected a number > 0"),
    ("a2c", {"use_rms_prop": "yes"}, "use_rms_prop = 'yes'; expected true or false"),
    ("sac", {"ent_coef": "auto_0"}, "'sac': hyperparameter ent_coef = 'auto_0'; expected a number >= 0, auto, or"),
    ("sac", {"buffer_size": 0}, "buffer_size = 0; expected an integer >= 1"),
    ("sac", {"learning_starts": -1}, "learning_starts = -1; expected an integer >= 0"),
    ("td3", {"tau": 0}, "tau = 0; expected a number in (0, 1]"),
    ("td3", {"train_freq": 0}, "train_freq = 0; expected an integer >= 1 or a pair [n >= 1, step or episode]"),
    ("sac", {"train_freq": [4, "steps"]}, "train_freq = (4, 'steps'); expected an integer >= 1 or a pair"),
    ("ddpg", {"gradient_steps": 0}, "gradient_steps = 0; expected an integer >= 1, or -1"),
    ("sac", {"policy": "MlpPolicyy"}, "policy = 'MlpPolicyy'; expected one of MlpPolicy, CnnPolicy, MultiInputPolicy "
                                      "or a policy class (did you mean 'MlpPolicy'?)"),
    ("sac", {"policy_kwargs": [16]}, "policy_kwargs = [16]; expected null or a mapping"),
    ("sac", {"policy_kwargs": {"net_arc": [16]}}, "unknown policy_kwargs key 'net_arc' (did you mean 'net_arch'?)"),
    ("ppo", {"policy_kwargs": {"net_arch": [64, 0]}}, "policy_kwargs.net_arch = [64, 0]; expected a list of layer "
                                                      "sizes (integers >= 1), or a mapping of pi and vf"),
    ("td3", {"policy_kwargs": {"net_arch": {"pi": [8], "vf": [8]}}}, "a mapping of pi and qf to such lists"),
    ("sac", {"policy_kwargs": {"activation_fn": "ReLU"}}, "activation_fn = 'ReLU'; expected a torch.nn.Module class"),
    ("ppo", {1: 2}, "'ppo': hyperparameter names are strings, got 1"),
])
def test_hyperparameter_values_are_checked_before_anything_is_built(algo, options, message):
    with pytest.raises(StudentError) as caught:
        check_student_options(algo, options)
    assert message in str(caught.value)


def test_good_values_pass_and_yaml_lists_become_the_tuples_sb3_needs(student_env):
    for algo, options in [("sac", {"ent_coef": "auto_0.1", "gradient_steps": -1}), ("ppo", {"preset": "tma"}),
                          ("sac", {"preset": "tma", "policy_kwargs": {"net_arch": {"pi": [8], "qf": [8]}}}),
                          ("a2c", {"learning_rate": lambda progress: 1e-3 * progress, "ent_coef": 0})]:
        check_student_options(algo, options)
    assert student_hyperparameters("sac", {"train_freq": [4, "episode"]})["train_freq"] == (4, "episode")
    model = make_student("sac", student_env, preset="tiny", device="cpu", train_freq=[2, "step"])
    assert (model.train_freq.frequency, model.train_freq.unit.value) == (2, "step")


def test_the_rollout_size_is_checked_once_the_number_of_envs_is_known(student_env):
    check_student_options("ppo", {"n_steps": 1})
    check_student_options("ppo", {"n_steps": 1}, n_envs=2)
    with pytest.raises(StudentError, match=r"n_steps = 1; expected n_steps \* n_envs >= 2 .*; n_envs is 1"):
        check_student_options("ppo", {"n_steps": 1}, n_envs=1)
    with pytest.raises(StudentError, match="n_steps = 1; expected n_steps"):
        make_student("ppo", student_env, n_steps=1, device="cpu")


def test_the_envs_spaces_are_checked_before_anything_is_built():
    cartpole = gym.make("CartPole-v1")
    spaces = {"observation_space": cartpole.observation_space, "action_space": cartpole.action_space}
    check_student_options("ppo", {}, **spaces)
    refusal = r"TD3 cannot act in the env's action space Discrete\(2\) \(The algorithm only supports \(Box,\)"
    with pytest.raises(StudentError, match=refusal):
        check_student_options("td3", {}, **spaces)
    with pytest.raises(StudentError, match="'a2c': policy CnnPolicy needs image observations, the env has Box"):
        check_student_options("a2c", {"policy": "CnnPolicy"}, **spaces)
    with pytest.raises(StudentError, match="'ppo': policy MultiInputPolicy needs Dict observations"):
        check_student_options("ppo", {"policy": "MultiInputPolicy"}, **spaces)


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_every_hyperparameter_of_every_algorithm_has_a_value_check(algo):
    from teachgym.students.algorithms import _NOT_HYPERPARAMETERS, HYPERPARAMETER_VALUES

    unchecked = [name for name in keyword_parameters(ALGORITHMS[algo].__init__, skip=_NOT_HYPERPARAMETERS)
                 if name not in HYPERPARAMETER_VALUES and name != "policy"]  # the policy is checked on its own
    assert unchecked == []


def test_an_algorithm_that_cannot_act_in_the_action_space_names_those_that_can():
    env = DummyVecEnv([lambda: gym.make("CartPole-v1")])
    refusal = r"SAC cannot act in the env's action space Discrete\(2\).*; algorithms that can: a2c, .*dqn, .*ppo"
    with pytest.raises(StudentError, match=refusal):
        make_student("sac", env, device="cpu")
    assert type(make_student("ppo", env, device="cpu")) is PPO


def test_devices_resolve_to_cuda_only_when_it_is_there(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert (resolve_device("auto"), resolve_device("cpu")) == ("cpu", "cpu")
    for device in ("cuda", "cuda:0"):
        with pytest.raises(StudentError, match=rf"device '{device}' asked for, but CUDA is not available"):
            resolve_device(device)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert (resolve_device("auto"), resolve_device("cuda:1")) == ("cuda", "cuda:1")
    with pytest.raises(StudentError, match=r"there are 2 CUDA device\(s\): use cuda:0 to cuda:1"):
        resolve_device("cuda:2")


def test_a_student_on_a_machine_without_cuda_asked_for_cuda_gets_a_clear_error(student_env, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(StudentError, match="CUDA is not available"):
        make_student("ppo", student_env, device="cuda")
    assert make_student("ppo", student_env, preset="tiny").device.type == "cpu"


def test_a_tensorboard_folder_without_tensorboard_installed_fails_before_training(student_env, tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None if name == "tensorboard" else True)
    with pytest.raises(StudentError, match="needs the tensorboard package: pip install tensorboard"):
        make_student("ppo", student_env, tensorboard_log=str(tmp_path))
