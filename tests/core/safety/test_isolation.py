"""core.safety and core.intake import no other area (they are written in parallel)."""

from __future__ import annotations

import ast
from pathlib import Path

import ketacare.core.intake
import ketacare.core.safety

ALLOWED = (
    "ketacare.core.errors",
    "ketacare.core.vocabulary",
    "ketacare.core.datafiles",
    "ketacare.core.safety",
    "ketacare.core.intake",
)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_safety_and_intake_import_only_their_own_modules_and_the_core_basics() -> None:
    for package in (ketacare.core.safety, ketacare.core.intake):
        root = Path(package.__file__).parent  # type: ignore[arg-type]
        for path in root.rglob("*.py"):
            for name in _imports(path):
                if name.startswith("ketacare"):
                    assert name.startswith(ALLOWED), f"{path.name} imports {name}"
