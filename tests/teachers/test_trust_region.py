"""The natural-gradient step under a KL trust region that Self-Paced moves its distribution with."""

import math

import pytest
import torch

from teachgym.teachers.trust_region import DAMPING, natural_gradient_step


def gaussian_kl(old, new):
    """KL(N(old mean, exp(old log std)^2) || N(new ...)) for parameter vectors (mean, log std)."""
    old_std, new_std = torch.exp(old[1]), torch.exp(new[1])
    return torch.log(new_std / old_std) + (old_std**2 + (old[0] - new[0]) ** 2) / (2 * new_std**2) - 0.5


def test_a_linear_objective_is_followed_to_the_edge_of_the_trust_region():
    start = torch.tensor([0.3, math.log(0.5)], dtype=torch.float64)
    step = natural_gradient_step(torch, start, lambda p: 2.0 * p[0], lambda p: gaussian_kl(start, p), 0.1)
    assert step.accepted
    # Only the mean moves; KL of a mean shift is exactly (shift / std)^2 / 2, the Fisher 1 / std^2 (+ damping).
    shift = math.sqrt(2 * 0.1 / (1 / 0.25 + DAMPING))
    assert step.parameters.tolist() == pytest.approx([0.3 + shift, math.log(0.5)])
    assert step.kl == pytest.approx(0.1, rel=0.01) and step.gain == pytest.approx(2 * shift)
    assert start.tolist() == [0.3, math.log(0.5)]  # the input is not modified


def test_a_step_that_loses_is_halved_until_it_gains():
    start = torch.tensor([0.0, 0.0], dtype=torch.float64)
    # Increasing near 0, but the full step (about 0.45) overshoots the peak at 0.05 into a loss.
    step = natural_gradient_step(torch, start, lambda p: -((p[0] - 0.05) ** 2), lambda p: gaussian_kl(start, p), 0.1)
    assert step.accepted and 0.0 < step.parameters[0] <= 0.1 and step.gain >= 0


@pytest.mark.parametrize("objective", [lambda p: p[0] * 0.0, lambda p: -(p[0] ** 2) - (p[1] ** 2)])
def test_no_step_without_an_improving_direction(objective):
    start = torch.tensor([0.0, 0.0], dtype=torch.float64)
    step = natural_gradient_step(torch, start, objective, lambda p: gaussian_kl(start, p), 0.1)
    assert not step.accepted and step.parameters.tolist() == [0.0, 0.0] and step.kl == 0.0


def test_a_singular_fisher_matrix_means_no_step():
    start = torch.tensor([0.0, 0.0], dtype=torch.float64)
    step = natural_gradient_step(torch, start, lambda p: p[0], lambda p: -DAMPING * (p**2).sum() / 2, 0.1)
    assert not step.accepted and step.parameters.tolist() == [0.0, 0.0]
