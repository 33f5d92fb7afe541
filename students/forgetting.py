"""The forgetting student (TeachMyAgent's challenge 3): the student is re-initialised every N steps.

TeachMyAgent re-created the student, so everything it learned goes: :class:`ResetStudentCallback` gives every
network fresh random weights (targets equal to their fresh online networks), empties every optimiser's state, sets
SAC's learned entropy coefficient back to its initial value, and for off-policy algorithms empties the replay buffer
and starts the random warm-up (``learning_starts`` steps) again. The run goes on: timestep count, learning-rate
schedule, envs (and a ``VecNormalize``'s observation statistics, which describe the envs rather than the student)
and the teacher are kept.
"""

from __future__ import annotations

import math

import torch
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

from teachgym.validation import check_integer

from .algorithms import StudentError


class ResetStudentCallback(BaseCallback):
    """Re-initialise the model every ``every`` timesteps (at ``every``, ``2 * every`` ... counted from 0).

    A reset happens at the first step on which ``model.num_timesteps`` reaches the next multiple of ``every``. For
    an on-policy algorithm that step may fall inside a rollout: the rest of it is collected by the fresh policy and
    the first update after the reset mixes both (once per reset: negligible at TeachMyAgent's 7M steps).

    On resume (a new callback on a loaded model) the resets due at or before the model's timesteps count as done,
    and the warm-up length is recovered from the model's ``learning_starts`` (which a reset moves to ``reset
    timestep + warm-up``). So put this callback before any checkpointing callback in a ``CallbackList``: a checkpoint
    taken on the step of a reset then holds the reset student.

    Attributes:
        resets: resets done by this callback (also logged as ``student/resets``).
    """

    def __init__(self, every: int, *, verbose: int = 0):
        super().__init__(verbose)
        check_integer("every", every, minimum=1, error=StudentError)
        self.every = every
        self.resets = 0
        self._next_reset = every
        self._warmup = 0

    def _on_training_start(self) -> None:
        last_reset = (self.model.num_timesteps // self.every) * self.every
        self._next_reset = last_reset + self.every
        if isinstance(self.model, OffPolicyAlgorithm):
            self._warmup = max(0, self.model.learning_starts - last_reset)

    def _on_step(self) -> bool:
        if self.num_timesteps >= self._next_reset:
            reset_at = (self.num_timesteps // self.every) * self.every
            self._reset(reset_at)
            self._next_reset = reset_at + self.every
            self.resets += 1
            self.logger.record("student/resets", self.resets)
            if self.verbose >= 1:
                print(f"student re-initialised at {self.num_timesteps} timesteps (reset {self.resets})")
        return True

    def _reset(self, reset_at: int) -> None:
        policy = self.model.policy
        # A freshly built policy of the same class and arguments (SB3's own way of rebuilding one) lends its
        # weights; copying them in place keeps every alias (actor, critic, targets) and optimiser valid.
        fresh = type(policy)(**policy._get_constructor_parameters())
        policy.load_state_dict(fresh.state_dict())
        for module in policy.modules():
            optimizer = getattr(module, "optimizer", None)
            if optimizer is not None:
                optimizer.state.clear()
        log_ent_coef = getattr(self.model, "log_ent_coef", None)
        if log_ent_coef is not None:
            # SAC's "auto" or "auto_<initial value>" entropy coefficient.
            initial = float(self.model.ent_coef.split("_")[1]) if "_" in self.model.ent_coef else 1.0
            with torch.no_grad():
                log_ent_coef.fill_(math.log(initial))
            self.model.ent_coef_optimizer.state.clear()
        if isinstance(self.model, OffPolicyAlgorithm):
            # In place: SB3's rollout loop holds a reference to the buffer.
            self.model.replay_buffer.reset()
            self.model.learning_starts = reset_at + self._warmup
            if self.model.action_noise is not None:
                self.model.action_noise.reset()
