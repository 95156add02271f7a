"""``storage/repository.py`` names the parts it loads on first use twice: as imports for
the type checker and as the table its ``__getattr__`` reads at run time. A name in one
and not the other would type-check and then fail in front of a nurse; these keep the
two the same and every exported name reachable."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from monitor_app.storage import repository

SOURCE = Path(repository.__file__)


def _imported_for_the_type_checker() -> dict[str, str]:
    """{name: part} from the ``if TYPE_CHECKING:`` imports of repository.py."""
    names: dict[str, str] = {}
    for node in ast.parse(SOURCE.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"):
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                part = (statement.module or "").rsplit(".", 1)[-1]
                names.update({alias.name: part for alias in statement.names})
    return names


def test_the_parts_loaded_on_first_use_are_the_ones_the_type_checker_reads() -> None:
    assert _imported_for_the_type_checker() == repository._PART_OF


def test_every_exported_name_is_reachable() -> None:
    for name in repository.__all__:
        assert getattr(repository, name) is not None, name
    for name, part in repository._PART_OF.items():
        module = importlib.import_module(f"monitor_app.storage.{part}")
        assert getattr(repository, name) is getattr(module, name), name
