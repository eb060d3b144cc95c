"""Quiet hours, contact windows and the channel (ketacare.core.checkins.contact).

The daylight-saving dates are those of the IANA time zone database (the zoneinfo module reads it):
America/New_York moves to EDT on 2026-03-08 at 02:00 EST (07:00 UTC) and back to EST on
2026-11-01 at 02:00 EDT (06:00 UTC); Europe/London moves to BST on 2026-03-29 at 01:00 GMT and
back to GMT on 2026-10-25 at 02:00 BST (01:00 UTC). Expected instants are exact (no tolerance).
"""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.checkins.contact import (
    DEFAULT_QUIET_HOURS,
    EMAIL,
    SMS,
    ContactPreferences,
    QuietHours,
    choose_channel,
    contact_decision,
    contact_window,
    is_quiet,
    next_allowed,
    normalise_phone,
    parse_local_time,
)
from ketacare.core.errors import InputError

UTC = dt.UTC
NIGHT = QuietHours(dt.time(21, 0), dt.time(8, 0))  # crosses midnight


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


# --- plain days ----------------------------------------------------------------------------------


def test_a_message_outside_quiet_hours_goes_now() -> None:
    now = utc(2026, 6, 10, 14, 0)  # 15:00 BST
    decision = contact_decision(now, "Europe/London", NIGHT)
    assert decision.allowed_now
    assert decision.send_at == now
    assert "outside quiet hours 21:00 to 08:00" in decision.reason


def test_no_quiet_hours_means_any_time() -> None:
    now = utc(2026, 6, 10, 2, 0)
    decision = contact_decision(now, "Europe/London", None)
    assert decision.allowed_now and decision.send_at == now
    assert decision.reason == "no quiet hours are set"


def test_late_evening_is_held_until_the_next_morning() -> None:
    # 22:30 BST on 10 June -> 08:00 BST on 11 June = 07:00 UTC
    decision = contact_decision(utc(2026, 6, 10, 21, 30), "Europe/London", NIGHT)
    assert not decision.allowed_now
    assert decision.send_at == utc(2026, 6, 11, 7, 0)
    assert decision.send_at.tzinfo == UTC
    assert decision.reason == (
        "quiet hours 21:00 to 08:00 (Europe/London): held until 2026-06-11 08:00 BST"
    )


def test_after_midnight_is_held_until_the_same_morning() -> None:
    # 03:00 EDT on 10 June -> 08:00 EDT the same day = 12:00 UTC
    decision = contact_decision(utc(2026, 6, 10, 7, 0), "America/New_York", NIGHT)
    assert decision.send_at == utc(2026, 6, 10, 12, 0)


def test_quiet_hours_start_inclusive_and_end_exclusive() -> None:
    # 21:00 BST = 20:00 UTC is quiet; 08:00 BST = 07:00 UTC is not
    assert is_quiet(utc(2026, 6, 10, 20, 0), "Europe/London", NIGHT)
    assert not is_quiet(utc(2026, 6, 10, 19, 59), "Europe/London", NIGHT)
    assert not is_quiet(utc(2026, 6, 11, 7, 0), "Europe/London", NIGHT)
    assert is_quiet(utc(2026, 6, 11, 6, 59), "Europe/London", NIGHT)


def test_a_daytime_window_that_does_not_cross_midnight() -> None:
    lunch = QuietHours(dt.time(12, 0), dt.time(14, 0))
    assert not lunch.crosses_midnight
    # 13:00 BST = 12:00 UTC -> 14:00 BST = 13:00 UTC
    assert next_allowed(utc(2026, 6, 1, 12, 0), "Europe/London", lunch) == utc(2026, 6, 1, 13, 0)
    assert not is_quiet(utc(2026, 6, 1, 10, 59), "Europe/London", lunch)  # 11:59 BST


def test_a_contact_window_is_quiet_hours_said_the_other_way() -> None:
    window = contact_window(opens=dt.time(9, 0), closes=dt.time(20, 0))
    assert window == QuietHours(dt.time(20, 0), dt.time(9, 0))
    # 20:30 EDT on 10 June (00:30 UTC on the 11th) -> 09:00 EDT on the 11th = 13:00 UTC
    assert next_allowed(utc(2026, 6, 11, 0, 30), "America/New_York", window) == utc(
        2026, 6, 11, 13, 0
    )


# --- daylight-saving days -------------------------------------------------------------------------


