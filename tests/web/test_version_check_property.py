"""Property: however two editors interleave their saves, a save made from a stale version is
refused, every accepted save is audited, and the record holds the last accepted value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketacare.web.audit.models import AuditEntry
from ketacare.web.lib.records import ConflictError
from ketacare.web.patients import services
from ketacare.web.patients.models import Patient

# each step: (editor 0 or 1, "reload" or a phone number to save)
steps = st.lists(
    st.tuples(
        st.integers(0, 1), st.one_of(st.just("reload"), st.from_regex(r"0[0-9]{4}", fullmatch=True))
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps)
def test_interleaved_editors_never_overwrite_each_other(
    plan: list[tuple[int, str]], nurse: Any, patient: Patient
) -> None:
    start_entries = AuditEntry.objects.filter(action="patient.update").count()
    views = [Patient.objects.get(pk=patient.pk), Patient.objects.get(pk=patient.pk)]
    accepted: list[str] = []
    for editor, action in plan:
        if action == "reload":
            views[editor] = Patient.objects.get(pk=patient.pk)
            continue
        stored = Patient.objects.get(pk=patient.pk).version
        stale = views[editor].version != stored
        try:
            services.update_demographics(
                nurse, views[editor], expected_version=views[editor].version, phone=action
            )
        except ConflictError:
            assert stale
            views[editor] = Patient.objects.get(pk=patient.pk)  # the refused editor reloads
        else:
            assert not stale
            accepted.append(action)
    fresh = Patient.objects.get(pk=patient.pk)
    if accepted:
        assert fresh.phone == accepted[-1]
    new_entries = AuditEntry.objects.filter(action="patient.update").count() - start_entries
    assert new_entries == len(accepted)
