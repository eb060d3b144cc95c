"""PDFs, read back with pypdf: the progress report Dr Priya Shah sends to Alex Marlowe's referring
clinician, and the REMS Patient Monitoring Form of an esketamine session (Noor Haddad, nurse)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader


def _text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def progress(patient: Any, iv_course: Any, prescriber: Any) -> Any:
    from ketacare.web.measures.models import Measure
    from ketacare.web.treatments.models import TreatmentSession

    def m(d: int, total: int, baseline: bool = False) -> Any:
        return Measure.objects.create(
            clinic=patient.clinic,
            patient=patient,
            course=iv_course,
            scale_id="phq9",
            taken_at=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC) + dt.timedelta(days=d),
            items=[min(3, max(0, total - 3 * i)) for i in range(8)] + [0],
            result={},
            total=total,
            is_baseline=baseline,
            entered_by=prescriber,
        )

    iv_course.baseline_measure = m(0, 20, baseline=True)
    iv_course.save(update_fields=["baseline_measure"])
    m(7, 12)
    m(16, 8)
    TreatmentSession.objects.create(
        clinic=patient.clinic,
        patient=patient,
        course=iv_course,
        date=dt.date(2026, 1, 5),
        weight_kg=70,
        dose_mg=35,
        dose_mg_per_kg=0.5,
        started_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        created_by=prescriber,
    )
    return iv_course


@pytest.mark.django_db
def test_the_progress_report_shows_scores_lines_doses_and_outcome(
    prescriber: Any, patient: Any, progress: Any, client_for: Any
) -> None:
    response = client_for(prescriber).get(f"/reports/progress/{patient.uuid}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Progress report for the referring clinician" in text
    assert "Alex Marlowe" in text
    assert "baseline 20" in text and "2026-01-21: 8" in text
    # the core's lines for a baseline of 20: response at 10 or less, remission at 4 or less
    assert "response line: 10.0 or less" in text and "remission line: 4.0 or less" in text
    assert "2026-01-05: 35 mg (0.5 mg/kg)" in text
    assert "Outcome so far (latest follow-up against baseline): response." in text


@pytest.mark.django_db
def test_the_cli_writes_the_same_report(
    clinic: Any, patient: Any, progress: Any, tmp_path: Path, capsys: Any
) -> None:
    from ketacare.cli import main

    out = tmp_path / "progress.pdf"
    args = ["report", "progress", "--patient", str(patient.uuid), "--output", str(out)]
    assert main([*args, "--clinic", clinic.name]) == 0
    assert "Alex Marlowe" in _text(out.read_bytes())
    assert main(["report", "progress", "--patient", "nope", "--output", str(out),
                 "--clinic", clinic.name]) == 2  # fmt: skip


@pytest.mark.django_db
def test_the_rems_form_pdf_holds_the_rems_page_rows(
    nurse: Any, esk_session: Any, client_for: Any, researcher: Any
) -> None:
    from ketacare.web.treatments.rems import rems_page

    response = client_for(nurse).get(f"/reports/rems/{esk_session.uuid}/")
    assert response.status_code == 200
    text = _text(response.content)
    assert "SPRAVATO REMS Patient Monitoring Form" in text
    rows = rems_page(esk_session)["rows"]
    first = next(r for r in rows if r["name"] == "patient_last_name")
    assert f"{first['label']}: Marlowe" in text
    assert "Required fields still blank:" in text
    assert client_for(researcher).get(f"/reports/rems/{esk_session.uuid}/").status_code == 403


@pytest.mark.django_db
def test_an_iv_session_has_no_rems_form_pdf(nurse: Any, iv_session: Any, client_for: Any) -> None:
    """The REMS Patient Monitoring Form is for SPRAVATO (esketamine) sessions only: an IV racemic
    session's dose (e.g. 26.5 mg) is not a REMS dose, so its form answers 404, not 500 (the demo
    crawl found the 500)."""
    response = client_for(nurse).get(f"/reports/rems/{iv_session.uuid}/")
    assert response.status_code == 404
