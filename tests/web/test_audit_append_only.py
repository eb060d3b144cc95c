"""The database itself refuses to change or delete an audit entry (triggers of migration
``audit.0006_append_only``, on SQLite and PostgreSQL), the ORM refuses before it gets there, the
admin offers neither, and the records an entry points to (clinic, actor, patient) cannot be
deleted from under it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from ketacare.web.accounts.models import User
from ketacare.web.audit import chain
from ketacare.web.audit.models import AuditAppendOnlyError, AuditEntry
from ketacare.web.audit.services import record

pytestmark = pytest.mark.django_db


def _entry(actor: Any, obj: Any, reason: str = "why") -> AuditEntry:
    with transaction.atomic():
        return record(actor, "patient.update", obj, {"a": 1}, {"a": 2}, reason)


def _refused(sql: str, params: list[Any]) -> str:
    """Run ``sql``; it must be refused by the database. Returns the database's message."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(caught.value)


def test_the_triggers_are_in_place_after_migrating() -> None:
    states = chain.trigger_states()
    assert states and set(states.values()) == {"enabled"}, states


def test_a_raw_sql_update_is_refused_by_the_database(nurse: Any, patient: Any) -> None:
    entry = _entry(nurse, patient)
    message = _refused("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["x", entry.pk])
    assert "audit entries are append-only" in message and "UPDATE" in message
    # every column, even one the application never reads back
    _refused("UPDATE audit_auditentry SET at = at WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == "why"


def test_a_raw_sql_delete_is_refused_by_the_database(nurse: Any, patient: Any) -> None:
    entry = _entry(nurse, patient)
    message = _refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert "audit entries are append-only" in message and "DELETE" in message
    _refused("DELETE FROM audit_auditentry", [])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_truncate_is_refused_on_postgresql(nurse: Any, patient: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE without WHERE is refused above)")
    _entry(nurse, patient)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign-key checks pending
    assert "TRUNCATE" in _refused("TRUNCATE audit_auditentry", [])
    assert AuditEntry.objects.count() == 1


def test_inserting_is_still_allowed(nurse: Any, patient: Any) -> None:
    _entry(nurse, patient, "first")
    _entry(nurse, patient, "second")
    assert list(AuditEntry.objects.order_by("seq").values_list("reason", flat=True)) == [
        "first",
        "second",
    ]


def test_the_orm_refuses_before_the_database(nurse: Any, patient: Any) -> None:
    entry = _entry(nurse, patient)
    with pytest.raises(AuditAppendOnlyError, match="update"):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(AuditAppendOnlyError, match="delete"):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditAppendOnlyError, match="bulk_update"):
        entry.reason = "rewritten"
        AuditEntry.objects.bulk_update([entry], ["reason"])
    with pytest.raises(AuditAppendOnlyError):
        entry.save()
    with pytest.raises(AuditAppendOnlyError):
        entry.delete()
    with pytest.raises(AuditAppendOnlyError):
        patient.audit_entries.all().delete()  # a related manager is the same queryset
    assert AuditEntry.objects.get(pk=entry.pk).reason == "why"


def test_the_records_an_entry_names_cannot_be_deleted_from_under_it(
    nurse: Any, patient: Any, clinic: Any
) -> None:
    _entry(nurse, patient)
    for obj in (nurse, patient, clinic):
        with pytest.raises(ProtectedError), transaction.atomic():
            obj.delete()
    assert User.objects.filter(pk=nurse.pk).exists()


def test_the_admin_shows_the_trail_read_only(client: Any, nurse: Any, patient: Any) -> None:
    entry = _entry(nurse, patient)
    root = User.objects.create_superuser("root", password="a long admin password 77")
    client.force_login(root)
    listing = client.get(reverse("admin:audit_auditentry_changelist"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Patient.update" in text or "patient.update" in text
    assert "Add audit entry" not in text and 'name="action"' not in text  # no bulk actions
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and ">Save<" not in page.content.decode()
    assert 'value="Save"' not in page.content.decode()
    # a forged post changes nothing, a delete is forbidden
    client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"reason": "x"})
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == "why"
    # nor does the admin offer to delete the people and clinics entries name
    assert client.get(reverse("admin:accounts_user_delete", args=[nurse.pk])).status_code == 403
    assert (
        client.get(reverse("admin:accounts_clinic_delete", args=[nurse.clinic_id])).status_code
        == 403
    )
    assert User.objects.filter(pk=nurse.pk).exists()


def test_a_refused_write_that_escapes_a_view_answers_409_not_500(
    client_for: Any, nurse: Any, patient: Any, monkeypatch: Any
) -> None:
    """The pages' safety net turns the database's refusal (an IntegrityError) into a 409."""
    from ketacare.web.clinic import views

    entry = _entry(nurse, patient)

    def tamper(*args: Any, **kwargs: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])

    monkeypatch.setattr(views, "record", tamper)
    response = client_for(nurse).get(reverse("patients:detail", args=[patient.uuid]))
    assert response.status_code == 409
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
