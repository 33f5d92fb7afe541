"""The neural teachers' torch support: device resolution, seeded initialisation, state copies."""

import pickle

import numpy as np
import pytest
import torch

from teachgym.teachers import TeacherError
from teachgym.teachers.torch_support import (
    import_torch,
    numpy_state,
    resolve_torch_device,
    seeded_torch,
    tensor_state,
)


def test_import_torch_names_the_teacher_when_torch_is_missing(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "torch", None)
    with pytest.raises(TeacherError, match="'goal-gan' needs PyTorch"):
        import_torch("goal-gan")


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu")])
def test_cpu_devices_resolve(device):
    assert resolve_torch_device(device, "goal-gan") == torch.device("cpu")


def test_auto_follows_cuda_availability(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_torch_device("auto", "goal-gan") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_torch_device("auto", "goal-gan") == torch.device("cuda")


@pytest.mark.parametrize("device", ["gpu", "mps", 3, None, "cuda:x"])
def test_bad_devices_are_named(device):
    with pytest.raises(TeacherError, match="device must be"):
        resolve_torch_device(device, "goal-gan")


def test_cuda_without_cuda_is_an_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(TeacherError, match="CUDA is not available"):
        resolve_torch_device("cuda", "setter-solver")


def test_missing_cuda_index_is_an_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(TeacherError, match="has 1 CUDA device"):
        resolve_torch_device("cuda:1", "setter-solver")


def test_seeded_torch_builds_the_same_network_for_the_same_seed_and_leaves_the_global_stream_alone():
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    weights = []
    for _ in range(2):
        with seeded_torch(np.random.default_rng(7)):
            weights.append(torch.nn.Linear(4, 3).weight.detach().clone())
    assert torch.equal(weights[0], weights[1])
    assert torch.equal(torch.rand(3), expected_next)
    with seeded_torch(np.random.default_rng(8)):
        other = torch.nn.Linear(4, 3).weight.detach()
    assert not torch.equal(weights[0], other)


def test_numpy_state_is_a_detached_copy_that_pickles_stably_and_tensor_state_restores_it():
    layer = torch.nn.Linear(2, 2)
    optimiser = torch.optim.Adam(layer.parameters())
    layer(torch.ones(1, 2)).sum().backward()
    optimiser.step()
    state = {"net": layer.state_dict(), "opt": optimiser.state_dict()}
    assert pickle.dumps(numpy_state(state)) == pickle.dumps(numpy_state(state))
    copied = numpy_state({**state, "steps": [1, (2, "a")]})
    assert isinstance(copied["net"]["weight"], np.ndarray) and copied["steps"] == [1, (2, "a")]
    with torch.no_grad():
        layer.weight.add_(1.0)
    assert not np.array_equal(copied["net"]["weight"], layer.weight.detach().numpy())
    layer.load_state_dict(tensor_state(copied["net"], torch.device("cpu")))
    restored = tensor_state(numpy_state(state), torch.device("cpu"))
    assert torch.equal(restored["net"]["weight"], layer.weight)
    assert torch.equal(restored["opt"]["state"][0]["step"], optimiser.state_dict()["state"][0]["step"])
    assert restored["opt"]["param_groups"] == optimiser.state_dict()["param_groups"]
