"""The neural teachers' networks: MLP layout and initialisation, highway nets, the conditional RealNVP flow."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from teachgym.teachers.networks import ConditionalRealNVP, HighwayNet, mlp


def perturbed_flow(size: int, seed: int = 0) -> ConditionalRealNVP:
    """A flow whose networks are no longer at their identity initialisation."""
    torch.manual_seed(seed)
    flow = ConditionalRealNVP(size, blocks=2, hidden_size=8, highway_blocks=2)
    with torch.no_grad():
        for parameter in flow.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    return flow.double()


def test_mlp_has_the_asked_layers_xavier_weights_and_zero_biases():
    torch.manual_seed(0)
    network = mlp(3, (16, 8), 2, torch.nn.LeakyReLU, negative_slope=0.2)
    linear = [layer for layer in network if isinstance(layer, torch.nn.Linear)]
    assert [(layer.in_features, layer.out_features) for layer in linear] == [(3, 16), (16, 8), (8, 2)]
    assert [type(layer).__name__ for layer in network] == ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear"]
    assert network[1].negative_slope == 0.2
    assert all(torch.count_nonzero(layer.bias) == 0 for layer in linear)
    bound = np.sqrt(6 / (3 + 16))  # Xavier-uniform
    assert linear[0].weight.abs().max() <= bound and linear[0].weight.abs().max() > 0.8 * bound


def test_highway_net_starts_at_zero_output_and_learns_from_there():
    net = HighwayNet(3, 2, hidden_size=5, blocks=3)
    assert len(net.blocks) == 3 and net.blocks[0].out_features == 10
    assert torch.equal(net(torch.randn(4, 3)), torch.zeros(4, 2))


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_a_fresh_flow_is_the_sigmoid_of_its_latent(size):
    flow = ConditionalRealNVP(size, blocks=3, hidden_size=8, highway_blocks=2)
    latent, condition = torch.randn(6, size), torch.rand(6, 1)
    samples, log_density = flow(latent, condition)
    torch.testing.assert_close(samples, torch.sigmoid(latent))
    # the density of sigmoid(z), z standard normal: N(z) / (sigmoid(z) sigmoid(-z))
    expected = (torch.distributions.Normal(0.0, 1.0).log_prob(latent)
                - torch.log(torch.sigmoid(latent) * torch.sigmoid(-latent))).sum(dim=1)
    torch.testing.assert_close(log_density, expected)


def test_couplings_that_would_change_nothing_are_left_out():
    assert len(ConditionalRealNVP(1, blocks=3, hidden_size=4, highway_blocks=1).kept) == 3
    assert len(ConditionalRealNVP(4, blocks=3, hidden_size=4, highway_blocks=1).kept) == 9


@settings(max_examples=10, deadline=None)
@given(size=st.integers(1, 4), seed=st.integers(0, 1000))
def test_log_density_inverts_the_sampling_pass(size, seed):
    flow = perturbed_flow(size, seed)
    generator = torch.Generator().manual_seed(seed)
    latent = torch.randn(8, size, generator=generator, dtype=torch.float64)
    condition = torch.rand(8, 1, generator=generator, dtype=torch.float64)
    samples, log_density = flow(latent, condition)
    assert torch.all((samples > 0) & (samples < 1))
    torch.testing.assert_close(flow.log_density(samples, condition), log_density)


def test_the_density_integrates_to_one_on_the_unit_interval():
    flow = perturbed_flow(1, seed=3)
    grid = torch.linspace(1e-6, 1 - 1e-6, 20001, dtype=torch.float64)[:, None]
    for value in (0.1, 0.9):
        with torch.no_grad():
            density = flow.log_density(grid, torch.full_like(grid, value)).exp()
        assert torch.trapezoid(density, grid[:, 0]).item() == pytest.approx(1.0, abs=1e-3)
