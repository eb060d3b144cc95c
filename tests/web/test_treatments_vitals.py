"""Timed vitals: added as rows without a page reload (htmx), each checked by the core against the
alert thresholds and highlighted when out of range. The rows partial is written once: the page
includes it and the fragment view renders it alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.safety import check_vitals
from ketacare.web.treatments.models import VitalSign

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(session: Any) -> str:
    return reverse("treatments:vitals", args=[session.uuid])


def test_an_htmx_row_comes_back_highlighted_when_the_core_alerts(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).post(
        _url(iv_session),
        {"minute": "20", "systolic": "190", "diastolic": "100", "heart_rate": "88", "spo2": "97"},
        **HTMX,
    )
    assert response.status_code == 200
    templates = [t.name for t in response.templates]
    assert "treatments/_vitals.html" in templates
    assert "treatments/_vitals_rows.html" in templates
    assert "treatments/session.html" not in templates  # a fragment, not the page
    text = response.content.decode()
    assert "out-of-range" in text
    row = VitalSign.objects.get(session=iv_session)
    expected = check_vitals(systolic=190, diastolic=100, heart_rate=88, spo2=97)
    assert row.alerts == [a.to_dict() for a in expected]
    assert row.out_of_range is True
    assert expected[0].reason in text


def test_an_in_range_row_is_not_highlighted(iv_session: Any, nurse: Any, client_for: Any) -> None:
    client_for(nurse).post(
        _url(iv_session), {"systolic": "122", "diastolic": "80", "spo2": "98"}, **HTMX
    )
    row = VitalSign.objects.get(session=iv_session)
    assert row.alerts == [] and row.out_of_range is False


def test_the_pre_dose_bp_is_the_baseline_for_the_change_alert(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.treatments import services

    services.record_checklist(
        nurse, iv_session, systolic=120, diastolic=80, ride_home=True, expected_version=1
    )
    client_for(nurse).post(_url(iv_session), {"systolic": "150", "diastolic": "85"}, **HTMX)
    row = VitalSign.objects.get(session=iv_session)
    expected = check_vitals(
        systolic=150, diastolic=85, baseline={"systolic": 120.0, "diastolic": 80.0}
    )
    assert row.alerts == [a.to_dict() for a in expected]


def test_the_fragment_view_renders_the_same_rows_partial(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    client.post(_url(iv_session), {"systolic": "185", "diastolic": "95"}, **HTMX)
    fragment = client.get(_url(iv_session))
    assert [t.name for t in fragment.templates] == ["treatments/_vitals_rows.html"]
    page = client.get(reverse("treatments:detail", args=[iv_session.uuid]))
    assert "treatments/_vitals_rows.html" in [t.name for t in page.templates]
    assert fragment.content.decode().strip() in page.content.decode()


def test_a_plain_post_without_htmx_redirects_to_the_page(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).post(_url(iv_session), {"heart_rate": "72"})
    assert response.status_code == 302
    assert VitalSign.objects.filter(session=iv_session).count() == 1


def test_an_impossible_value_names_the_allowed_range_and_saves_nothing(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).post(
        _url(iv_session), {"systolic": "120", "diastolic": "80", "spo2": "140"}, **HTMX
    )
    assert response.status_code == 200  # htmx swaps the form back with its error
    form = response.context["vitals_form"]
    assert "spo2" in form.errors and "100" in form.errors["spo2"][0]
    assert not VitalSign.objects.exists()


def test_front_desk_may_not_add_vitals(iv_session: Any, front_desk: Any, client_for: Any) -> None:
    response = client_for(front_desk).post(_url(iv_session), {"heart_rate": "72"}, **HTMX)
    assert response.status_code == 403
    assert not VitalSign.objects.exists()
