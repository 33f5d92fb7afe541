"""The torch networks of the neural teachers: multilayer perceptrons (GoalGAN's generator and discriminator,
Setter-Solver's judge), highway networks and the conditional RealNVP flow built from them (Setter-Solver's setter).

This module imports torch: teachers import it inside ``__init__``, after ``torch_support.import_torch`` has given a
clear error when torch is missing, never at the top of their modules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional

# A coupling layer's scale is MIN_SCALE + softplus(s + SCALE_OFFSET): never below MIN_SCALE, so inverting it cannot
# blow up, and exactly 1 when s = 0, so a flow whose scale and shift networks output 0 is the identity.
MIN_SCALE = 1e-2
SCALE_OFFSET = math.log(math.expm1(1.0 - MIN_SCALE))
LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def mlp(input_size: int, hidden_sizes: Sequence[int], output_size: int, activation: type[nn.Module] = nn.ReLU,
        **activation_options: float) -> nn.Sequential:
    """A fully connected network: Xavier-uniform weights, zero biases, ``activation`` after every hidden layer and a
    linear output."""
    sizes = [input_size, *hidden_sizes]
    layers: list[nn.Module] = []
    for inputs, outputs in zip(sizes[:-1], sizes[1:]):
        layers += [_xavier_linear(inputs, outputs), activation(**activation_options)]
    layers.append(_xavier_linear(sizes[-1], output_size))
    return nn.Sequential(*layers)


def _xavier_linear(inputs: int, outputs: int) -> nn.Linear:
    layer = nn.Linear(inputs, outputs)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class HighwayNet(nn.Module):
    """A tanh input layer, ``blocks`` highway blocks (``y + (tanh(a) - y) * sigmoid(g)``, Zilly et al. 2017) and a
    linear output initialised to 0, so that a flow built of these starts as the identity."""

    def __init__(self, input_size: int, output_size: int, hidden_size: int, blocks: int):
        super().__init__()
        self.inputs = nn.Linear(input_size, hidden_size)
        self.blocks = nn.ModuleList(nn.Linear(hidden_size, 2 * hidden_size) for _ in range(blocks))
        self.outputs = nn.Linear(hidden_size, output_size)
        nn.init.zeros_(self.outputs.weight)
        nn.init.zeros_(self.outputs.bias)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        hidden = torch.tanh(self.inputs(inputs))
        for block in self.blocks:
            candidate, gate = block(hidden).chunk(2, dim=-1)
            hidden = hidden + (torch.tanh(candidate) - hidden) * torch.sigmoid(gate)
        return self.outputs(hidden)


class ConditionalRealNVP(nn.Module):
    """A RealNVP flow (Dinh et al. 2017) from a standard Gaussian to the open unit cube, conditioned on one scalar.

    Each of ``blocks`` blocks holds three affine couplings that transform, in turn, the second half of the
    coordinates given the first, the first given the second, and the odd ones given the even (couplings that would
    transform nothing, in one dimension, are left out). A coupling maps the transformed coordinates ``x`` to
    ``x * scale + shift``, both computed by highway networks from the kept coordinates and the condition. A final
    sigmoid maps the result into the unit cube. The flow starts as ``sigmoid(z)``.

    Args:
        size: dimensions of the samples.
        blocks: coupling blocks (3 in Setter-Solver).
        hidden_size: width of the highway networks.
        highway_blocks: highway blocks per network (3 in Setter-Solver).
    """

    def __init__(self, size: int, *, blocks: int, hidden_size: int, highway_blocks: int):
        super().__init__()
        self.size = size
        index = torch.arange(size)
        kept_patterns = [index < size // 2, index >= size // 2, index % 2 == 0]
        masks = [kept for _ in range(blocks) for kept in kept_patterns if not kept.all()]
        self.register_buffer("kept", torch.stack(masks).float())
        self.scale_nets = nn.ModuleList(HighwayNet(size + 1, size, hidden_size, highway_blocks) for _ in masks)
        self.shift_nets = nn.ModuleList(HighwayNet(size + 1, size, hidden_size, highway_blocks) for _ in masks)

    def _scale_shift(self, layer: int, kept: torch.Tensor, condition: torch.Tensor) -> tuple[torch.Tensor, ...]:
        inputs = torch.cat([kept, condition], dim=-1)
        scale = MIN_SCALE + functional.softplus(self.scale_nets[layer](inputs) + SCALE_OFFSET)
        return scale, self.shift_nets[layer](inputs)

    def forward(self, latent: torch.Tensor, condition: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Samples in (0, 1)^size from Gaussian ``latent`` rows and ``condition`` (a column), with their log
        densities."""
        log_density = -0.5 * latent.square().sum(dim=-1) - self.size * LOG_SQRT_2PI
        values = latent
        for layer, kept in enumerate(self.kept):
            scale, shift = self._scale_shift(layer, values * kept, condition)
            values = values * kept + (1 - kept) * (values * scale + shift)
            log_density = log_density - ((1 - kept) * scale.log()).sum(dim=-1)
        log_density = log_density - _log_sigmoid_derivative(values).sum(dim=-1)
        return torch.sigmoid(values), log_density

    def log_density(self, samples: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Log density of ``samples`` (strictly inside the unit cube) given ``condition`` (a column)."""
        values = torch.logit(samples)
        log_density = -_log_sigmoid_derivative(values).sum(dim=-1)
        for layer in reversed(range(len(self.kept))):
            kept = self.kept[layer]
            scale, shift = self._scale_shift(layer, values * kept, condition)
            values = values * kept + (1 - kept) * (values - shift) / scale
            log_density = log_density - ((1 - kept) * scale.log()).sum(dim=-1)
        return log_density - 0.5 * values.square().sum(dim=-1) - self.size * LOG_SQRT_2PI


def _log_sigmoid_derivative(values: torch.Tensor) -> torch.Tensor:
    # sigmoid'(x) = sigmoid(x) * sigmoid(-x), in log space for stability at large |x|.
    return functional.logsigmoid(values) + functional.logsigmoid(-values)
