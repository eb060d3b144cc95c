"""Monitoring schedules, the esketamine 2-hour rule and the REMS Monitoring Form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.safety import monitoring_schedule, observation_window, rems_monitoring_form


def test_esketamine_schedule_records_bp_before_and_40_min_after() -> None:
    # Spravato label: "BP before the dose and about 40 min after"; REMS form: "Pre-dose,
    # 40 min post, before completion"
    points = monitoring_schedule("esketamine", "in")
    minutes = [p.minute for p in points]
    assert minutes == [0, 40, 120, None]
    assert all("blood_pressure" in p.record for p in points)
    assert all("spo2" in p.record for p in points[:3])  # pulse oximetry at every session


def test_iv_schedule_is_every_10_min_during_and_15_min_after() -> None:
    # Emory: "BP every 10 min during the infusion and every 15 min after"
    points = monitoring_schedule("racemic", "iv")
    minutes = [p.minute for p in points]
    assert minutes == [0, 10, 20, 30, 40, 55, 70, 85, 100, None]
    # academic IV trial: "CADSS and BPRS at 0, 40, 120 and 240 min"
    assert "cadss" in points[0].record and "cadss" in points[4].record


def test_iv_schedule_follows_a_longer_infusion() -> None:
    minutes = [p.minute for p in monitoring_schedule("racemic", "iv", infusion_min=60)]
    assert minutes[:7] == [0, 10, 20, 30, 40, 50, 60]
    assert minutes[7] == 75


def test_other_routes_use_the_timed_template() -> None:
    # ketaminesoftware.com: "pre, 15, 30, 45 min, 1 h ... with BP, HR, SpO2"
    minutes = [p.minute for p in monitoring_schedule("racemic", "im")]
    assert minutes == [0, 15, 30, 45, 60, None]


def test_infusion_length_only_with_iv() -> None:
    with pytest.raises(InputError) as exc:
        monitoring_schedule("racemic", "sc", infusion_min=40)
    assert exc.value.field == "infusion_min"


def test_esketamine_is_only_intranasal() -> None:
    with pytest.raises(InputError) as exc:
        monitoring_schedule("esketamine", "iv")
    assert exc.value.field == "route"


def test_observation_ends_two_hours_after_the_first_device() -> None:
    # label: "monitored for at least 2 hours"; lucido-go: "start the 2-h window at the first device"
    first = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert observation_window(first, drug="esketamine", route="in") == datetime(
        2026, 11, 30, 12, 0, tzinfo=UTC
    )


def test_observation_needs_a_time_zone_and_esketamine() -> None:
    with pytest.raises(InputError) as exc:
        observation_window(datetime(2026, 11, 30, 10), drug="esketamine", route="in")
    assert exc.value.field == "first_device_at"
    with pytest.raises(InputError) as exc:
        observation_window(datetime(2026, 11, 30, 10, tzinfo=UTC), drug="racemic", route="iv")
    assert exc.value.field == "drug"


@given(
    first=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    offset_h=st.integers(-12, 14),
)
def test_observation_end_is_never_earlier_than_two_hours_after_the_first_device(
    first: datetime, offset_h: int
) -> None:
    local = first.astimezone(timezone(timedelta(hours=offset_h)))
    end = observation_window(local, drug="esketamine", route="in")
    assert end - local >= timedelta(hours=2)


def _form_fields() -> dict[str, object]:
    return {
        "patient_first_name": "Test",
        "patient_last_name": "Patient",
        "patient_birthdate": "01/01/1980",
        "patient_sex": "F",
        "benzodiazepines": False,
        "non_benzodiazepine_sedative_hypnotics": False,
        "psychostimulants": False,
        "maois": False,
        "hcp_first_name": "Nurse",
        "hcp_last_name": "Example",
        "hcp_telephone": "555-0100",
        "hcp_email": "nurse@example.org",
        "setting_name": "Synthetic Clinic",
        "setting_address_1": "1 Example St",
        "setting_city": "Town",
        "setting_state": "CA",
        "setting_zip": "90000",
        "treatment_date": date(2026, 11, 30),
        "dose_mg": 56,
        "first_device_at": datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
        "monitoring_end_at": datetime(2026, 11, 30, 12, 5, tzinfo=UTC),
        "bp_pre_dose": (128, 82),
    }


def test_rems_form_complete_with_duration_and_7_day_deadline() -> None:
    # REMS form instructions: "Submit within 7 days"; "Total minutes from the first device to
    # the end of monitoring (>= 2 h required)"
    form = rems_monitoring_form(_form_fields())
    assert form["missing_required"] == []
    assert form["total_minutes"] == 125
    assert form["checks"][0]["ok"] is True
    assert form["due_date"] == "2026-12-07"


def test_rems_form_lists_missing_required_fields_and_short_monitoring() -> None:
    fields = _form_fields()
    del fields["hcp_email"]
    fields["monitoring_end_at"] = datetime(2026, 11, 30, 11, 30, tzinfo=UTC)
    form = rems_monitoring_form(fields)
    assert form["missing_required"] == ["hcp_email"]
    assert form["checks"][0]["ok"] is False


def test_rems_form_refuses_unknown_fields() -> None:
    with pytest.raises(InputError) as exc:
        rems_monitoring_form({"favourite_colour": "blue"})
    assert exc.value.field == "rems field"


def test_rems_form_accepts_keyword_fields() -> None:
    form = rems_monitoring_form(dose_mg=84, maois=True)
    assert form["fields"] == {"dose_mg": 84, "maois": True}
    assert "patient_first_name" in form["missing_required"]


def test_rems_form_refuses_a_dose_outside_28_to_84_mg() -> None:
    with pytest.raises(InputError) as exc:
        rems_monitoring_form(dose_mg=100)
    assert exc.value.field == "dose_mg"
