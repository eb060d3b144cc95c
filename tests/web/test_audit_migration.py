"""Migration ``audit.0002_entry_patient`` fills ``patient`` on the entries written before it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("audit", "0001_initial")]
AFTER = [("audit", "0002_entry_patient")]


@pytest.mark.django_db(transaction=True)
def test_existing_entries_get_the_patient_of_their_object(transactional_db: Any) -> None:
    executor = MigrationExecutor(connection)
    targets = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "audit"] + BEFORE
    executor.migrate(targets)  # every app at its newest, the audit before 0002
    old = executor.loader.project_state(targets).apps
    clinic = old.get_model("accounts", "Clinic").objects.create(name="Northside")
    patient = old.get_model("patients", "Patient").objects.create(
        clinic=clinic,
        record_number="N-1",
        given_name="Alex",
        family_name="Marlowe",
        date_of_birth=dt.date(1980, 5, 17),
    )
    user = old.get_model("accounts", "User").objects.create(username="priya", clinic=clinic)
    course = old.get_model("courses", "Course").objects.create(
        clinic=clinic,
        patient=patient,
        protocol_id="iv-racemic",
        drug="racemic",
        route="iv",
        start_date=dt.date(2026, 1, 5),
        weight_kg=70,
        prescriber=user,
    )
    entry = old.get_model("audit", "AuditEntry")

    def add(object_type: str, object_uuid: Any) -> int:
        made = entry.objects.create(
            clinic=clinic, action="x.y", object_type=object_type, object_uuid=object_uuid
        )
        return int(made.pk)

    own = add("patients.patient", patient.uuid)
    via_course = add("courses.course", course.uuid)
    staff = add("accounts.user", user.uuid)
    gone = add("nothere.model", uuid.uuid4())

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([n for n in targets if n[0] != "audit"] + AFTER)
    state = executor.loader.project_state(executor.loader.graph.leaf_nodes())
    new = state.apps.get_model("audit", "AuditEntry")
    patients = dict(new.objects.values_list("pk", "patient_id"))
    assert patients[own] == patient.pk
    assert patients[via_course] == patient.pk
    assert patients[staff] is None and patients[gone] is None
    # leave the database as the other tests expect it
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
