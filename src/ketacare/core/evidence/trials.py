"""Trial records (data files in ``core/evidence/data/``) and analyses over them.

One TOML file per study; the grammar is stated in each file's header and in docs/evidence.md.
Every number sits in an ``[[outcomes]]`` block whose ``source`` names the page, table or abstract
it was read from. Counts rebuilt from percentages carry ``reconstructed = true`` and the check
that supports them; they are left out of pooled analyses unless asked for.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from scipy import stats

from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError, InputError, UnknownIdError
from ketacare.core.evidence.effects import BinaryRow, Effect, binary_effect, check_measure
from ketacare.core.evidence.pooling import (
    EggerResult,
    PoolResult,
    SubgroupResult,
    check_method,
    egger_test,
    pool_binary,
    pool_effects,
    pool_yi_vi,
    subgroup_analysis,
)
from ketacare.core.vocabulary import CONDITIONS as VOCABULARY_CONDITIONS
from ketacare.core.vocabulary import DRUGS as VOCABULARY_DRUGS
from ketacare.core.vocabulary import ROUTES as VOCABULARY_ROUTES

CONDITIONS = VOCABULARY_CONDITIONS
DRUGS = (*VOCABULARY_DRUGS, "mixed", "not-reported")
ROUTES = (*VOCABULARY_ROUTES, "mixed", "not-reported")
DESIGNS = (
    "rct",
    "rct-crossover",
    "controlled-non-randomised",
    "open-label-single-arm",
    "retrospective",
    "retrospective-controlled",
    "pooled-post-hoc",
    "ipd-meta-analysis",
    "meta-analysis",
    "systematic-review",
)
SYNTHESES = ("pooled-post-hoc", "ipd-meta-analysis", "meta-analysis", "systematic-review")
COMPARATOR_TYPES = ("placebo", "active-placebo", "active-treatment", "usual-care", "none")
OUTCOME_CLASSES = (
    "response",
    "remission",
    "si-response",
    "si-remission",
    "change",
    "abstinence",
    "improvement",
    "other",
)
KINDS = ("binary", "single-arm", "rate", "continuous", "effect", "text")
NUMBER_KEYS = (
    "events_treat",
    "n_treat",
    "events_ctrl",
    "n_ctrl",
    "percent_treat",
    "percent_ctrl",
    "mean_treat",
    "sd_treat",
    "mean_ctrl",
    "sd_ctrl",
    "mean_baseline",
    "sd_baseline",
    "effect",
    "ci_low",
    "ci_high",
    "se",
    "p",
)
COUNT_KEYS = ("events_treat", "n_treat", "events_ctrl", "n_ctrl")
TRIAL_KEYS = {
    "id",
    "short",
    "citation",
    "doi",
    "year",
    "design",
    "blinding",
    "population",
    "condition",
    "drug",
    "route",
    "dose",
    "comparator",
    "comparator_type",
    "registration",
    "in_seeds",
    "seed_files",
    "notes",
    "outcomes",
}
OUTCOME_KEYS = {
    "id",
    "name",
    "class",
    "kind",
    "scale",
    "definition",
    "timepoint",
    "analysis_set",
    "primary",
    "arm",
    "shared_control",
    "effect_measure",
    "numbers",
    "reconstructed",
    "reconstruction_check",
    "source",
}


def _req_str(src: str, data: Mapping[str, Any], key: str, *, allow_empty: bool = False) -> str:
    value = data.get(key, "" if allow_empty else None)
    if not isinstance(value, str) or (not value and not allow_empty):
        raise DefinitionError(src, f"{key!r} must be a non-empty string")
    return value


def _choice(src: str, key: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise DefinitionError(src, f"{key} {value!r} is not one of {', '.join(allowed)}")
    return str(value)


@dataclass(frozen=True)
class Outcome:
    """One reported result of a study: an outcome at a timepoint, with its numbers and source."""

    id: str
    name: str
    outcome_class: str
    kind: str
    scale: str
    definition: str
    timepoint: str
    analysis_set: str
    source: str
    numbers: Mapping[str, float] = field(default_factory=dict)
    primary: bool = False
    arm: str = ""
    shared_control: bool = False
    effect_measure: str = ""
    reconstructed: bool = False
    reconstruction_check: str = ""
    origin: str = ""

    def __post_init__(self) -> None:
        src = self.origin or self.id
        _choice(src, f"outcome {self.id} class", self.outcome_class, OUTCOME_CLASSES)
        _choice(src, f"outcome {self.id} kind", self.kind, KINDS)
        if not self.source.strip():
            raise DefinitionError(src, f"outcome {self.id}: every number needs a source")
        for key, value in self.numbers.items():
            if key not in NUMBER_KEYS:
                raise DefinitionError(src, f"outcome {self.id}: unknown number {key!r}")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise DefinitionError(src, f"outcome {self.id}: {key} must be a number")
            if key in COUNT_KEYS and (not isinstance(value, int) or value < 0):
                raise DefinitionError(src, f"outcome {self.id}: {key} must be a whole number")
            if key.startswith("percent") and not 0 <= value <= 100:
                raise DefinitionError(src, f"outcome {self.id}: {key} {value} outside 0-100")
            if key.startswith("sd") and value <= 0:
                raise DefinitionError(src, f"outcome {self.id}: {key} must be above 0")
        n = self.numbers
        for arm in ("treat", "ctrl"):
            ev, nn = n.get(f"events_{arm}"), n.get(f"n_{arm}")
            if ev is not None and nn is not None:
                if ev > nn:
                    raise DefinitionError(src, f"outcome {self.id}: events_{arm} above n_{arm}")
                pct = n.get(f"percent_{arm}")
                # a printed percentage must agree with the printed counts (to its rounding)
                if pct is not None and abs(100 * ev / nn - pct) > 0.5 + 1e-9:
                    raise DefinitionError(
                        src,
                        f"outcome {self.id}: percent_{arm} {pct} disagrees with "
                        f"{ev}/{nn} = {100 * ev / nn:.1f}%",
                    )
        required = {
            "binary": COUNT_KEYS,
            "single-arm": ("events_treat", "n_treat"),
            "continuous": ("mean_treat",),
            "effect": ("effect",),
        }.get(self.kind, ())
        missing = [k for k in required if k not in n]
        if missing:
            raise DefinitionError(src, f"outcome {self.id} ({self.kind}) lacks {missing}")
        if self.kind == "effect" and not self.effect_measure:
            raise DefinitionError(src, f"outcome {self.id}: effect needs effect_measure")
        if self.reconstructed and not self.reconstruction_check.strip():
            raise DefinitionError(src, f"outcome {self.id}: reconstructed counts need the check")
        if "ci_low" in n and "ci_high" in n and n["ci_low"] > n["ci_high"]:
            raise DefinitionError(src, f"outcome {self.id}: ci_low above ci_high")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "class": self.outcome_class,
            "kind": self.kind,
            "scale": self.scale,
            "definition": self.definition,
            "timepoint": self.timepoint,
            "analysis_set": self.analysis_set,
            "primary": self.primary,
            "arm": self.arm,
            "shared_control": self.shared_control,
            "effect_measure": self.effect_measure,
            "numbers": dict(self.numbers),
            "reconstructed": self.reconstructed,
            "reconstruction_check": self.reconstruction_check,
            "source": self.source,
        }


@dataclass(frozen=True)
class Trial:
    """A study record: citation, design, population, intervention and reported outcomes."""

    id: str
    short: str
    citation: str
    doi: str
    year: int
    design: str
    blinding: str
    population: str
    condition: str
    drug: str
    route: str
    dose: str
    comparator: str
    comparator_type: str
    registration: str
    in_seeds: bool
    seed_files: tuple[str, ...]
    notes: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    source_file: str = ""

    def __post_init__(self) -> None:
        src = self.source_file or self.id
        _choice(src, "design", self.design, DESIGNS)
        _choice(src, "condition", self.condition, CONDITIONS)
        _choice(src, "drug", self.drug, DRUGS)
        _choice(src, "route", self.route, ROUTES)
        _choice(src, "comparator_type", self.comparator_type, COMPARATOR_TYPES)
        if not 1900 < self.year < 2100:
            raise DefinitionError(src, f"year {self.year} is not plausible")
        ids = [o.id for o in self.outcomes]
        if len(ids) != len(set(ids)):
            raise DefinitionError(src, "outcome ids must be unique")

    @property
    def is_synthesis(self) -> bool:
        """Pooled analyses and reviews: never pooled beside their component trials."""
        return self.design in SYNTHESES

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "short": self.short,
            "year": self.year,
            "design": self.design,
            "condition": self.condition,
            "drug": self.drug,
            "route": self.route,
            "comparator_type": self.comparator_type,
            "outcome_classes": sorted({o.outcome_class for o in self.outcomes}),
            "has_counts": any(o.kind in ("binary", "single-arm") for o in self.outcomes),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "citation": self.citation,
            "doi": self.doi or None,
            "blinding": self.blinding,
            "population": self.population,
            "dose": self.dose,
            "comparator": self.comparator,
            "registration": self.registration or None,
            "in_seeds": self.in_seeds,
            "seed_files": list(self.seed_files),
            "notes": list(self.notes),
            "is_synthesis": self.is_synthesis,
            "outcomes": [o.to_dict() for o in self.outcomes],
            "source_file": self.source_file,
        }


def trial_from_dict(data: Mapping[str, Any], source: str) -> Trial:
    unknown = set(data) - TRIAL_KEYS
    if unknown:
        raise DefinitionError(source, f"unknown keys {sorted(unknown)}")
    outcomes = []
    raw_outcomes = data.get("outcomes", [])
    if not isinstance(raw_outcomes, list) or not raw_outcomes:
        raise DefinitionError(source, "at least one [[outcomes]] block is required")
    for raw in raw_outcomes:
        extra = set(raw) - OUTCOME_KEYS
        if extra:
            raise DefinitionError(source, f"outcome keys {sorted(extra)} are unknown")
        numbers = raw.get("numbers", {})
        if not isinstance(numbers, dict):
            raise DefinitionError(source, "numbers must be a table")
        outcomes.append(
            Outcome(
                id=_req_str(source, raw, "id"),
                name=_req_str(source, raw, "name"),
                outcome_class=raw.get("class", ""),
                kind=raw.get("kind", ""),
                scale=_req_str(source, raw, "scale", allow_empty=True),
                definition=_req_str(source, raw, "definition", allow_empty=True),
                timepoint=_req_str(source, raw, "timepoint", allow_empty=True),
                analysis_set=_req_str(source, raw, "analysis_set", allow_empty=True),
                source=_req_str(source, raw, "source"),
                numbers=numbers,
                primary=bool(raw.get("primary", False)),
                arm=str(raw.get("arm", "")),
                shared_control=bool(raw.get("shared_control", False)),
                effect_measure=str(raw.get("effect_measure", "")),
                reconstructed=bool(raw.get("reconstructed", False)),
                reconstruction_check=str(raw.get("reconstruction_check", "")),
                origin=source,
            )
        )
    year = data.get("year")
    if not isinstance(year, int):
        raise DefinitionError(source, "year must be an integer")
    trial_id = _req_str(source, data, "id")
    if source.removesuffix(".toml") != trial_id:
        raise DefinitionError(source, f"id {trial_id!r} must match the file name")
    return Trial(
        id=trial_id,
        short=_req_str(source, data, "short"),
        citation=_req_str(source, data, "citation"),
        doi=_req_str(source, data, "doi", allow_empty=True),
        year=year,
        design=data.get("design", ""),
        blinding=_req_str(source, data, "blinding", allow_empty=True),
        population=_req_str(source, data, "population"),
        condition=data.get("condition", ""),
        drug=data.get("drug", ""),
        route=data.get("route", ""),
        dose=_req_str(source, data, "dose", allow_empty=True),
        comparator=_req_str(source, data, "comparator", allow_empty=True),
        comparator_type=data.get("comparator_type", ""),
        registration=_req_str(source, data, "registration", allow_empty=True),
        in_seeds=bool(data.get("in_seeds", False)),
        seed_files=tuple(data.get("seed_files", ())),
        notes=tuple(data.get("notes", ())),
        outcomes=tuple(outcomes),
        source_file=source,
    )


@cache
def _library() -> dict[str, Trial]:
    trials: dict[str, Trial] = {}
    for name, data in iter_data_files("ketacare.core.evidence"):
        trial = trial_from_dict(data, name)
        trials[trial.id] = trial
    return trials


def _check_filter(field_name: str, value: str | None, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise InputError(field_name, value, "one of " + ", ".join(allowed))


def list_trials(
    *,
    condition: str | None = None,
    drug: str | None = None,
    route: str | None = None,
    outcome: str | None = None,
    design: str | None = None,
) -> list[Trial]:
    """Trial records matching every filter given (outcome = an outcome class)."""
    _check_filter("condition", condition, CONDITIONS)
    _check_filter("drug", drug, DRUGS)
    _check_filter("route", route, ROUTES)
    _check_filter("outcome", outcome, OUTCOME_CLASSES)
    _check_filter("design", design, DESIGNS)
    out = []
    for t in _library().values():
        if condition and t.condition != condition:
            continue
        if drug and t.drug != drug:
            continue
        if route and t.route != route:
            continue
        if design and t.design != design:
            continue
        if outcome and not any(o.outcome_class == outcome for o in t.outcomes):
            continue
        out.append(t)
    return sorted(out, key=lambda t: (t.year, t.id))


def get_trial(trial_id: str) -> Trial:
    lib = _library()
    if trial_id not in lib:
        raise UnknownIdError("trial", trial_id, list(lib))
    return lib[trial_id]


# --- pooled analyses over the records -----------------------------------------------------


@dataclass(frozen=True)
class TrialPool:
    """A pooled analysis over trial records, with what was included and why others were not."""

    result: PoolResult
    included: tuple[dict[str, Any], ...]
    excluded: tuple[dict[str, str], ...]
    filters: dict[str, Any]
    subgroups: SubgroupResult | None = None

    def forest_svg(self, title: str = "") -> str:
        from ketacare.core.evidence.plots import forest_svg

        return forest_svg(self.result, title=title)

    def funnel_svg(self, title: str = "") -> str:
        from ketacare.core.evidence.plots import funnel_svg

        return funnel_svg(self.result, title=title)

    def egger(self, *, model: str = "rma") -> EggerResult:
        """Egger's test on the pooled studies, with the pooling's tau² estimator and HKSJ choice
        (fixed effect for MH), as the CLI's ``evidence pool`` does. Needs k >= 3."""
        r = self.result
        effects = [
            Effect(s, r.measure, y, v) for s, y, v in zip(r.studies, r.yi, r.vi, strict=True)
        ]
        return egger_test(
            effects, model=model, method="FE" if r.method == "MH" else r.method, hksj=r.hksj
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "pooled": self.result.to_dict(),
            "included": list(self.included),
            "excluded": list(self.excluded),
            "subgroups": self.subgroups.to_dict() if self.subgroups else None,
        }


