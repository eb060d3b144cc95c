"""Route protocols as data files with their sources; schedules, doses and escalation.

Public API (see docs/protocols.md):

- :func:`list_protocols`, :func:`get_protocol` -> :class:`Protocol`
- :func:`plan_schedule` -> list of :class:`PlannedSession`; :func:`missed_session_advice`
- :func:`calculate_dose` -> :class:`DoseResult` (raises :class:`DoseLimitError`,
  :class:`DoseCeilingError`)
- :func:`advise_escalation` -> :class:`EscalationAdvice`
"""

from ketacare.core.protocols.definitions import Phase, Protocol, get_protocol, list_protocols
from ketacare.core.protocols.dosing import (
    DoseCeilingError,
    DoseLimitError,
    DoseResult,
    calculate_dose,
)
from ketacare.core.protocols.escalation import EscalationAdvice, advise_escalation
from ketacare.core.protocols.schedule import (
    Advice,
    PlannedSession,
    missed_session_advice,
    plan_schedule,
)

__all__ = [
    "Advice",
    "DoseCeilingError",
    "DoseLimitError",
    "DoseResult",
    "EscalationAdvice",
    "Phase",
    "PlannedSession",
    "Protocol",
    "advise_escalation",
    "calculate_dose",
    "get_protocol",
    "list_protocols",
    "missed_session_advice",
    "plan_schedule",
]
