"""The research extract and the FHIR export, from the database (one query per table): rows read
here, every resource and every de-identified column built by ``core.analytics``."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils import timezone

from ketacare.core.analytics import deidentify as core_deid
from ketacare.core.analytics import fhir as core_fhir
from ketacare.core.outcomes import get_scale_rules


def _frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def research_tables(clinic: Any, *, seed: int | None = None) -> dict[str, pd.DataFrame]:
    from ketacare.web.courses.models import Course
    from ketacare.web.measures.models import Measure
    from ketacare.web.patients.models import Patient
    from ketacare.web.treatments.models import AdverseEvent, TreatmentSession

    patients = _frame(
        list(Patient.objects.filter(clinic=clinic).values_list("pk", "date_of_birth", "sex")),
        ["patient_id", "date_of_birth", "sex"],
    )
    courses = _frame(
        list(
            Course.objects.filter(clinic=clinic).values_list(
                "pk",
                "patient_id",
                "drug",
                "route",
                "protocol_id",
                "status",
                "start_date",
                "weight_kg",
            )
        ),
        [
            "course_id",
            "patient_id",
            "drug",
            "route",
            "protocol_id",
            "status",
            "start_date",
            "weight_kg",
        ],
    )
    sessions = _frame(
        list(
            TreatmentSession.objects.filter(clinic=clinic, started_at__isnull=False).values_list(
                "course_id", "date", "dose_mg", "dose_mg_per_kg"
            )
        ),
        ["course_id", "date", "dose_mg", "dose_mg_per_kg"],
    )
    measures = _frame(
        list(
            Measure.objects.filter(clinic=clinic, course__isnull=False).values_list(
                "course_id", "scale_id", "taken_at", "total", "is_baseline", "withdrawn"
            )
        ),
        ["course_id", "scale_id", "taken_at", "total", "is_baseline", "withdrawn"],
    )
    events = _frame(
        list(
            AdverseEvent.objects.filter(clinic=clinic, withdrawn=False).values_list(
                "session__course_id", "onset_at", "severity", "serious"
            )
        ),
        ["course_id", "date", "severity", "serious"],
    )
    return core_deid.deidentify(patients, courses, sessions, measures, events, seed=seed)


def write_research_extract(clinic: Any, directory: Path, fmt: str) -> dict[str, Any]:
    return core_deid.write_extract(research_tables(clinic), directory, fmt)


def _zip_directory(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(directory.iterdir()):
            z.write(path, path.name)
    return buffer.getvalue()


def deidentified_zip(clinic: Any, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        write_research_extract(clinic, Path(tmp), fmt)
        return _zip_directory(Path(tmp))


def _items(items: Any) -> list[int | float] | None:
    if isinstance(items, list) and items and all(isinstance(v, (int, float)) for v in items):
        return list(items)
    return None


def _scale_name(scale_id: str) -> str:
    try:
        return get_scale_rules(scale_id).name
    except Exception:
        return scale_id


def fhir_resources(clinic: Any, *, patient: Any = None) -> Iterator[dict[str, Any]]:
    """Every resource of ``clinic`` (or of one ``patient``): one query per table."""
    from ketacare.web.measures.models import Measure
    from ketacare.web.patients.models import Patient
    from ketacare.web.treatments.models import AdverseEvent, TreatmentSession, VitalSign

    scope: dict[str, Any] = {"clinic": clinic}
    system = f"urn:ketacare:clinic:{clinic.uuid}:record-number"
    patients = Patient.objects.filter(**scope)
    if patient is not None:
        patients = patients.filter(pk=patient.pk)
    by_pk: dict[int, str] = {}
    for p in patients.order_by("pk"):
        by_pk[p.pk] = str(p.uuid)
        yield core_fhir.patient(
            str(p.uuid),
            record_number=p.record_number,
            clinic_system=system,
            given=p.given_name,
            family=p.family_name,
            birth_date=p.date_of_birth,
            sex=p.sex,
            phone=p.phone,
            email=p.email,
        )
    sessions = TreatmentSession.objects.filter(clinic=clinic, patient_id__in=by_pk).select_related(
        "course"
    )
    enc: dict[int, tuple[str, str]] = {}
    for s in sessions.order_by("pk"):
        pid = by_pk[s.patient_id]
        enc[s.pk] = (str(s.uuid), pid)
        yield core_fhir.encounter(
            str(s.uuid),
            patient_id=pid,
            start=s.started_at or s.date,
            end=s.discharged_at or s.ended_at,
            signed=s.status == "signed",
        )
        if (
            s.dose_mg is not None
            and s.started_at is not None
            and s.course.drug in (core_fhir.DRUG_RXNORM)
        ):
            yield core_fhir.medication_administration(
                f"{s.uuid}-dose",
                patient_id=pid,
                encounter_id=str(s.uuid),
                drug=s.course.drug,
                route=s.course.route,
                dose_mg=s.dose_mg,
                at=s.started_at,
            )
    for v in VitalSign.objects.filter(clinic=clinic, withdrawn=False, session_id__in=enc).order_by(
        "pk"
    ):
        sid, pid = enc[v.session_id]
        yield from core_fhir.vital_observations(
            str(v.uuid),
            patient_id=pid,
            encounter_id=sid,
            at=v.taken_at,
            values={
                "systolic": v.systolic,
                "diastolic": v.diastolic,
                "heart_rate": v.heart_rate,
                "spo2": v.spo2,
                "resp_rate": v.resp_rate,
            },
        )
    for m in Measure.objects.filter(clinic=clinic, withdrawn=False, patient_id__in=by_pk).order_by(
        "pk"
    ):
        if m.total is None:
            continue
        pid = by_pk[m.patient_id]
        items = _items(m.items)
        qr = None
        if items:
            qr = f"{m.uuid}-qr"
            yield core_fhir.questionnaire_response(
                qr, patient_id=pid, scale_id=m.scale_id, items=items, at=m.taken_at
            )
        yield core_fhir.scale_observation(
            str(m.uuid),
            patient_id=pid,
            scale_id=m.scale_id,
            name=_scale_name(m.scale_id),
            total=m.total,
            items=items,
            at=m.taken_at,
            questionnaire_response_id=qr,
        )
    for e in AdverseEvent.objects.filter(
        clinic=clinic, withdrawn=False, session_id__in=enc
    ).order_by("pk"):
        sid, pid = enc[e.session_id]
        yield core_fhir.adverse_event(
            str(e.uuid),
            patient_id=pid,
            encounter_id=sid,
            at=e.onset_at,
            description=e.description,
            severity=e.severity,
            serious=e.serious,
        )


def patient_bundle(patient: Any) -> dict[str, Any]:
    return core_fhir.bundle(fhir_resources(patient.clinic, patient=patient))


def write_fhir(clinic: Any, directory: Path, *, patient: Any = None) -> dict[str, Any]:
    request = "ketacare export fhir" + (f" --patient {patient.uuid}" if patient else "")
    return core_fhir.write_bulk(
        fhir_resources(clinic, patient=patient),
        directory,
        transaction_time=timezone.now(),
        request=request,
    )


def fhir_zip(clinic: Any) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        write_fhir(clinic, Path(tmp))
        return _zip_directory(Path(tmp))