def test_new_york_spring_forward_night_is_an_hour_shorter() -> None:
    # 21:00 EST on 7 March = 02:00 UTC on 8 March; the clocks go forward at 02:00 EST, so
    # 08:00 on 8 March is EDT (UTC-4) = 12:00 UTC: 10 hours later, not 11. A fixed offset taken
    # at "now" (UTC-5) would say 13:00 UTC.
    decision = contact_decision(utc(2026, 3, 8, 2, 0), "America/New_York", NIGHT)
    assert decision.send_at == utc(2026, 3, 8, 12, 0)
    assert decision.local_send_at.strftime("%H:%M %Z") == "08:00 EDT"


def test_new_york_fall_back_night_is_an_hour_longer() -> None:
    # 22:00 EDT on 31 October = 02:00 UTC on 1 November; 08:00 EST (UTC-5) = 13:00 UTC
    decision = contact_decision(utc(2026, 11, 1, 2, 0), "America/New_York", NIGHT)
    assert decision.send_at == utc(2026, 11, 1, 13, 0)
    assert decision.local_send_at.strftime("%H:%M %Z") == "08:00 EST"


def test_london_spring_forward_night() -> None:
    # 22:00 GMT on 28 March; 08:00 BST on 29 March = 07:00 UTC
    decision = contact_decision(utc(2026, 3, 28, 22, 0), "Europe/London", NIGHT)
    assert decision.send_at == utc(2026, 3, 29, 7, 0)
    assert decision.reason.endswith("held until 2026-03-29 08:00 BST")


def test_london_fall_back_night() -> None:
    # 22:00 BST on 24 October = 21:00 UTC; 08:00 GMT on 25 October = 08:00 UTC
    decision = contact_decision(utc(2026, 10, 24, 21, 0), "Europe/London", NIGHT)
    assert decision.send_at == utc(2026, 10, 25, 8, 0)
    assert decision.reason.endswith("held until 2026-10-25 08:00 GMT")


def test_an_end_time_in_the_skipped_hour_is_answered_by_the_first_instant_after_it() -> None:
    # quiet 22:00-02:30 in New York; 02:30 does not exist on 8 March 2026 (01:59:59 EST is
    # followed by 03:00:00 EDT = 07:00 UTC)
    overnight = QuietHours(dt.time(22, 0), dt.time(2, 30))
    decision = contact_decision(utc(2026, 3, 8, 4, 0), "America/New_York", overnight)
    assert decision.send_at == utc(2026, 3, 8, 7, 0)
    assert decision.local_send_at.strftime("%H:%M %Z") == "03:00 EDT"
    # London: 01:30 does not exist on 29 March 2026 (01:00 GMT becomes 02:00 BST)
    london = QuietHours(dt.time(22, 0), dt.time(1, 30))
    assert next_allowed(utc(2026, 3, 28, 23, 0), "Europe/London", london) == utc(2026, 3, 29, 1, 0)


def test_an_end_time_in_the_repeated_hour_is_its_first_occurrence_not_before_now() -> None:
    # quiet 22:00-01:30 in New York; 01:30 happens twice on 1 November 2026: 05:30 UTC (EDT)
    # and 06:30 UTC (EST)
    overnight = QuietHours(dt.time(22, 0), dt.time(1, 30))
    first = contact_decision(utc(2026, 11, 1, 5, 10), "America/New_York", overnight)  # 01:10 EDT
    assert first.send_at == utc(2026, 11, 1, 5, 30)
    assert first.local_send_at.strftime("%H:%M %Z") == "01:30 EDT"
    # 01:10 EST (06:10 UTC) is on the wall clock in quiet hours again: held to 01:30 EST
    again = contact_decision(utc(2026, 11, 1, 6, 10), "America/New_York", overnight)
    assert again.send_at == utc(2026, 11, 1, 6, 30)
    assert again.local_send_at.strftime("%H:%M %Z") == "01:30 EST"


MINUTES = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))


@settings(max_examples=60, deadline=None)
@given(
    now=st.datetimes(
        min_value=dt.datetime(2025, 1, 1),
        max_value=dt.datetime(2028, 12, 31),
        timezones=st.just(UTC),
    ),
    zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]),
    start=MINUTES,
    end=MINUTES,
)
def test_the_answer_is_never_before_now_never_quiet_and_within_a_day(
    now: dt.datetime, zone: str, start: dt.time, end: dt.time
) -> None:
    if start == end:
        return
    quiet = QuietHours(start, end)
    decision = contact_decision(now, zone, quiet)
    assert decision.send_at >= now
    assert decision.send_at - now <= dt.timedelta(hours=25)
    assert not is_quiet(decision.send_at, zone, quiet)
    assert decision.allowed_now == (decision.send_at == now)
    # the answer is the first allowed instant: every whole minute before it is quiet
    probe = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    while probe < decision.send_at:
        assert is_quiet(probe, zone, quiet), probe
        probe += dt.timedelta(minutes=1)


