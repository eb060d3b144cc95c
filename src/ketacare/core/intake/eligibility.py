"""Whether a patient may be treated with a drug by a route, from their stored intake screens.

Screens are a history: a new screen never replaces an old one. The screen that applies is the
latest one for the drug (and for the route, when the screen names one); a screen recorded for no
drug in particular applies only when no screen for this drug applies. That screen decides:

- no screen applies: ``missing``;
- it reports a contraindication: ``contraindicated``;
- it left contraindication questions unanswered, or (when it records which questions it asked)
  it did not ask a contraindication question the screen asks today: ``incomplete``;
- otherwise ``eligible``, with its cautions named.

Every status but ``eligible`` blocks treatment; the reason names the screen's date. Plain values
in, a frozen answer out: the treatment workflow asks, the web layer only stores the screens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.intake.definitions import Question, questions
from ketacare.core.intake.screen import ScreenResult, list_questions
from ketacare.core.safety._common import DRUGS, ROUTES, check_drug_route
from ketacare.core.vocabulary import ROUTE_NAMES

STATUSES: tuple[str, ...] = ("eligible", "missing", "incomplete", "contraindicated")

SCREEN_SOURCE = (
    "KetaCare intake screen (ketacare/core/intake/data/contraindications.toml): SPRAVATO and "
    "KETALAR US labels; Sanacora et al. 2017, JAMA Psychiatry 74(4):399 (secondary source for "
    "its patient-selection items)"
)

_DRUG_NAMES = {
    "racemic": "racemic ketamine",
    "esketamine": "esketamine",
    "arketamine": "arketamine",
}


def _ids(field: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise InputError(field, value, "a tuple of question ids")
    return value


@dataclass(frozen=True)
class ScreenRecord:
    """One stored screen, as plain values (question ids, not labels)."""

    drug: str | None
    route: str | None
    eligible: bool
    contraindications: tuple[str, ...]  # question ids answered yes that are contraindications
    cautions: tuple[str, ...]  # question ids answered yes that are cautions
    unanswered: tuple[str, ...]  # contraindication question ids left unanswered
    screened_at: dt.datetime  # timezone-aware
    #: The contraindication question ids the screen asked, when known. With it, a screen taken
    #: before a question was added is ``incomplete`` for that question; ``None`` skips the check.
    asked: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.drug is not None and self.drug not in DRUGS:
            raise InputError("drug", self.drug, "one of " + ", ".join(DRUGS) + " or none")
        if self.route is not None and self.route not in ROUTES:
            raise InputError("route", self.route, "one of " + ", ".join(ROUTES) + " or none")
        if not isinstance(self.eligible, bool):
            raise InputError("eligible", self.eligible, "true or false")
        _ids("contraindications", self.contraindications)
        _ids("cautions", self.cautions)
        _ids("unanswered", self.unanswered)
        if self.asked is not None:
            _ids("asked", self.asked)
        if not isinstance(self.screened_at, dt.datetime) or self.screened_at.utcoffset() is None:
            raise InputError("screened_at", self.screened_at, "a timezone-aware date and time")
        if self.eligible != (not self.contraindications and not self.unanswered):
            raise InputError(
                "eligible",
                self.eligible,
                "true exactly when no contraindication is reported and none is unanswered",
            )

    @property
    def date(self) -> str:
        """The screen's date (UTC), as the reasons name it."""
        return self.screened_at.astimezone(dt.UTC).date().isoformat()

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "route": self.route,
            "eligible": self.eligible,
            "contraindications": list(self.contraindications),
            "cautions": list(self.cautions),
            "unanswered": list(self.unanswered),
            "screened_at": self.screened_at.isoformat(),
            "asked": None if self.asked is None else list(self.asked),
        }


@dataclass(frozen=True)
class Eligibility:
    """The answer: a status, the screen that decided it, its cautions, a reason and a source."""

    status: str
    screen: ScreenRecord | None
    cautions: tuple[str, ...]  # caution labels (human words)
    reason: str
    source: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise InputError("status", self.status, "one of " + ", ".join(STATUSES))

    @property
    def blocks(self) -> bool:
        """True unless the status is ``eligible``."""
        return self.status != "eligible"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "blocks": self.blocks,
            "screen": None if self.screen is None else self.screen.to_dict(),
            "cautions": list(self.cautions),
            "reason": self.reason,
            "source": self.source,
        }


