"""Sessions not yet signed, for the clinic dashboard (called by ``core_app.dashboard``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from ketacare.web.core_app.records import for_clinic
from ketacare.web.treatments.models import SessionStatus, TreatmentSession


@dataclass(frozen=True)
class UnsignedSession:
    label: str
    url: str

    def __str__(self) -> str:
        return self.label


def unsigned_sessions(user: Any, limit: int = 50) -> list[UnsignedSession]:
    rows = (
        for_clinic(TreatmentSession.objects.filter(status=SessionStatus.OPEN), user)
        .select_related("patient")
        .only("uuid", "date", "chair", "patient__given_name", "patient__family_name")
        .order_by("date", "chair", "id")[:limit]
    )
    return [
        UnsignedSession(
            label=f"{s.date:%a %d %b} · {s.patient.full_name}"
            + (f" · chair {s.chair}" if s.chair else ""),
            url=reverse("treatments:detail", args=[s.uuid]),
        )
        for s in rows
    ]
