"""Eligibility from the screen history (interim version; replaced by the intake work)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ketacare.core.intake.screen import ScreenResult

SOURCE = "core.intake contraindication screen (each question carries its label source)"


@dataclass(frozen=True)
class ScreenRecord:
    drug: str | None
    route: str | None
    eligible: bool
    contraindications: tuple[str, ...]
    cautions: tuple[str, ...]
    unanswered: tuple[str, ...]
    screened_at: datetime


@dataclass(frozen=True)
class Eligibility:
    status: str
    screen: ScreenRecord | None
    cautions: tuple[str, ...]
    reason: str
    source: str

    @property
    def blocks(self) -> bool:
        return self.status != "eligible"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "cautions": list(self.cautions),
            "reason": self.reason,
            "source": self.source,
            "screened_at": self.screen.screened_at.isoformat() if self.screen else None,
        }


def screen_record_from_result(result: ScreenResult, screened_at: datetime) -> ScreenRecord:
    return ScreenRecord(
        drug=result.drug,
        route=result.route,
        eligible=result.eligible,
        contraindications=tuple(f.id for f in result.contraindications),
        cautions=tuple(f.label for f in result.cautions),
        unanswered=tuple(result.unanswered),
        screened_at=screened_at,
    )


def eligibility(screens: Sequence[ScreenRecord], *, drug: str, route: str) -> Eligibility:
    specific = [s for s in screens if s.drug == drug and s.route in (None, "", route)]
    pool = specific or [s for s in screens if not s.drug]
    if not pool:
        return Eligibility("missing", None, (), f"No screen for {drug} ({route}) on file.", SOURCE)
    latest = max(pool, key=lambda s: s.screened_at)
    when = f"{latest.screened_at:%Y-%m-%d}"
    if latest.contraindications:
        status, reason = (
            "contraindicated",
            f"Screen of {when}: " + ", ".join(latest.contraindications),
        )
    elif latest.unanswered:
        status, reason = (
            "incomplete",
            f"Screen of {when}: unanswered " + ", ".join(latest.unanswered),
        )
    else:
        status, reason = "eligible", f"Screen of {when}: no contraindication."
    return Eligibility(status, latest, latest.cautions, reason, SOURCE)
