"""What a self-report raises: the crisis text, worsening alerts, reminders and missed check-ins.

- Suicide item: "Item 9: flag any value > 0 for same-day clinician review" (rating-scales.md,
  PHQ-9 suicide item; the decision is ``outcomes.suicidal_ideation_signal``).
- Worsening: "PHQ-9 | 5 points | 2 SEM (Lowe 2004)" (rating-scales.md, MCIDs), used as the
  default rise (a clinic setting).
- Reminders: Osmind, "a daily reminder for 3 days until done" (clinical-protocols.md §5.3); the
  24 h / 72 h hours are the clinic default.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.core import outcomes, scales
from ketacare.core.checkins.signals import reminder_action, shows_crisis_text, worsening_signal
from ketacare.core.errors import InputError


def _phq9(item9: int) -> str:
    result = scales.score("phq9", [1, 1, 1, 1, 1, 1, 1, 1, item9], {})
    return outcomes.suicidal_ideation_signal("phq9", result).level


def test_phq9_item_9_of_1_shows_the_crisis_text() -> None:
    assert shows_crisis_text(_phq9(1))
    assert not shows_crisis_text(_phq9(0))


def test_a_cssrs_high_triage_shows_the_crisis_text() -> None:
    assert shows_crisis_text("urgent")
    assert not shows_crisis_text("watch")
    assert not shows_crisis_text(None)


def test_a_phq9_rise_of_5_is_worsening() -> None:
    w = worsening_signal("phq9", 8, 13)
    assert w.flag and w.rise == 5 and w.threshold == 5
    assert "Lowe 2004" in w.source
    assert not worsening_signal("phq9", 8, 12).flag


def test_the_clinic_may_set_the_rise() -> None:
    w = worsening_signal("phq9", 8, 11, threshold=3)
    assert w.flag and "set by the clinic" in w.source


def test_no_previous_score_no_worsening() -> None:
    w = worsening_signal("phq9", None, 20)
    assert not w.flag and w.reason == "no previous score"


def test_a_scale_without_a_rule_never_flags() -> None:
    assert not worsening_signal("qids-sr16", 2, 20).flag


def test_bad_worsening_input_names_the_field() -> None:
    with pytest.raises(InputError, match="threshold"):
        worsening_signal("phq9", 1, 2, threshold=0)
    with pytest.raises(InputError, match="current"):
        worsening_signal("phq9", 1, float("nan"))


def test_reminders_at_24_and_72_hours_then_missed() -> None:
    sent = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
    h = dt.timedelta(hours=1)
    assert reminder_action(sent, sent + 23 * h, 0) is None
    assert reminder_action(sent, sent + 24 * h, 0) == "remind"
    assert reminder_action(sent, sent + 30 * h, 1) is None
    assert reminder_action(sent, sent + 72 * h, 1) == "remind"
    assert reminder_action(sent, sent + 80 * h, 2) is None
    assert reminder_action(sent, sent + 96 * h, 2) == "missed"


def test_reminder_hours_must_come_before_missed() -> None:
    sent = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
    with pytest.raises(InputError, match="reminder_hours"):
        reminder_action(sent, sent, 0, reminder_hours=(24, 100), missed_after_hours=96)