# --- bad input -----------------------------------------------------------------------------------


def test_an_unknown_time_zone_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        contact_decision(utc(2026, 6, 1, 12), "Europe/Londres", NIGHT)
    assert caught.value.field == "time_zone"
    assert caught.value.value == "Europe/Londres"
    assert "IANA time zone name" in caught.value.allowed


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        contact_decision(dt.datetime(2026, 6, 1, 12), "Europe/London", NIGHT)
    assert caught.value.field == "now"


def test_equal_start_and_end_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        QuietHours(dt.time(21, 0), dt.time(21, 0))
    assert caught.value.field == "quiet_hours_end"
    assert "leave quiet hours unset" in caught.value.allowed


def test_times_are_parsed_from_hh_mm() -> None:
    assert parse_local_time("quiet_hours_start", "21:00") == dt.time(21, 0)
    assert parse_local_time("quiet_hours_end", "7:30") == dt.time(7, 30)
    for bad in ("24:00", "9pm", "21:60", ""):
        with pytest.raises(InputError) as caught:
            parse_local_time("quiet_hours_start", bad)
        assert caught.value.field == "quiet_hours_start"
        assert caught.value.allowed.startswith("a 24-hour local time HH:MM")


def test_the_default_quiet_hours_are_nine_in_the_evening_to_eight_in_the_morning() -> None:
    # 47 CFR 64.1200(c)(1): "before the hour of 8 a.m. or after 9 p.m. (local time at the called
    # party's location)" (a telemarketing rule, borrowed as a conservative default)
    assert QuietHours(dt.time(21, 0), dt.time(8, 0)) == DEFAULT_QUIET_HOURS


# --- phone numbers -------------------------------------------------------------------------------


def test_phone_numbers_are_normalised_to_e164() -> None:
    assert normalise_phone("phone", "+44 7700 900123") == "+447700900123"
    assert normalise_phone("phone", "+1 (212) 555-0100") == "+12125550100"
    assert normalise_phone("phone", "0044 7700 900123") == "+447700900123"


@pytest.mark.parametrize("bad", ["07700 900123", "+0447700900123", "+44abc", "+1234567890123456"])
def test_a_number_not_in_e164_names_the_field_the_value_and_the_form(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        normalise_phone("mobile", bad)
    error = caught.value
    assert error.field == "mobile"
    assert error.value == bad
    assert "E.164" in error.allowed and "+447700900123" in error.allowed
    assert pickle.loads(pickle.dumps(error)).field == "mobile"


# --- the channel ---------------------------------------------------------------------------------

BOTH = frozenset({EMAIL, SMS})


def test_the_preferred_channel_is_used_when_consented_and_on_file() -> None:
    choice = choose_channel(
        ContactPreferences(SMS, email="p@example.org", phone="+447700900123", consented=BOTH)
    )
    assert (choice.channel, choice.address, choice.fallback) == (SMS, "+447700900123", False)
    assert choice.reason == "SMS: the patient's preferred channel"


def test_an_opt_out_wins_over_everything() -> None:
    choice = choose_channel(
        ContactPreferences(EMAIL, email="p@example.org", consented=BOTH, opted_out=True)
    )
    assert not choice.may_send
    assert choice.reason == "the patient opted out of check-in messages"


def test_no_consent_means_no_message() -> None:
    choice = choose_channel(ContactPreferences(EMAIL, email="p@example.org"))
    assert choice.channel is None
    assert choice.reason == "no consent to contact on file"


def test_the_other_consented_channel_is_used_and_the_reason_says_why() -> None:
    choice = choose_channel(ContactPreferences(SMS, email="p@example.org", consented=BOTH))
    assert (choice.channel, choice.fallback) == (EMAIL, True)
    assert choice.reason == "email instead of SMS: no mobile number on file"


def test_a_channel_without_consent_is_never_a_fallback() -> None:
    choice = choose_channel(
        ContactPreferences(
            SMS, email="p@example.org", phone="+447700900123", consented=frozenset({SMS})
        )
    )
    assert choice.channel == SMS
    nothing = choose_channel(
        ContactPreferences(EMAIL, phone="+447700900123", consented=frozenset({EMAIL}))
    )
    assert nothing.channel is None
    assert nothing.reason == (
        "no channel can be used: no email address on file; no consent to contact by SMS"
    )


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        ContactPreferences("pigeon")
    assert caught.value.field == "channel"
    assert caught.value.allowed == "one of email, sms or none"
