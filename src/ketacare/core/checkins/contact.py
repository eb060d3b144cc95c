"""When and how a patient may be contacted: quiet hours, contact windows and the channel.

Pure functions on plain values; no clinical rule lives here, only the patient's and the clinic's
wishes about contact.

**Quiet hours** are a span of local wall-clock time, ``start`` inclusive to ``end`` exclusive,
in the clinic's time zone (an IANA name read by :mod:`zoneinfo`). ``start`` later than ``end``
crosses midnight (21:00 to 08:00 is quiet from nine in the evening to eight the next morning).
A **contact window** is the same thing said the other way round: :func:`contact_window` turns
"send between 09:00 and 20:00" into quiet hours from 20:00 to 09:00.

A time is judged by the wall clock the patient sees, so daylight-saving changes move the quiet
span in UTC with the clocks: the quiet night that holds the spring change is an hour shorter,
the autumn one an hour longer. :func:`contact_decision` answers "may a message go now?" and, if
not, the first instant (aware UTC) at or after ``now`` when it may:

- the end of quiet hours is found on the wall clock of the right local day and then converted,
  never by adding a fixed offset taken at ``now``;
- an end time that does not exist that day (it falls in the hour skipped when clocks go forward)
  is answered by the first instant after the skip;
- an end time that exists twice (the hour repeated when clocks go back) is answered by its first
  occurrence that is not before ``now``.

:func:`choose_channel` picks email or SMS from the patient's preference, the channels they
consented to and whether they opted out, and says why in words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ketacare.core.errors import InputError

UTC: Final = dt.UTC

EMAIL: Final = "email"
SMS: Final = "sms"
CHANNELS: Final = (EMAIL, SMS)
CHANNEL_LABELS: Final = {EMAIL: "email", SMS: "SMS"}


@dataclass(frozen=True)
class QuietHours:
    """Local wall-clock span, ``start`` inclusive to ``end`` exclusive, in which no message goes.

    ``start`` later than ``end`` crosses midnight. ``start == end`` is refused (an empty span and
    an all-day one would look the same); give no quiet hours at all for "any time".
    """

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        for field, value in (("quiet_hours_start", self.start), ("quiet_hours_end", self.end)):
            if not isinstance(value, dt.time) or value.tzinfo is not None:
                raise InputError(field, value, "a local time of day without a zone, e.g. 21:00")
        if self.start == self.end:
            raise InputError(
                "quiet_hours_end",
                self.end.strftime("%H:%M"),
                f"a time other than the start ({self.start.strftime('%H:%M')}); "
                "leave quiet hours unset for no quiet hours",
            )

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def contains(self, local: dt.time) -> bool:
        """Whether a local wall-clock time of day falls in the quiet span."""
        local = local.replace(tzinfo=None, fold=0)
        if self.crosses_midnight:
            return local >= self.start or local < self.end
        return self.start <= local < self.end

    def describe(self) -> str:
        return f"{self.start.strftime('%H:%M')} to {self.end.strftime('%H:%M')}"


#: A conservative default for a clinic that sets none: no message before 08:00 or from 21:00,
#: local time. Not a clinical rule; borrowed from the US telemarketing rule, 47 CFR
#: 64.1200(c)(1): no telephone solicitation "before the hour of 8 a.m. or after 9 p.m. (local
#: time at the called party's location)". A clinic sets its own.
DEFAULT_QUIET_HOURS: Final = QuietHours(start=dt.time(21, 0), end=dt.time(8, 0))


def contact_window(opens: dt.time, closes: dt.time) -> QuietHours:
    """Quiet hours from a contact window: messages may go from ``opens`` until ``closes``."""
    if opens == closes:
        raise InputError(
            "contact_window_closes",
            closes.strftime("%H:%M"),
            f"a time other than the opening time ({opens.strftime('%H:%M')})",
        )
    return QuietHours(start=closes, end=opens)


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_local_time(field: str, text: str) -> dt.time:
    """``"21:00"`` -> ``time(21, 0)``; anything else is an :class:`InputError` naming ``field``."""
    match = _TIME.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InputError(field, text, "a 24-hour local time HH:MM, e.g. 21:00 or 07:30")
    return dt.time(int(match.group(1)), int(match.group(2)))


def clinic_zone(time_zone: str) -> ZoneInfo:
    """The :class:`ZoneInfo` of an IANA name, or an :class:`InputError` naming ``time_zone``."""
    allowed = "an IANA time zone name, e.g. Europe/London or America/New_York"
    if not isinstance(time_zone, str) or not time_zone.strip():
        raise InputError("time_zone", time_zone, allowed)
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("time_zone", time_zone, allowed) from None


def _aware_utc(field: str, value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise InputError(field, value, "a timezone-aware date and time (UTC)")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class ContactDecision:
    """May a message go now; if not, when (``send_at``, aware UTC) and why in words."""

    allowed_now: bool
    send_at: dt.datetime
    reason: str
    local_send_at: dt.datetime  # ``send_at`` on the clinic's wall clock, for display


def is_quiet(now: dt.datetime, time_zone: str, quiet_hours: QuietHours | None) -> bool:
    """Whether ``now`` (aware) falls in the quiet hours on the wall clock of ``time_zone``."""
    zone = clinic_zone(time_zone)
    moment = _aware_utc("now", now)
    return quiet_hours is not None and quiet_hours.contains(moment.astimezone(zone).time())


def _instants_at(zone: ZoneInfo, day: dt.date, wall: dt.time) -> list[dt.datetime]:
    """Every UTC instant whose wall-clock time in ``zone`` is ``day`` ``wall``: one on most days,
    two in the repeated hour when clocks go back, none in the hour skipped when they go
    forward."""
    found: list[dt.datetime] = []
    for fold in (0, 1):
        local = dt.datetime.combine(day, wall, tzinfo=zone).replace(fold=fold)
        instant = local.astimezone(UTC)
        back = instant.astimezone(zone)
        same_wall = back.replace(tzinfo=None, fold=0) == local.replace(tzinfo=None, fold=0)
        if same_wall and instant not in found:
            found.append(instant)
    return sorted(found)


def _end_of_gap(zone: ZoneInfo, day: dt.date, wall: dt.time) -> dt.datetime:
    """The first instant after a skipped wall-clock time: the moment the clocks went forward.

    Read as the earlier offset (fold 0) the skipped time lies after the change, read as the later
    offset (fold 1) before it; the change is found between the two to the second."""
    naive = dt.datetime.combine(day, wall)
    a = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    b = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    low, high = min(a, b), max(a, b)
    offset_low = low.astimezone(zone).utcoffset()
    while high - low > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == offset_low:
            low = middle
        else:
            high = middle
    return high


def next_allowed(now: dt.datetime, time_zone: str, quiet_hours: QuietHours | None) -> dt.datetime:
    """The first instant (aware UTC) at or after ``now`` outside the quiet hours."""
    return contact_decision(now, time_zone, quiet_hours).send_at


def contact_decision(
    now: dt.datetime, time_zone: str, quiet_hours: QuietHours | None
) -> ContactDecision:
    """May a message go at ``now`` (aware), judged on the wall clock of ``time_zone``?"""
    zone = clinic_zone(time_zone)
    moment = _aware_utc("now", now)
    local = moment.astimezone(zone)
    if quiet_hours is None:
        return ContactDecision(True, moment, "no quiet hours are set", local)
    if not quiet_hours.contains(local.time()):
        return ContactDecision(
            True, moment, f"outside quiet hours {quiet_hours.describe()} ({time_zone})", local
        )
    # quiet now: the span ends at `end` on today's date, or tomorrow's when it started today
    # before midnight
    day = local.date()
    if quiet_hours.crosses_midnight and local.time().replace(fold=0) >= quiet_hours.start:
        day += dt.timedelta(days=1)
    candidate: dt.datetime | None = None
    for _ in range(3):  # a zone's odd day (a skipped date, a double change) moves on a day
        later = [i for i in _instants_at(zone, day, quiet_hours.end) if i >= moment]
        if later:
            candidate = later[0]
        elif not _instants_at(zone, day, quiet_hours.end):
            gap_end = _end_of_gap(zone, day, quiet_hours.end)
            candidate = gap_end if gap_end >= moment else None
        if candidate is not None and not quiet_hours.contains(candidate.astimezone(zone).time()):
            break
        candidate = None
        day += dt.timedelta(days=1)
    if candidate is None:  # pragma: no cover - no zone in the tz database needs it
        raise InputError("time_zone", time_zone, "a zone whose clocks reach the end of quiet hours")
    local_at = candidate.astimezone(zone)
    return ContactDecision(
        False,
        candidate,
        f"quiet hours {quiet_hours.describe()} ({time_zone}): "
        f"held until {local_at.strftime('%Y-%m-%d %H:%M %Z')}",
        local_at,
    )


# --- the channel ---------------------------------------------------------------------------------

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")
E164_ALLOWED: Final = (
    "a phone number in international E.164 form: + then the country code and number, "
    "7 to 15 digits in all, the first not 0 (spaces, dots, dashes and brackets are ignored), "
    "e.g. +447700900123"
)


def normalise_phone(field: str, value: str) -> str:
    """An E.164 number (``+447700900123``) from what a person typed, or an :class:`InputError`
    naming ``field``, the value and what is allowed (ITU-T E.164: at most 15 digits)."""
    if not isinstance(value, str):
        raise InputError(field, value, E164_ALLOWED)
    compact = _PHONE_SEPARATORS.sub("", value)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not _E164.match(compact):
        raise InputError(field, value, E164_ALLOWED)
    return compact


@dataclass(frozen=True)
class ContactPreferences:
    """What the patient chose: the preferred channel (``"email"``, ``"sms"`` or ``None``), the
    addresses on file (``""`` when none), the channels they consented to be contacted on, and
    whether they opted out of check-in messages."""

    preferred: str | None
    email: str = ""
    phone: str = ""
    consented: frozenset[str] = frozenset()
    opted_out: bool = False

    def __post_init__(self) -> None:
        allowed = "one of " + ", ".join(CHANNELS) + " or none"
        if self.preferred is not None and self.preferred not in CHANNELS:
            raise InputError("channel", self.preferred, allowed)
        unknown = sorted(set(self.consented) - set(CHANNELS))
        if unknown:
            raise InputError("consented", unknown, "channels among " + ", ".join(CHANNELS))


@dataclass(frozen=True)
class ChannelChoice:
    """The channel a message goes by (``None``: it may not be sent), the address, and why."""

    channel: str | None
    address: str
    reason: str
    fallback: bool = False  # the preferred channel could not be used; another consented one was

    @property
    def may_send(self) -> bool:
        return self.channel is not None


def _address(prefs: ContactPreferences, channel: str) -> str:
    return (prefs.email if channel == EMAIL else prefs.phone).strip()


def _unusable(prefs: ContactPreferences, channel: str) -> str | None:
    label = CHANNEL_LABELS[channel]
    if channel not in prefs.consented:
        return f"no consent to contact by {label}"
    if not _address(prefs, channel):
        return f"no {'email address' if channel == EMAIL else 'mobile number'} on file"
    return None


def choose_channel(prefs: ContactPreferences) -> ChannelChoice:
    """Email or SMS for one patient, or none, with the reason in words.

    An opt-out wins over everything. Then the preferred channel, if the patient consented to it
    and its address is on file; else the other channel if that one is consented and on file (said
    in the reason, ``fallback=True``); else no message.
    """
    if prefs.opted_out:
        return ChannelChoice(None, "", "the patient opted out of check-in messages")
    if not prefs.consented:
        return ChannelChoice(None, "", "no consent to contact on file")
    order = [prefs.preferred] if prefs.preferred else []
    order += [c for c in CHANNELS if c not in order]
    reasons: list[str] = []
    for channel in order:
        assert channel is not None
        why_not = _unusable(prefs, channel)
        if why_not is None:
            label = CHANNEL_LABELS[channel]
            if prefs.preferred is None:
                return ChannelChoice(
                    channel, _address(prefs, channel), f"{label}: no preferred channel set"
                )
            if channel == prefs.preferred:
                return ChannelChoice(
                    channel, _address(prefs, channel), f"{label}: the patient's preferred channel"
                )
            return ChannelChoice(
                channel,
                _address(prefs, channel),
                f"{label} instead of {CHANNEL_LABELS[prefs.preferred]}: {reasons[0]}",
                fallback=True,
            )
        reasons.append(f"{why_not}")
    return ChannelChoice(None, "", "no channel can be used: " + "; ".join(reasons))
