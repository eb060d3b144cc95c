"""`ketacare` subcommands for the safety and intake areas.

gates, vitals, monitoring, observation, sedation, discharge, intake-screen, trd-stage. Every
command prints text, or JSON with --json; bad input raises InputError naming the flag, which the
CLI turns into exit status 2 with the message on stderr.
"""

from __future__ import annotations

import argparse
import math
from datetime import datetime
from typing import Any

from ketacare.commands import Output, add_command
from ketacare.core.errors import InputError
from ketacare.core.intake import (
    TRIAL_RESPONSES,
    AntidepressantTrial,
    list_questions,
    screen_contraindications,
    trd_stage,
)
from ketacare.core.safety import (
    DEFAULT_THRESHOLDS,
    DRUGS,
    ROUTES,
    check_vitals,
    discharge_readiness,
    dissociation_followup,
    evaluate_gates,
    monitoring_schedule,
    observation_window,
    sedation_followup,
)

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


# --- flag parsing (strings in, InputError naming the flag out) --------------------------------


def _float(flag: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(flag, text, "a number") from None


def _int(flag: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(flag, text, "a whole number") from None


def _bool(flag: str, text: str | None) -> bool | None:
    if text is None:
        return None
    low = text.strip().lower()
    if low in _YES:
        return True
    if low in _NO:
        return False
    raise InputError(flag, text, "yes or no")


def _datetime(flag: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            flag, text, "an ISO date-time with a zone, e.g. 2026-11-30T10:00Z"
        ) from None
    if value.tzinfo is None:
        raise InputError(flag, text, "an ISO date-time with a zone, e.g. 2026-11-30T10:00Z")
    return value


def _required(flag: str, value: Any) -> Any:
    if value is None:
        raise InputError(flag, None, "a value (this flag is required)")
    return value


def _drug_route(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drug", help=f"drug id: {', '.join(DRUGS)}")
    parser.add_argument("--route", help=f"route id: {', '.join(ROUTES)}")


def _thresholds(args: argparse.Namespace) -> Any:
    overrides: dict[str, float | int | None] = {}
    for item in getattr(args, "threshold", None) or []:
        name, sep, raw = item.partition("=")
        if not sep:
            raise InputError("--threshold", item, "name=value, e.g. systolic_high=170")
        if raw.strip().lower() == "none":
            overrides[name] = None
        else:
            number = _float(f"--threshold {name}", raw)
            assert number is not None
            overrides[name] = int(number) if number.is_integer() and name in _INT_NAMES else number
    return DEFAULT_THRESHOLDS.with_overrides(overrides) if overrides else DEFAULT_THRESHOLDS


_INT_NAMES = {"moaas_mild", "moaas_moderate_max", "aldrete_discharge_min", "rems_form_due_days"}


def _add_threshold_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold",
        action="append",
        metavar="NAME=VALUE",
        help="override a threshold (clinic setting), e.g. systolic_high=170; repeatable",
    )


# --- handlers --------------------------------------------------------------------------------


def _gates(args: argparse.Namespace) -> Output:
    report = evaluate_gates(
        _required("--drug", args.drug),
        _required("--route", args.route),
        systolic=_required("--systolic", _float("--systolic", args.systolic)),
        diastolic=_required("--diastolic", _float("--diastolic", args.diastolic)),
        fasting_hours=_float("--fasting-hours", args.fasting_hours),
        liquids_minutes=_float("--liquids-minutes", args.liquids_minutes),
        nasal_medicine_minutes=_float("--nasal-medicine-minutes", args.nasal_medicine_minutes),
        ride_home=_bool("--ride-home", args.ride_home),
        rems_enrolled=_bool("--rems-enrolled", args.rems_enrolled),
        thresholds=_thresholds(args),
    )
    lines = [f"Pre-dose gates ({report.drug}, {report.route}): {report.overall.upper()}"]
    for d in report.decisions:
        lines.append(f"  {d.gate:<16} {d.decision:<17} {d.reason}")
        lines.append(f"  {'':<16} source: {d.source}")
    return Output(report.to_dict(), "\n".join(lines))


def _vitals(args: argparse.Namespace) -> Output:
    baseline: dict[str, float] = {}
    for name, flag, raw in (
        ("systolic", "--baseline-systolic", args.b_sys),
        ("diastolic", "--baseline-diastolic", args.b_dia),
    ):
        value = _float(flag, raw)
        if value is not None:
            baseline[name] = value
    alerts = check_vitals(
        _float("--systolic", args.systolic),
        _float("--diastolic", args.diastolic),
        _float("--heart-rate", args.heart_rate),
        _float("--spo2", args.spo2),
        _float("--resp-rate", args.resp_rate),
        baseline=baseline or None,
        thresholds=_thresholds(args),
    )
    data = {"alerts": [a.to_dict() for a in alerts], "in_range": not alerts}
    if not alerts:
        return Output(data, "No alert: every given vital sign is inside its limits.")
    lines = [f"{len(alerts)} alert(s):"]
    for a in alerts:
        lines.append(f"  [{a.severity}] {a.reason}")
        lines.append(f"          source: {a.source}")
    return Output(data, "\n".join(lines))


def _monitoring(args: argparse.Namespace) -> Output:
    points = monitoring_schedule(
        _required("--drug", args.drug),
        _required("--route", args.route),
        infusion_min=_int("--infusion-min", args.infusion_min),
    )
    lines = [f"Monitoring schedule ({args.drug}, {args.route}):"]
    for p in points:
        lines.append(f"  {p.label:<40} {', '.join(p.record)}")
    lines.append("Sources:")
    for source in dict.fromkeys(p.source for p in points):
        lines.append(f"  {source}")
    return Output(
        {"drug": args.drug, "route": args.route, "timepoints": [p.to_dict() for p in points]},
        "\n".join(lines),
    )


def _observation(args: argparse.Namespace) -> Output:
    first = _required("--first-device", _datetime("--first-device", args.first_device))
    thresholds = DEFAULT_THRESHOLDS
    end = observation_window(
        first, drug=_required("--drug", args.drug), route=_required("--route", args.route)
    )
    data: dict[str, Any] = {
        "first_device_at": first.isoformat(),
        "earliest_discharge_at": end.isoformat(),
        "minimum_minutes": thresholds.esketamine_observation_min,
        "source": thresholds.source_of("esketamine_observation_min"),
    }
    text = [
        f"First device at {first.isoformat()}: observe until at least {end.isoformat()} "
        f"({thresholds.esketamine_observation_min:g} min), then assess readiness to leave.",
    ]
    now = _datetime("--now", args.now)
    if now is not None:
        remaining = max(0, math.ceil((end - now).total_seconds() / 60))
        data["now"] = now.isoformat()
        data["minutes_remaining"] = remaining
        data["window_complete"] = now >= end
        text.append("Observation window complete." if now >= end else f"{remaining} min remaining.")
    text.append(f"Source: {data['source']}")
    return Output(data, "\n".join(text))


def _sedation(args: argparse.Namespace) -> Output:
    moaas = _int("--moaas", args.moaas)
    cadss = _int("--cadss", args.cadss)
    if moaas is None and cadss is None:
        raise InputError("--moaas/--cadss", None, "at least one of --moaas (0-5) or --cadss (0-92)")
    results = []
    if moaas is not None:
        results.append(
            sedation_followup(moaas, baseline=_int("--baseline-moaas", args.baseline_moaas))
        )
    if cadss is not None:
        results.append(
            dissociation_followup(cadss, baseline=_int("--baseline-cadss", args.baseline_cadss))
        )
    lines = []
    for r in results:
        lines.append(f"{r.measure.upper()} {r.value}: {r.level} -> {r.decision}")
        lines.append(f"  {r.reason}")
        lines.append(f"  source: {r.source}")
    return Output({"followups": [r.to_dict() for r in results]}, "\n".join(lines))


def _discharge(args: argparse.Namespace) -> Output:
    items = None
    if args.aldrete_items is not None:
        items = [
            _required("--aldrete-items", _int("--aldrete-items", part.strip()))
            for part in args.aldrete_items.split(",")
        ]
    decision = discharge_readiness(
        aldrete_total=_required("--aldrete", _int("--aldrete", args.aldrete)),
        drug=_required("--drug", args.drug),
        route=_required("--route", args.route),
        minutes_since_dose=_required(
            "--minutes-since-dose", _float("--minutes-since-dose", args.minutes_since_dose)
        ),
        moaas=_int("--moaas", args.moaas),
        cadss_total=_int("--cadss", args.cadss),
        baseline_moaas=_int("--baseline-moaas", args.baseline_moaas),
        baseline_cadss=_int("--baseline-cadss", args.baseline_cadss),
        bp_stable=_bool("--bp-stable", args.bp_stable),
        ride_home=_bool("--ride-home", args.ride_home),
        aldrete_items=items,
        aldrete_rule=args.aldrete_rule,
        thresholds=_thresholds(args),
    )
    lines = [f"Discharge ({decision.drug}, {decision.route}): {decision.decision.upper()}"]
    for c in decision.criteria:
        lines.append(f"  {c.name:<22} {c.status:<13} {c.reason}")
    lines.append(decision.note)
    return Output(decision.to_dict(), "\n".join(lines))


def _split_ids(text: str | None) -> list[str]:
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def _intake_screen(args: argparse.Namespace) -> Output:
    if args.list:
        qs = list_questions(args.drug, args.route)
        lines = [f"{q.id:<34} {q.kind:<17} {q.label}" for q in qs]
        return Output({"questions": [q.to_dict() for q in qs]}, "\n".join(lines))
    yes, no = _split_ids(args.yes), _split_ids(args.no)
    both = sorted(set(yes) & set(no))
    if both:
        raise InputError("--yes/--no", ",".join(both), "each question in only one of --yes, --no")
    answers = {qid: True for qid in yes} | {qid: False for qid in no}
    if args.rest_no:
        for q in list_questions(args.drug, args.route):
            answers.setdefault(q.id, False)
    result = screen_contraindications(answers, drug=args.drug, route=args.route)
    lines = [f"Eligible: {'yes' if result.eligible else 'no'}. {result.reason}"]
    for f in (*result.contraindications, *result.cautions):
        lines.append(f"  [{f.kind}] {f.label}: {f.reason}")
        lines.append(f"      source: {f.source}")
    return Output(result.to_dict(), "\n".join(lines))


def _trd_stage(args: argparse.Namespace) -> Output:
    trials = []
    for index, text in enumerate(args.trial or [], start=1):
        trials.append(_parse_trial(index, text))
    result = trd_stage(trials)
    text = (
        f"Stage: {result.stage} (TRD: {'yes' if result.is_trd else 'no'}). {result.reason}\n"
        f"Source: {result.source}"
    )
    return Output(result.to_dict(), text)


def _parse_trial(index: int, text: str) -> AntidepressantTrial:
    flag = f"--trial {index}"
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (5, 6):
        raise InputError(
            flag, text, "drug,dose_mg,weeks,adequate(yes/no/unknown),response[,earlier]"
        )
    drug, dose, weeks, adequate_text, response = parts[:5]
    adequate = (
        None
        if adequate_text.lower() in ("unknown", "?", "")
        else _bool(f"{flag} adequate", adequate_text)
    )
    if response not in TRIAL_RESPONSES:
        raise InputError(f"{flag} response", response, "one of " + ", ".join(TRIAL_RESPONSES))
    current = True
    if len(parts) == 6:
        if parts[5] != "earlier":
            raise InputError(
                f"{flag} episode",
                parts[5],
                "'earlier' (a trial from an earlier episode) or nothing",
            )
        current = False
    return AntidepressantTrial(
        drug=drug,
        dose_mg=_float(f"{flag} dose_mg", dose) if dose else None,
        weeks=_float(f"{flag} weeks", weeks) if weeks else None,
        adequate=adequate,
        response=response,
        current_episode=current,
    )


# --- registration ----------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    """Register this area's subcommands."""
    p = add_command(subparsers, "gates", "Pre-dose gates: BP, fasting, ride home, REMS", _gates)
    _drug_route(p)
    p.add_argument("--systolic", help="pre-dose systolic BP, mmHg")
    p.add_argument("--diastolic", help="pre-dose diastolic BP, mmHg")
    p.add_argument("--fasting-hours", help="hours since the last food")
    p.add_argument("--liquids-minutes", help="minutes since the last drink")
    p.add_argument("--nasal-medicine-minutes", help="minutes since a nasal steroid/decongestant")
    p.add_argument("--ride-home", help="yes or no")
    p.add_argument("--rems-enrolled", help="yes or no (esketamine)")
    _add_threshold_flag(p)

    p = add_command(subparsers, "vitals", "Vital-sign alerts against configurable limits", _vitals)
    p.add_argument("--systolic", help="mmHg")
    p.add_argument("--diastolic", help="mmHg")
    p.add_argument("--heart-rate", help="beats per minute")
    p.add_argument("--spo2", help="percent")
    p.add_argument("--resp-rate", help="breaths per minute")
    p.add_argument("--baseline-systolic", dest="b_sys", help="pre-dose systolic, mmHg")
    p.add_argument("--baseline-diastolic", dest="b_dia", help="pre-dose diastolic, mmHg")
    _add_threshold_flag(p)

    p = add_command(subparsers, "monitoring", "What to record and when in a session", _monitoring)
    _drug_route(p)
    p.add_argument("--infusion-min", help="IV infusion length in minutes (default 40)")

    p = add_command(
        subparsers, "observation", "Esketamine 2-hour rule from the first device", _observation
    )
    _drug_route(p)
    p.add_argument("--first-device", help="time of the first device, e.g. 2026-11-30T10:00Z")
    p.add_argument("--now", help="current time, to show the minutes remaining")

    p = add_command(
        subparsers, "sedation", "Sedation (MOAA/S) and dissociation (CADSS) follow-up", _sedation
    )
    p.add_argument("--moaas", help="MOAA/S 0-5 (5 = alert)")
    p.add_argument("--baseline-moaas", help="pre-dose MOAA/S")
    p.add_argument("--cadss", help="CADSS total 0-92")
    p.add_argument("--baseline-cadss", help="pre-dose CADSS total")

    p = add_command(
        subparsers, "discharge", "Discharge readiness (modified Aldrete and label)", _discharge
    )
    _drug_route(p)
    p.add_argument("--aldrete", help="modified Aldrete total 0-10")
    p.add_argument("--aldrete-items", help="five item scores 0-2, e.g. 2,2,2,1,2")
    p.add_argument("--aldrete-rule", default="9", help="9 (default) or 8-no-zero")
    p.add_argument("--minutes-since-dose", help="minutes since dosing began (first device)")
    p.add_argument("--moaas", help="current MOAA/S 0-5")
    p.add_argument("--baseline-moaas", help="pre-dose MOAA/S")
    p.add_argument("--cadss", help="current CADSS total 0-92")
    p.add_argument("--baseline-cadss", help="pre-dose CADSS total")
    p.add_argument("--bp-stable", help="yes or no")
    p.add_argument("--ride-home", help="yes or no")
    _add_threshold_flag(p)

    p = add_command(
        subparsers, "intake-screen", "Contraindication and caution screen", _intake_screen
    )
    _drug_route(p)
    p.add_argument("--yes", help="question ids answered yes, comma-separated")
    p.add_argument("--no", help="question ids answered no, comma-separated")
    p.add_argument("--rest-no", action="store_true", help="answer every other question no")
    p.add_argument("--list", action="store_true", help="list the questions and exit")

    p = add_command(subparsers, "trd-stage", "TRD staging from failed adequate trials", _trd_stage)
    p.add_argument(
        "--trial",
        action="append",
        help="drug,dose_mg,weeks,adequate(yes/no/unknown),response[,earlier]; repeatable; "
        f"response one of {', '.join(TRIAL_RESPONSES)}",
    )
