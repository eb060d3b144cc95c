"""Loading of the core's data files (TOML).

Definitions are data with a citation: a scale, a protocol, a PK parameter set or a trial record is
a TOML file shipped inside the package. Each file starts with a comment header stating its grammar
and its published source; the loaders below only read the files, and the frozen dataclasses that
receive the values validate themselves.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from ketacare.core.errors import DefinitionError


def iter_data_files(package: str, subdir: str = "data") -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(name, parsed TOML)`` for every ``*.toml`` file in ``package/subdir``, sorted."""
    root: Traversable = resources.files(package).joinpath(subdir)
    entries = sorted((e for e in root.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
    for entry in entries:
        yield entry.name, load_toml_text(entry.read_text(encoding="utf-8"), entry.name)


def load_toml_text(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(source, f"not valid TOML: {exc}") from exc
