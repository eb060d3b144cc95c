"""The words every area of the core shares: drugs, routes and the conditions treated.

One list each, so a protocol, a safety rule, a PK parameter set and a trial record all name a route
or a condition the same way, and the web layer can join them (a course's protocol condition with
the evidence records of that condition).
"""

from __future__ import annotations

#: Ketamine preparations: racemic (R,S)-ketamine and its enantiomers.
DRUGS: tuple[str, ...] = ("racemic", "esketamine", "arketamine")

DRUG_NAMES: dict[str, str] = {
    "racemic": "ketamine (racemic)",
    "esketamine": "esketamine",
    "arketamine": "arketamine",
}

#: Routes: intravenous, intramuscular, subcutaneous, intranasal, oral (per os), sublingual.
ROUTES: tuple[str, ...] = ("iv", "im", "sc", "in", "po", "sl")

ROUTE_NAMES: dict[str, str] = {
    "iv": "intravenous",
    "im": "intramuscular",
    "sc": "subcutaneous",
    "in": "intranasal",
    "po": "oral",
    "sl": "sublingual",
}

#: Conditions of the evidence records and of the protocols' indications.
CONDITIONS: tuple[str, ...] = (
    "trd",
    "mdd",
    "mdd-si",
    "depression",
    "bipolar-depression",
    "suicidality",
    "ptsd",
    "substance-use",
    "palliative",
)

CONDITION_NAMES: dict[str, str] = {
    "trd": "treatment-resistant depression",
    "mdd": "major depressive disorder",
    "mdd-si": "major depressive disorder with suicidal ideation",
    "depression": "depression",
    "bipolar-depression": "bipolar depression",
    "suicidality": "suicidality",
    "ptsd": "post-traumatic stress disorder",
    "substance-use": "substance use disorders",
    "palliative": "palliative care",
}

#: Pre-dose gates (``core.safety.evaluate_gates``), in words for staff.
GATE_LABELS: dict[str, str] = {
    "blood_pressure": "Blood pressure before dosing",
    "fasting": "Fasting (food and drink)",
    "nasal_medicine": "Nasal corticosteroid or decongestant",
    "rems_enrolment": "Spravato REMS enrolment",
    "ride_home": "Ride home",
}

#: A gate's decision and the checklist's overall decision (``core.safety.DECISIONS``).
DECISION_LABELS: dict[str, str] = {
    "pass": "Clear",
    "warn": "Check before dosing",
    "needs_prescriber": "Prescriber must decide",
    "block": "Do not dose",
}

#: The contraindication screen's status for a drug and route (``core.intake.eligibility``).
ELIGIBILITY_LABELS: dict[str, str] = {
    "eligible": "eligible",
    "missing": "no screen on file",
    "incomplete": "incomplete",
    "contraindicated": "contraindication reported",
}

#: The session's stage (``core.treatment.session_state``).
SESSION_STAGE_LABELS: dict[str, str] = {
    "open": "Open: pre-dose checklist next",
    "checked": "Checklist done",
    "dose_recorded": "Dose recorded",
    "dosing": "Dosing and monitoring",
    "recovery": "Recovery and discharge assessment",
    "ready_to_sign": "Ready to sign",
    "signed": "Signed and locked",
}

#: The actions on a session (``core.treatment.SESSION_ACTIONS``), as a person would say them.
SESSION_ACTION_LABELS: dict[str, str] = {
    "checklist": "Pre-dose checklist",
    "gate_decision": "Prescriber's gate decision",
    "dose": "Record the dose",
    "administration": "Record times and lot",
    "vitals": "Record vital signs",
    "rating": "Rate sedation and dissociation",
    "adverse_event": "Record an adverse event",
    "discharge": "Assess discharge readiness",
    "early_discharge": "Early discharge or transfer (prescriber)",
    "acknowledge_vital": "Acknowledge an out-of-range vital sign",
    "sign": "Sign and lock the session",
    "withdraw": "Withdraw an entry",
}

#: Discharge-readiness criteria (``core.safety.discharge_readiness``) and their statuses.
DISCHARGE_CRITERION_LABELS: dict[str, str] = {
    "two_hour_observation": "Two-hour observation",
    "bp_stable": "Blood pressure stable",
    "ride_home": "Ride home",
    "aldrete": "Modified Aldrete score",
    "sedation_resolved": "Sedation resolved (MOAA/S)",
    "dissociation_resolved": "Dissociation resolved (CADSS)",
}
CRITERION_STATUS_LABELS: dict[str, str] = {
    "met": "Met",
    "not_met": "Not met",
    "not_recorded": "Not recorded",
}

#: Follow-up after a sedation or dissociation rating (``core.safety.followup``).
FOLLOWUP_LABELS: dict[str, str] = {
    "none": "No follow-up needed",
    "monitor": "Keep monitoring and re-rate",
    "adverse_event": "Adverse event: start the workflow",
}

#: The end-of-induction escalation advice (``core.protocols.advise_escalation``): its action.
ESCALATION_ACTION_LABELS: dict[str, str] = {
    "continue": "Keep the current dose",
    "escalate": "Step the dose up",
    "hold": "Hold the dose: not tolerated",
    "hold_at_max": "Hold at the protocol maximum",
    "review": "Review whether to continue",
}


def label(labels: dict[str, str], key: str) -> str:
    """The words for ``key``; an id with no label is shown as itself with underscores as spaces
    (a test keeps every id the core emits labelled)."""
    return labels.get(key, key.replace("_", " "))
