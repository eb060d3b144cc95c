"""Sedation (MOAA/S) and dissociation (CADSS) follow-up during a session.

Decisions: ``"none"`` (nothing to follow), ``"monitor"`` (keep observing and re-rate until it has
resolved; the patient may not leave before), ``"adverse_event"`` (loss of consciousness: start
the adverse-event workflow and record it; REMS sites report it on the Monitoring Form).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ketacare.core.safety._common import check_int
from ketacare.core.safety.thresholds import DEFAULT_THRESHOLDS, Thresholds

MOAAS_LABEL_SOURCE = (
    "Spravato US label section 6 (sedation by MOAA/S; any decrease from pre-dose indicates "
    "sedation; 5 = responds readily to name in normal tone, 0 = no response to painful trapezius "
    "squeeze), https://www.usmedicine.com/2021online-dir/inc/html/35.html"
)
LOC_SOURCE = (
    "Loss of consciousness (MOAA/S 0) in 0.3% on the Spravato label, "
    "https://www.usmedicine.com/2021online-dir/inc/html/30.html ; adverse events are recorded on "
    "the REMS Monitoring Form (secondary source): "
    "https://support.care.osmind.org/articles/1696117798-spravato-rems-workflow"
)
RESOLVE_SOURCE = (
    "Spravato REMS: HCPs monitor until sedation, dissociation and respiratory depression "
    "resolve, https://www.spravatorems.com/outpatient-hcs.html"
)
CADSS_SOURCE = (
    "CADSS 23 items scored 0-4, total 0-92; no cut-off cleanly separates dissociation from its "
    "absence, https://inclinicaltrials.com/major-depressive-disorder/NCT04226963/details ; "
    "https://www.physiciansweekly.com/relationship-between-dissociation-antidepressant-effects-"
    "of-esketamine-nasal-spray-in-trd-patients/"
)


@dataclass(frozen=True)
class FollowUp:
    measure: str  # "moaas" or "cadss"
    value: int
    level: str
    decision: str  # "none" | "monitor" | "adverse_event"
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "value": self.value,
            "level": self.level,
            "decision": self.decision,
            "reason": self.reason,
            "source": self.source,
        }


def sedation_followup(
    moaas: int, *, baseline: int | None = None, thresholds: Thresholds | None = None
) -> FollowUp:
    """Follow-up for a MOAA/S rating (0-5, 5 = alert).

    Levels: ``none`` (5, or not below the pre-dose ``baseline``), ``mild`` (4),
    ``moderate_or_worse`` (1-3), ``loss_of_consciousness`` (0).
    """
    value = check_int("moaas", moaas, 0, 5)
    base = check_int("baseline moaas", baseline, 0, 5, optional=True)
    assert value is not None
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    coding = t.source_of("moaas_mild")
    if value == 0:
        return FollowUp(
            "moaas",
            value,
            "loss_of_consciousness",
            "adverse_event",
            "MOAA/S 0: no response, loss of consciousness. Start the adverse-event workflow, "
            "support the airway and breathing, and record it.",
            f"{MOAAS_LABEL_SOURCE}; {LOC_SOURCE}",
        )
    reference = base if base is not None else 5
    if value >= reference:
        shown = "pre-dose " + str(base) if base is not None else "5 (alert)"
        return FollowUp(
            "moaas",
            value,
            "none",
            "none",
            f"MOAA/S {value}: not below {shown}; no sedation.",
            MOAAS_LABEL_SOURCE,
        )
    if value <= t.moaas_moderate_max:
        level = "moderate_or_worse"
        words = f"moderate sedation or worse (MOAA/S <= {t.moaas_moderate_max})"
    elif value == t.moaas_mild:
        level = "mild"
        words = f"mild sedation (MOAA/S {t.moaas_mild})"
    else:  # only reachable with a clinic coding that leaves a gap
        level = "mild"
        words = "sedation (below the pre-dose rating)"
    return FollowUp(
        "moaas",
        value,
        level,
        "monitor",
        f"MOAA/S {value}: {words}. Keep observing and re-rate until it returns to "
        f"{reference}; the patient may not leave before sedation has resolved.",
        f"{coding}; {MOAAS_LABEL_SOURCE}; {RESOLVE_SOURCE}",
    )


def dissociation_followup(
    cadss_total: int, *, baseline: int | None = None, thresholds: Thresholds | None = None
) -> FollowUp:
    """Follow-up for a CADSS total (23-item form, 0-92).

    Levels: ``none`` (not above the pre-dose ``baseline``, default 0), ``present``, and
    ``severe_posthoc`` above the post-hoc cut-off (> 4) used in esketamine analyses.
    """
    value = check_int("cadss_total", cadss_total, 0, 92)
    base = check_int("baseline cadss", baseline, 0, 92, optional=True)
    assert value is not None
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    reference = base if base is not None else 0
    if value <= reference:
        return FollowUp(
            "cadss",
            value,
            "none",
            "none",
            f"CADSS {value}: not above the pre-dose {reference}; no dissociation to follow.",
            CADSS_SOURCE,
        )
    if value > t.cadss_severe_above:
        return FollowUp(
            "cadss",
            value,
            "severe_posthoc",
            "monitor",
            f"CADSS {value}: above {t.cadss_severe_above:g}, the post-hoc cut-off for severe "
            "dissociation (not a validated threshold). Keep observing in a calm setting and "
            f"re-rate until it returns to {reference}; the patient may not leave before.",
            f"{t.source_of('cadss_severe_above')}; {RESOLVE_SOURCE}",
        )
    return FollowUp(
        "cadss",
        value,
        "present",
        "monitor",
        f"CADSS {value}: dissociation present. Keep observing and re-rate until it returns to "
        f"{reference}; the patient may not leave before.",
        f"{CADSS_SOURCE}; {RESOLVE_SOURCE}",
    )
