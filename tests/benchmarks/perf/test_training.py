"""The speed scripts' shared training set-up trains through the curriculum without leaving SB3 log folders behind."""

import tempfile

from teachgym.benchmarks.perf.training import curriculum_student


def test_training_leaves_no_log_folder_in_the_temporary_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("SB3_LOGDIR", raising=False)  # SB3's default: a new folder under the temporary directory
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    vec_env, model, curriculum = curriculum_student("teachgym/CartPole-v0", 2, "ppo", "random", seed=0, device="cpu",
                                                    n_steps=32, batch_size=32, n_epochs=1,
                                                    policy_kwargs={"net_arch": [8]})
    try:
        model.learn(64, callback=curriculum)
    finally:
        vec_env.close()
    assert model.num_timesteps == 64
    assert curriculum.teacher.metrics()["episodes"] > 0
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith("SB3-")] == []
