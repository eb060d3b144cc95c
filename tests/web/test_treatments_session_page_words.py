"""The session page says what the core decided, in words a clinic reads: each step's blockers
(the core's reasons and sources, never re-derived), the "What happens next" panel, every dose
override, the early-discharge form for prescribers only, amendments as "field: before → after",
an off-plan date, times in the clinic's zone, and ratings entered item by item."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ketacare.core import safety as core_safety
from ketacare.core import scales as core_scales
from ketacare.web.treatments import services
from ketacare.web.treatments.models import ScaleRating
from ketacare.web.treatments.workflow import state_for

from .conftest import run_to_signable

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    """What a person reads: the page without its tags, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _page(client: Any, session: Any) -> Any:
    response = client.get(reverse("treatments:detail", args=[session.uuid]))
    assert response.status_code == 200
    return response


def _checklist(session: Any, user: Any, **extra: Any) -> Any:
    data = {"systolic": 124, "diastolic": 78, "fasting_hours": 6, "ride_home": True}
    if session.course.drug == "esketamine":
        data.update(liquids_minutes=60, rems_enrolled=True)
    data.update(extra)
    at = timezone.now() - dt.timedelta(minutes=30)
    return services.record_checklist(user, session, expected_version=session.version, at=at, **data)


def test_a_blocking_gate_shows_the_cores_dose_blocker_in_words(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    _checklist(iv_session, nurse, ride_home=False)
    assert iv_session.gates_overall == "block"
    blocker = state_for(iv_session).verdict("dose").blockers[0]
    text = _text(_page(client_for(nurse), iv_session))
    assert blocker.reason in text and blocker.source in text
    assert "Do not dose" in text  # the gate's decision in words
    assert "Ride home" in text and "Blood pressure before dosing" in text  # gates in words
    assert " block " not in f" {text} " and "ride_home" not in text
    # no dose form while the core refuses the dose
    assert 'id="dose-form"' not in _page(client_for(nurse), iv_session).content.decode()


def test_a_gate_that_needs_the_prescriber_says_so_to_the_nurse(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _checklist(esk_session, nurse, systolic=150, diastolic=95)
    assert esk_session.gates_overall == "needs_prescriber"
    text = _text(_page(client_for(nurse), esk_session))
    assert "Prescriber must decide" in text
    assert "A pre-dose gate needs the prescriber's decision before the dose is recorded." in text
    assert "needs_prescriber" not in text
    assert "a prescriber records this" in text  # the next step, and who takes it


def test_what_happens_next_prints_the_stage_and_the_first_blocker_of_signing(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _checklist(esk_session, nurse)
    services.set_dose(nurse, esk_session, expected_version=esk_session.version)
    state = state_for(esk_session)
    response = _page(client_for(nurse), esk_session)
    panel = re.search(r'id="next-panel".*?</section>', response.content.decode(), re.S)
    assert panel is not None
    words = html.unescape(re.sub(r"<[^>]+>", " ", panel.group(0)))
    assert "Dose recorded" in words
    assert state.verdict("sign").blockers[0].reason in words
    assert "Record times and lot" in words  # the next allowed step


def test_every_dose_override_is_listed_with_who_and_when(
    iv_session: Any, prescriber: Any, client_for: Any
) -> None:
    _checklist(iv_session, prescriber)
    services.set_dose(
        prescriber,
        iv_session,
        dose_mg_per_kg=0.9,
        override_reason="partial response at 0.75 mg/kg",
        expected_version=iv_session.version,
    )
    services.set_dose(
        prescriber,
        iv_session,
        dose_mg_per_kg=1.0,
        override_reason="still partial at 0.9 mg/kg, BP stable",
        expected_version=iv_session.version,
    )
    iv_session.refresh_from_db()
    assert len(iv_session.dose_overrides) == 2
    text = _text(_page(client_for(prescriber), iv_session))
    assert "Dose overrides (2)" in text
    assert "partial response at 0.75 mg/kg" in text
    assert "still partial at 0.9 mg/kg, BP stable" in text
    assert text.count(prescriber.display_name) >= 2
    assert "63 mg (0.9 mg/kg)" in text and "70 mg (1 mg/kg)" in text


def _dosing_started(session: Any, user: Any) -> None:
    _checklist(session, user)
    services.set_dose(user, session, expected_version=session.version)
    services.record_administration(
        user,
        session,
        started_at=timezone.now() - dt.timedelta(minutes=20),
        expected_version=session.version,
    )


def test_the_early_discharge_form_is_for_prescribers_only(
    iv_session: Any, nurse: Any, prescriber: Any, client_for: Any
) -> None:
    url = reverse("treatments:early_discharge", args=[iv_session.uuid])
    # before dosing started the core does not allow it: no form, even for the prescriber
    assert (
        'id="early-discharge-form"'
        not in _page(client_for(prescriber), iv_session).content.decode()
    )
    _dosing_started(iv_session, nurse)
    assert 'id="early-discharge-form"' in _page(client_for(prescriber), iv_session).content.decode()
    assert 'id="early-discharge-form"' not in _page(client_for(nurse), iv_session).content.decode()
    data = {
        "version": iv_session.version,
        "kind": "transfer",
        "early_reason": "to the ED for chest pain",
    }
    assert client_for(nurse).post(url, data).status_code == 403
    response = client_for(prescriber).post(url, data)
    assert response.status_code == 302
    iv_session.refresh_from_db()
    assert iv_session.early_discharge_kind == "transfer"
    assert iv_session.early_discharge_reason == "to the ED for chest pain"
    text = _text(_page(client_for(nurse), iv_session))
    assert "Transfer to another setting of care" in text
    assert "Early discharge or transfer recorded by a prescriber." in text  # the core's warning


def test_an_early_discharge_without_a_reason_is_refused_beside_the_field(
    iv_session: Any, nurse: Any, prescriber: Any, client_for: Any
) -> None:
    _dosing_started(iv_session, nurse)
    url = reverse("treatments:early_discharge", args=[iv_session.uuid])
    response = client_for(prescriber).post(
        url, {"version": iv_session.version, "kind": "early", "early_reason": ""}
    )
    assert response.status_code == 400
    assert response.context["early"].errors["early_reason"]
    iv_session.refresh_from_db()
    assert iv_session.early_discharge_reason == ""


def test_amendments_read_as_field_before_after_who_when_why(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    run_to_signable(iv_session, nurse)
    services.sign_session(nurse, iv_session, expected_version=iv_session.version)
    services.record_administration(
        nurse,
        iv_session,
        lot_number="K-2",
        started_at=iv_session.started_at,
        ended_at=iv_session.ended_at,
        expected_version=iv_session.version,
        reason="lot misread from the vial",
    )
    text = _text(_page(client_for(nurse), iv_session))
    assert "Lot number: K-1 → K-2" in text
    assert "lot misread from the vial" in text
    assert nurse.display_name in text
    section = text[text.index("Amendments") :]
    assert "{" not in section and "_id" not in section


def test_a_session_given_on_another_day_says_planned_and_given(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    planned = iv_session.planned.date
    iv_session.date = planned + dt.timedelta(days=2)
    iv_session.save(update_fields=["date"])
    text = _text(_page(client_for(nurse), iv_session))
    assert f"Planned for {planned:%a} {planned.day} {planned:%b %Y}" in text
    given = iv_session.date
    assert f"given {given:%a} {given.day} {given:%b %Y}" in text


def test_the_header_names_the_patient_and_the_consent(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    patient = iv_session.patient
    text = _text(_page(client_for(nurse), iv_session))
    assert patient.full_name in text and patient.record_number in text
    assert f"Born {patient.date_of_birth.day} {patient.date_of_birth:%b %Y}" in text
    assert "Consent on file" in text
    assert "iv-racemic" not in text.split("What happens next")[0]  # the protocol by its name


def test_the_checklist_done_at_is_read_in_the_clinics_time_zone(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    clinic = iv_session.clinic
    clinic.time_zone = "America/New_York"
    clinic.save(update_fields=["time_zone"])
    local_now = timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=-5)))
    done = (local_now - dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    response = client_for(nurse).post(
        reverse("treatments:checklist", args=[iv_session.uuid]),
        {
            "version": iv_session.version,
            "systolic": "124",
            "diastolic": "78",
            "fasting_hours": "6",
            "ride_home": "yes",
            "at": done.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    iv_session.refresh_from_db()
    import zoneinfo

    zone = zoneinfo.ZoneInfo("America/New_York")
    expected = done.replace(tzinfo=None).replace(tzinfo=zone)
    assert iv_session.checklist_at == expected
    text = _text(_page(client_for(nurse), iv_session))
    assert f"done at {expected.astimezone(zone):%H:%M %Z}" in text
    # every date-time input carries the clinic's offset for its "now" button
    assert 'data-utc-offset="' in _page(client_for(nurse), iv_session).content.decode()


def _cadss_post(client: Any, session: Any, values: list[int], minute: int) -> Any:
    data: dict[str, Any] = {"scale_id": "cadss", "minute": str(minute)}
    data.update({f"item_{n}": str(v) for n, v in enumerate(values, start=1)})
    return client.post(reverse("treatments:rating", args=[session.uuid]), data)


def test_cadss_entered_item_by_item_is_scored_by_the_core_as_the_list_was(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    values = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2]
    assert _cadss_post(client, esk_session, [0] * 23, 0).status_code == 302
    assert _cadss_post(client, esk_session, values, 40).status_code == 302
    by_item = ScaleRating.objects.get(session=esk_session, scale_id="cadss", minute=40)
    assert by_item.items == values
    assert by_item.total == core_scales.score("cadss", values).total == sum(values)
    assert by_item.followup == core_safety.dissociation_followup(sum(values), baseline=0).to_dict()
    # the same list sent as one field (API clients) scores the same
    response = client.post(
        reverse("treatments:rating", args=[esk_session.uuid]),
        {"scale_id": "cadss", "minute": "41", "items": " ".join(map(str, values))},
    )
    assert response.status_code == 302
    as_list = ScaleRating.objects.get(session=esk_session, scale_id="cadss", minute=41)
    assert as_list.total == by_item.total and as_list.result == by_item.result


def test_a_cadss_with_an_item_left_blank_is_refused_naming_the_item(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    data: dict[str, Any] = {"scale_id": "cadss", "minute": "40"}
    data.update({f"item_{n}": "1" for n in range(1, 24) if n != 7})
    response = client_for(nurse).post(reverse("treatments:rating", args=[esk_session.uuid]), data)
    assert response.status_code == 400
    assert "item 7" in " ".join(response.context["rating"].errors["items"])
    assert not ScaleRating.objects.filter(session=esk_session).exists()


def test_the_page_offers_each_chair_scale_item_by_item_with_its_labels(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    page = _page(client_for(nurse), esk_session).content.decode()
    for scale in ("moaas", "cadss"):
        definition = core_scales.get_scale(scale)
        assert f'id="rating-form-{scale}"' in page
        for item in definition.items:
            assert f'name="item_{item.number}"' in page
            assert html.escape(item.label) in page
    assert 'id="id_rating_cadss_item_23_0"' in page
    assert 'id="id_rating_moaas_item_2_0"' not in page  # MOAA/S is one item


def test_the_vitals_chart_draws_the_cores_thresholds(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    _dosing_started(iv_session, nurse)
    services.add_vitals(
        nurse,
        iv_session,
        taken_at=timezone.now() - dt.timedelta(minutes=10),
        minute=10,
        systolic=192,
        diastolic=96,
        heart_rate=84,
    )
    page = _page(client_for(nurse), iv_session).content.decode()
    assert 'id="vitals-chart"' in page
    high = core_safety.DEFAULT_THRESHOLDS.systolic_high
    assert f"systolic alert {high:g}" in page
    assert 'class="dot sys out"' in page  # the out-of-range reading is marked
    # the htmx fragment carries the chart too
    fragment = client_for(nurse).post(
        reverse("treatments:vitals", args=[iv_session.uuid]),
        {"minute": "15", "systolic": "130", "diastolic": "80"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200 and 'id="vitals-chart"' in fragment.content.decode()
