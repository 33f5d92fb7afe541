"""SB3 students by name, with hyperparameter presets: TeachMyAgent's reference values and tiny nets for tests.

Every algorithm class that Stable-Baselines3 exports is a student under its lower-case name (``sac``, ``ppo``,
``dqn`` ...), and so is every one of sb3-contrib (``tqc``, ``trpo``, ``ars``, ``qrdqn`` ...) when that package is
installed (``pip install teachgym[contrib]``).

``make_student("sac", vec_env, preset="tma")`` builds the student of the TeachMyAgent benchmark (reference.md
section 3). Presets are per algorithm and depend on the number of envs where the reference fixes a total per update.

How the ``tma`` presets map onto SB3:

- SAC: TeachMyAgent does ``ceil(episode length / 10)`` gradient steps at the end of every episode. SB3 cannot train
  "a tenth of the episode" at episode ends without a custom algorithm, so the preset keeps the ratio instead: one
  gradient step per 10 environment steps, every 10 steps (``train_freq=10`` vector steps, ``gradient_steps=n_envs``).
  The number of updates per sample is the reference's; they are spread over the episode rather than batched at
  its end. A plain ``SAC`` keeps checkpoints loadable with ``SAC.load``. (``train_freq=(1, "episode")`` with
  ``gradient_steps=-1`` would do ten times the reference's updates.)
- PPO: ``n_steps = 20000 / n_envs``, so that every update sees 20,000 steps. TeachMyAgent's PPO (OpenAI
  Baselines, ``value_network="shared"``) puts the policy and value heads on one 400x300 tanh trunk: here a
  :class:`~teachgym.students.shared_trunk.SharedTrunk` features extractor that actor and critic share. It trains
  behind Baselines' ``VecNormalize``, which normalises observations and scales rewards by the running deviation of
  the return; a model cannot wrap the env it is given, so the preset requires the env to come normalised both ways:
  ``make_vec_env(..., **preset_normalization("ppo", "tma"))``, and :func:`make_student` raises if it is not.

Over 300 lines because of the presets: each maps a reference's hyperparameters onto SB3 with the reasons above, next
to the name registry that applies them.
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
import stable_baselines3
import torch
from gymnasium import spaces
from stable_baselines3 import PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.noise import ActionNoise
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.preprocessing import is_image_space
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv, unwrap_vec_normalize

from teachgym.errors import TeachgymError, UnknownNameError, check_options, did_you_mean, keyword_parameters
from teachgym.validation import check_integer, is_finite_number, is_integer

from .shared_trunk import SharedTrunk

# Packages whose exported algorithm classes are students, by lower-case class name; the first one wins a name.
ALGORITHM_PACKAGES = ("stable_baselines3", "sb3_contrib")


def _algorithm_classes() -> dict[str, type[BaseAlgorithm]]:
    """Every algorithm SB3 exports (A2C, DDPG, DQN, PPO, SAC, TD3), and sb3-contrib's (ARS, CrossQ, MaskablePPO,
    QRDQN, RecurrentPPO, TQC, TRPO ...) when it is installed."""
    classes: dict[str, type[BaseAlgorithm]] = {}
    for package in ALGORITHM_PACKAGES:
        if package != "stable_baselines3" and importlib.util.find_spec(package) is None:
            continue
        module = stable_baselines3 if package == "stable_baselines3" else importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, BaseAlgorithm):
                classes.setdefault(name.lower(), value)
    return dict(sorted(classes.items()))


ALGORITHMS: dict[str, type[BaseAlgorithm]] = _algorithm_classes()
DEVICE_CHOICES = ("auto", "cpu", "cuda", "cuda:N")
# Arguments make_student sets itself, so they are not hyperparameters.
_NOT_HYPERPARAMETERS = ("self", "env", "seed", "device", "tensorboard_log", "_init_setup_model")
# TeachMyAgent's PPO sees this many steps per update, whatever the number of envs.
PPO_STEPS_PER_UPDATE = 20_000
# TeachMyAgent's SAC does one gradient step per this many environment steps.
SAC_STEPS_PER_GRADIENT_STEP = 10


class StudentError(TeachgymError, ValueError):
    """A student cannot be built as asked: a device that is not there, an env that does not fit the algorithm."""


@dataclass(frozen=True)
class Preset:
    """Named hyperparameters of one algorithm.

    ``hyperparameters(n_envs)`` gives the SB3 keyword arguments (some reference values are totals over the envs);
    ``normalize_observations`` and ``normalize_returns`` say what the ``VecNormalize`` the env must be wrapped in
    normalises.
    """

    hyperparameters: Callable[[int], dict[str, Any]]
    normalize_observations: bool = False
    normalize_returns: bool = False


def _tma_sac(n_envs: int) -> dict[str, Any]:
    return {
        "policy_kwargs": {"net_arch": [400, 300], "activation_fn": torch.nn.ReLU},
        "learning_rate": 1e-3,
        "batch_size": 1000,
        "gamma": 0.99,
        "ent_coef": 0.005,
        "buffer_size": 2_000_000,
        "learning_starts": 10_000,
        "tau": 0.005,  # polyak 0.995
        "train_freq": (SAC_STEPS_PER_GRADIENT_STEP, "step"),
        "gradient_steps": n_envs,
    }


def _tma_ppo(n_envs: int) -> dict[str, Any]:
    return {
        "policy_kwargs": {
            "features_extractor_class": SharedTrunk,
            "features_extractor_kwargs": {"layer_sizes": [400, 300], "activation_fn": torch.nn.Tanh},
            "share_features_extractor": True,
            "net_arch": {"pi": [], "vf": []},
        },
        "learning_rate": 3e-4,
        "n_steps": max(1, round(PPO_STEPS_PER_UPDATE / n_envs)),
        "batch_size": 1000,
        "n_epochs": 5,
        "gamma": 0.99,
        "gae_lambda": 0.95,
        "clip_range": 0.2,
        "vf_coef": 0.5,
        "ent_coef": 0.0,
        "max_grad_norm": 0.5,
    }


def _tiny_off_policy(n_envs: int) -> dict[str, Any]:
    return {"policy_kwargs": {"net_arch": [16]}, "batch_size": 32, "buffer_size": 10_000, "learning_starts": 100}


def _tiny_on_policy(n_envs: int) -> dict[str, Any]:
    return {"policy_kwargs": {"net_arch": [16]}, "n_steps": 64}


def _tiny_minibatched(n_envs: int) -> dict[str, Any]:
    return {**_tiny_on_policy(n_envs), "batch_size": 32}


def _tiny_ppo(n_envs: int) -> dict[str, Any]:
    return {**_tiny_minibatched(n_envs), "n_epochs": 2}


PRESETS: dict[str, dict[str, Preset]] = {
    "a2c": {"tiny": Preset(_tiny_on_policy)},
    "ddpg": {"tiny": Preset(_tiny_off_policy)},
    "ppo": {"tma": Preset(_tma_ppo, normalize_observations=True, normalize_returns=True), "tiny": Preset(_tiny_ppo)},
    "sac": {"tma": Preset(_tma_sac), "tiny": Preset(_tiny_off_policy)},
    "td3": {"tiny": Preset(_tiny_off_policy)},
    "dqn": {"tiny": Preset(_tiny_off_policy)},
    # sb3-contrib's, when it is installed
    "tqc": {"tiny": Preset(_tiny_off_policy)},
    "trpo": {"tiny": Preset(_tiny_minibatched)},
}


def algorithm_class(algo: str) -> type[BaseAlgorithm]:
    """The SB3 class of ``algo`` (case-insensitive: ``"sac"``, ``"PPO"`` ...), e.g. to ``load`` a checkpoint.

    Raises:
        UnknownNameError: for an unknown algorithm (``kind`` ``"student"``), with the closest name.
    """
    key = algo.lower() if isinstance(algo, str) else algo
    if key not in ALGORITHMS:
        raise UnknownNameError("student", algo, ALGORITHMS)
    return ALGORITHMS[key]


def _preset(algo: str, preset: str) -> Preset:
    presets = PRESETS.get(algo.lower(), {})
    if not isinstance(preset, str) or preset not in presets:
        raise UnknownNameError("preset", preset, presets, owner=f"algorithm {algo.lower()!r}")
    return presets[preset]


def preset_normalization(algo: str, preset: str | None) -> dict[str, bool]:
    """What ``preset`` of ``algo`` needs normalised, as :func:`~teachgym.students.make_vec_env` keyword arguments
    (``normalize_observations``, ``normalize_returns``); both False without a preset.

    Raises:
        UnknownNameError: for an unknown algorithm or preset.
    """
    algorithm_class(algo)
    chosen = _preset(algo, preset) if preset is not None else Preset(dict)
    return {"normalize_observations": chosen.normalize_observations, "normalize_returns": chosen.normalize_returns}


def student_hyperparameters(algo: str, hyperparameters: Mapping[str, Any] | None = None, *,
                            preset: str | None = None, n_envs: int = 1) -> dict[str, Any]:
    """The SB3 keyword arguments :func:`make_student` uses: the preset's values for ``n_envs`` envs, overridden key
    by key by ``hyperparameters`` (``policy_kwargs`` as a whole), with ``policy="MlpPolicy"`` (or the algorithm's
    own MLP policy, e.g. RecurrentPPO's ``MlpLstmPolicy``) unless given.

    Every value is checked (:func:`check_hyperparameter_values`); a ``train_freq`` given as a list (YAML has no
    tuples), ``[10, step]``, becomes the tuple SB3 needs.

    Raises:
        UnknownNameError: for an unknown algorithm or preset, with the closest name.
        UnknownOptionError: for a keyword the algorithm does not take, with the closest one.
        StudentError: if ``n_envs`` is not a positive integer, or for a value the algorithm cannot train with.
    """
    cls = algorithm_class(algo)
    check_integer("n_envs", n_envs, minimum=1, error=StudentError)
    hyperparameters = dict(hyperparameters or {})
    for name in hyperparameters:
        if not isinstance(name, str):
            raise StudentError(f"student {algo.lower()!r}: hyperparameter names are strings, got {name!r}")
    accepted = keyword_parameters(cls.__init__, skip=_NOT_HYPERPARAMETERS)
    check_options("algorithm", algo.lower(), accepted, hyperparameters)
    defaults = _preset(algo, preset).hyperparameters(n_envs) if preset is not None else {}
    kwargs = {"policy": _default_policy(cls), **defaults, **hyperparameters}
    if isinstance(kwargs.get("train_freq"), list):
        kwargs["train_freq"] = tuple(kwargs["train_freq"])
    check_hyperparameter_values(algo, kwargs)
    return kwargs


def _default_policy(cls: type[BaseAlgorithm]) -> str:
    """``MlpPolicy``, or the algorithm's first policy where it has none of that name (RecurrentPPO's
    ``MlpLstmPolicy``)."""
    return "MlpPolicy" if "MlpPolicy" in cls.policy_aliases else next(iter(cls.policy_aliases))


def check_student_options(algo: str, options: Mapping[str, Any], *, n_envs: int | None = None,
                          observation_space: spaces.Space | None = None,
                          action_space: spaces.Space | None = None) -> None:
    """Check a student's name and options (``preset`` and hyperparameters, as given to :func:`make_student`)
    without building anything, e.g. to validate a run config before it runs. With ``n_envs``, also what depends on
    the number of envs (PPO's rollout of ``n_steps * n_envs`` steps); with the env's spaces, also that the algorithm
    and the policy can act and observe there (:func:`check_spaces`).

    Raises:
        UnknownNameError: for an unknown algorithm (``kind`` ``"student"``) or preset (``kind`` ``"preset"``).
        UnknownOptionError: for a hyperparameter the algorithm does not take.
        StudentError: for a hyperparameter value the algorithm cannot train with (naming the algorithm, the
            hyperparameter, the value and what was expected), or spaces it cannot work in.
    """
    options = dict(options)
    preset = options.pop("preset", None)
    kwargs = student_hyperparameters(algo, options, preset=preset, n_envs=n_envs or 1)
    if n_envs is not None:
        check_hyperparameter_values(algo, kwargs, n_envs=n_envs)
    check_spaces(algo, kwargs["policy"], observation_space, action_space)


def check_spaces(algo: str, policy: Any, observation_space: spaces.Space | None,
                 action_space: spaces.Space | None) -> None:
    """Check that ``algo`` can act in ``action_space`` (SAC, TD3 and DDPG need a Box, DQN a Discrete space: the
    algorithm itself says, built without its networks) and that ``policy`` can read ``observation_space`` (CnnPolicy
    images, MultiInputPolicy a Dict, MlpPolicy anything else); None skips a space.

    Raises:
        StudentError: naming the algorithm, the policy and the env's space.
    """
    cls = algorithm_class(algo)
    if action_space is not None and (refusal := _action_space_refusal(cls, action_space)) is not None:
        fitting = [name for name, other in ALGORITHMS.items() if _action_space_refusal(other, action_space) is None]
        raise StudentError(f"{cls.__name__} cannot act in the env's action space {action_space} ({refusal}); "
                           f"algorithms that can: {', '.join(fitting)}")
    if observation_space is None or not isinstance(policy, str):
        return
    needs = {"CnnPolicy": (is_image_space(observation_space), "image observations"),
             "MultiInputPolicy": (isinstance(observation_space, spaces.Dict), "Dict observations"),
             "MlpPolicy": (not isinstance(observation_space, spaces.Dict), "observations that are not a Dict (use "
                                                                           "MultiInputPolicy)")}
    fits, what = needs.get(policy, (True, ""))
    if not fits:
        raise StudentError(f"student {algo.lower()!r}: policy {policy} needs {what}, the env has {observation_space}")


def _action_space_refusal(cls: type[BaseAlgorithm], action_space: spaces.Space) -> str | None:
    """SB3's own message if ``cls`` refuses ``action_space``, else None. SB3 algorithms declare their action spaces
    only to ``BaseAlgorithm.__init__``, so ``cls`` is built on an env of that space, without its networks."""
    env_class = type("ActionSpaceProbe", (gym.Env,), {
        "observation_space": spaces.Box(-1.0, 1.0, (1,), dtype=np.float32), "action_space": action_space})
    try:
        cls(next(iter(cls.policy_aliases)), DummyVecEnv([env_class]), _init_setup_model=False)
    except AssertionError as refusal:  # SB3 checks the action space with an assert
        return re.sub(r"<class '(?:\w+\.)*(\w+)'>", r"\1", str(refusal))
    return None


# ------------------------------------------------------------------------------------------- hyperparameter values
Check = Callable[[Any], bool]


def _integer(low: int) -> Check:
    return lambda value: is_integer(value) and value >= low


def _number(low: float, high: float = math.inf, *, low_excluded: bool = False) -> Check:
    return lambda value: is_finite_number(value) and (value > low if low_excluded else value >= low) and value <= high


def _or_schedule(check: Check) -> Check:
    return lambda value: callable(value) or check(value)


def _or_none(check: Check) -> Check:
    return lambda value: value is None or check(value)


def _is_boolean(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_class(value: Any) -> bool:
    return isinstance(value, type)


def _is_train_frequency(value: Any) -> bool:
    if isinstance(value, tuple) and len(value) == 2:
        return _integer(1)(value[0]) and value[1] in ("step", "episode")
    return _integer(1)(value)


def _is_sac_entropy_coefficient(value: Any) -> bool:
    if isinstance(value, str):
        try:
            return value == "auto" or (value.startswith("auto_") and _number(0, low_excluded=True)(float(value[5:])))
        except ValueError:
            return False
    return _number(0)(value)


SCHEDULE = "or a schedule (a callable of the remaining progress)"
# What each SB3 hyperparameter may be, for every algorithm that takes it: (check, what is expected).
HYPERPARAMETER_VALUES: dict[str, tuple[Check, str]] = {
    "learning_rate": (_or_schedule(_number(0, low_excluded=True)), f"a number > 0 {SCHEDULE}"),
    "n_steps": (_integer(1), "an integer >= 1"),
    "batch_size": (_integer(1), "an integer >= 1"),
    "n_epochs": (_integer(1), "an integer >= 1"),
    "gamma": (_number(0, 1, low_excluded=True), "a number in (0, 1]"),
    "gae_lambda": (_number(0, 1), "a number in [0, 1]"),
    "clip_range": (_or_schedule(_number(0, low_excluded=True)), f"a number > 0 {SCHEDULE}"),
    "clip_range_vf": (_or_none(_or_schedule(_number(0, low_excluded=True))), f"null, a number > 0 {SCHEDULE}"),
    "normalize_advantage": (_is_boolean, "true or false"),
    "ent_coef": (_number(0), "a number >= 0"),
    "vf_coef": (_number(0), "a number >= 0"),
    "max_grad_norm": (_number(0, low_excluded=True), "a number > 0"),
    "rms_prop_eps": (_number(0, low_excluded=True), "a number > 0"),
    "use_rms_prop": (_is_boolean, "true or false"),
    "use_sde": (_is_boolean, "true or false"),
    "sde_sample_freq": (_integer(-1), "an integer >= 1, or -1 (only at the start of each rollout)"),
    "rollout_buffer_class": (_or_none(_is_class), "null or a RolloutBuffer class"),
    "rollout_buffer_kwargs": (_or_none(lambda value: isinstance(value, Mapping)), "null or a mapping"),
    "target_kl": (_or_none(_number(0, low_excluded=True)), "null or a number > 0"),
    "stats_window_size": (_integer(1), "an integer >= 1"),
    "policy_kwargs": (_or_none(lambda value: isinstance(value, Mapping)), "null or a mapping"),
    "verbose": (lambda value: is_integer(value) and 0 <= value <= 2, "0, 1 or 2"),
    "buffer_size": (_integer(1), "an integer >= 1"),
    "learning_starts": (_integer(0), "an integer >= 0"),
    "tau": (_number(0, 1, low_excluded=True), "a number in (0, 1]"),
    "train_freq": (_is_train_frequency, "an integer >= 1 or a pair [n >= 1, step or episode]"),
    "gradient_steps": (lambda value: is_integer(value) and (value >= 1 or value == -1),
                       "an integer >= 1, or -1 (as many as environment steps collected)"),
    "action_noise": (_or_none(lambda value: isinstance(value, ActionNoise)), "null or an SB3 ActionNoise"),
    "replay_buffer_class": (_or_none(_is_class), "null or a ReplayBuffer class"),
    "replay_buffer_kwargs": (_or_none(lambda value: isinstance(value, Mapping)), "null or a mapping"),
    "optimize_memory_usage": (_is_boolean, "true or false"),
    "target_update_interval": (_integer(1), "an integer >= 1"),
    "target_entropy": (lambda value: value == "auto" or is_finite_number(value), "auto or a number"),
    "use_sde_at_warmup": (_is_boolean, "true or false"),
    "policy_delay": (_integer(1), "an integer >= 1"),
    "target_policy_noise": (_number(0), "a number >= 0"),
    "target_noise_clip": (_number(0), "a number >= 0"),
    # DQN and QR-DQN
    "exploration_fraction": (_number(0, 1), "a number in [0, 1]"),
    "exploration_initial_eps": (_number(0, 1), "a number in [0, 1]"),
    "exploration_final_eps": (_number(0, 1), "a number in [0, 1]"),
    # sb3-contrib: TQC, TRPO, ARS
    "top_quantiles_to_drop_per_net": (_integer(0), "an integer >= 0"),
    "cg_max_steps": (_integer(1), "an integer >= 1"),
    "cg_damping": (_number(0), "a number >= 0"),
    "line_search_shrinking_factor": (_number(0, 1, low_excluded=True), "a number in (0, 1]"),
    "line_search_max_iter": (_integer(1), "an integer >= 1"),
    "n_critic_updates": (_integer(1), "an integer >= 1"),
    "sub_sampling_factor": (_integer(1), "an integer >= 1"),
    "n_delta": (_integer(1), "an integer >= 1"),
    "n_top": (_or_none(_integer(1)), "null or an integer >= 1"),
    "delta_std": (_or_schedule(_number(0, low_excluded=True)), f"a number > 0 {SCHEDULE}"),
    "zero_policy": (_is_boolean, "true or false"),
    "alive_bonus_offset": (is_finite_number, "a number"),
    "n_eval_episodes": (_integer(1), "an integer >= 1"),
}
# Where one algorithm reads a hyperparameter differently from the others.
ALGORITHM_VALUES: dict[tuple[str, str], tuple[Check, str]] = {
    ("sac", "ent_coef"): (_is_sac_entropy_coefficient,
                          "a number >= 0, auto, or auto_<initial value> with an initial value > 0 (learned)"),
}
NET_ARCH_KEYS = {False: ("pi", "vf"), True: ("pi", "qf")}  # keyed by "is off-policy"


def check_hyperparameter_values(algo: str, hyperparameters: Mapping[str, Any], *, n_envs: int | None = None) -> None:
    """Check the values of SB3 keyword arguments (as :func:`student_hyperparameters` returns them) for ``algo``:
    ranges and types of the common hyperparameters, the policy and its ``policy_kwargs`` (``net_arch`` a list of
    positive layer sizes, ``activation_fn`` a torch module class), and, with ``n_envs``, PPO's rollout size.

    Raises:
        StudentError: naming the algorithm, the hyperparameter, the value and what was expected.
    """
    cls = algorithm_class(algo)
    name = algo.lower()
    for key, value in hyperparameters.items():
        check, expected = ALGORITHM_VALUES.get((name, key), HYPERPARAMETER_VALUES.get(key, (None, "")))
        if check is not None and not check(value):
            raise _value_error(name, key, value, expected)
    _check_policy(cls, name, hyperparameters.get("policy", _default_policy(cls)),
                  hyperparameters.get("policy_kwargs"))
    if cls is PPO and hyperparameters.get("normalize_advantage", True):
        # SB3 asserts these inside PPO(...): advantages are normalised over each mini-batch and each rollout.
        because = "while normalize_advantage is true (advantages are normalised over each mini-batch)"
        if hyperparameters.get("batch_size", 64) < 2:
            raise _value_error(name, "batch_size", hyperparameters["batch_size"], f"an integer >= 2 {because}")
        steps = hyperparameters.get("n_steps", 2048)
        if n_envs is not None and steps * n_envs < 2:
            raise _value_error(name, "n_steps", steps, f"n_steps * n_envs >= 2 {because}; n_envs is {n_envs}")


def _check_policy(cls: type[BaseAlgorithm], name: str, policy: Any, policy_kwargs: Mapping[str, Any] | None) -> None:
    aliases = cls.policy_aliases
    if isinstance(policy, str) and policy in aliases:
        policy_class = aliases[policy]
    elif isinstance(policy, type) and issubclass(policy, BasePolicy):
        policy_class = policy
    else:
        hint = did_you_mean(policy, aliases) if isinstance(policy, str) else ""
        raise _value_error(name, "policy", policy, f"one of {', '.join(aliases)} or a policy class{hint}")
    if not policy_kwargs:
        return
    accepted = keyword_parameters(policy_class.__init__, skip=("self", "observation_space", "action_space",
                                                              "lr_schedule"))
    for key in policy_kwargs:
        if key not in accepted:
            raise StudentError(f"student {name!r}: unknown policy_kwargs key {key!r}{did_you_mean(str(key), accepted)};"
                               f" {policy_class.__name__} takes {list(accepted)}")
    net_arch = policy_kwargs.get("net_arch")
    keys = NET_ARCH_KEYS[issubclass(cls, OffPolicyAlgorithm)]
    expected = f"a list of layer sizes (integers >= 1), or a mapping of {' and '.join(keys)} to such lists"
    if isinstance(net_arch, Mapping):
        if not net_arch or any(key not in keys or not _is_layer_sizes(sizes) for key, sizes in net_arch.items()):
            raise _value_error(name, "policy_kwargs.net_arch", net_arch, expected)
    elif net_arch is not None and not _is_layer_sizes(net_arch):
        raise _value_error(name, "policy_kwargs.net_arch", net_arch, expected)
    activation = policy_kwargs.get("activation_fn", torch.nn.Tanh)
    if not (isinstance(activation, type) and issubclass(activation, torch.nn.Module)):
        raise _value_error(name, "policy_kwargs.activation_fn", activation,
                           "a torch.nn.Module class such as torch.nn.ReLU (given from Python: YAML cannot name one)")


def _is_layer_sizes(value: Any) -> bool:
    return (isinstance(value, Sequence) and not isinstance(value, str)
            and all(_integer(1)(size) for size in value))


def _value_error(algo: str, key: str, value: Any, expected: str) -> StudentError:
    hint = ""
    if isinstance(value, str):
        try:
            float(value)
            hint = f" (YAML reads {value} as text: write it with a dot and a signed exponent, e.g. 1.0e-3)"
        except ValueError:
            pass
    return StudentError(f"student {algo!r}: hyperparameter {key} = {value!r}{hint}; expected {expected}")


def resolve_device(device: str) -> str:
    """The torch device to train on: ``"auto"`` is ``"cuda"`` when CUDA is available, else ``"cpu"``.

    Raises:
        UnknownNameError: for a device other than ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        StudentError: when CUDA is asked for and absent, or ``cuda:N`` names a GPU that is not there.
    """
    if not isinstance(device, str) or not re.fullmatch(r"auto|cpu|cuda(:\d+)?", device):
        raise UnknownNameError("device", device, DEVICE_CHOICES)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise StudentError(f"device {device!r} asked for, but CUDA is not available (torch "
                               f"{torch.__version__}); use device='cpu' or 'auto'")
        index = int(device.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise StudentError(f"device {device!r} asked for, but there are {torch.cuda.device_count()} CUDA "
                               f"device(s): use cuda:0 to cuda:{torch.cuda.device_count() - 1}")
    return device


def make_student(
    algo: str,
    vec_env: VecEnv,
    *,
    device: str = "auto",
    preset: str | None = None,
    seed: int | None = None,
    tensorboard_log: str | None = None,
    **hyperparameters: Any,
) -> BaseAlgorithm:
    """Build an SB3 student on ``vec_env``: any algorithm of :data:`ALGORITHMS` by name, any case (``"sac"``,
    ``"PPO"``, ``"dqn"``, and sb3-contrib's ``"tqc"``, ``"trpo"`` ... when it is installed).

    Args:
        algo: the algorithm's name.
        vec_env: the training envs, from :func:`~teachgym.students.make_vec_env`.
        device: ``"auto"`` (CUDA when present), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        preset: ``"tma"`` (TeachMyAgent's reference values; SAC and PPO) or ``"tiny"`` (small nets for tests), see
            the module docs; explicit ``hyperparameters`` override it.
        seed: passed to SB3 (seeds torch, the action space and the envs' next reset: env ``i`` gets ``seed + i``).
        tensorboard_log: SB3's TensorBoard folder, or None.
        **hyperparameters: keyword arguments of the SB3 class (``learning_rate``, ``policy_kwargs`` ...).

    Returns:
        The model, not trained yet.

    Raises:
        UnknownNameError: for an unknown algorithm, preset or device, with the closest name.
        UnknownOptionError: for a hyperparameter the algorithm does not take.
        StudentError: for a hyperparameter value the algorithm cannot train with, an env that is not a VecEnv, an
            off-policy algorithm on a non-Box action space, a policy that cannot read the observations, a preset that
            needs normalised observations on an env without them, CUDA asked for and absent, or a
            ``tensorboard_log`` without tensorboard installed.
    """
    if not isinstance(vec_env, VecEnv):
        raise StudentError(f"make_student needs an SB3 VecEnv, got {type(vec_env).__name__}; build it with "
                           f"teachgym.students.make_vec_env")
    kwargs = student_hyperparameters(algo, hyperparameters, preset=preset, n_envs=vec_env.num_envs)
    check_hyperparameter_values(algo, kwargs, n_envs=vec_env.num_envs)
    check_spaces(algo, kwargs["policy"], vec_env.observation_space, vec_env.action_space)
    cls = algorithm_class(algo)
    needed = {name: value for name, value in preset_normalization(algo, preset).items() if value}
    normalize = unwrap_vec_normalize(vec_env)
    present = {"normalize_observations": normalize is not None and normalize.norm_obs,
               "normalize_returns": normalize is not None and normalize.norm_reward}
    if any(not present[name] for name in needed):
        arguments = ", ".join(f"{name}=True" for name in needed)
        raise StudentError(f"preset {preset!r} of {cls.__name__} trains behind a VecNormalize that normalises "
                           f"{' and '.join(name.split('_')[1] for name in needed)}: build the env with "
                           f"make_vec_env(..., {arguments})")
    if tensorboard_log is not None and importlib.util.find_spec("tensorboard") is None:
        # SB3 would only fail at learn(), after everything is built.
        raise StudentError(f"tensorboard_log={str(tensorboard_log)!r} needs the tensorboard package: pip install "
                           f"tensorboard, or pass tensorboard_log=None")
    return cls(env=vec_env, device=resolve_device(device), seed=seed, tensorboard_log=tensorboard_log, **kwargs)

