"""Reading a protocol TOML table with errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor_app.errors import ProtocolError


class _Reader:
    """Typed access to a TOML table that names the key in every error."""

    def __init__(self, path: Path | str, data: dict[str, Any], prefix: str = "") -> None:
        self.path = path
        self.data = data
        self.prefix = prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, problem: str) -> ProtocolError:
        return ProtocolError(self.path, self.key(name), problem)

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if name not in self.data:
            if default is ...:
                raise self.error(name, "missing")
            return default
        value = self.data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML booleans are ints to isinstance(); keep them apart.
        if isinstance(value, bool) and bool not in kinds:
            raise self.error(name, f"expected {_kind_name(kinds)}, got true/false")
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            return value
        if not isinstance(value, kinds):
            raise self.error(name, f"expected {_kind_name(kinds)}, got {type(value).__name__}")
        return value

    def table(self, name: str, optional: bool = False) -> _Reader:
        value = self.get(name, dict, {} if optional else ...)
        return _Reader(self.path, value, self.key(name))

    def array_of_tables(self, name: str) -> list[_Reader]:
        items = self.get(name, list, [])
        readers = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.error(f"{name}[{index}]", "expected a table")
            readers.append(_Reader(self.path, item, f"{self.key(name)}[{index}]"))
        return readers

    def unknown(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.error(name, f"unknown key (expected one of {expected})")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "text", bool: "true or false",
             list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _number_pair(reader: _Reader, name: str, kind: type | tuple[type, ...] = (int, float)
                 ) -> tuple[float, float]:
    pair = reader.get(name, list)
    if len(pair) != 2 or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair
    ):
        raise reader.error(name, "expected two numbers [lower, upper]")
    if pair[0] > pair[1]:
        raise reader.error(name, f"lower limit {pair[0]} is above upper limit {pair[1]}")
    return (pair[0], pair[1])
