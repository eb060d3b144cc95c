"""Measures and alerts through the API: scored by the core, field errors naming the item and its
range, the same permission rules, the version check on acknowledgement."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.core import scales as core_scales
from ketacare.web.measures.models import Alert, Measure


def _post(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/measures", body, content_type="application/json")


@pytest.mark.django_db
def test_a_nurse_records_a_measure_scored_by_the_core(
    nurse: Any, patient: Any, client_for: Any
) -> None:
    items = [2, 2, 1, 1, 1, 1, 1, 1, 0]
    response = _post(
        client_for(nurse), {"patient": str(patient.uuid), "scale_id": "phq9", "items": items}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["result"] == core_scales.score("phq9", items).to_dict()
    assert body["total"] == core_scales.score("phq9", items).total
    assert body["alert"] is None


@pytest.mark.django_db
def test_an_out_of_range_item_names_the_item_and_the_range(
    nurse: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    response = _post(
        client_for(nurse),
        {"patient": str(patient.uuid), "scale_id": "phq9", "items": [0] * 8 + [4]},
    )
    error = api_error(response, 400, "invalid", "phq9 item 9")
    assert "0-3" in error["fields"]["phq9 item 9"] or "allowed" in error["fields"]["phq9 item 9"]
    assert not Measure.objects.exists()


@pytest.mark.django_db
def test_a_positive_signal_raises_an_alert_that_is_acknowledged_once(
    nurse: Any, prescriber: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    body = _post(
        client_for(nurse),
        {"patient": str(patient.uuid), "scale_id": "phq9", "items": [1] * 8 + [3]},
    ).json()
    assert body["alert"] is not None
    alerts = client_for(prescriber).get("/api/v1/alerts").json()
    assert [a["uuid"] for a in alerts] == [body["alert"]]
    url = f"/api/v1/alerts/{body['alert']}/acknowledge"
    ok = client_for(prescriber).post(
        url, {"note": "seen", "version": 1}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["acknowledged_at"]
    again = client_for(nurse).post(
        url, {"note": "also", "version": 1}, content_type="application/json"
    )
    api_error(again, 409, "conflict")
    assert Alert.objects.get().acknowledgement_note == "seen"


@pytest.mark.django_db
def test_front_desk_and_the_other_clinic_cannot_touch_measures(
    front_desk: Any, other_clinician: Any, world: dict[str, Any], client_for: Any, api_error: Any
) -> None:
    body = {"patient": str(world["patient"].uuid), "scale_id": "phq9", "items": [0] * 9}
    api_error(_post(client_for(front_desk), body), 403, "forbidden")
    api_error(_post(client_for(other_clinician), body), 404, "not_found")
    api_error(
        client_for(other_clinician).get(f"/api/v1/measures/{world['measure'].uuid}"),
        404,
        "not_found",
    )
    assert client_for(other_clinician).get("/api/v1/alerts").json() == []
