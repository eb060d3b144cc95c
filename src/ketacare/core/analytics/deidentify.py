"""The de-identified research extract (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)).

From identified tables (columns below) to research tables with:

- none of the 18 Safe Harbor identifiers: names, geography below the state, every date element
  but the year (here: no year either), phone, fax, email, SSN, record numbers, plan and account
  numbers, licence numbers, vehicle and device ids, URLs, IP addresses, biometrics, photographs,
  and any other unique code. Patients and courses get research ids numbered in a random order
  (not derived from any identifier; the key is not kept);
- dates turned into whole days from the course start (``day``);
- ages at the course start in whole years, ages 90 and over grouped (``age_90_or_over`` True and
  ``age_at_start`` empty);
- no free text (notes, reasons, adverse event descriptions, indications are left out).

Input frames (plain values; the web layer reads them in one query each):
``patients``  patient_id, date_of_birth (date), sex
``courses``   course_id, patient_id, drug, route, protocol_id, status, start_date (date), weight_kg
``sessions``  course_id, date (date), dose_mg, dose_mg_per_kg
``measures``  course_id, scale_id, taken_at (datetime or date), total, is_baseline, withdrawn
``events``    course_id, date (date), severity, serious
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

SAFE_HARBOR = "HIPAA Safe Harbor, 45 CFR 164.514(b)(2)"
IDENTIFIERS_REMOVED = (
    "names",
    "geographic subdivisions smaller than a state",
    "all elements of dates (except year) directly related to an individual; ages over 89",
    "telephone numbers",
    "fax numbers",
    "email addresses",
    "social security numbers",
    "medical record numbers",
    "health plan beneficiary numbers",
    "account numbers",
    "certificate/license numbers",
    "vehicle identifiers and serial numbers",
    "device identifiers and serial numbers",
    "web URLs",
    "IP addresses",
    "biometric identifiers",
    "full-face photographs and comparable images",
    "any other unique identifying number, characteristic or code",
)

#: table -> column -> (type, description): the data dictionary shipped with every extract
DATA_DICTIONARY: dict[str, dict[str, tuple[str, str]]] = {
    "courses": {
        "research_course_id": ("integer", "the course's research id (random order, no key kept)"),
        "research_patient_id": ("integer", "the patient's research id (random order)"),
        "drug": ("string", "racemic or esketamine (core vocabulary)"),
        "route": ("string", "iv, in, im, sc, po, sl (core vocabulary)"),
        "protocol_id": ("string", "the route protocol of the core's library"),
        "status": ("string", "induction, review, maintenance or ended"),
        "sex": ("string", "female, male, other or unknown"),
        "age_at_start": ("integer", "age in whole years at the course start; empty when 90+"),
        "age_90_or_over": ("boolean", "true when the age at the course start is 90 or over"),
        "weight_kg": ("number", "weight used for dosing, kg (rounded to 1 kg)"),
    },
    "sessions": {
        "research_course_id": ("integer", "see courses"),
        "day": ("integer", "days from the course start (0 = the start date)"),
        "dose_mg": ("number", "dose given, mg"),
        "dose_mg_per_kg": ("number", "dose given, mg/kg"),
    },
    "measures": {
        "research_course_id": ("integer", "see courses"),
        "day": ("integer", "days from the course start"),
        "scale_id": ("string", "rating scale id (core.scales)"),
        "total": ("number", "total score as scored by the core"),
        "is_baseline": ("boolean", "the course's baseline on this scale"),
    },
    "adverse_events": {
        "research_course_id": ("integer", "see courses"),
        "day": ("integer", "days from the course start to the onset"),
        "severity": ("string", "mild, moderate or severe"),
        "serious": ("boolean", "a serious adverse event"),
    },
}


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _days(values: Any, start: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(pd.Series(values), utc=True).dt.tz_localize(None).dt.normalize()
    begin = pd.to_datetime(start).dt.normalize()
    return (stamps.reset_index(drop=True) - begin.reset_index(drop=True)).dt.days.astype("int64")


def deidentify(
    patients: pd.DataFrame,
    courses: pd.DataFrame,
    sessions: pd.DataFrame,
    measures: pd.DataFrame,
    events: pd.DataFrame,
    *,
    seed: int | None = None,
) -> dict[str, pd.DataFrame]:
    """The research tables (see ``DATA_DICTIONARY``); withdrawn measures are left out."""
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    pids = list(patients["patient_id"])
    cids = list(courses["course_id"])
    rng.shuffle(pids)
    rng.shuffle(cids)
    patient_key = {p: i + 1 for i, p in enumerate(pids)}
    course_key = {c: i + 1 for i, c in enumerate(cids)}
    people = patients.set_index("patient_id")
    c = courses.copy()
    born = c["patient_id"].map(people["date_of_birth"])
    ages = [_age(b, s) for b, s in zip(born, c["start_date"], strict=True)]
    old = [a >= 90 for a in ages]
    out_courses = pd.DataFrame(
        {
            "research_course_id": c["course_id"].map(course_key).astype("int64"),
            "research_patient_id": c["patient_id"].map(patient_key).astype("int64"),
            "drug": c["drug"].astype(str),
            "route": c["route"].astype(str),
            "protocol_id": c["protocol_id"].astype(str),
            "status": c["status"].astype(str),
            "sex": c["patient_id"].map(people["sex"]).astype(str),
            "age_at_start": pd.array(
                [None if o else a for a, o in zip(ages, old, strict=True)], dtype="Int64"
            ),
            "age_90_or_over": pd.array(old, dtype="bool"),
            "weight_kg": pd.to_numeric(c["weight_kg"]).round(0),
        }
    ).sort_values("research_course_id", ignore_index=True)
    start = c.set_index("course_id")["start_date"]

    def dated(frame: pd.DataFrame, when: str) -> pd.DataFrame:
        frame = frame.reset_index(drop=True)
        out = pd.DataFrame(
            {
                "research_course_id": frame["course_id"].map(course_key).astype("int64"),
                "day": _days(frame[when], frame["course_id"].map(start)),
            }
        )
        return out

    s = dated(sessions, "date")
    s["dose_mg"] = pd.to_numeric(sessions["dose_mg"].reset_index(drop=True)).astype("float64")
    s["dose_mg_per_kg"] = pd.to_numeric(sessions["dose_mg_per_kg"].reset_index(drop=True)).astype(
        "float64"
    )
    kept = measures[~measures["withdrawn"].astype(bool)].reset_index(drop=True)
    m = dated(kept, "taken_at")
    m["scale_id"] = kept["scale_id"].astype(str)
    m["total"] = pd.to_numeric(kept["total"]).astype("float64")
    m["is_baseline"] = kept["is_baseline"].astype(bool)
    e = dated(events, "date")
    e["severity"] = events["severity"].reset_index(drop=True).astype(str)
    e["serious"] = events["serious"].reset_index(drop=True).astype(bool)
    tables = {
        "courses": out_courses,
        "sessions": s.sort_values(["research_course_id", "day"], ignore_index=True),
        "measures": m.sort_values(["research_course_id", "day", "scale_id"], ignore_index=True),
        "adverse_events": e.sort_values(["research_course_id", "day"], ignore_index=True),
    }
    for name, frame in tables.items():
        assert list(frame.columns) == list(DATA_DICTIONARY[name]), name
    return tables


def data_dictionary() -> list[dict[str, str]]:
    return [
        {"table": t, "column": c, "type": ty, "description": d}
        for t, cols in DATA_DICTIONARY.items()
        for c, (ty, d) in cols.items()
    ]


def write_extract(tables: dict[str, pd.DataFrame], directory: Path, fmt: str) -> dict[str, Any]:
    """Write each table as ``<name>.parquet`` or ``<name>.csv``, ``data_dictionary.csv`` and
    ``manifest.json`` (standard, identifiers removed, per file: rows and SHA-256)."""
    if fmt not in ("parquet", "csv"):
        from ketacare.core.errors import InputError

        raise InputError("format", fmt, "parquet or csv")
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for name, frame in tables.items():
        path = directory / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        files.append(
            {
                "table": name,
                "file": path.name,
                "rows": len(frame),
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
    pd.DataFrame(data_dictionary()).to_csv(directory / "data_dictionary.csv", index=False)
    manifest = {
        "standard": SAFE_HARBOR,
        "identifiers_removed": list(IDENTIFIERS_REMOVED),
        "dates": "whole days from the course start; no calendar dates or years",
        "ages": "whole years at the course start; 90 and over grouped (age_90_or_over)",
        "free_text": "none",
        "format": fmt,
        "files": files,
        "data_dictionary": "data_dictionary.csv",
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
