"""A hidden-layer trunk that the policy and the value function share, as OpenAI Baselines' ``value_network="shared"``.

SB3's ``net_arch`` builds separate policy and value layers (shared layers left SB3 in 1.8). TeachMyAgent's PPO
student puts both heads on one 400x300 tanh trunk; in SB3 that trunk is a features extractor shared by the actor
and the critic (``share_features_extractor=True``, empty ``net_arch``), so both losses train the same layers.
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
import torch
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor


class SharedTrunk(BaseFeaturesExtractor):
    """Flattened observations through fully connected ``layer_sizes`` with ``activation_fn`` after each layer.

    SB3's orthogonal initialisation (``ortho_init=True``) gives these layers gain sqrt(2), the heads 0.01 (policy)
    and 1 (value), as Baselines initialises its MLP and heads.
    """

    def __init__(self, observation_space: gym.spaces.Box, layer_sizes: Sequence[int] = (400, 300),
                 activation_fn: type[torch.nn.Module] = torch.nn.Tanh) -> None:
        if not layer_sizes:
            raise ValueError("SharedTrunk needs at least one layer size, got none")
        super().__init__(observation_space, features_dim=int(layer_sizes[-1]))
        layers: list[torch.nn.Module] = [torch.nn.Flatten()]
        inputs = int(gym.spaces.flatdim(observation_space))
        for size in layer_sizes:
            layers += [torch.nn.Linear(inputs, int(size)), activation_fn()]
            inputs = int(size)
        self.layers = torch.nn.Sequential(*layers)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.layers(observations)
