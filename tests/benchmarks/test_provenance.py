"""The environment record a run writes: versions, commit, CPU, and a GPU only through a torch already imported."""

import platform
import subprocess
import sys
import types

from teachgym.benchmarks import provenance


def test_the_record_names_versions_commit_and_machine(monkeypatch):
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    record = provenance.environment_record(1200, event="resume")
    assert (record["event"], record["timesteps"]) == ("resume", 1200)
    assert record["python"] == platform.python_version()
    assert record["versions"] == provenance.versions()
    assert {"teachgym", "numpy", "scipy", "scikit-learn", "gymnasium"} <= set(record["versions"])
    assert record["commit"] == provenance.source_revision()
    assert record["cpu"] == provenance.cpu_model() and record["cpu"]
    assert record["gpu"] is None  # torch not imported: not asked


def test_the_gpu_is_named_when_an_imported_torch_sees_cuda(monkeypatch):
    cuda = types.SimpleNamespace(is_available=lambda: True, get_device_name=lambda: "NVIDIA H100 80GB HBM3")
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=cuda))
    assert provenance.environment_record(0, event="start")["gpu"] == "NVIDIA H100 80GB HBM3"
    cuda.is_available = lambda: False
    assert provenance.gpu_model() is None


def test_the_versions_line_lists_python_packages_and_commit():
    record = {"python": "3.11.4", "versions": {"teachgym": "0.1.0", "numpy": "1.26.4"}, "commit": "0e030f8a1b",
              "cpu": "left out", "gpu": "left out"}
    assert provenance.versions_line(record) == "Python 3.11.4, teachgym 0.1.0 (commit 0e030f8a1b), numpy 1.26.4"
    assert provenance.versions_line({**record, "commit": None}) == "Python 3.11.4, teachgym 0.1.0, numpy 1.26.4"


def test_a_simulated_run_records_its_environment_without_importing_torch(tmp_path):
    code = ("import json, sys; from teachgym.benchmarks.config import RunConfig; from teachgym.benchmarks.run import "
            "run; run(RunConfig(env='teachgym/SimulatedStudent-v0', student='simulated', teacher='random', "
            "total_timesteps=50, eval_every=50, checkpoint_every=50, out_dir=sys.argv[1])); "
            "print(json.dumps('torch' in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "run")], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "false"
    assert '"gpu": null' in (tmp_path / "run" / "environment.json").read_text()
