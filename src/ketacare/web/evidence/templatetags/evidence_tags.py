"""Display filters of the evidence pages (formatting only: every number comes from the core)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    """A proportion (0-1) as a percentage: 0.6028 -> "60.3%"; "—" for no value."""
    if value is None or value == "":
        return "—"
    return f"{100 * float(value):.{int(digits)}f}%"
