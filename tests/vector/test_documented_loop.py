"""The CleanRL-style loop with a teacher that run_curriculum's documentation shows runs as written (shortened)."""

import inspect
import textwrap
from pathlib import Path

from teachgym.students import run_curriculum


def documented_loop() -> str:
    doc = inspect.getdoc(run_curriculum)
    block = doc.split("CleanRL's PPO or SAC does, skipping the autoreset steps)::\n", 1)[1].split("\nReturns:")[0]
    return textwrap.dedent(block)


def test_the_documented_cleanrl_style_loop_runs_and_the_teacher_learns_from_its_episodes():
    code = documented_loop()
    assert 25 <= len(code.strip().splitlines()) <= 33
    assert "total_steps = 20_000\n" in code
    namespace = {}
    exec(compile(code.replace("total_steps = 20_000", "total_steps = 800"), "run_curriculum's example", "exec"),
         namespace)
    teacher = namespace["teacher"]
    assert namespace["envs"].closed
    assert teacher.metrics()["episodes"] > 0  # the random walkers' episodes ended (they fall) and were credited


def test_the_readme_shows_the_same_loop():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"```python\n{documented_loop().strip()}\n```" in readme
