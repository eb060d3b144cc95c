"""PDFs (fpdf2, pure Python from PyPI): the Spravato REMS Patient Monitoring Form of a session,
from the REMS page's own rows (``treatments.rems.rems_page``), and a progress report for the
patient's referring clinician. Every number is the core's; this module lays it out."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from fpdf import FPDF

from ketacare.core.analytics import WHOLE_COURSE, course_counts
from ketacare.core.outcomes import outcome_thresholds
from ketacare.web.lib.zone import clinic_today

REPLACE = {"≤": "<=", "≥": ">=", "–": "-", "—": "-", "’": "'", "“": '"', "”": '"', "→": "->"}


def _t(value: Any) -> str:
    """Text for the PDF's core fonts (Latin-1): common symbols spelled out, the rest replaced."""
    text = "" if value is None else str(value)
    for a, b in REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _pdf(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(_t(title))
    pdf.set_creator("KetaCare")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, _t(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=9)
    return pdf


def _line(pdf: FPDF, text: str, *, bold: bool = False, size: int = 9) -> None:
    pdf.set_font("helvetica", "B" if bold else "", size)
    pdf.multi_cell(0, 5, _t(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)


def rems_form_pdf(session: Any) -> bytes:
    """The REMS Patient Monitoring Form with the page's rows: label, value, note."""
    from ketacare.web.treatments.rems import rems_page

    page = rems_page(session)
    pdf = _pdf("SPRAVATO REMS Patient Monitoring Form")
    _line(pdf, f"{session.clinic.name} - session of {session.date.isoformat()}")
    pdf.ln(2)
    for row in page["rows"]:
        value = row["display"] or "(blank: staff to complete)"
        _line(pdf, f"{row['label']}: {value}", bold=not row["blank"])
        if row.get("note"):
            _line(pdf, f"    {row['note']}", size=7)
    pdf.ln(2)
    missing = page["form"].get("missing_required") or []
    _line(pdf, "Required fields still blank: " + (", ".join(missing) or "none"), bold=True)
    _line(
        pdf,
        "Submit the form to the Spravato REMS as the REMS requires; this copy is the "
        "clinic's record.",
        size=7,
    )
    return bytes(pdf.output())


def _chart(
    pdf: FPDF,
    points: list[tuple[float, float]],
    lines: list[tuple[float, str]],
    top: float,
    label: str,
) -> None:
    """Scores (y, 0..top) over days (x) with the response and remission lines, dashed."""
    x0, y0, w, h = pdf.l_margin + 10, pdf.get_y() + 2, 160, 50
    pdf.set_draw_color(120, 120, 120)
    pdf.rect(x0, y0, w, h)
    last = max([p[0] for p in points] + [1.0])

    def xy(day: float, score: float) -> tuple[float, float]:
        return x0 + w * day / last, y0 + h * (1 - score / top)

    pdf.set_font("helvetica", size=7)
    for value, name in lines:
        _, y = xy(0, value)
        pdf.set_dash_pattern(dash=1.5, gap=1.5)
        pdf.line(x0, y, x0 + w, y)
        pdf.set_dash_pattern()
        pdf.text(x0 + w + 1, y + 1, _t(f"{name} {value:g}"))
    pdf.set_draw_color(31, 78, 121)
    for (a, b), (c, d) in itertools.pairwise(points):
        pdf.line(*xy(a, b), *xy(c, d))
    for a, b in points:
        x, y = xy(a, b)
        pdf.circle(x - 0.8, y - 0.8, 1.6)
    pdf.text(x0 - 8, y0 + 2, f"{top:g}")
    pdf.text(x0 - 4, y0 + h, "0")
    pdf.text(x0 + w / 2 - 20, y0 + h + 5, _t(label))
    pdf.set_y(y0 + h + 8)
    pdf.set_font("helvetica", size=9)


def progress_report_pdf(patient: Any) -> bytes:
    """For the referring clinician: per course, the scores over time with the response and
    remission lines, the sessions and doses, and the outcome so far (the one definition)."""
    from ketacare.web.courses.models import Course
    from ketacare.web.evidence.frames import load_frames
    from ketacare.web.measures.models import Measure
    from ketacare.web.treatments.models import TreatmentSession

    pdf = _pdf("Progress report for the referring clinician")
    _line(
        pdf,
        f"Patient: {patient.given_name} {patient.family_name}, born "
        f"{patient.date_of_birth.isoformat()}, record {patient.record_number}",
    )
    _line(
        pdf, f"Clinic: {patient.clinic.name}. Prepared {clinic_today(patient.clinic).isoformat()}."
    )
    frames = load_frames(patient.clinic, patient=patient)
    outcomes = {
        row["course_id"]: row
        for row in course_counts(*frames, definition=replace(WHOLE_COURSE, basis="last")).to_dict(
            "records"
        )
    }
    for course in Course.objects.filter(patient=patient).order_by("start_date", "pk"):
        pdf.ln(3)
        _line(
            pdf,
            f"Course: {course.drug} by the {course.route} route, protocol "
            f"{course.protocol_id}, from {course.start_date.isoformat()} ({course.status})",
            bold=True,
            size=11,
        )
        base = course.baseline_measure
        if base is not None and not base.withdrawn and base.total is not None:
            series = list(
                Measure.objects.filter(course=course, scale_id=base.scale_id, withdrawn=False)
                .exclude(total=None)
                .order_by("taken_at", "pk")
            )
            th = outcome_thresholds(base.scale_id, base.total)
            name = th.rule.get("remission", {}) or {}
            fall = th.rule["response"]["min_fall_fraction"]
            _line(
                pdf,
                f"{base.scale_id.upper()} scores (baseline {base.total:g} on "
                f"{base.taken_at.date().isoformat()}); response line: {th.response_max} or "
                f"less (a fall of {fall:.0%} or more); remission line: {th.remission_max} or less "
                f"({name.get('label', '')})",
            )
            for m in series:
                _line(pdf, f"  {m.taken_at.date().isoformat()}: {m.total:g}")
            top = 60.0 if base.scale_id == "madrs" else 27.0
            lines = []
            if th.response_max is not None:
                lines.append((th.response_max, "response"))
            if th.remission_max is not None:
                lines.append((th.remission_max, "remission"))
            start = series[0].taken_at
            _chart(
                pdf,
                [((m.taken_at - start).total_seconds() / 86400, m.total) for m in series],  # type: ignore[misc]  # the series holds scored measures only (total set)
                lines,
                top,
                "days from baseline",
            )
            o = outcomes.get(course.pk)
            if o and o["followed"]:
                verdict = (
                    "remission"
                    if o["remission"]
                    else "response"
                    if o["response"]
                    else "no response yet"
                )
                _line(
                    pdf,
                    f"Outcome so far (latest follow-up against baseline): {verdict}.",
                    bold=True,
                )
            else:
                _line(pdf, "Outcome so far: no follow-up measure yet.", bold=True)
        else:
            _line(pdf, "No baseline measure recorded for this course.")
        sessions = TreatmentSession.objects.filter(course=course).order_by("date", "pk")
        _line(pdf, "Sessions and doses:", bold=True)
        any_session = False
        for s in sessions:
            any_session = True
            dose = f"{s.dose_mg:g} mg" if s.dose_mg is not None else "no dose recorded"
            per_kg = f" ({s.dose_mg_per_kg:g} mg/kg)" if s.dose_mg_per_kg else ""
            _line(pdf, f"  {s.date.isoformat()}: {dose}{per_kg}, {s.get_status_display()}")
        if not any_session:
            _line(pdf, "  none recorded")
    return bytes(pdf.output())
