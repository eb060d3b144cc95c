"""FHIR R4 resources from plain values, and the Bulk Data export layout.

Resources: Patient, Encounter (a treatment session), MedicationAdministration (the dose, drug
coded in RxNorm, route in SNOMED CT), Observation (scale totals and items with LOINC codes where
they exist, vital signs with theirs), QuestionnaireResponse (the item answers), AdverseEvent.
The shapes are R4's; the tests validate each with ``fhir.resources``' R4B models (FHIR 4.3, the
same structure for these resources: ``fhir.resources`` 8 ships R5 and R4B, no R4 package).

Bulk export (HL7 FHIR Bulk Data Access IG, "Bulk Data Export" output): one NDJSON file per
resource type (``Patient.ndjson``...) and a manifest ``manifest.json`` with ``transactionTime``,
``request``, ``requiresAccessToken`` and ``output: [{type, url, count}]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
LOCAL_SCALE = "urn:ketacare:scale"
LOCAL_ITEM = "urn:ketacare:scale-item"

#: scale id -> (LOINC code of the total, display); scales without a LOINC total use a local code
SCALE_TOTAL_LOINC: dict[str, tuple[str, str]] = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}
#: scale id -> LOINC codes of items 1..n (PHQ-9 panel 44249-1; GAD-7 panel 69737-5)
SCALE_ITEM_LOINC: dict[str, tuple[str, ...]] = {
    "phq9": (
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ),
    "gad7": ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
}
#: vital sign -> (LOINC, display, UCUM unit)
VITALS_LOINC: dict[str, tuple[str, str, str]] = {
    "systolic": ("8480-6", "Systolic blood pressure", "mm[Hg]"),
    "diastolic": ("8462-4", "Diastolic blood pressure", "mm[Hg]"),
    "heart_rate": ("8867-4", "Heart rate", "/min"),
    "spo2": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    "resp_rate": ("9279-1", "Respiratory rate", "/min"),
}
#: drug -> (RxNorm ingredient RxCUI, display). Ketamine 6130 is the RxNorm ingredient; the
#: esketamine ingredient code is as given in the issue and NOT verified against RxNav here.
DRUG_RXNORM: dict[str, tuple[str, str]] = {
    "racemic": ("6130", "ketamine"),
    "esketamine": ("2119365", "esketamine"),
}
#: route -> (SNOMED CT route code, display)
ROUTE_SNOMED: dict[str, tuple[str, str]] = {
    "iv": ("47625008", "Intravenous route"),
    "in": ("46713006", "Nasal route"),
    "im": ("78421000", "Intramuscular route"),
    "sc": ("34206005", "Subcutaneous route"),
    "po": ("26643006", "Oral route"),
    "sl": ("37839007", "Sublingual route"),
}
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
SEVERITY = {"mild": "mild", "moderate": "moderate", "severe": "severe"}


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def _ref(kind: str, rid: str) -> dict[str, str]:
    return {"reference": f"{kind}/{rid}"}


def patient(
    rid: str,
    *,
    record_number: str,
    clinic_system: str,
    given: str,
    family: str,
    birth_date: date,
    sex: str,
    phone: str = "",
    email: str = "",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": rid,
        "identifier": [{"system": clinic_system, "value": record_number}],
        "name": [{"family": family, "given": [given]}],
        "gender": GENDER.get(sex, "unknown"),
        "birthDate": birth_date.isoformat(),
    }
    telecom = [{"system": "phone", "value": phone}] if phone else []
    if email:
        telecom.append({"system": "email", "value": email})
    if telecom:
        out["telecom"] = telecom
    return out


def encounter(
    rid: str, *, patient_id: str, start: datetime | date, end: datetime | None, signed: bool
) -> dict[str, Any]:
    period: dict[str, Any] = {"start": _iso(start)}
    if end is not None:
        period["end"] = _iso(end)
    return {
        "resourceType": "Encounter",
        "id": rid,
        "status": "finished" if signed else "in-progress",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{"text": "ketamine/esketamine treatment session"}],
        "subject": _ref("Patient", patient_id),
        "period": period,
    }


def medication_administration(
    rid: str,
    *,
    patient_id: str,
    encounter_id: str,
    drug: str,
    route: str,
    dose_mg: float,
    at: datetime,
) -> dict[str, Any]:
    code, display = DRUG_RXNORM[drug]
    dosage: dict[str, Any] = {
        "dose": {
            "value": float(dose_mg),
            "unit": "mg",
            "system": "http://unitsofmeasure.org",
            "code": "mg",
        }
    }
    if route in ROUTE_SNOMED:
        r_code, r_display = ROUTE_SNOMED[route]
        dosage["route"] = {"coding": [{"system": SNOMED, "code": r_code, "display": r_display}]}
    return {
        "resourceType": "MedicationAdministration",
        "id": rid,
        "status": "completed",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": display}],
            "text": display,
        },
        "subject": _ref("Patient", patient_id),
        "context": _ref("Encounter", encounter_id),
        "effectiveDateTime": _iso(at),
        "dosage": dosage,
    }


def _scale_code(scale_id: str, name: str) -> dict[str, Any]:
    coding = []
    if scale_id in SCALE_TOTAL_LOINC:
        code, display = SCALE_TOTAL_LOINC[scale_id]
        coding.append({"system": LOINC, "code": code, "display": display})
    coding.append({"system": LOCAL_SCALE, "code": f"{scale_id}-total", "display": f"{name} total"})
    return {"coding": coding, "text": f"{name} total score"}


def scale_observation(
    rid: str,
    *,
    patient_id: str,
    scale_id: str,
    name: str,
    total: float,
    items: list[int | float] | None,
    at: datetime,
    questionnaire_response_id: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": _scale_code(scale_id, name),
        "subject": _ref("Patient", patient_id),
        "effectiveDateTime": _iso(at),
        "valueQuantity": {"value": float(total), "unit": "{score}"},
    }
    if items:
        loinc = SCALE_ITEM_LOINC.get(scale_id, ())
        components = []
        for i, value in enumerate(items, start=1):
            coding = []
            if i <= len(loinc):
                coding.append({"system": LOINC, "code": loinc[i - 1]})
            coding.append({"system": LOCAL_ITEM, "code": f"{scale_id}-{i}"})
            components.append(
                {"code": {"coding": coding}, "valueInteger": int(value)}
                if float(value).is_integer()
                else {"code": {"coding": coding}, "valueQuantity": {"value": float(value)}}
            )
        out["component"] = components
    if questionnaire_response_id:
        out["derivedFrom"] = [_ref("QuestionnaireResponse", questionnaire_response_id)]
    return out


def questionnaire_response(
    rid: str, *, patient_id: str, scale_id: str, items: list[int | float], at: datetime
) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": f"urn:ketacare:questionnaire:{scale_id}",
        "status": "completed",
        "subject": _ref("Patient", patient_id),
        "authored": _iso(at),
        "item": [
            {
                "linkId": str(i),
                "answer": [
                    {"valueInteger": int(v)}
                    if float(v).is_integer()
                    else {"valueDecimal": float(v)}
                ],
            }
            for i, v in enumerate(items, start=1)
        ],
    }


def vital_observations(
    rid_prefix: str,
    *,
    patient_id: str,
    encounter_id: str,
    at: datetime,
    values: dict[str, float | None],
) -> list[dict[str, Any]]:
    out = []
    for key, (code, display, unit) in VITALS_LOINC.items():
        value = values.get(key)
        if value is None:
            continue
        out.append(
            {
                "resourceType": "Observation",
                "id": f"{rid_prefix}-{key.replace('_', '-')}",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": (
                                    "http://terminology.hl7.org/CodeSystem/observation-category"
                                ),
                                "code": "vital-signs",
                            }
                        ]
                    }
                ],
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                "subject": _ref("Patient", patient_id),
                "encounter": _ref("Encounter", encounter_id),
                "effectiveDateTime": _iso(at),
                "valueQuantity": {
                    "value": float(value),
                    "unit": unit,
                    "system": "http://unitsofmeasure.org",
                    "code": unit,
                },
            }
        )
    return out


def adverse_event(
    rid: str,
    *,
    patient_id: str,
    encounter_id: str,
    at: datetime,
    description: str,
    severity: str,
    serious: bool,
) -> dict[str, Any]:
    return {
        "resourceType": "AdverseEvent",
        "id": rid,
        "actuality": "actual",
        "event": {"text": description},
        "subject": _ref("Patient", patient_id),
        "encounter": _ref("Encounter", encounter_id),
        "date": _iso(at),
        "seriousness": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                    "code": "serious" if serious else "non-serious",
                }
            ]
        },
        "severity": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/adverse-event-severity",
                    "code": SEVERITY.get(severity, "mild"),
                }
            ]
        },
    }


def bundle(resources: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A ``collection`` Bundle of ``resources`` (the per-patient export)."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:ketacare:{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


def write_bulk(
    resources: Iterable[dict[str, Any]],
    directory: Path,
    *,
    transaction_time: datetime,
    request: str,
) -> dict[str, Any]:
    """One ``<Type>.ndjson`` per resource type and ``manifest.json`` (Bulk Data layout)."""
    directory.mkdir(parents=True, exist_ok=True)
    handles: dict[str, Any] = {}
    counts: dict[str, int] = {}
    try:
        for r in resources:
            kind = r["resourceType"]
            if kind not in handles:
                handles[kind] = (directory / f"{kind}.ndjson").open("w", encoding="utf-8")
                counts[kind] = 0
            handles[kind].write(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n")
            counts[kind] += 1
    finally:
        for h in handles.values():
            h.close()
    manifest = {
        "transactionTime": transaction_time.isoformat(),
        "request": request,
        "requiresAccessToken": True,
        "output": [
            {"type": kind, "url": f"{kind}.ndjson", "count": counts[kind]}
            for kind in sorted(counts)
        ],
        "error": [],
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
