"""evaluate: one deterministic episode per test task, in test-set order, the same for any number of workers."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch
from helpers import assert_all_end

import teachgym  # noqa: F401  (registers the ids)
from teachgym import TaskError
from teachgym.benchmarks.processes import descendants
from teachgym.errors import UnknownNameError
from teachgym.students import Evaluation, StudentError, evaluate, make_student, make_vec_env

STUMPS = "teachgym/StumpTracks-v0"
SHORT = {"max_episode_steps": 60}
TASKS = np.array([[0.0, 6.0], [1.0, 3.0], [2.5, 0.5], [0.5, 5.0], [3.0, 1.0]])


@pytest.fixture(scope="module")
def model():
    env = make_vec_env(STUMPS, 1, seed=0, env_kwargs=SHORT)
    return make_student("sac", env, preset="tiny", seed=0, device="cpu")


def manual_returns(model, tasks, seed, normalize=None):
    """What evaluate must give: one seeded deterministic episode per task, run by hand."""
    env = gym.make(STUMPS, **SHORT)
    returns = []
    for index, task in enumerate(tasks):
        observation, _ = env.reset(seed=seed + index, options={"task": task})
        total, done = 0.0, False
        while not done:
            if normalize is not None:
                observation = normalize.normalize_obs(observation)
            action, _ = model.predict(observation, deterministic=True)
            observation, reward, terminated, truncated, _ = env.step(action)
            total, done = total + reward, terminated or truncated
        returns.append(total)
    return returns


def test_one_return_per_test_task_in_order_as_a_hand_run_seeded_deterministic_episode(model):
    evaluation = evaluate(model, STUMPS, TASKS, env_kwargs=SHORT, seed=3)
    assert evaluation.returns.shape == (5,) and evaluation.successes.dtype == bool
    np.testing.assert_allclose(evaluation.returns, manual_returns(model, TASKS, seed=3), rtol=1e-9)
    assert len(set(evaluation.returns.round(6))) == 5
    assert not evaluation.successes.any()  # an untrained student masters nothing


def test_the_results_are_the_same_with_one_or_two_workers_and_depend_only_on_the_seed(model):
    one = evaluate(model, STUMPS, TASKS, env_kwargs=SHORT, seed=3)
    two = evaluate(model, STUMPS, TASKS, env_kwargs=SHORT, seed=3, n_envs=2)
    np.testing.assert_array_equal(one.returns, two.returns)
    np.testing.assert_array_equal(one.successes, two.successes)
    np.testing.assert_array_equal(evaluate(model, STUMPS, TASKS, env_kwargs=SHORT, seed=3).returns, one.returns)
    assert not np.array_equal(evaluate(model, STUMPS, TASKS, env_kwargs=SHORT, seed=4).returns, one.returns)


def test_a_picklable_object_with_predict_is_a_policy_too():
    class Still:  # a local class: cloudpickle sends it to the workers by value
        def predict(self, observation, deterministic=True):
            return np.zeros(4, dtype=np.float32), None

    one = evaluate(Still(), STUMPS, TASKS[:3], env_kwargs=SHORT)
    np.testing.assert_array_equal(evaluate(Still(), STUMPS, TASKS[:3], env_kwargs=SHORT, n_envs=3).returns,
                                  one.returns)
    assert np.all(np.isfinite(one.returns))


def test_a_normalised_student_is_evaluated_on_observations_normalised_by_its_training_statistics():
    env = make_vec_env(STUMPS, 1, seed=0, env_kwargs=SHORT, normalize_observations=True)
    model = make_student("ppo", env, preset="tiny", seed=0, device="cpu")
    model.learn(64)
    normalize = model.get_vec_normalize_env()
    count = normalize.obs_rms.count
    evaluation = evaluate(model, STUMPS, TASKS[:3], env_kwargs=SHORT, seed=1)
    np.testing.assert_allclose(evaluation.returns, manual_returns(model, TASKS[:3], 1, normalize), rtol=1e-9)
    np.testing.assert_array_equal(evaluate(model, STUMPS, TASKS[:3], env_kwargs=SHORT, seed=1,
                                           normalize=normalize).returns, evaluation.returns)
    assert normalize.obs_rms.count == count  # evaluation does not update the statistics
    assert not np.allclose(evaluation.returns, manual_returns(model, TASKS[:3], 1))


# Evaluates 100 tasks on 2 workers with a slow policy that leaves a file named by its process id in the folder argv[1]
# once it is asked for its first action.
SLOW_EVALUATION = """
import os, sys, time
from pathlib import Path
import numpy as np
from teachgym.students import evaluate

