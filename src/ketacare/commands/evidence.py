"""`ketacare` subcommands for the evidence area (filled in by its issue)."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Register this area's subcommands."""
