"""What a self-report answer raises: the crisis text at once, a suicidal-ideation alert, a
worsening alert, and when an unanswered check-in is reminded or counted missed.

The suicidal-ideation decision is the outcomes module's (``suicidal_ideation_signal``: PHQ-9
item 9 > 0 is a positive screen, the C-SSRS screener's triage...); this module only says which of
its levels show the patient the clinic's crisis text. The worsening rule compares a total with the
patient's previous total of the same scale against a stored rise (a clinic setting).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ketacare.core.checkins.cadence import worsening_rise
from ketacare.core.errors import InputError

#: signal levels of ``outcomes.suicidal_ideation_signal`` that show the crisis text and alert
CRISIS_LEVELS = frozenset({"positive", "urgent"})

#: Osmind's surveys: "a daily reminder for 3 days until done" (clinical-protocols.md §5.3); the
#: clinic default here is the issue's 24 h and 72 h reminders, then missed at 96 h
DEFAULT_REMINDER_HOURS = (24, 72)
DEFAULT_MISSED_AFTER_HOURS = 96
REMINDER_SOURCE = (
    "Osmind patient notifications: scheduled surveys with a daily reminder for 3 days until done "
    "(https://support.osmind.org/en/articles/6681819-patient-notifications); the hours are a "
    "clinic setting"
)


def shows_crisis_text(si_level: str | None) -> bool:
    """Whether a suicidal-ideation signal of this level shows the patient the crisis text at once
    (and alerts the care team): a positive screen or an urgent one."""
    return si_level in CRISIS_LEVELS


@dataclass(frozen=True)
class Worsening:
    scale: str
    flag: bool
    previous: float | None
    current: float
    rise: float | None
    threshold: float | None
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "flag": self.flag,
            "previous": self.previous,
            "current": self.current,
            "rise": self.rise,
            "threshold": self.threshold,
            "reason": self.reason,
            "source": self.source,
        }


def _number(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, value, "a finite number")
    return float(value)


def worsening_signal(
    scale_id: str, previous: float | None, current: float, *, threshold: float | None = None
) -> Worsening:
    """A worsening alert when ``current`` is at least ``threshold`` (default: the stored rise of
    the scale, e.g. PHQ-9 5 points) above ``previous``. No previous score or no stored rise: no
    flag, and the reason says why."""
    cur = _number("current", current)
    stored, source = worsening_rise(scale_id)
    if threshold is not None:
        cut: float | None = _number("threshold", threshold)
        if cut is not None and cut <= 0:
            raise InputError("threshold", threshold, "a rise above 0 points")
        source = f"rise set by the clinic; stored rule: {source or 'none for this scale'}"
    else:
        cut = stored
    if previous is None:
        return Worsening(scale_id, False, None, cur, None, cut, "no previous score", source)
    prev = _number("previous", previous)
    rise = cur - prev
    if cut is None:
        return Worsening(
            scale_id, False, prev, cur, rise, None, "no worsening rule for this scale", source
        )
    flag = rise >= cut
    reason = (
        f"{scale_id} rose {rise:g} points ({prev:g} to {cur:g}), at or above {cut:g}"
        if flag
        else f"{scale_id} changed {rise:+g} points ({prev:g} to {cur:g}), below a rise of {cut:g}"
    )
    return Worsening(scale_id, flag, prev, cur, rise, cut, reason, source)


def reminder_action(
    sent_at: dt.datetime,
    now: dt.datetime,
    reminders_sent: int,
    *,
    reminder_hours: Sequence[int] = DEFAULT_REMINDER_HOURS,
    missed_after_hours: int = DEFAULT_MISSED_AFTER_HOURS,
) -> str | None:
    """For an unanswered check-in: ``"missed"`` once ``missed_after_hours`` have passed since it
    was sent, ``"remind"`` when the next reminder's hour has come, else None."""
    if sent_at.tzinfo is None or now.tzinfo is None:
        raise InputError("sent_at", sent_at, "timezone-aware date-times")
    hours = sorted(int(h) for h in reminder_hours)
    if any(h <= 0 for h in hours) or (hours and hours[-1] >= missed_after_hours):
        raise InputError(
            "reminder_hours", list(reminder_hours), f"hours above 0 and below {missed_after_hours}"
        )
    elapsed = (now - sent_at).total_seconds() / 3600
    if elapsed >= missed_after_hours:
        return "missed"
    if reminders_sent < len(hours) and elapsed >= hours[reminders_sent]:
        return "remind"
    return None