class SlowPolicy:
    def predict(self, observation, deterministic=True):
        Path(sys.argv[1], str(os.getpid())).touch()
        time.sleep(0.01)
        return np.zeros(4, dtype=np.float32), None

if __name__ == "__main__":
    evaluate(SlowPolicy(), "teachgym/StumpTracks-v0", np.tile([[0.0, 6.0]], (100, 1)), n_envs=2)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the evaluation's processes in /proc")
@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_evaluation_workers_end_with_a_killed_process_that_evaluates(tmp_path, kill):
    script, marks = tmp_path / "evaluate.py", tmp_path / "workers"
    script.write_text(SLOW_EVALUATION)
    marks.mkdir()
    process = subprocess.Popen([sys.executable, str(script), str(marks)])
    deadline = time.monotonic() + 120
    while len(list(marks.iterdir())) < 2:
        assert process.poll() is None, "the evaluation ended before both workers were busy"
        assert time.monotonic() < deadline, "the two workers were not busy within 120 s"
        time.sleep(0.01)
    below = descendants(process.pid)
    assert {int(mark.name) for mark in marks.iterdir()} <= below
    os.kill(process.pid, kill)
    process.wait()
    assert_all_end(below, "the killed evaluation")


def test_evaluation_leaves_the_model_alone(model):
    before = [p.detach().clone() for p in model.policy.parameters()]
    evaluate(model, STUMPS, TASKS[:2], env_kwargs=SHORT, n_envs=2)
    assert all(torch.equal(a, b) for a, b in zip(before, model.policy.parameters()))
    assert model.policy.device.type == "cpu"


def test_the_summary_figures():
    evaluation = Evaluation(returns=np.array([250.0, 100.0, 300.0, -20.0]),
                            successes=np.array([True, False, True, False]))
    assert (evaluation.mastered_share, evaluation.mean_return, evaluation.median_return) == (0.5, 157.5, 175.0)


@pytest.mark.parametrize(("tasks", "kwargs", "error", "message"), [
    ([[0.0, 6.0], [1.0, 7.0]], {}, TaskError,
     "test task 1: task parameter 'obstacle_spacing' = 7 is outside its bounds [0, 6]"),
    ([0.0, 6.0], {}, StudentError, "non-empty 2-D array (one task per row), got shape (2,)"),
    (np.empty((0, 2)), {}, StudentError, "got shape (0, 2)"),
    (TASKS, {"n_envs": 0}, StudentError, "n_envs must be an integer >= 1, got 0"),
    (TASKS, {"env_id": "teachgym/StumpTrack-v0"}, UnknownNameError, "(did you mean 'teachgym/StumpTracks-v0'?)"),
    (TASKS, {"policy": "sac"}, StudentError, "must have a predict(observation, deterministic=...) method, got str"),
])
def test_bad_input_fails_clearly(model, tasks, kwargs, error, message):
    arguments = {"policy": model, "env_id": STUMPS, **kwargs}
    with pytest.raises(error) as caught:
        evaluate(arguments.pop("policy"), arguments.pop("env_id"), tasks, env_kwargs=SHORT, **arguments)
    assert message in str(caught.value)
