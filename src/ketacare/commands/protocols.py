"""`ketacare` subcommands for the protocols area: protocols, dose, schedule, escalation."""

from __future__ import annotations

import argparse
import math
from datetime import date
from typing import Any

from ketacare.commands import Output, add_command, parse_number_list
from ketacare.core.errors import InputError
from ketacare.core.protocols import (
    advise_escalation,
    calculate_dose,
    get_protocol,
    list_protocols,
    missed_session_advice,
    plan_schedule,
)


def _float(field: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(field, text, "a number") from None
    if not math.isfinite(value):
        raise InputError(field, text, "a finite number")
    return value


def _int(field: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(field, text, "a whole number") from None


def _date(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, text, "a date as YYYY-MM-DD") from None


def _protocols(args: argparse.Namespace) -> Output:
    protocols = list_protocols()
    lines = [
        f"{p.id:16} {p.drug:11} {p.route:3} max {p.max_dose:g} {p.dose_unit:6} {p.name}"
        for p in protocols
    ]
    return Output([p.to_dict() for p in protocols], "\n".join(lines))


def _dose(args: argparse.Namespace) -> Output:
    weight = _float("weight_kg", args.weight_kg)
    assert weight is not None
    result = calculate_dose(
        args.protocol,
        weight,
        step=_int("step", args.step) or 0,
        dose_mg_per_kg=_float("dose_mg_per_kg", args.dose_mg_per_kg),
        dose_mg=_float("dose_mg", args.dose_mg),
        concentration_mg_per_ml=_float("concentration_mg_per_ml", args.concentration_mg_per_ml),
        override_reason=args.override_reason,
        session_number=_int("session_number", args.session_number),
        previous_doses_mg=(
            ()
            if args.previous_doses is None
            else parse_number_list("previous_doses_mg", args.previous_doses)
        ),
        age_years=_float("age_years", args.age_years),
    )
    lines = [
        f"{result.protocol}: {result.dose_mg:g} mg ({result.dose_mg_per_kg:g} mg/kg "
        f"for {result.weight_kg:g} kg)"
    ]
    if result.duration_min is not None:
        lines.append(f"duration: {result.duration_min:g} min")
    if result.devices is not None:
        lines.append(f"devices: {result.devices}")
    if result.volume_ml is not None:
        lines.append(f"volume: {result.volume_ml:g} mL at {result.concentration_mg_per_ml:g} mg/mL")
    if result.rate_mg_per_h is not None:
        lines.append(f"rate: {result.rate_mg_per_h:g} mg/h")
    if result.rate_ml_per_h is not None:
        lines.append(f"rate: {result.rate_ml_per_h:g} mL/h")
    if result.override:
        lines.append(
            f"override: {result.override_reason} (requires the {result.requires_role}'s role)"
        )
    if result.session_number is not None:
        lines.append(f"session: {result.session_number}")
    ceiling = (
        f"{result.ceiling_mg_per_kg:g} mg/kg, at most {result.ceiling_mg:g} mg"
        if result.ceiling_mg_per_kg is not None
        else f"{result.ceiling_mg:g} mg"
    )
    lines.append(f"ceiling: {ceiling} (no override passes it)")
    lines += [f"warning: {w}" for w in result.warnings]
    lines.append(f"source: {result.source}")
    return Output(result.to_dict(), "\n".join(lines))


def _schedule(args: argparse.Namespace) -> Output:
    closed = []
    if args.closed:
        closed = [_date("closed", part) for part in args.closed.split(",") if part.strip()]
    weekdays: tuple[int, ...] = (5, 6)
    if args.closed_weekdays is not None:
        weekdays = tuple(
            _int("closed_weekdays", part) or 0
            for part in args.closed_weekdays.split(",")
            if part.strip()
        )
    sessions = plan_schedule(
        args.protocol,
        _date("start", args.start),
        closed_weekdays=weekdays,
        closed_dates=closed,
        weight_kg=_float("weight_kg", args.weight_kg),
        sessions=_int("sessions", args.sessions),
    )
    protocol = get_protocol(args.protocol)
    lines = []
    for s in sessions:
        dose = (
            f"{s.dose_mg:g} mg"
            if s.dose_mg is not None
            else f"{s.dose_mg_per_kg:g} mg/kg"
            if s.dose_mg_per_kg is not None
            else "-"
        )
        lines.append(
            f"{s.index:3} {s.date.isoformat()} {s.date:%a} {s.phase:26} {dose:10} {s.note}"
        )
    lines.append(f"source: {protocol.source}")
    data: dict[str, Any] = {
        "protocol": protocol.id,
        "source": protocol.source,
        "sessions": [s.to_dict() for s in sessions],
    }
    return Output(data, "\n".join(lines))


def _escalation(args: argparse.Namespace) -> Output:
    baseline = _float("baseline", args.baseline)
    assert baseline is not None
    doses = None if args.doses is None else parse_number_list("doses", args.doses)
    advice = advise_escalation(
        args.protocol,
        baseline=baseline,
        scores=parse_number_list("scores", args.scores),
        doses_given=doses,
        scale_id=args.scale,
        tolerated=not args.not_tolerated,
    )
    lines = [f"{advice.protocol}: {advice.action}", advice.reason]
    lines += [f"note: {n}" for n in advice.notes]
    lines.append(f"source: {advice.source}")
    return Output(advice.to_dict(), "\n".join(lines))


def _missed(args: argparse.Namespace) -> Output:
    worsened: bool | None = None
    if args.worsened is not None:
        choices = {"yes": True, "no": False}
        if args.worsened not in choices:
            raise InputError("worsened", args.worsened, "yes or no")
        worsened = choices[args.worsened]
    advice = missed_session_advice(args.protocol, phase=args.phase, worsened=worsened)
    text = f"{advice.protocol} {advice.phase}: {advice.action}"
    if advice.to_phase:
        text += f" (to {advice.to_phase})"
    return Output(advice.to_dict(), f"{text}\n{advice.reason}\nsource: {advice.source}")


def register(subparsers: Any) -> None:
    """Register this area's subcommands."""
    add_command(subparsers, "protocols", "list the route protocols and their sources", _protocols)

    p = add_command(subparsers, "dose", "dose for one session of a protocol", _dose)
    p.add_argument("--protocol", required=True, help="protocol id (see `ketacare protocols`)")
    p.add_argument("--weight-kg", required=True, help="body weight in kg")
    p.add_argument("--step", help="step of the protocol's dose ladder (0 = starting dose)")
    p.add_argument("--dose-mg-per-kg", help="dose in mg/kg instead of a step")
    p.add_argument("--dose-mg", help="dose in mg instead of a step")
    p.add_argument("--concentration-mg-per-ml", help="solution concentration for the volume")
    p.add_argument(
        "--override-reason",
        help="reason for a dose above the protocol maximum (never passes the ceiling)",
    )
    p.add_argument("--session-number", help="session of the course, 1 = first (session rules)")
    p.add_argument("--previous-doses", help="earlier doses of this course in mg, e.g. 56,56")
    p.add_argument("--age-years", help="patient's age in years (age-based starting dose)")

    p = add_command(subparsers, "schedule", "planned sessions of a protocol", _schedule)
    p.add_argument("--protocol", required=True, help="protocol id")
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--weight-kg", help="body weight in kg (doses in mg)")
    p.add_argument("--closed", help="closed dates, comma-separated YYYY-MM-DD")
    p.add_argument(
        "--closed-weekdays", help="closed weekdays, 0=Monday..6=Sunday (default 5,6); '' = none"
    )
    p.add_argument("--sessions", help="number of sessions to plan")

    p = add_command(subparsers, "missed-session", "what to do after a missed session", _missed)
    p.add_argument("--protocol", required=True, help="protocol id")
    p.add_argument("--phase", required=True, help="phase id of the missed session")
    p.add_argument("--worsened", help="yes or no: has depression worsened since?")

    p = add_command(subparsers, "escalation", "next dose step from the scores", _escalation)
    p.add_argument("--protocol", required=True, help="protocol id")
    p.add_argument("--baseline", required=True, help="baseline score")
    p.add_argument("--scores", required=True, help="scores after each session, e.g. 30,26,24")
    p.add_argument("--doses", help="doses given per session in the protocol's unit")
    p.add_argument("--scale", default="madrs", help="scale id of the scores (default madrs)")
    p.add_argument("--not-tolerated", action="store_true", help="the current dose is not tolerated")
