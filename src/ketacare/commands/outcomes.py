"""`ketacare` subcommands for the outcomes area: ``outcome`` and ``si-signal``.

``ketacare outcome --scale madrs --baseline 32 --scores 20,14,10 --json`` prints a JSON list with
one object per follow-up score. The series summary lives in those objects: ``first_response``,
``loss_of_response`` and ``relapse`` are true on the follow-up where the event happens, and
``relapse_rule`` names the rule applied (see docs/outcomes.md). Text mode prints one line per
score, then the summary.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from ketacare.commands import Output, add_command, parse_number_list
from ketacare.core.errors import InputError
from ketacare.core.outcomes import (
    SIObservation,
    assess_series,
    get_scale_rules,
    suicidal_ideation_signal,
)
from ketacare.core.outcomes.suicide import TRIAGE_LEVELS


def register(subparsers: Any) -> None:
    """Register this area's subcommands."""
    outcome = add_command(
        subparsers,
        "outcome",
        "Percent change, response, partial response and remission of follow-up scores, with "
        "time to first response, loss of response and relapse.",
        _outcome,
    )
    outcome.add_argument(
        "--scale", required=True, help="scale id, e.g. madrs, hamd17, qids-sr16, phq9"
    )
    outcome.add_argument("--baseline", required=True, help="baseline total")
    outcome.add_argument(
        "--scores", required=True, help="follow-up totals, comma-separated: 20,14,10"
    )
    outcome.add_argument("--remission-max", help="remission when the score is at most this")
    outcome.add_argument(
        "--remission-definition",
        help="stored remission definition id "
        "(madrs: esketamine-12 (default), zimmerman-10, hawley-9)",
    )
    outcome.add_argument("--response-fraction", default="0.5", help="fall that counts as response")
    outcome.add_argument("--partial-fraction", help="fall that counts as partial response (0.25)")
    outcome.add_argument("--baseline-date", help="date of the baseline rating, YYYY-MM-DD")
    outcome.add_argument(
        "--dates", help="dates of the follow-up scores, comma-separated YYYY-MM-DD"
    )

    si = add_command(
        subparsers,
        "si-signal",
        "Suicidal-ideation signal from a suicide item, a BSS/SSI total or a C-SSRS triage level: "
        "a positive screen or a rise from the previous value is flagged.",
        _si_signal,
    )
    si.add_argument(
        "--scale", required=True, help="phq9, qids-sr16, madrs, hamd17, bss, ssi, cssrs-screen"
    )
    si.add_argument("--suicide-item", help="value of the scale's suicide item")
    si.add_argument("--total", help="total score (BSS, SSI)")
    si.add_argument("--triage", help="C-SSRS screener triage: " + ", ".join(TRIAGE_LEVELS))
    si.add_argument("--previous", help="previous value of the same measure (item or total)")
    si.add_argument("--previous-triage", help="previous C-SSRS triage level")
    si.add_argument("--threshold", help="clinic threshold replacing the stored one")


def _number(field: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(field, text, "a number") from None


def _integer(field: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(field, text, "an integer") from None


def _date(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, text, "a date YYYY-MM-DD") from None


def _outcome(args: argparse.Namespace) -> Output:
    baseline = _number("--baseline", args.baseline)
    assert baseline is not None
    scores = parse_number_list("--scores", args.scores)
    dates = [_date("--dates", part) for part in args.dates.split(",")] if args.dates else None
    baseline_date = _date("--baseline-date", args.baseline_date) if args.baseline_date else None
    response_fraction = _number("--response-fraction", args.response_fraction)
    assert response_fraction is not None
    series = assess_series(
        args.scale,
        baseline,
        scores,
        dates=dates,
        baseline_date=baseline_date,
        remission_max=_number("--remission-max", args.remission_max),
        remission_definition=args.remission_definition,
        response_fraction=response_fraction,
        partial_fraction=_number("--partial-fraction", args.partial_fraction),
    )
    rule_id = series.relapse_rule["id"] if series.relapse_rule else None
    data = []
    for point in series.points:
        item = point.to_dict()
        item["relapse_rule"] = rule_id
        data.append(item)
    return Output(data, _outcome_text(series.to_dict()))


def _yes(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def _outcome_text(data: dict[str, Any]) -> str:
    scale = get_scale_rules(data["scale"])
    points = data["points"]
    remission_rule = points[0]["rule"]["remission"]
    lines = [f"{scale.name}, baseline {data['baseline']:g}"]
    if remission_rule:
        lines.append(f"Remission: {remission_rule['label']} [{remission_rule['source']}]")
    else:
        lines.append("Remission: no definition stored for this scale (pass --remission-max)")
    lines.append(f"Response: {points[0]['rule']['response']['source']}")
    lines.append("")
    lines.append("  #  date        score  change   response  partial  remission  event")
    for p in points:
        events = [
            name
            for name, key in (
                ("first response", "first_response"),
                ("loss of response", "loss_of_response"),
                ("relapse", "relapse"),
            )
            if p[key]
        ]
        lines.append(
            f"{p['index']:>3}  {p['date'] or '-':<10}  {p['score']:>5g}  "
            f"{p['percent_change']:>+6.1f}%  {_yes(p['response']):<8}  "
            f"{_yes(p['partial_response']):<7}  {_yes(p['remission']):<9}  {', '.join(events)}"
        )
    summary = data["summary"]
    lines.append("")
    first = summary["time_to_first_response"]
    if first:
        days = (
            f", {first['days_from_baseline']} days from baseline"
            if first["days_from_baseline"] is not None
            else ""
        )
        lines.append(f"Time to first response: follow-up {first['index']}{days}")
    else:
        lines.append("Time to first response: no response")
    loss = summary["loss_of_response"]
    lines.append(
        f"Loss of response: follow-up {loss['index']}" if loss else "Loss of response: none"
    )
    rule = summary["relapse_rule"]
    if rule is None:
        lines.append("Relapse: no relapse rule stored for this scale")
    else:
        relapse = summary["relapse"]
        where = f"follow-ups {relapse['onset_index']}-{relapse['index']}" if relapse else "none"
        lines.append(f"Relapse ({rule['label']}): {where}")
        lines.append(f"  source: {rule['source']}")
        if rule["note"]:
            lines.append(f"  note: {rule['note']}")
    return "\n".join(lines)


def _si_signal(args: argparse.Namespace) -> Output:
    rules = get_scale_rules(args.scale)
    kind = rules.suicide.kind if rules.suicide else None
    previous_value = _integer("--previous", args.previous)
    current = SIObservation(
        scale=rules.id,
        total=_integer("--total", args.total),
        suicide_item_value=_integer("--suicide-item", args.suicide_item),
        triage=args.triage,
    )
    previous = None
    if previous_value is not None or args.previous_triage is not None:
        previous = SIObservation(
            scale=rules.id,
            total=previous_value if kind == "total" else None,
            suicide_item_value=previous_value if kind == "item" else None,
            triage=args.previous_triage,
        )
    signal = suicidal_ideation_signal(
        rules.id, current, previous, threshold=_number("--threshold", args.threshold)
    )
    text = (
        f"{signal.level.upper()}{' (flagged)' if signal.flag else ''}: {signal.reason}\n"
        f"source: {signal.source}"
    )
    return Output(signal.to_dict(), text)
