"""Third-party teachers: a real second distribution, installed by pip, registers a teacher through its entry point."""

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from teachgym import TaskSpace
from teachgym.teachers import ENTRY_POINT_GROUP, available_teachers, make_teacher

PLUGIN = Path(__file__).parent / "example_plugin"


def test_before_the_distribution_is_installed_the_name_is_unknown():
    """Runs first (file order), before the module fixture installs the plug-in."""
    assert "example-greedy" not in available_teachers()
    with pytest.raises(ValueError, match="unknown teacher 'example-greedy'"):
        make_teacher("example-greedy", TaskSpace({"x": (0.0, 1.0)}))


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory):
    """Build and install the example distribution into a private folder put on sys.path."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
         "--target", str(target), str(PLUGIN)],
        check=True, capture_output=True, text=True,
    )
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    yield target
    sys.path.remove(str(target))
    sys.modules.pop("teachgym_example_teacher", None)
    importlib.invalidate_caches()


def test_the_installed_distribution_declares_the_entry_point(installed_plugin):
    from importlib.metadata import distribution

    dist = distribution("teachgym-example-teacher")
    assert [(ep.name, ep.group) for ep in dist.entry_points] == [("example-greedy", ENTRY_POINT_GROUP)]
    assert Path(dist.locate_file("teachgym_example_teacher.py")).parent == installed_plugin


def test_a_plugin_teacher_is_found_built_and_trained(installed_plugin):
    assert "example-greedy" in available_teachers()
    space = TaskSpace({"x": (0.0, 10.0)})
    teacher = make_teacher("example-greedy", space, seed=0, epsilon=0.0)
    assert type(teacher).__module__ == "teachgym_example_teacher"
    assert teacher.name == "example-greedy"
    teacher.update([7.0], 5.0)
    teacher.update([2.0], 1.0)
    np.testing.assert_array_equal(teacher.sample_task(), [7.0])
    with pytest.raises(ValueError, match="did you mean 'epsilon'"):
        make_teacher("example-greedy", space, epsilom=0.1)
    with pytest.raises(ValueError, match="did you mean 'example-greedy'"):
        make_teacher("example-gredy", space)
