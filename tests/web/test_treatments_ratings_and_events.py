"""MOAA/S and CADSS at their timepoints, scored by the core with its follow-up against the
pre-dose rating; adverse events with severity and the serious flag."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.safety import dissociation_followup, sedation_followup
from ketacare.web.audit.models import AuditEntry
from ketacare.web.treatments.models import AdverseEvent, ScaleRating

pytestmark = pytest.mark.django_db


def _rate(client: Any, session: Any, scale: str, items: str, minute: int) -> Any:
    return client.post(
        reverse("treatments:rating", args=[session.uuid]),
        {"scale_id": scale, "items": items, "minute": str(minute)},
    )


def test_moaas_after_the_dose_gets_the_cores_sedation_followup(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    assert _rate(client, esk_session, "moaas", "5", 0).status_code == 302
    assert _rate(client, esk_session, "moaas", "3", 40).status_code == 302
    rating = ScaleRating.objects.get(session=esk_session, minute=40)
    assert rating.total == 3
    assert rating.followup == sedation_followup(3, baseline=5).to_dict()
    assert rating.followup_decision == "monitor"


def test_moaas_zero_prompts_the_adverse_event_workflow(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    _rate(client, esk_session, "moaas", "0", 40)
    page = client.get(reverse("treatments:detail", args=[esk_session.uuid])).content.decode()
    assert "Loss of consciousness recorded" in page


def test_cadss_23_items_are_scored_by_the_core(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    _rate(client, esk_session, "cadss", " ".join(["0"] * 23), 0)
    items = ["1"] * 6 + ["0"] * 17
    assert _rate(client, esk_session, "cadss", ",".join(items), 40).status_code == 302
    rating = ScaleRating.objects.get(session=esk_session, minute=40)
    assert rating.total == 6  # CADSS sums 23 items (Bremner 1998): six items at 1 = 6
    assert rating.followup == dissociation_followup(6, baseline=0).to_dict()


def test_a_wrong_item_count_names_what_is_allowed(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    response = _rate(client_for(nurse), esk_session, "cadss", "1 2 3", 40)
    assert response.status_code == 400
    assert "23" in response.context["rating"].errors["items"][0]
    assert not ScaleRating.objects.exists()


def test_an_adverse_event_keeps_its_severity_and_serious_flag(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).post(
        reverse("treatments:adverse_event", args=[iv_session.uuid]),
        {
            "description": "vomiting",
            "severity": "moderate",
            "serious": "on",
            "action_taken": "ondansetron 4 mg",
        },
    )
    assert response.status_code == 302
    event = AdverseEvent.objects.get(session=iv_session)
    assert (event.severity, event.serious) == ("moderate", True)
    assert AuditEntry.objects.filter(action="session.adverse_event").count() == 1


def test_an_unknown_severity_is_refused_beside_the_field(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).post(
        reverse("treatments:adverse_event", args=[iv_session.uuid]),
        {"description": "headache", "severity": "catastrophic"},
    )
    assert response.status_code == 400
    assert "severity" in response.context["event"].errors
    assert not AdverseEvent.objects.exists()
