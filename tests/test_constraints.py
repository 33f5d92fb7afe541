"""constraints.txt pins every distribution the README's set-up commands install, the package's own requirements stay
ranges, and both set-up commands install through the constraints (torch first, at its pinned version)."""

import configparser
import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("rl", "ray", "contrib", "perf", "test")
PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[0-9][A-Za-z0-9.+!-]*)")


def pins() -> dict[str, str]:
    """constraints.txt as {canonical name: version}; every line must be a comment or an exact pin, once."""
    found: dict[str, str] = {}
    for number, line in enumerate((ROOT / "constraints.txt").read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = PIN.fullmatch(line.strip())
        assert match, f"constraints.txt line {number} is not an exact pin: {line!r}"
        name = canonicalize_name(match["name"])
        assert name not in found, f"constraints.txt pins {name} twice"
        found[name] = match["version"]
    return found


def declared_requirements() -> list[Requirement]:
    """setup.cfg's install_requires and every extra's requirements, teachgym's own extras left out."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config["options"]["install_requires"].splitlines()
    for extra in EXTRAS:
        lines += config["options.extras_require"][extra].splitlines()
    requirements = [Requirement(line) for line in lines if line.strip()]
    return [r for r in requirements if canonicalize_name(r.name) != "teachgym"]


def runtime_closure() -> set[str]:
    """Every distribution installed because of teachgym with all its extras: the requirement graph of the installed
    distributions, walked from teachgym's own metadata (markers evaluated for each requiring extra)."""
    seen: set[str] = set()
    stack = [(Requirement(text), extra) for text in metadata.requires("teachgym") or [] for extra in ("", *EXTRAS)]
    while stack:
        requirement, extra = stack.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        if name == "teachgym" or name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue  # an optional dependency this environment did not install; the pin check below still names it
        stack += [(Requirement(text), wanted) for text in requires for wanted in ("", *requirement.extras)]
    return seen


def test_the_constraints_are_exact_pins_of_distinct_distributions():
    assert len(pins()) > 20


def test_every_declared_requirement_is_a_range_pinned_inside_it():
    pinned = pins()
    for requirement in declared_requirements():
        assert not any(spec.operator in ("==", "===") for spec in requirement.specifier), (
            f"setup.cfg pins {requirement}; the package's requirements stay ranges (pins go to constraints.txt)")
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"constraints.txt lacks {name}, which setup.cfg requires"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside setup.cfg's {requirement}")


def test_every_installed_runtime_dependency_is_pinned():
    try:
        metadata.distribution("teachgym")
    except metadata.PackageNotFoundError:
        pytest.skip("teachgym is not installed (pip install -e '.[test]'), so its dependency graph cannot be read")
    missing = sorted(runtime_closure() - set(pins()))
    assert not missing, f"constraints.txt lacks {missing}; refresh it with `bash .ci/refresh-constraints`"


def readme_command(marker: str) -> str:
    """The command in the code block after the README's ``<!-- marker -->`` (what .ci/run executes)."""
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {marker} -->\n```bash\n(.*?)\n```", text, re.DOTALL)
    assert match, f"README.md has no bash block after <!-- {marker} -->"
    return match[1]


@pytest.mark.parametrize("marker", ["main-command", "test-command"])
def test_both_set_up_commands_install_through_the_constraints(marker):
    installs = [step.strip() for step in readme_command(marker).split("&&") if step.strip().startswith("pip install")]
    assert len(installs) >= 2, f"{marker}: expected torch first, then the package"
    assert all(" -c constraints.txt " in f"{step} " for step in installs), f"{marker}: {installs}"
    assert installs[0].endswith(f"torch=={pins()['torch']}"), (
        f"{marker} must install torch first at the pinned version (its CPU build; a looser requirement pulls CUDA)")
