"""The words every area of the core shares: drugs, routes and the conditions treated.

One list each, so a protocol, a safety rule, a PK parameter set and a trial record all name a route
or a condition the same way, and the web layer can join them (a course's protocol condition with
the evidence records of that condition).
"""

from __future__ import annotations

#: Ketamine preparations: racemic (R,S)-ketamine and its enantiomers.
DRUGS: tuple[str, ...] = ("racemic", "esketamine", "arketamine")

DRUG_NAMES: dict[str, str] = {
    "racemic": "racemic ketamine",
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
