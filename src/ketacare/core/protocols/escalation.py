"""Escalation advice: from the doses given and the scores so far, the next step and why.

Improvement is ``ketacare.core.outcomes.change.improvement_fraction(baseline, latest score)``
(0.5 = a 50% fall). The rule comes from the protocol's ``[escalation]`` table:

- ``ladder`` (IV racemic, KADS, esketamine): below the response fraction after at least
  ``min_sessions_at_dose`` sessions at the current dose, step up to the next rung; at the top
  rung hold; a full course without response asks for a review.
- ``titrate`` (OKTOS): if tolerated and not yet responding, raise by ``increment_min`` to
  ``increment_max`` up to the maximum.
- ``fixed`` (Feder 2021, Peters 2023, sublingual): no escalation in the source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.outcomes.change import improvement_fraction
from ketacare.core.protocols.definitions import Protocol, get_protocol


@dataclass(frozen=True)
class EscalationAdvice:
    protocol: str
    action: str  # continue | escalate | hold_at_max | hold | review
    current_dose: float
    dose_unit: str
    next_dose_mg_per_kg: float | None
    next_dose_mg: float | None
    next_dose_range: tuple[float, float] | None
    improvement_fraction: float
    response: bool
    sessions_given: int
    sessions_at_current_dose: int
    scale: str
    reason: str
    notes: tuple[str, ...]
    source: str
    secondary_source: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "action": self.action,
            "current_dose": self.current_dose,
            "dose_unit": self.dose_unit,
            "next_dose_mg_per_kg": self.next_dose_mg_per_kg,
            "next_dose_mg": self.next_dose_mg,
            "next_dose_range": None if self.next_dose_range is None else list(self.next_dose_range),
            "improvement_fraction": self.improvement_fraction,
            "improvement_percent": round(self.improvement_fraction * 100, 1),
            "response": self.response,
            "sessions_given": self.sessions_given,
            "sessions_at_current_dose": self.sessions_at_current_dose,
            "scale": self.scale,
            "reason": self.reason,
            "notes": list(self.notes),
            "source": self.source,
            "secondary_source": self.secondary_source,
        }


def _doses(protocol: Protocol, doses_given: Sequence[float] | None, n_scores: int) -> list[float]:
    unit = protocol.dose_unit
    allowed = f"doses above 0 in {unit}, one per session given"
    if doses_given is None:
        return [protocol.steps[0]] * n_scores
    doses = list(doses_given)
    if not doses:
        raise InputError("doses_given", doses_given, allowed)
    for dose in doses:
        if (
            isinstance(dose, bool)
            or not isinstance(dose, (int, float))
            or not math.isfinite(dose)
            or dose <= 0
        ):
            raise InputError("doses_given", dose, allowed)
    return [float(d) for d in doses]


def advise_escalation(
    protocol_id: str,
    *,
    baseline: float,
    scores: Sequence[float],
    doses_given: Sequence[float] | None = None,
    scale_id: str = "madrs",
    tolerated: bool = True,
) -> EscalationAdvice:
    """Next step for ``protocol_id`` given the baseline, the scores so far and the doses given.

    ``doses_given`` are in the protocol's unit (mg/kg or mg), one per session; when omitted, every
    scored session is assumed to have been at the starting dose (and a note says so).
    ``tolerated=False`` (marked psychotomimetic effects, poor tolerance) never escalates.
    """
    protocol = get_protocol(protocol_id)
    scores = list(scores)
    if not scores:
        raise InputError("scores", scores, "at least one score after baseline")
    if not isinstance(tolerated, bool):
        raise InputError("tolerated", tolerated, "true or false")
    for s in scores:
        improvement_fraction(baseline, s)  # validates each score and the baseline
    fraction = improvement_fraction(baseline, scores[-1])
    doses = _doses(protocol, doses_given, len(scores))
    notes: list[str] = []
    if doses_given is None:
        notes.append(
            f"doses not given: assumed {len(scores)} session(s) at the starting dose "
            f"{protocol.steps[0]:g} {protocol.dose_unit}"
        )
    current = doses[-1]
    at_current = 0
    for d in reversed(doses):
        if math.isclose(d, current, rel_tol=1e-9):
            at_current += 1
        else:
            break
    esc = protocol.escalation
    response = fraction >= esc.response_fraction
    pct = f"{fraction * 100:.1f}%"
    cut = f"{esc.response_fraction * 100:g}%"
    for extra in (esc.caution, esc.threshold_note, esc.timing_note):
        if extra:
            notes.append(extra)
    if esc.secondary_source:
        notes.append("escalation rule from a secondary source: check before relying on it")
    maximum = protocol.max_dose
    unit = protocol.dose_unit

    action: str
    next_dose: float | None = current
    next_range: tuple[float, float] | None = None
    if current > maximum + 1e-9:
        action = "hold_at_max"
        next_dose = maximum
        reason = (
            f"the last dose {current:g} {unit} is above the protocol maximum {maximum:g} {unit}; "
            "do not go higher without an override"
        )
    elif esc.kind == "fixed":
        action = "continue"
        reason = f"fixed-dose protocol: {esc.source}; improvement {pct}"
    elif response:
        action = "continue"
        reason = f"improvement {pct} reaches the {cut} response cut-off: keep the current dose"
    elif not tolerated:
        action = "hold"
        reason = f"improvement {pct} is below {cut} but the dose is not tolerated: do not escalate"
    elif esc.kind == "titrate":
        assert esc.increment_min is not None and esc.increment_max is not None
        if current >= maximum - 1e-9:
            action = "hold_at_max"
            reason = f"improvement {pct} is below {cut} at the maximum {maximum:g} {unit}"
        else:
            action = "escalate"
            low = min(current + esc.increment_min, maximum)
            high = min(current + esc.increment_max, maximum)
            next_dose = round(low, 4)
            next_range = (round(low, 4), round(high, 4))
            reason = (
                f"improvement {pct} is below {cut} and the dose is tolerated: raise by "
                f"{esc.increment_min:g}-{esc.increment_max:g} {unit} to {low:g}-{high:g} {unit} "
                f"(maximum {maximum:g}); {esc.source}"
            )
    else:  # ladder
        higher = [s for s in protocol.steps if s > current + 1e-9]
        course = esc.course_sessions
        if not higher:
            if course is not None and len(doses) >= course:
                action = "review"
                reason = (
                    f"improvement {pct} is below {cut} after {len(doses)} sessions, "
                    f"at the maximum {maximum:g} {unit}: the course is complete without "
                    "response; review whether to continue"
                )
            else:
                action = "hold_at_max"
                reason = f"improvement {pct} is below {cut} at the maximum {maximum:g} {unit}"
        elif at_current < esc.min_sessions_at_dose:
            action = "continue"
            reason = (
                f"improvement {pct} is below {cut} after {at_current} session(s) at "
                f"{current:g} {unit}; the rule looks at {esc.min_sessions_at_dose} sessions at a "
                "dose before stepping up"
            )
        else:
            action = "escalate"
            next_dose = higher[0]
            reason = (
                f"improvement {pct} is below {cut} after {at_current} session(s) at "
                f"{current:g} {unit}: step up to {higher[0]:g} {unit}; {esc.source}"
            )
    if next_dose is None:
        per_kg = mg = None
    elif protocol.weight_based:
        per_kg, mg = next_dose, None
    else:
        per_kg, mg = None, next_dose
    return EscalationAdvice(
        protocol=protocol.id,
        action=action,
        current_dose=current,
        dose_unit=unit,
        next_dose_mg_per_kg=per_kg,
        next_dose_mg=mg,
        next_dose_range=next_range,
        improvement_fraction=round(fraction, 4),
        response=response,
        sessions_given=len(doses),
        sessions_at_current_dose=at_current,
        scale=scale_id,
        reason=reason,
        notes=tuple(notes),
        source=esc.source,
        secondary_source=esc.secondary_source,
    )
