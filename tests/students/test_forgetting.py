"""ResetStudentCallback: every N steps the student gets fresh networks and optimisers, and training goes on."""

import math

import pytest
import torch
from stable_baselines3.common.callbacks import BaseCallback, CallbackList

import teachgym  # noqa: F401  (registers the ids)
from teachgym.students import ResetStudentCallback, StudentError, make_student, make_vec_env

STUDENT = "teachgym/SimulatedStudent-v0"


def parameters(module):
    return torch.cat([p.detach().flatten().clone() for p in module.parameters()])


class Snapshots(BaseCallback):
    """Placed around the reset callback: parameters just before and just after every reset."""

    def __init__(self, reset, shared, role):
        super().__init__()
        self.reset, self.shared, self.role = reset, shared, role

    def _on_step(self):
        if self.role == "before":
            self.shared["last"] = (self.reset.resets, parameters(self.model.policy))
        elif self.reset.resets > self.shared["last"][0]:
            self.shared.setdefault("resets", []).append(
                (self.num_timesteps, self.shared["last"][1], parameters(self.model.policy), self._optimizer_states(),
                 self.logger.name_to_value["student/resets"]))
        return True

    def _optimizer_states(self):
        return sum(len(m.optimizer.state) for m in self.model.policy.modules() if getattr(m, "optimizer", None))


def learn_with_resets(model, total, reset):
    shared = {}
    model.learn(total, callback=CallbackList([Snapshots(reset, shared, "before"), reset,
                                              Snapshots(reset, shared, "after")]), reset_num_timesteps=False)
    return shared.get("resets", [])


def test_a_sac_student_is_reset_at_every_multiple_with_fresh_weights_empty_buffer_and_a_new_warm_up():
    env = make_vec_env(STUDENT, 1, seed=0)
    model = make_student("sac", env, preset="tiny", seed=0, device="cpu", ent_coef="auto_0.5")
    reset = ResetStudentCallback(150)
    (at, before, after, optimizer_states, logged), = learn_with_resets(model, 150, reset)
    assert (at, reset.resets, logged) == (150, 1, 1)
    assert not torch.equal(before, after) and optimizer_states == 0
    # Targets start equal to their fresh online networks, as in a new SAC.
    assert torch.equal(parameters(model.critic), parameters(model.critic_target))
    assert model.replay_buffer.size() == 1  # only the step of the reset itself
    assert model.learning_starts == 150 + 100
    assert model.log_ent_coef.item() == pytest.approx(math.log(0.5))
    updates = model._n_updates
    # Training goes on: random warm-up again until 250, updates after it, the next reset at 300.
    resets = learn_with_resets(model, 130, reset)
    assert model._n_updates > updates and model.num_timesteps == 280 and resets == []
    assert model.replay_buffer.size() == 131
    assert [r[0] for r in learn_with_resets(model, 30, reset)] == [300]
    assert reset.resets == 2 and model.learning_starts == 400


def test_a_resumed_run_goes_on_counting_and_keeps_the_warm_up_length():
    env = make_vec_env(STUDENT, 1, seed=0)
    model = make_student("td3", env, preset="tiny", seed=0, device="cpu")
    learn_with_resets(model, 220, ResetStudentCallback(200))
    assert model.learning_starts == 300
    resumed = ResetStudentCallback(200)  # a new callback, as after loading a checkpoint
    assert [r[0] for r in learn_with_resets(model, 200, resumed)] == [400]
    assert model.learning_starts == 500


@pytest.mark.parametrize("algo", ["ppo", "a2c"])
def test_an_on_policy_student_gets_fresh_weights_and_optimiser_and_keeps_training(algo):
    env = make_vec_env(STUDENT, 1, seed=0)
    model = make_student(algo, env, preset="tiny", seed=0, device="cpu")
    initial = parameters(model.policy)
    reset = ResetStudentCallback(100)
    resets = learn_with_resets(model, 320, reset)
    assert [r[0] for r in resets] == [100, 200, 300] and reset.resets == 3
    for _, before, after, optimizer_states, _ in resets:
        assert not torch.equal(before, after) and not torch.equal(after, initial)
        assert optimizer_states == 0
    assert model.num_timesteps == 320 and not torch.equal(parameters(model.policy), resets[-1][2])


def test_every_must_be_a_positive_number_of_steps():
    with pytest.raises(StudentError, match="every must be an integer >= 1, got 0"):
        ResetStudentCallback(0)
