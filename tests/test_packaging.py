"""An installed wheel (not only a checkout) holds every package and the resources."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_source_tree_is_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    in_tree = {".".join(init.parent.relative_to(ROOT).parts)
               for init in (ROOT / "monitor_app").rglob("__init__.py")}
    assert in_tree <= listed, f"add to [tool.setuptools] packages: {sorted(in_tree - listed)}"
    assert config["package-dir"]["monitor_app.resources"] == "resources"
    assert (ROOT / "resources" / "protocols" / "ketamine-iv.toml").is_file()
    assert (ROOT / "resources" / "fonts" / "DejaVuSans.ttf").is_file()
