"""``ketacare clinic-report``: the clinic's response and remission rates beside the pooled
published rates, from the clinic app's database (the same service as the web page)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ketacare.commands import Output, add_command
from ketacare.core.errors import InputError

BASES = ("last", "any")
ENDPOINT_LABELS = {"last": "latest follow-up", "any": "any follow-up"}


def _setup_django() -> None:
    """Set up Django as ``ketacare manage`` does (settings from the environment)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.web.settings")
    import django

    django.setup()


def _pick_clinic(name: str | None) -> Any:
    from ketacare.web.accounts.models import Clinic

    names = list(Clinic.objects.order_by("name").values_list("name", flat=True))
    if name is not None:
        clinic = Clinic.objects.filter(name__iexact=name).first()
        if clinic is None:
            raise InputError("--clinic", name, "one of " + (", ".join(names) or "(no clinics)"))
        return clinic
    if not names:
        raise InputError("--clinic", None, "a clinic in the database (none yet: see ketacare demo)")
    if len(names) > 1:
        raise InputError("--clinic", None, "one clinic named with --clinic: " + ", ".join(names))
    return Clinic.objects.get()


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _line(label: str, c: dict[str, Any] | None) -> str:
    if c is None:
        return f"  {label:<10} no course with follow-up judged"
    clinic = c["clinic"]
    if clinic.get("suppressed"):
        ours = f"clinic not shown ({clinic['n']} courses)"
    else:
        ours = (
            f"clinic {_pct(clinic['rate'])} ({clinic['responders']}/{clinic['n']}, "
            f"Wilson {clinic['level']:.0%} CI {_pct(clinic['ci_low'])} to "
            f"{_pct(clinic['ci_high'])})"
        )
    lit = c["literature"]
    if lit.get("rate") is None:
        theirs = "published: no event counts"
    else:
        theirs = (
            f"published {_pct(lit['rate'])} (k={lit['k']}, CI {_pct(lit['ci_low'])} to "
            f"{_pct(lit['ci_high'])}"
        )
        if lit.get("pi_low") is not None:
            theirs += f", PI {_pct(lit['pi_low'])} to {_pct(lit['pi_high'])}"
        theirs += ")"
        if any(s["reconstructed"] for s in lit["studies"]):
            theirs += " [includes RECONSTRUCTED counts]"
    return f"  {label:<10} {ours}; {theirs}"


def render_text(report: dict[str, Any]) -> str:
    lines = [
        f"The clinic beside the literature: {report['clinic']}",
        f"Endpoint: {ENDPOINT_LABELS[report['basis']]}. {report['definition']}",
    ]
    if not report["groups"]:
        lines.append("No courses yet.")
    for g in report["groups"]:
        scales = ", ".join(g["scales"]) or "-"
        lines.append("")
        lines.append(
            f"{g['condition']} / {g['drug']} / {g['route']}: protocols "
            f"{', '.join(g['protocols'])}; {g['courses']} courses, {g['followed']} followed up "
            f"(scale {scales})"
        )
        if g["condition"] == "unclassified":
            lines.append("  not compared: no evidence condition for these protocols")
            continue
        lines.append(_line("response", g["response"]))
        lines.append(_line("remission", g["remission"]))
    lines.append("")
    lines.extend(f"Note: {n}" for n in report["notes"])
    return "\n".join(lines)


def _clinic_report(args: argparse.Namespace) -> Output:
    _setup_django()
    from ketacare.web.evidence.services import clinic_report

    clinic = _pick_clinic(args.clinic)
    report = clinic_report(clinic, basis=args.basis)
    return Output(report, render_text(report))


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "clinic-report",
        "the clinic's response and remission rates beside the pooled published rates",
        _clinic_report,
    )
    parser.add_argument("--clinic", help="the clinic's name (needed when there are several)")
    parser.add_argument(
        "--basis",
        choices=BASES,
        default="last",
        help="a course's endpoint: its latest follow-up (default) or any follow-up",
    )
