"""`ketacare pk`, `ketacare pk-plan` and `ketacare pk-models`: the pharmacokinetics area."""

from __future__ import annotations

import argparse
import math
from typing import Any

import numpy as np

from ketacare.commands import Output, add_command, parse_number_list
from ketacare.core.errors import InputError
from ketacare.core.pk import Dose, get_model, list_models, simulate
from ketacare.core.pk.models import ROUTES
from ketacare.core.pk.simulate import effect_band
from ketacare.core.pk.target import plan_target

DEFAULT_WEIGHT_KG = 70.0


def register(subparsers: Any) -> None:
    """Register this area's subcommands."""
    p = add_command(subparsers, "pk", "Predicted plasma concentrations for one dose", _pk)
    p.add_argument("--model", required=True, help="parameter set id (see pk-models)")
    p.add_argument("--route", required=True, help="one of " + ", ".join(ROUTES))
    p.add_argument("--dose-mg", required=True, type=_number("dose_mg"), help="dose in mg")
    p.add_argument(
        "--infusion-min", type=_number("infusion_min"), default=None, help="IV infusion minutes"
    )
    p.add_argument(
        "--weight-kg",
        type=_number("weight_kg"),
        default=None,
        help=f"body weight (default {DEFAULT_WEIGHT_KG:g} kg, stated in the output)",
    )
    p.add_argument("--at", required=True, help="times in minutes, e.g. 10,40,60")

    q = add_command(
        subparsers, "pk-plan", "Bolus and stepped infusion to reach and hold a target", _plan
    )
    q.add_argument("--model", required=True)
    q.add_argument("--target-ng-per-ml", required=True, type=_number("target_ng_per_ml"))
    q.add_argument("--hold-min", required=True, type=_number("hold_min"))
    q.add_argument("--weight-kg", required=True, type=_number("weight_kg"))
    q.add_argument("--step-min", type=_number("step_min"), default=5.0)

    add_command(subparsers, "pk-models", "List the PK parameter sets and their sources", _models)


def _number(field: str) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{field}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{field}: {text!r} is not a finite number")
        return value

    return parse


def _pk(args: argparse.Namespace) -> Output:
    model = get_model(args.model)
    times = parse_number_list("at", args.at)
    if args.infusion_min is not None and args.route != "iv":
        raise InputError("infusion_min", args.infusion_min, "an infusion duration for route iv")
    dose = Dose(args.route, args.dose_mg, 0.0, args.infusion_min or 0.0)
    weight = DEFAULT_WEIGHT_KG if args.weight_kg is None else args.weight_kg
    result = simulate(model.id, [dose], times, weight)
    data = result.to_dict()
    if args.weight_kg is None:
        data["assumptions"].append(f"No weight given: {DEFAULT_WEIGHT_KG:g} kg assumed.")
    data["band"] = effect_band(model, np.asarray(times), result.plasma_ng_per_ml)
    data["band"]["note"] += " Time above is computed between the requested times only."
    lines = [f"{model.name}: {args.dose_mg:g} mg {args.route} at {weight:g} kg"]
    for t, c in zip(data["times_min"], data["plasma_ng_per_ml"], strict=True):
        lines.append(f"  {t:>8g} min  {c:10.2f} ng/mL ({model.sampling})")
    lines += [f"  note: {a}" for a in data["assumptions"]]
    lines.append(f"  source: {model.source}")
    return Output(data, "\n".join(lines))


def _plan(args: argparse.Namespace) -> Output:
    plan = plan_target(
        args.model, args.target_ng_per_ml, args.hold_min, args.weight_kg, step_min=args.step_min
    )
    data = plan.to_dict()
    lines = [
        f"{plan.model}: hold {plan.target_ng_per_ml:g} ng/mL for {plan.hold_min:g} min "
        f"at {plan.weight_kg:g} kg",
        f"  bolus {plan.bolus_mg:.2f} mg at 0 min",
    ]
    for s in plan.steps:
        lines.append(
            f"  {s.start_min:>6g}-{s.end_min:<6g} min  {s.rate_mg_per_h:8.2f} mg/h "
            f"({s.amount_mg:.2f} mg)"
        )
    lines.append(f"  total {plan.total_mg:.2f} mg ({plan.total_mg / plan.weight_kg:.3f} mg/kg)")
    lines.append(
        f"  predicted {plan.predicted_min_ng_per_ml:.1f}-{plan.predicted_max_ng_per_ml:.1f} ng/mL"
    )
    lines += [f"  note: {a}" for a in plan.assumptions]
    return Output(data, "\n".join(lines))


def _models(args: argparse.Namespace) -> Output:
    models = list_models()
    data = {"models": [m.summary() for m in models]}
    lines = []
    for m in models:
        flag = " [FLAGGED]" if m.flagged else ""
        status = " [parameters unverified]" if m.parameter_status == "unverified" else ""
        lines.append(f"{m.id:<16} {m.drug:<10} {m.sampling:<8} {m.name}{flag}{status}")
        lines.append(f"{'':<16} routes {', '.join(m.routes)}; {m.population}")
        for f in m.flags:
            lines.append(f"{'':<16} ! {f}")
    return Output(data, "\n".join(lines))