def _pick(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """The outcomes of one trial to use: the primary timepoint, one row per arm."""
    if not outcomes:
        return []
    primaries = [o for o in outcomes if o.primary]
    chosen = primaries or [o for o in outcomes if o.timepoint == outcomes[0].timepoint]
    return chosen


def _trial_row(trial: Trial, outs: Sequence[Outcome]) -> tuple[BinaryRow, list[str]]:
    """One 2x2 row per trial; dose arms sharing a control are merged (Cochrane Handbook 23.3.4)."""
    notes: list[str] = []
    if len(outs) == 1:
        n = outs[0].numbers
        return (
            BinaryRow(
                trial.short,
                int(n["events_treat"]),
                int(n["n_treat"]),
                int(n["events_ctrl"]),
                int(n["n_ctrl"]),
            ),
            notes,
        )
    if not all(o.shared_control for o in outs):
        raise DefinitionError(trial.source_file, "several arms without shared_control = true")
    ctrl = {(o.numbers["events_ctrl"], o.numbers["n_ctrl"]) for o in outs}
    if len(ctrl) != 1:
        raise DefinitionError(trial.source_file, "arms marked shared_control differ in control")
    (ec, nc) = ctrl.pop()
    et = sum(int(o.numbers["events_treat"]) for o in outs)
    nt = sum(int(o.numbers["n_treat"]) for o in outs)
    notes.append(
        f"{trial.short}: {len(outs)} dose arms merged ({et}/{nt}) against the shared control"
    )
    return BinaryRow(trial.short, et, nt, int(ec), int(nc)), notes


def _subgroup_label(trial: Trial) -> str:
    return f"{trial.drug} {trial.route}"


def pool_trials(
    *,
    outcome: str = "response",
    measure: str = "RR",
    method: str = "REML",
    hksj: bool = False,
    condition: str | None = None,
    drug: str | None = None,
    route: str | None = None,
    design: str | None = None,
    comparator_types: Sequence[str] = ("placebo", "active-placebo"),
    include_reconstructed: bool = False,
    subgroup_by_drug_route: bool = False,
) -> TrialPool:
    """Pool the two-arm binary outcomes of the records that match the filters.

    Pooled analyses and reviews are never included beside trials; comparisons against an active
    treatment (e.g. ketamine vs ECT) are left out unless ``comparator_types`` names them;
    reconstructed counts are left out unless ``include_reconstructed``.
    """
    measure = check_measure(measure)
    if measure not in ("RR", "OR", "RD"):
        raise InputError("measure", measure, "RR, OR or RD for trial event counts")
    method = check_method(method)
    for ct in comparator_types:
        _check_filter("comparator_type", ct, COMPARATOR_TYPES)
    filters: dict[str, Any] = {
        "outcome": outcome,
        "measure": measure,
        "method": method,
        "hksj": hksj,
        "condition": condition,
        "drug": drug,
        "route": route,
        "design": design,
        "comparator_types": list(comparator_types),
        "include_reconstructed": include_reconstructed,
    }
    candidates = list_trials(
        condition=condition, drug=drug, route=route, outcome=outcome, design=design
    )
    rows: list[BinaryRow] = []
    included: list[dict[str, Any]] = []
    excluded: list[dict[str, str]] = []
    labels: list[str] = []
    notes: list[str] = []
    for t in candidates:
        if t.is_synthesis:
            excluded.append({"trial": t.id, "reason": f"{t.design}: not pooled beside trials"})
            continue
        if t.comparator_type not in comparator_types:
            excluded.append({"trial": t.id, "reason": f"comparator is {t.comparator_type}"})
            continue
        if t.design == "rct-crossover":
            # both conditions were given to the same patients: counts per condition are not
            # independent arms, so they never enter as a parallel-group 2x2 (reference 3.3)
            excluded.append(
                {"trial": t.id, "reason": "crossover: needs first-period or paired data"}
            )
            continue
        binary = [o for o in t.outcomes if o.outcome_class == outcome and o.kind == "binary"]
        if not include_reconstructed:
            recon = [o for o in binary if o.reconstructed]
            binary = [o for o in binary if not o.reconstructed]
            if recon and not binary:
                excluded.append({"trial": t.id, "reason": "only reconstructed counts"})
                continue
        outs = _pick(binary)
        if not outs:
            excluded.append({"trial": t.id, "reason": "no two-arm event counts for this outcome"})
            continue
        row, row_notes = _trial_row(t, outs)
        rows.append(row)
        notes.extend(row_notes)
        labels.append(_subgroup_label(t))
        included.append(
            {
                "trial": t.id,
                "study": row.study,
                "events_treat": row.events_treat,
                "n_treat": row.n_treat,
                "events_ctrl": row.events_ctrl,
                "n_ctrl": row.n_ctrl,
                "outcomes": [o.id for o in outs],
                "timepoint": outs[0].timepoint,
                "reconstructed": any(o.reconstructed for o in outs),
                "source": "; ".join(o.source for o in outs),
                "subgroup": _subgroup_label(t),
            }
        )
    if not rows:
        raise InputError(
            "filters",
            {k: v for k, v in filters.items() if v is not None},
            "filters that match at least one trial with two-arm event counts for this outcome",
        )
    conditions = sorted({get_trial(i["trial"]).condition for i in included})
    if len(conditions) > 1:
        raise InputError(
            "condition",
            condition,
            f"one condition: the matching trials span {', '.join(conditions)}",
        )
    effects: list[Effect] = []
    eff_labels: list[str] = []
    dropped: list[str] = []
    for row, label in zip(rows, labels, strict=True):
        eff = binary_effect(row, measure)
        if eff is None:
            dropped.append(row.study)
        else:
            effects.append(eff)
            eff_labels.append(label)
    result = pool_effects(
        effects,
        method=method if method != "MH" else "FE",
        hksj=hksj,
        measure=measure,
        dropped=dropped,
    )
    if method == "MH":
        result = pool_binary(rows, measure, method="MH")
    result = _with_notes(result, notes)
    sub = None
    if subgroup_by_drug_route and len(set(eff_labels)) >= 2:
        sub = subgroup_analysis(
            effects, eff_labels, method="FE" if method == "MH" else method, hksj=hksj
        )
    return TrialPool(result, tuple(included), tuple(excluded), filters, sub)


def _with_notes(result: PoolResult, notes: Sequence[str]) -> PoolResult:
    return replace(result, notes=(*result.notes, *notes))


# --- the clinic against the literature ----------------------------------------------------


def wilson_interval(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927, JASA 22:209)."""
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    p = x / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def clinic_vs_literature(
    responders: int,
    n: int,
    *,
    route: str,
    condition: str,
    outcome: str = "response",
    drug: str | None = None,
    include_reconstructed: bool = True,
    level: float = 0.95,
) -> dict[str, Any]:
    """The clinic's rate with a Wilson CI beside the pooled published rate (same route/condition,
    and the same drug if ``drug`` is given).

    The published rate pools the active-arm event counts of the matching records (two-arm trials'
    active arms and single-arm studies) as logit proportions with REML (metafor
    ``measure="PLO"``: yi = log(x/(n − x)), vi = 1/x + 1/(n − x), 1/2 added when x is 0 or n),
    back-transformed. Percentages without printed counts cannot be pooled and are listed apart.
    """
    for name, value in (("responders", responders), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(name, value, "a whole number >= 0")
    if n == 0:
        raise InputError("n", n, "at least 1 treated patient")
    if responders > n:
        raise InputError("responders", responders, f"0 to n ({n})")
    _check_filter("route", route, ROUTES)
    _check_filter("condition", condition, CONDITIONS)
    _check_filter("outcome", outcome, OUTCOME_CLASSES)
    lo, hi = wilson_interval(responders, n, level)
    studies: list[dict[str, Any]] = []
    rates_only: list[dict[str, Any]] = []
    for t in list_trials(route=route, condition=condition, outcome=outcome, drug=drug):
        if t.is_synthesis:
            continue
        outs = [o for o in t.outcomes if o.outcome_class == outcome]
        counted = [
            o
            for o in outs
            if o.kind in ("binary", "single-arm") and (include_reconstructed or not o.reconstructed)
        ]
        chosen = _pick(counted)
        if chosen:
            x = sum(int(o.numbers["events_treat"]) for o in chosen)
            m = sum(int(o.numbers["n_treat"]) for o in chosen)
            studies.append(
                {
                    "trial": t.id,
                    "study": t.short,
                    "events": x,
                    "n": m,
                    "rate": x / m,
                    "timepoint": chosen[0].timepoint,
                    "definition": chosen[0].definition,
                    "reconstructed": any(o.reconstructed for o in chosen),
                    "source": "; ".join(o.source for o in chosen),
                }
            )
            continue
        for o in outs:
            if "percent_treat" in o.numbers:
                rates_only.append(
                    {
                        "trial": t.id,
                        "study": t.short,
                        "percent": o.numbers["percent_treat"],
                        "timepoint": o.timepoint,
                        "source": o.source,
                    }
                )
                break
    literature: dict[str, Any] = {"k": len(studies), "studies": studies, "rates_only": rates_only}
    if studies:
        ys, vs = [], []
        for s in studies:
            x, m = s["events"], s["n"]
            xa, ma = (x + 0.5, m + 1.0) if x in (0, m) else (float(x), float(m))
            ys.append(math.log(xa / (ma - xa)))
            vs.append(1 / xa + 1 / (ma - xa))
        res = pool_yi_vi(ys, vs, studies=[s["study"] for s in studies], method="REML", level=level)
        literature.update(
            {
                "rate": _expit(res.estimate),
                "ci_low": _expit(res.ci_low),
                "ci_high": _expit(res.ci_high),
                "pi_low": _expit(res.pi_low) if res.k > 1 else None,
                "pi_high": _expit(res.pi_high) if res.k > 1 else None,
                "tau2": res.tau2,
                "i2": res.i2,
                "method": "REML on logit proportions (metafor measure='PLO')",
            }
        )
    else:
        literature.update({"rate": None, "ci_low": None, "ci_high": None})
    notes = [
        "Published rates come from selected trial populations with their own outcome "
        "definitions and timepoints; a clinic's rate is descriptive, not a test of the clinic.",
    ]
    if any(s["reconstructed"] for s in studies):
        notes.append("Some published counts are RECONSTRUCTED from percentages (flagged).")
    if not studies:
        notes.append("No published event counts for this route, condition and outcome.")
    return {
        "clinic": {
            "responders": responders,
            "n": n,
            "rate": responders / n,
            "ci_low": lo,
            "ci_high": hi,
            "method": "Wilson score interval",
            "level": level,
        },
        "literature": literature,
        "route": route,
        "condition": condition,
        "outcome": outcome,
        "drug": drug,
        "notes": notes,
    }
