"""``{% open_vital_alerts session vitals as alerts %}``: the session's out-of-range vital signs
not yet acknowledged (the core's ``check_vitals`` set ``out_of_range`` and ``alerts``; nothing is
judged here), each with its time in the clinic's time zone."""

from __future__ import annotations

from typing import Any

from django import template

from ketacare.web.lib.zone import clinic_time

register = template.Library()


def alert_row(vital: Any, clinic: Any) -> dict[str, Any]:
    return {
        "uuid": vital.uuid,
        "time": clinic_time(vital.taken_at, clinic),
        "minute": vital.minute,
        "reasons": [a.get("reason", "") for a in vital.alerts or []],
    }


@register.simple_tag
def open_vital_alerts(session: Any, vitals: Any) -> list[dict[str, Any]]:
    return [
        alert_row(v, session.clinic)
        for v in vitals or []
        if v.out_of_range and not v.withdrawn and v.acknowledged_at is None
    ]
