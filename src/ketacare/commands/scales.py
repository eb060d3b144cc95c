"""`ketacare scales` (list the rating scales) and `ketacare score` (score one administration)."""

from __future__ import annotations

import argparse
from typing import Any

from ketacare.commands import Output, add_command
from ketacare.core.errors import InputError
from ketacare.core.scales import list_scales, score


def register(subparsers: Any) -> None:
    """Register this area's subcommands."""
    add_command(subparsers, "scales", "list the rating scales (id, name, items, range)", _scales)
    parser = add_command(
        subparsers,
        "score",
        "score one administration of a rating scale, e.g. `ketacare score phq9 1 2 1 0 3 1 0 2 0`",
        _score,
    )
    parser.add_argument("scale", metavar="SCALE", help="scale id (see `ketacare scales`)")
    parser.add_argument(
        "items",
        metavar="ITEM",
        nargs="*",
        help="one value per item in order; '-' for a blank or skipped item; C-SSRS answers y/n/-",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="administration option, repeatable: item16=A|B (hamd17), coding=1-7|0-6 (bprs), "
        "variant=A|B (moaas), bands=ID (scales with more than one band set)",
    )


def _scales(args: argparse.Namespace) -> Output:
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "items": s.item_count,
            "range": s.range_text(),
            "version": s.version,
            "rater": s.rater,
            "options": [o.key for o in s.options],
        }
        for s in list_scales()
    ]
    width = max(len(r["id"]) for r in rows)
    rwidth = max(len(r["range"]) for r in rows)
    lines = [f"{'id':<{width}}  items  {'range':<{rwidth}}  name"]
    for r in rows:
        lines.append(f"{r['id']:<{width}}  {r['items']:>5}  {r['range']:<{rwidth}}  {r['name']}")
    return Output(rows, "\n".join(lines))


def _parse_options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError("--option", pair, "KEY=VALUE, e.g. item16=B or coding=0-6")
        options[key.strip()] = value.strip()
    return options


def _score(args: argparse.Namespace) -> Output:
    result = score(args.scale, list(args.items), _parse_options(args.option))
    data = result.to_dict()
    if result.triage is not None:
        head = f"{result.scale}: triage {result.triage}"
    elif result.total is None:
        head = f"{result.scale}: no total"
    else:
        low, high = result.total_range or (None, None)
        head = f"{result.scale}: total {result.total} (range {low}-{high})"
        if result.severity is not None:
            head += f", {result.severity} (bands: {result.band_set})"
    lines = [head, f"version: {result.version}", f"rule: {result.rule}"]
    if result.suicide_item_value is not None:
        lines.append(f"suicide item value: {result.suicide_item_value}")
    for name, value in result.subscales.items():
        lines.append(f"subscale {name}: {value}")
    for name, flag in result.flags.items():
        lines.append(f"{name}: {'yes' if flag else 'no'}")
    lines.extend(f"note: {note}" for note in result.notes)
    return Output(data, "\n".join(lines))
