"""``ketacare cohort-report``, ``ketacare export deidentified|fhir`` and ``ketacare report
progress``: the same services as the web pages and the API (``web.clinic.reports``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ketacare.commands import Output, add_command
from ketacare.commands.clinic_report import _pick_clinic, _setup_django
from ketacare.core.errors import InputError


def _pct(rate: dict[str, Any]) -> str:
    return "-" if rate.get("rate") is None else f"{100 * rate['rate']:.1f}%"


def _n(value: Any, k: int) -> str:
    return f"<{k}" if value is None else str(value)


def render_cohort(report: dict[str, Any]) -> str:
    k = report["small_cell"]
    d = report["definition"]
    ind = d["induction"]
    lines = [
        f"Cohort report: {report['clinic']}",
        f"Induction: {ind['min_sessions']}-{ind['max_sessions']} sessions over "
        f"{ind['min_days']}-{ind['max_days']} days. Endpoint: {d['endpoint']}"
        + (f", days {d['window_days'][0]}-{d['window_days'][1]}" if d["window_days"] else ""),
        f"Courses {_n(report['courses'], k)}, with induction {_n(report['with_induction'], k)}, "
        f"with maintenance {_n(report['with_maintenance'], k)}.",
    ]
    for scale in report["scales"].values():
        lines.append("")
        lines.append(scale["name"])
        for part in ("induction", "maintenance"):
            t = scale[part]["total"]
            lines.append(
                f"  {part}: n {_n(t['n'], k)}, responded {_n(t['responders'], k)} "
                f"({_pct(t['responders_rate'])}), remitted {_n(t['remitters'], k)} "
                f"({_pct(t['remitters_rate'])}), worsened {_n(t['worsened'], k)}"
            )
        fr = scale["first_response"]
        lines.append(
            f"  first response: responders {_n(fr['responders'], k)}, median sessions "
            f"{fr['median_sessions']}, late (session {fr['late_from_session']}+) "
            f"{_n(fr['late_responders'], k)}"
        )
        km = scale["durability"]["km"]
        if km:
            at = ", ".join(
                f"week {p['week']} {100 * p['survival']:.0f}% "
                f"({100 * p['ci_low']:.0f}-{100 * p['ci_high']:.0f}%)"
                for p in km["at"]
            )
            lines.append(f"  durability: median {km['median_days']} days; {at}")
    return "\n".join(lines)


def _cohort(args: argparse.Namespace) -> Output:
    _setup_django()
    from ketacare.web.evidence.outcomes import clinic_cohort_report

    report = clinic_cohort_report(_pick_clinic(args.clinic))
    return Output(report, render_cohort(report))


def _patient(clinic: Any, uuid: str) -> Any:
    from django.core.exceptions import ValidationError

    from ketacare.web.patients.models import Patient

    try:
        found = Patient.objects.filter(clinic=clinic, uuid=uuid).first()
    except ValidationError:
        found = None
    if found is None:
        raise InputError("--patient", uuid, "the UUID of a patient of the clinic")
    return found


def _export_deidentified(args: argparse.Namespace) -> Output:
    _setup_django()
    from ketacare.web.clinic.reports.exports import write_research_extract

    out = Path(args.output)
    manifest = write_research_extract(_pick_clinic(args.clinic), out, args.format)
    files = ", ".join(f"{f['file']} ({f['rows']} rows)" for f in manifest["files"])
    return Output(manifest, f"De-identified extract ({manifest['standard']}) in {out}: {files}")


def _export_fhir(args: argparse.Namespace) -> Output:
    _setup_django()
    from ketacare.web.clinic.reports.exports import write_fhir

    clinic = _pick_clinic(args.clinic)
    patient = _patient(clinic, args.patient) if args.patient else None
    manifest = write_fhir(clinic, Path(args.output), patient=patient)
    files = ", ".join(f"{o['url']} ({o['count']})" for o in manifest["output"])
    return Output(manifest, f"FHIR R4 bulk export in {args.output}: {files or 'no resources'}")


def _report_progress(args: argparse.Namespace) -> Output:
    _setup_django()
    from ketacare.web.clinic.reports.pdfs import progress_report_pdf

    clinic = _pick_clinic(args.clinic)
    patient = _patient(clinic, args.patient)
    body = progress_report_pdf(patient)
    Path(args.output).write_bytes(body)
    return Output({"output": args.output, "bytes": len(body)}, f"Wrote {args.output}")


def register(subparsers: Any) -> None:
    cohort = add_command(
        subparsers,
        "cohort-report",
        "the clinic's cohort report (ORKA shape): induction, maintenance, durability",
        _cohort,
    )
    cohort.add_argument("--clinic", help="the clinic's name (needed when there are several)")

    export = subparsers.add_parser("export", help="research extract or FHIR R4 export")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="KIND")
    deid = add_command(
        kinds,
        "deidentified",
        "the de-identified research extract (HIPAA Safe Harbor)",
        _export_deidentified,
    )
    deid.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    deid.add_argument("--output", required=True, help="directory to write")
    deid.add_argument("--clinic")
    fhir = add_command(
        kinds, "fhir", "FHIR R4 bulk export (NDJSON per resource type + manifest)", _export_fhir
    )
    fhir.add_argument("--output", required=True, help="directory to write")
    fhir.add_argument("--patient", help="one patient's UUID (default: the whole clinic)")
    fhir.add_argument("--clinic")

    report = subparsers.add_parser("report", help="PDF reports")
    which = report.add_subparsers(dest="which", required=True, metavar="REPORT")
    progress = add_command(
        which,
        "progress",
        "a patient's progress report for the referring clinician (PDF)",
        _report_progress,
    )
    progress.add_argument("--patient", required=True, help="the patient's UUID")
    progress.add_argument("--output", required=True, help="the PDF file to write")
    progress.add_argument("--clinic")
