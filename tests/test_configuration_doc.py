"""docs/configuration.md lists every environment variable that the settings and the commands
read, and nothing else (datasette's tests/test_docs.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = {"env_str", "env_bool", "env_int", "env_list", "_env_int", "_env_str"}
SOURCES = [
    ROOT / "src/ketacare/web/settings.py",
    *sorted((ROOT / "src/ketacare/commands").glob("*.py")),
]


def _read_in_code() -> set[str]:
    names: set[str] = set()
    for source in SOURCES:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            is_environ_get = (
                called == "get"
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "environ"
            )
            first = node.args[0]
            if (called in READERS or is_environ_get) and isinstance(first, ast.Constant):
                names.add(str(first.value))
    return names


def _documented() -> set[str]:
    text = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|", text, re.MULTILINE))


def test_every_environment_variable_is_documented_and_every_documented_one_is_read() -> None:
    code, docs = _read_in_code(), _documented()
    assert len(code) > 10
    assert code == docs, {
        "read but not in docs/configuration.md": sorted(code - docs),
        "in docs/configuration.md but never read": sorted(docs - code),
    }


def test_the_deployment_guide_names_every_variable() -> None:
    guide = (ROOT / "docs/deployment.md").read_text(encoding="utf-8")
    missing = sorted(name for name in _read_in_code() if f"`{name}`" not in guide)
    assert not missing, missing
