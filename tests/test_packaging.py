"""Every Python package of the source tree is declared in setup.cfg, so a wheel (not only an editable install)
holds it: a subpackage left out of ``packages`` installs silently without its modules."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_declared_under_its_installed_name():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    options = config["options"]
    roots = dict(line.split(" = ") for line in options["package_dir"].strip().splitlines())
    declared = set(options["packages"].split())
    found = set()
    for name, folder in roots.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join((name, *relative.parts)))
    assert found - declared == set(), f"setup.cfg lacks packages {sorted(found - declared)}"
    assert declared - found == set(), f"setup.cfg declares missing packages {sorted(declared - found)}"
