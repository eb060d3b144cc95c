"""The audit helper: inside a transaction only, append-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from ketacare.web.audit.models import AuditEntry
from ketacare.web.audit.services import AuditOutsideTransactionError, record


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(nurse: Any, patient: Any) -> None:
    with pytest.raises(AuditOutsideTransactionError):
        record(nurse, "patient.touch", patient, None, {}, "")


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_or_deleted(nurse: Any, patient: Any) -> None:
    with transaction.atomic():
        entry = record(nurse, "patient.touch", patient, None, {"a": 1}, "why")
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    assert AuditEntry.objects.count() == 1
