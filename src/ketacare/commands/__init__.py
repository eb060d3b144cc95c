"""Subcommands of the ``ketacare`` CLI, one module per area.

Each module exposes ``register(subparsers)``. A handler takes the parsed arguments and returns an
:class:`Output` (JSON-able data plus its readable text) or an exit status. Handlers raise
``ketacare.core.errors.KetaCareError`` for bad input; ``ketacare.cli.main`` turns that into a
message on stderr and exit status 2, with nothing on stdout.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError


@dataclass(frozen=True)
class Output:
    data: Any
    text: str


Handler = Callable[[argparse.Namespace], "Output | int | None"]


def add_command(
    subparsers: Any, name: str, help_text: str, handler: Handler, *, json_flag: bool = True
) -> argparse.ArgumentParser:
    """Add a subcommand with a ``--json`` flag and its handler."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text
    )
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(handler=handler)
    return parser


def parse_number_list(field: str, text: str) -> list[float]:
    """Parse ``"1,2.5,3"`` into floats, naming the field on error."""
    values: list[float] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise InputError(field, text, "a comma-separated list of numbers, e.g. 10,40,60")
        try:
            values.append(float(part))
        except ValueError:
            raise InputError(
                field, part, "a number (in a comma-separated list, e.g. 10,40,60)"
            ) from None
    return values
