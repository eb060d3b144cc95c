"""The ``ketacare`` command.

Each area of the core registers its subcommands from a module in ``ketacare.commands``. Every
subcommand prints readable text, or JSON with ``--json``. Bad input exits with status 2, the error
on stderr and nothing on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

from ketacare.commands import Output
from ketacare.core.errors import KetaCareError

COMMAND_MODULES = (
    "scales",
    "outcomes",
    "protocols",
    "safety",
    "pk",
    "evidence",
    "web",
    "clinic_report",
    "serve",
    "backup",
    "reports",
    "tasks",
    "audit",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ketacare",
        description="KetaCare: ketamine and esketamine treatment of depression, end to end.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"ketacare.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except KetaCareError as exc:
        print(f"ketacare {args.command}: error: {exc}", file=sys.stderr)
        return 2
    if isinstance(result, Output):
        if getattr(args, "json", False):
            sys.stdout.write(json.dumps(result.data, indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(result.text.rstrip("\n") + "\n")
        return 0
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
