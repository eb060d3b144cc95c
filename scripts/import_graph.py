"""Print the import graph between the web apps, in the layer order (``ketacare.web.layers``): for
each app, the apps it imports (module level and inside functions, and any module looked up by a
``ketacare.web`` string).

    python scripts/import_graph.py            # one line per app, lowest first: app -> apps
    python scripts/import_graph.py --cycles   # also the pairs that import each other, and the
                                              # imports that run against the order

Migrations are skipped (they name other apps by label, not by import). ``(project)`` is the
project's own modules (settings, urls, demo, ...), above every app.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ketacare.web.layers import LAYERS, PROJECT, graph, violations  # noqa: E402

WEB = ROOT / "src" / "ketacare" / "web"


def _order(app: str) -> tuple[int, str]:
    if app in LAYERS:
        return LAYERS.index(app), app
    return (len(LAYERS) + 1 if app == PROJECT else len(LAYERS)), app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", action="store_true", help="list apps importing each other")
    parser.add_argument("--web", type=Path, default=WEB, help="the web package (default: ours)")
    args = parser.parse_args(argv)
    edges = graph(args.web)
    for app in sorted(edges, key=_order):
        targets = sorted(edges[app], key=_order)
        print(f"{app:12} -> {', '.join(targets) or '(nothing)'}")
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
        against = violations(args.web)
        print(f"\n{len(against)} import(s) against the order {' < '.join(LAYERS)}:")
        for line in against:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