def screen_record_from_result(result: ScreenResult, screened_at: dt.datetime) -> ScreenRecord:
    """The plain record of a screen just taken (``asked`` filled from today's questions)."""
    if not isinstance(result, ScreenResult):
        raise InputError("result", result, "a ScreenResult from screen_contraindications")
    asked = tuple(
        q.id
        for q in list_questions(result.drug, result.route)
        if q.kind == "contraindication" and q.id not in result.unanswered
    )
    return ScreenRecord(
        drug=result.drug,
        route=result.route,
        eligible=result.eligible,
        contraindications=tuple(f.id for f in result.contraindications),
        cautions=tuple(f.id for f in result.cautions),
        unanswered=tuple(result.unanswered),
        screened_at=screened_at,
        asked=asked,
    )


def _applies(screen: ScreenRecord, drug: str, route: str) -> bool:
    return (screen.drug is None or screen.drug == drug) and (
        screen.route is None or screen.route == route
    )


def applicable_screen(
    screens: Sequence[ScreenRecord], *, drug: str, route: str
) -> ScreenRecord | None:
    """The latest screen for ``drug``/``route``; a drug-less screen only if none names the drug."""
    for screen in screens:
        if not isinstance(screen, ScreenRecord):
            raise InputError("screens", screen, "a sequence of ScreenRecord")
    candidates = [(i, s) for i, s in enumerate(screens) if _applies(s, drug, route)]
    specific = [(i, s) for i, s in candidates if s.drug == drug]
    pool = specific or candidates
    if not pool:
        return None
    # Latest by time; of two at the same instant, the one recorded later in the history.
    return max(pool, key=lambda item: (item[1].screened_at, item[0]))[1]


def _labels(ids: Sequence[str], by_id: dict[str, Question]) -> tuple[str, ...]:
    return tuple(by_id[i].label if i in by_id else f"{i} (no longer asked)" for i in ids)


def _sources(ids: Sequence[str], by_id: dict[str, Question]) -> str:
    found = [by_id[i].source for i in ids if i in by_id]
    return " | ".join(dict.fromkeys(found)) or SCREEN_SOURCE


def eligibility(screens: Sequence[ScreenRecord], *, drug: str, route: str) -> Eligibility:
    """Decide eligibility for ``drug`` by ``route`` from the patient's screen history."""
    drug, route = check_drug_route(drug, route)
    if isinstance(screens, (str, bytes)) or not isinstance(screens, Sequence):
        raise InputError("screens", screens, "a sequence of ScreenRecord")
    what = f"{_DRUG_NAMES[drug]} by the {ROUTE_NAMES[route]} route"
    screen = applicable_screen(screens, drug=drug, route=route)
    if screen is None:
        return Eligibility(
            status="missing",
            screen=None,
            cautions=(),
            reason=(
                f"No contraindication screen is recorded for {what}: screen the patient before "
                "treatment."
            ),
            source=SCREEN_SOURCE,
        )
    by_id = {q.id: q for q in questions()}
    cautions = _labels(screen.cautions, by_id)
    caution_text = (
        f" {len(cautions)} caution(s) to review: " + "; ".join(cautions) + "." if cautions else ""
    )
    of = f"The screen of {screen.date}"
    if screen.contraindications:
        return Eligibility(
            status="contraindicated",
            screen=screen,
            cautions=cautions,
            reason=(
                f"{of} reports a contraindication to {what}: "
                + "; ".join(_labels(screen.contraindications, by_id))
                + ". Not eligible until a clinician reviews."
                + caution_text
            ),
            source=_sources(screen.contraindications, by_id),
        )
    not_asked: tuple[str, ...] = ()
    if screen.asked is not None:
        done = set(screen.asked) | set(screen.unanswered)
        not_asked = tuple(
            q.id
            for q in list_questions(drug, route)
            if q.kind == "contraindication" and q.id not in done
        )
    if screen.unanswered or not_asked:
        parts = []
        if screen.unanswered:
            parts.append("left unanswered: " + "; ".join(_labels(screen.unanswered, by_id)))
        if not_asked:
            parts.append("did not ask (added since): " + "; ".join(_labels(not_asked, by_id)))
        return Eligibility(
            status="incomplete",
            screen=screen,
            cautions=cautions,
            reason=(
                f"{of} is incomplete for {what}: it "
                + "; it ".join(parts)
                + ". Complete the screen before treatment."
                + caution_text
            ),
            source=SCREEN_SOURCE,
        )
    return Eligibility(
        status="eligible",
        screen=screen,
        cautions=cautions,
        reason=f"{of} reports no contraindication to {what}." + caution_text,
        source=_sources(screen.cautions, by_id) if cautions else SCREEN_SOURCE,
    )
