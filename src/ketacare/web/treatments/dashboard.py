"""Sessions not yet signed, for the clinic dashboard (called by ``core_app.dashboard``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ketacare.web.core_app.links import link_for
from ketacare.web.core_app.records import for_clinic
from ketacare.web.treatments.models import SessionStatus, TreatmentSession


@dataclass(frozen=True)
class UnsignedSession:
    label: str
    url: str

    def __str__(self) -> str:
        return self.label


def unsigned_sessions(user: Any, limit: int = 50) -> list[UnsignedSession]:
    session_url = link_for("treatments:detail")
    rows = (
        for_clinic(TreatmentSession.objects.filter(status=SessionStatus.OPEN), user)
        .order_by("date", "chair", "id")
        .values_list("uuid", "date", "chair", "patient__given_name", "patient__family_name")[:limit]
    )
    return [
        UnsignedSession(
            label=f"{date:%a %d %b} · {given} {family}" + (f" · chair {chair}" if chair else ""),
            url=session_url(uuid),
        )
        for uuid, date, chair, given, family in rows
    ]
