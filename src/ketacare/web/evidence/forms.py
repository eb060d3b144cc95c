"""Filters of the evidence browser and the choices of a pooled analysis.

The vocabularies (conditions, drugs, routes, outcome classes, designs, effect measures, pooling
methods) are the core's own tuples, so a new value in the core shows here without code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from ketacare.core.evidence.effects import BINARY_MEASURES
from ketacare.core.evidence.pooling import METHODS
from ketacare.core.evidence.trials import (
    CONDITIONS,
    DESIGNS,
    DRUGS,
    OUTCOME_CLASSES,
    ROUTES,
)

ANY = ("", "any")

ROUTE_LABELS = {
    "iv": "intravenous",
    "im": "intramuscular",
    "sc": "subcutaneous",
    "in": "intranasal",
    "po": "oral",
    "sl": "sublingual",
}
METHOD_LABELS = {
    "REML": "restricted maximum likelihood, random effects",
    "DL": "DerSimonian-Laird, random effects",
    "PM": "Paule-Mandel, random effects",
    "FE": "inverse variance, fixed effect",
    "MH": "Mantel-Haenszel, fixed effect",
}
MEASURE_LABELS = {"RR": "risk ratio", "OR": "odds ratio", "RD": "risk difference"}
#: outcome classes with yes/no counts that a pooled analysis can use
BINARY_OUTCOMES = tuple(c for c in OUTCOME_CLASSES if c not in ("change", "other"))


def _choices(values: Sequence[str], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    labels = labels or {}
    return [(v, f"{v} ({labels[v]})" if v in labels else v) for v in values]


def _optional(values: Sequence[str], labels: dict[str, str] | None = None) -> Any:
    return forms.ChoiceField(choices=[ANY, *_choices(values, labels)], required=False)


class TrialFilterForm(forms.Form):
    condition = _optional(CONDITIONS)
    drug = _optional(DRUGS)
    route = _optional(ROUTES, ROUTE_LABELS)
    outcome = _optional(OUTCOME_CLASSES)
    design = _optional(DESIGNS)

    def filters(self) -> dict[str, str]:
        """The chosen filters, as keyword arguments of ``core.evidence.list_trials``."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {k: v for k, v in data.items() if v}


class PoolForm(forms.Form):
    outcome = forms.ChoiceField(choices=_choices(BINARY_OUTCOMES), initial="response")
    measure = forms.ChoiceField(choices=_choices(BINARY_MEASURES, MEASURE_LABELS), initial="RR")
    method = forms.ChoiceField(choices=_choices(METHODS, METHOD_LABELS), initial="REML")
    hksj = forms.BooleanField(
        required=False,
        label="Hartung-Knapp-Sidik-Jonkman",
        help_text="t-based CI with the HKSJ variance (random-effects methods)",
    )
    condition = forms.ChoiceField(
        choices=_choices(CONDITIONS),
        initial="trd",
        help_text="one condition per analysis",
    )
    drug = _optional(DRUGS)
    route = _optional(ROUTES, ROUTE_LABELS)
    design = _optional(DESIGNS)
    include_active = forms.BooleanField(
        required=False,
        label="include active comparators",
        help_text="e.g. ketamine vs ECT (left out by default)",
    )
    include_reconstructed = forms.BooleanField(
        required=False,
        label="include reconstructed counts",
        help_text="counts rebuilt from printed percentages (flagged)",
    )
    subgroups = forms.BooleanField(
        required=False,
        initial=True,
        label="subgroups by drug and route",
        help_text="e.g. racemic IV vs esketamine intranasal",
    )

    def pool_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``core.evidence.pool`` (call after ``is_valid()``)."""
        d = self.cleaned_data
        comparators = ["placebo", "active-placebo"]
        if d.get("include_active"):
            comparators.append("active-treatment")
        return {
            "outcome": d["outcome"],
            "measure": d["measure"],
            "method": d["method"],
            "hksj": bool(d.get("hksj")),
            "condition": d["condition"],
            "drug": d.get("drug") or None,
            "route": d.get("route") or None,
            "design": d.get("design") or None,
            "comparator_types": tuple(comparators),
            "include_reconstructed": bool(d.get("include_reconstructed")),
            "subgroup_by_drug_route": bool(d.get("subgroups")),
        }


def pool_form_from(query: Any) -> PoolForm:
    """A bound form from the query string; with no query, the defaults (a first analysis)."""
    if not query:
        initial = {name: field.initial for name, field in PoolForm.base_fields.items()}
        data = {k: v for k, v in initial.items() if v not in (None, False)}
        return PoolForm(data)
    return PoolForm(query)
