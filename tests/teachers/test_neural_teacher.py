"""What the torch teachers share: torch stays unimported until one is built, deterministic states, the network part
of load_state_dict, one torch thread, and the helpers for success and proposals."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

from teachgym import TaskSpace
from teachgym.teachers import TeacherError, make_teacher
from teachgym.teachers.neural_teacher import SAME_TASK, checked_layers, matching_row
from teachgym.teachers.success import episode_success

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (-5.0, 5.0)})
NEURAL = {"goal-gan": {"generator_layers": (8,), "discriminator_layers": (8,)},
          "setter-solver": {"hidden_size": 8, "judge_layers": (8,)}}


def test_importing_the_teachers_imports_no_torch_until_a_neural_one_is_built():
    code = ("import sys, teachgym, teachgym.teachers as t; space = teachgym.TaskSpace({'x': (0.0, 1.0)}); "
            "t.make_teacher('alp-gmm', space); print('torch' in sys.modules); "
            "t.make_teacher('goal-gan', space); print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("name", sorted(NEURAL))
def test_equal_states_pickle_to_equal_bytes_and_hold_numpy_arrays(name):
    teacher = make_teacher(name, SPACE, seed=0, **NEURAL[name])
    teacher.update(teacher.sample_task(), 1.0, success=True)
    first, second = teacher.state_dict(), teacher.state_dict()
    assert pickle.dumps(first) == pickle.dumps(second)
    weights = next(iter(next(iter(first["networks"].values())).values()))
    assert isinstance(weights, np.ndarray) and weights.dtype == np.float32


@pytest.mark.parametrize("name", sorted(NEURAL))
def test_network_parts_of_a_state_are_checked_before_anything_changes(name):
    teacher = make_teacher(name, SPACE, seed=0, **NEURAL[name])
    state = teacher.state_dict()
    teacher.update(teacher.sample_task(), 1.0, success=True)
    after = pickle.dumps(teacher.state_dict())
    for broken, fragment in [
        ({key: value for key, value in state.items() if key != "optimisers"}, "missing ['optimisers']"),
        ({**state, "networks": {"other": {}}}, "networks must hold"),
    ]:
        with pytest.raises(TeacherError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
            teacher.load_state_dict(broken)
        assert pickle.dumps(teacher.state_dict()) == after


@pytest.mark.parametrize("name", sorted(NEURAL))
def test_a_failed_update_leaves_the_thread_count_as_it_was(name):
    teacher = make_teacher(name, SPACE, seed=0, **NEURAL[name])
    threads = torch.get_num_threads()
    with pytest.raises(TeacherError, match="learns from each episode's success"):
        teacher.update(teacher.sample_task(), 1.0)
    assert torch.get_num_threads() == threads


def test_a_cpu_teacher_keeps_its_networks_on_the_cpu():
    teacher = make_teacher("setter-solver", SPACE, seed=0, device="cpu", **NEURAL["setter-solver"])
    assert teacher.device == torch.device("cpu")
    assert all(parameter.device.type == "cpu" for network in teacher.networks.values()
               for parameter in network.parameters())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("name", sorted(NEURAL))
def test_a_cuda_teacher_resumes_on_the_cpu(name):
    rng = np.random.default_rng(0)
    teacher = make_teacher(name, SPACE, seed=0, device="cuda", **NEURAL[name])
    for _ in range(120):
        teacher.update(teacher.sample_task(), 0.0, success=bool(rng.random() < 0.5))
    resumed = make_teacher(name, SPACE, seed=1, device="cpu", **NEURAL[name])
    resumed.load_state_dict(teacher.state_dict())
    assert next(resumed.networks[next(iter(resumed.networks))].parameters()).device.type == "cpu"
    np.testing.assert_allclose(resumed.sample_task(), teacher.sample_task(), atol=1e-5)


def test_matching_row_finds_a_proposal_within_the_tolerance_only():
    rows = np.array([[0.1, 0.2], [0.5, 0.5]])
    assert matching_row(rows, np.array([0.5, 0.5 + SAME_TASK / 2])) == 1
    assert matching_row(rows, np.array([0.5, 0.5 + 2 * SAME_TASK])) is None
    assert matching_row(np.zeros((0, 2)), np.array([0.5, 0.5])) is None


def test_episode_success_prefers_the_flag_then_the_threshold():
    assert episode_success("t", -5.0, True, (0.0, 10.0)) is True
    assert episode_success("t", 10.0, None, (0.0, 10.0)) is True
    assert episode_success("t", 9.9, None, (0.0, 10.0)) is False
    with pytest.raises(TeacherError, match="teacher 't' learns from each episode's success"):
        episode_success("t", 10.0, None, None)


@pytest.mark.parametrize("value", [(), (8, 0), (8, 2.5), "64", 64, (True,), {"a": 1}])
def test_bad_layer_sizes_are_named(value):
    with pytest.raises(TeacherError, match="teacher 't': layers must be a non-empty sequence of positive layer sizes"):
        checked_layers("t", "layers", value)


def test_layer_sizes_become_a_tuple_of_ints():
    assert checked_layers("t", "layers", [np.int64(4), 8]) == (4, 8)


def test_a_non_finite_loss_is_skipped_and_counted():
    teacher = make_teacher("setter-solver", SPACE, seed=0, **NEURAL["setter-solver"])
    before = teacher.state_dict()["networks"]
    judge = teacher.networks["judge"]
    teacher.optimise("judge", judge(torch.zeros(1, 2)).sum() * float("nan"))
    assert teacher.metrics()["skipped_steps"] == 1.0
    after = teacher.state_dict()["networks"]
    assert all(np.array_equal(before["judge"][key], after["judge"][key]) for key in before["judge"])


def test_metrics_describe_the_latest_batch_of_network_tasks_in_task_units():
    teacher = make_teacher("goal-gan", SPACE, seed=0, rollouts_per_task=1, **NEURAL["goal-gan"])
    assert teacher.metrics()["batch_std.y"] == 0.0
    tasks = np.array([teacher.sample_task() for _ in range(64)])  # one batch of generated tasks
    metrics = teacher.metrics()
    assert metrics["batch_mean.x"] == pytest.approx(tasks[:, 0].mean())
    assert metrics["batch_std.y"] == pytest.approx(tasks[:, 1].std())
