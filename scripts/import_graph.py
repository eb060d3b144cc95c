"""Print the import graph between the web apps: for each app, the apps it imports (module level
and inside functions, and ``importlib.import_module`` on a ``ketacare.web`` string).

    python scripts/import_graph.py            # one line per app: app -> apps it imports
    python scripts/import_graph.py --cycles   # also the pairs that import each other

Migrations are skipped (they name other apps by label, not by import).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "src" / "ketacare" / "web"
PREFIX = "ketacare.web."


def app_of(module: str) -> str | None:
    if not module.startswith(PREFIX):
        return None
    return module[len(PREFIX) :].split(".")[0]


def imports_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in sorted(WEB.rglob("*.py")):
        rel = path.relative_to(WEB)
        if "migrations" in rel.parts or len(rel.parts) < 2:
            continue
        app = rel.parts[0]
        edges.setdefault(app, set())
        for module in imports_in(path):
            other = app_of(module)
            if other and other != app and (WEB / other).is_dir():
                edges[app].add(other)
    return dict(edges)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", action="store_true", help="list apps importing each other")
    args = parser.parse_args(argv)
    edges = graph()
    for app in sorted(edges):
        print(f"{app:12} -> {', '.join(sorted(edges[app])) or '(nothing)'}")
    if args.cycles:
        pairs = sorted(
            {
                tuple(sorted((a, b)))
                for a, targets in edges.items()
                for b in targets
                if a in edges.get(b, set())
            }
        )
        print(f"\n{len(pairs)} pair(s) of apps import each other:")
        for a, b in pairs:
            print(f"  {a} <-> {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
