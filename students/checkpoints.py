"""Student checkpoints: a folder with everything needed to go on training exactly where a student was.

The folder holds ``model.zip`` (SB3's save: networks, optimisers, timesteps), ``replay_buffer.pkl`` for off-policy
algorithms, and ``vec_normalize.pkl`` (the observation statistics) when the training envs are normalised.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.vec_env import VecEnv, unwrap_vec_normalize

from .algorithms import StudentError, algorithm_class, resolve_device

MODEL_FILE = "model.zip"
REPLAY_BUFFER_FILE = "replay_buffer.pkl"
VEC_NORMALIZE_FILE = "vec_normalize.pkl"


def save_student(model: BaseAlgorithm, folder: str | os.PathLike) -> list[Path]:
    """Write ``model``'s checkpoint files into ``folder`` (created if needed).

    Returns:
        The paths written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / MODEL_FILE)
    written = [folder / MODEL_FILE]
    if isinstance(model, OffPolicyAlgorithm) and model.replay_buffer is not None:
        model.save_replay_buffer(folder / REPLAY_BUFFER_FILE)
        written.append(folder / REPLAY_BUFFER_FILE)
    normalize = model.get_vec_normalize_env()
    if normalize is not None:
        normalize.save(str(folder / VEC_NORMALIZE_FILE))
        written.append(folder / VEC_NORMALIZE_FILE)
    return written


def load_student(algo: str, folder: str | os.PathLike, vec_env: VecEnv, *, device: str = "auto") -> BaseAlgorithm:
    """Load the ``algo`` student saved in ``folder`` onto ``vec_env``, with its replay buffer and observation
    statistics when the folder has them (the statistics go into ``vec_env``'s ``VecNormalize``).

    Raises:
        UnknownNameError: for an unknown algorithm or device.
        StudentError: if the folder has no ``model.zip``, or has observation statistics and ``vec_env`` no
            ``VecNormalize`` to take them (or the other way round).
    """
    folder = Path(folder)
    cls = algorithm_class(algo)
    if not (folder / MODEL_FILE).is_file():
        raise StudentError(f"no student checkpoint in {folder}: {MODEL_FILE} is missing")
    model = cls.load(folder / MODEL_FILE, env=vec_env, device=resolve_device(device))
    if isinstance(model, OffPolicyAlgorithm) and (folder / REPLAY_BUFFER_FILE).is_file():
        model.load_replay_buffer(folder / REPLAY_BUFFER_FILE)
    normalize = unwrap_vec_normalize(vec_env)
    saved_normalized = (folder / VEC_NORMALIZE_FILE).is_file()
    if saved_normalized != (normalize is not None):
        raise StudentError(f"the checkpoint in {folder} was saved {'with' if saved_normalized else 'without'} "
                           f"observation normalisation, and the envs are built "
                           f"{'without' if saved_normalized else 'with'} it")
    if normalize is not None:
        with open(folder / VEC_NORMALIZE_FILE, "rb") as file:
            saved = pickle.load(file)
        normalize.obs_rms, normalize.ret_rms = saved.obs_rms, saved.ret_rms
    return model
