"""Every opening of a patient's chart is on the audit trail: who, which patient, when, and
whether they saw the clinical chart or the demographics only. One entry per page view (no
de-duplication: a reload is another opening)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ketacare.web.audit import chain
from ketacare.web.audit.actions import ACTION_LABELS
from ketacare.web.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _chart(patient: Any) -> str:
    return reverse("patients:detail", args=[patient.uuid])


def _opened() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="chart.open").order_by("seq"))


def test_each_opening_is_one_entry_naming_who_and_whose_chart(
    client_for: Any, nurse: Any, front_desk: Any, patient: Any
) -> None:
    nurse_client = client_for(nurse)
    assert nurse_client.get(_chart(patient)).status_code == 200
    assert nurse_client.get(_chart(patient)).status_code == 200  # a reload is another opening
    assert client_for(front_desk).get(_chart(patient)).status_code == 200
    entries = _opened()
    assert [(e.actor_id, e.patient_id) for e in entries] == [
        (nurse.pk, patient.pk),
        (nurse.pk, patient.pk),
        (front_desk.pk, patient.pk),
    ]
    assert entries[0].after == {"view": "full chart"}
    assert entries[2].after == {"view": "demographics and appointments"}
    assert entries[0].object_type == "patients.patient" and entries[0].object_uuid == patient.uuid
    assert entries[0].clinic_id == patient.clinic_id and entries[0].at is not None
    assert chain.verify().intact


def test_a_chart_of_another_clinic_is_not_opened_nor_recorded(
    client_for: Any, other_clinician: Any, patient: Any
) -> None:
    assert client_for(other_clinician).get(_chart(patient)).status_code == 404
    assert _opened() == []


def test_the_trail_shows_the_openings_in_words(
    client_for: Any, admin_user: Any, nurse: Any, patient: Any
) -> None:
    client_for(nurse).get(_chart(patient))
    page = client_for(admin_user).get(reverse("audit:list"), {"action": "chart.open"})
    text = page.content.decode()
    assert page.status_code == 200
    assert ACTION_LABELS["chart.open"] == "Chart opened"
    assert "Chart opened" in text and "Noor Haddad" in text
    assert "Marlowe, Alex (N-0001)" in text and "View: full chart" in text
    assert "Charts opened" in text  # the group in the action filter
