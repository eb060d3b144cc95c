"""Shared vocabulary and input checks for the safety and intake rules.

Drug and route ids follow the cross-area contract: drugs ``racemic``, ``esketamine``,
``arketamine``; routes ``iv``, ``im``, ``sc``, ``in``, ``po``, ``sl``.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from ketacare.core.errors import InputError, UnknownIdError
from ketacare.core.vocabulary import DRUGS as DRUGS
from ketacare.core.vocabulary import ROUTES as ROUTES

#: Esketamine is licensed only as a nasal spray (Spravato); every other combination is accepted.
ESKETAMINE_ROUTES: tuple[str, ...] = ("in",)

SPRAVATO_LABEL = (
    "SPRAVATO (esketamine) US prescribing information, "
    "https://nctr-crs.fda.gov/fdalabel/services/spl/set-ids/"
    "d81a6a79-a74a-44b7-822c-0dfa3036eaed/spl-doc ; https://www.spravatohcp.com/dosing-spravato-trd"
)


def check_drug_route(drug: Any, route: Any) -> tuple[str, str]:
    """Validate a drug id and a route id; esketamine must be intranasal."""
    if not isinstance(drug, str) or drug not in DRUGS:
        raise UnknownIdError("drug", drug, DRUGS)
    if not isinstance(route, str) or route not in ROUTES:
        raise UnknownIdError("route", route, ROUTES)
    if drug == "esketamine" and route not in ESKETAMINE_ROUTES:
        raise InputError(
            "route", route, "in (esketamine is given only as the Spravato nasal spray)"
        )
    return drug, route


def check_number(
    field: str,
    value: Any,
    low: float,
    high: float,
    unit: str,
    *,
    optional: bool = False,
) -> float | None:
    """Return ``value`` as a float if it is a finite number in [low, high], else InputError."""
    if value is None:
        if optional:
            return None
        raise InputError(field, value, f"a number from {low:g} to {high:g} {unit}".rstrip())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, value, f"a number from {low:g} to {high:g} {unit}".rstrip())
    if not low <= value <= high:
        raise InputError(field, value, f"a number from {low:g} to {high:g} {unit}".rstrip())
    return float(value)


def check_int(field: str, value: Any, low: int, high: int, *, optional: bool = False) -> int | None:
    """Return ``value`` if it is an integer in [low, high] (bools refused), else InputError."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(field, value, f"an integer {low}-{high}")
    return int(value)


def check_bool(field: str, value: Any, *, optional: bool = True) -> bool | None:
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise InputError(field, value, "true or false" + (" (or not given)" if optional else ""))
    return value


def check_aware(field: str, value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise InputError(field, value, "a date and time with a time zone, e.g. 2026-11-30T10:00Z")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(
            field, value.isoformat(), "a date and time with a time zone, e.g. 2026-11-30T10:00Z"
        )
    return value
