"""Contraindication and caution screen at intake (questions in data/contraindications.toml).

Answers are yes/no per question id. A yes to a contraindication makes the patient not eligible
(pending clinical review); a yes to a caution is reported with its reason. The patient is
eligible only when every applicable contraindication question is answered no.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError, UnknownIdError
from ketacare.core.intake.definitions import Question, questions
from ketacare.core.safety._common import DRUGS, ROUTES, check_drug_route


@dataclass(frozen=True)
class Finding:
    id: str
    kind: str
    label: str
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "reason": self.reason,
            "source": self.source,
        }


@dataclass(frozen=True)
class ScreenResult:
    drug: str | None
    route: str | None
    eligible: bool
    contraindications: tuple[Finding, ...]
    cautions: tuple[Finding, ...]
    unanswered: tuple[str, ...]
    not_applicable: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "route": self.route,
            "eligible": self.eligible,
            "contraindications": [f.to_dict() for f in self.contraindications],
            "cautions": [f.to_dict() for f in self.cautions],
            "unanswered": list(self.unanswered),
            "not_applicable": list(self.not_applicable),
            "reason": self.reason,
        }


def list_questions(drug: str | None = None, route: str | None = None) -> list[Question]:
    """The screen's questions that apply to ``drug``/``route`` (all when not given)."""
    drug, route = _check(drug, route)
    return [q for q in questions() if q.applies(drug, route)]


def _check(drug: str | None, route: str | None) -> tuple[str | None, str | None]:
    if drug is not None and route is not None:
        return check_drug_route(drug, route)
    if drug is not None and drug not in DRUGS:
        raise UnknownIdError("drug", drug, DRUGS)
    if route is not None and route not in ROUTES:
        raise UnknownIdError("route", route, ROUTES)
    return drug, route


def screen_contraindications(
    answers: Mapping[str, bool], *, drug: str | None = None, route: str | None = None
) -> ScreenResult:
    """Screen yes/no ``answers`` (question id -> True for yes) for ``drug``/``route``."""
    drug, route = _check(drug, route)
    if not isinstance(answers, Mapping):
        raise InputError("answers", answers, "a mapping of question id to true/false")
    by_id = {q.id: q for q in questions()}
    for key, value in answers.items():
        if key not in by_id:
            raise UnknownIdError("answers", key, tuple(by_id))
        if not isinstance(value, bool):
            raise InputError(f"answers {key}", value, "true (yes) or false (no)")
    applicable = [q for q in questions() if q.applies(drug, route)]
    applicable_ids = {q.id for q in applicable}
    contraindications = tuple(
        _finding(q) for q in applicable if q.kind == "contraindication" and answers.get(q.id)
    )
    cautions = tuple(_finding(q) for q in applicable if q.kind == "caution" and answers.get(q.id))
    unanswered = tuple(
        q.id for q in applicable if q.kind == "contraindication" and q.id not in answers
    )
    not_applicable = tuple(k for k in answers if k not in applicable_ids)
    eligible = not contraindications and not unanswered
    if contraindications:
        reason = (
            "Not eligible pending clinical review: "
            + "; ".join(f.label for f in contraindications)
            + "."
        )
    elif unanswered:
        reason = "Screen incomplete: unanswered contraindication question(s): " + ", ".join(
            unanswered
        )
    else:
        reason = "No contraindication reported."
    if cautions:
        # Cautions are named whatever the verdict, so a contraindication never hides them.
        reason += f" {len(cautions)} caution(s) to review: " + "; ".join(f.label for f in cautions)
        reason += "."
    return ScreenResult(
        drug=drug,
        route=route,
        eligible=eligible,
        contraindications=contraindications,
        cautions=cautions,
        unanswered=unanswered,
        not_applicable=not_applicable,
        reason=reason,
    )


def _finding(q: Question) -> Finding:
    return Finding(id=q.id, kind=q.kind, label=q.label, reason=q.reason, source=q.source)
