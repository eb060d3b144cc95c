"""PK parameter sets (data files in ``data/``) and the rate matrices they define.

Every model file states its source, population, sampling site and weight scaling; see the grammar
in ``data/domino1982.toml``. Route bioavailabilities for models without their own absorption
structure are in ``data/routes.toml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError, UnknownIdError
from ketacare.core.pk.solver import FloatArray
from ketacare.core.vocabulary import DRUGS as DRUGS
from ketacare.core.vocabulary import ROUTES as ROUTES

_SCALINGS = {"linear": (1.0, 1.0), "allometric": (1.0, 0.75), "none": (0.0, 0.0)}
_RATE_KEYS = ("k_per_min", "k_per_h", "cl_l_per_min", "cl_l_per_h")


def _power(x: FloatArray, exponent: float) -> FloatArray:
    """``x ** exponent``; quarter powers by square roots (correctly rounded, a few times faster
    than ``np.power``; within two units in the last place)."""
    if exponent == -0.25:
        return np.asarray(1.0 / np.sqrt(np.sqrt(x)), dtype=np.float64)
    if exponent == 0.75:
        return np.asarray(x / np.sqrt(np.sqrt(x)), dtype=np.float64)
    return np.asarray(x**exponent, dtype=np.float64)


@dataclass(frozen=True)
class Compartment:
    name: str
    volume_l: float | None = None  # at the reference weight
    volume_l_per_kg: float | None = None
    param: str = ""

    def volume_at(self, weight_kg: FloatArray, ref_kg: float, exponent: float) -> FloatArray:
        if self.volume_l_per_kg is not None:
            if exponent == 0.0:
                return np.full_like(weight_kg, self.volume_l_per_kg * ref_kg)
            return self.volume_l_per_kg * weight_kg
        assert self.volume_l is not None
        if exponent == 1.0:  # x ** 1.0 == x exactly; skips a power per patient
            return np.asarray(self.volume_l * (weight_kg / ref_kg), dtype=np.float64)
        return np.asarray(self.volume_l * (weight_kg / ref_kg) ** exponent, dtype=np.float64)


@dataclass(frozen=True)
class Flow:
    source: str
    target: str  # a compartment name or "out"
    value: float
    kind: str  # "k" (per min) or "cl" (L/min)
    param: str = ""


@dataclass(frozen=True)
class Variability:
    param: str
    cv: float | None = None
    logit_sd: float | None = None


@dataclass(frozen=True)
class NasalDevice:
    device_mg: float
    device_interval_min: float
    frn_first: float
    later_device_factor: float
    fgut: float
    swallow_duration_min: float
    nasal_depot: str
    gut_depot: str


@dataclass(frozen=True)
class RouteInfo:
    drug: str
    route: str
    bioavailability: float
    bioavailability_source: str
    bioavailability_status: str
    absorption_halflife_min: float
    tmax_reported: str
    tmax_source: str
    lag_min: float
    note: str

    def __post_init__(self) -> None:
        src = "routes.toml"
        if self.drug not in DRUGS:
            raise DefinitionError(src, f"unknown drug {self.drug!r}")
        if self.route not in ROUTES:
            raise DefinitionError(src, f"unknown route {self.route!r}")
        if not 0 < self.bioavailability <= 1:
            raise DefinitionError(src, f"{self.drug}/{self.route}: bioavailability not in (0, 1]")
        if self.bioavailability_status not in (
            "primary abstract",
            "secondary source",
            "assumption",
        ):
            raise DefinitionError(src, f"{self.drug}/{self.route}: bad bioavailability_status")
        if self.absorption_halflife_min < 0 or self.lag_min < 0:
            raise DefinitionError(src, f"{self.drug}/{self.route}: negative half-life or lag")
        if (self.route == "iv") != (self.absorption_halflife_min == 0):
            raise DefinitionError(src, f"{self.drug}/{self.route}: only iv has no absorption")

    def assumptions(self) -> list[str]:
        """Sentences every output using this route must repeat."""
        if self.route == "iv":
            return []
        out = [
            f"{self.route.upper()} bioavailability {self.bioavailability:.0%} "
            f"({self.bioavailability_status}): {self.bioavailability_source}.",
            f"ASSUMPTION: first-order absorption with a half-life of "
            f"{self.absorption_halflife_min:g} min (no published adult absorption rate; chosen so "
            f"the Kamp 2020 typical peak falls at the reported time to peak: "
            f"{self.tmax_reported}).",
        ]
        if self.note:
            out.append(self.note)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "route": self.route,
            "bioavailability": self.bioavailability,
            "bioavailability_source": self.bioavailability_source,
            "bioavailability_status": self.bioavailability_status,
            "absorption_halflife_min": self.absorption_halflife_min,
            "tmax_reported": self.tmax_reported,
            "note": self.note,
        }


@dataclass(frozen=True)
class PKModel:
    """One parameter set. ``build`` turns it into per-patient rate matrices."""

    id: str
    name: str
    drug: str
    sampling: str
    population: str
    adult: bool
    flagged: bool  # paediatric, doubtful or unrepresentative: never offered as a default
    flags: tuple[str, ...]
    source: str
    doi: str
    pmid: str
    parameter_status: str
    parameter_note: str
    weight_scaling: str
    reference_weight_kg: float
    central: str
    routes: tuple[str, ...]
    compartments: tuple[Compartment, ...]
    flows: tuple[Flow, ...]
    variability: tuple[Variability, ...] = ()
    nasal: NasalDevice | None = None
    filename: str = ""
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        src = self.filename or self.id
        object.__setattr__(self, "names", tuple(c.name for c in self.compartments))
        if self.drug not in DRUGS:
            raise DefinitionError(src, f"drug {self.drug!r} is not one of {DRUGS}")
        if (self.flagged or not self.adult) and not self.flags:
            raise DefinitionError(src, "a flagged or paediatric set must say why in flags")
        if not self.adult and not self.flagged:
            raise DefinitionError(src, "a paediatric set must be flagged")
        if self.sampling not in ("venous", "arterial"):
            raise DefinitionError(src, "sampling must be 'venous' or 'arterial'")
        if self.weight_scaling not in _SCALINGS:
            raise DefinitionError(src, f"weight_scaling must be one of {sorted(_SCALINGS)}")
        if self.parameter_status not in ("primary", "unverified"):
            raise DefinitionError(src, "parameter_status must be 'primary' or 'unverified'")
        if not self.source:
            raise DefinitionError(src, "a source is required")
        if len(set(self.names)) != len(self.names):
            raise DefinitionError(src, "compartment names must be unique")
        if self.central not in self.names:
            raise DefinitionError(src, f"central compartment {self.central!r} is not defined")
        central = self.compartments[self.names.index(self.central)]
        if central.volume_l is None and central.volume_l_per_kg is None:
            raise DefinitionError(src, "the central compartment needs a volume")
        for c in self.compartments:
            vols = [v for v in (c.volume_l, c.volume_l_per_kg) if v is not None]
            if len(vols) > 1 or any(not (v > 0 and math.isfinite(v)) for v in vols):
                raise DefinitionError(src, f"compartment {c.name}: give one positive volume")
        if "iv" not in self.routes or any(r not in ROUTES for r in self.routes):
            raise DefinitionError(src, f"routes must include 'iv' and be among {ROUTES}")
        if not any(f.target == "out" for f in self.flows):
            raise DefinitionError(src, "the model needs an elimination flow (to = 'out')")
        for f in self.flows:
            if f.source not in self.names or (f.target != "out" and f.target not in self.names):
                raise DefinitionError(src, f"flow {f.source}->{f.target}: unknown compartment")
            if not (f.value > 0 and math.isfinite(f.value)):
                raise DefinitionError(src, f"flow {f.source}->{f.target}: value must be > 0")
            comp = self.compartments[self.names.index(f.source)]
            if f.kind == "cl" and comp.volume_l is None and comp.volume_l_per_kg is None:
                raise DefinitionError(src, f"flow {f.source}->{f.target}: clearance needs a volume")
        params = {c.param for c in self.compartments} | {f.param for f in self.flows} | {"frn"}
        for v in self.variability:
            if v.param not in params or (v.param == "frn" and self.nasal is None):
                raise DefinitionError(src, f"variability on unknown parameter {v.param!r}")
            if (v.cv is None) == (v.logit_sd is None):
                raise DefinitionError(
                    src, f"variability {v.param}: give exactly one of cv, logit_sd"
                )
        if self.nasal is not None:
            n = self.nasal
            if "in" not in self.routes:
                raise DefinitionError(src, "a [nasal] table needs route 'in'")
            for name in (n.nasal_depot, n.gut_depot):
                if name not in self.names:
                    raise DefinitionError(src, f"nasal depot {name!r} is not a compartment")
            if not (0 < n.frn_first < 1 and 0 < n.fgut <= 1 and n.later_device_factor > 0):
                raise DefinitionError(src, "nasal fractions out of range")

    # -- derived -------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.compartments)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def notes(self) -> list[str]:
        out = list(self.flags)
        if self.parameter_status == "unverified":
            out.append("UNVERIFIED parameters: " + self.parameter_note)
        if not self.adult:
            out.append("Paediatric parameter set.")
        return out

    def volumes_l(self, weight_kg: FloatArray, factors: dict[str, FloatArray]) -> FloatArray:
        """Volumes (L) per patient and compartment, NaN for depots; shape (P, n)."""
        ev, _ = _SCALINGS[self.weight_scaling]
        w = np.asarray(weight_kg, dtype=np.float64)
        out = np.full((w.size, self.n), np.nan)
        for i, c in enumerate(self.compartments):
            if c.volume_l is None and c.volume_l_per_kg is None:
                continue
            v = c.volume_at(w, self.reference_weight_kg, ev)
            out[:, i] = v * factors.get(c.param, 1.0) if c.param else v
        return out

    def build(
        self, weight_kg: FloatArray, factors: dict[str, FloatArray] | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Rate matrices ``A`` (P, n, n) per minute and volumes (P, n) for the given weights.

        ``factors`` multiplies named parameters per patient (inter-individual variability).
        """
        factors = factors or {}
        w = np.atleast_1d(np.asarray(weight_kg, dtype=np.float64))
        vols = self.volumes_l(w, factors)
        ev, ec = _SCALINGS[self.weight_scaling]
        ratio = w / self.reference_weight_kg
        # when clearances and volumes scale alike, rate constants do not depend on weight: compute
        # them at the reference weight so that every patient gets exactly the same matrix
        same = ec == ev
        if not same and not factors and w.size > 1:
            # every rate constant (k * ratio^(ec-ev) or CL * ratio^ec / (V * ratio^ev)) goes as
            # ratio^(ec-ev): the matrix at the reference weight times one factor per patient
            a_ref, scale, _ = self.build_scaled(w)
            a: FloatArray = np.multiply.outer(scale, a_ref[0])
            return a, vols
        vols_ref = (
            self.volumes_l(np.full_like(w, self.reference_weight_kg), factors) if same else vols
        )
        a = np.zeros((w.size, self.n, self.n))
        # one power per patient vector, shared by every flow (allometric sets)
        k_scale = np.ones_like(w) if same else _power(ratio, ec - ev)
        cl_scale = 1.0 if same else _power(ratio, ec)
        for f in self.flows:
            i = self.index(f.source)
            k = f.value * k_scale if f.kind == "k" else f.value * cl_scale / vols_ref[:, i]
            if f.param and f.param in factors:
                k = k * factors[f.param]
            a[:, i, i] -= k
            if f.target != "out":
                j = self.index(f.target)
                a[:, j, i] += k
        return a, vols

    def build_scaled(self, weight_kg: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(a_ref, scale, vols)``: patient p's rate matrix is ``scale[p] * a_ref[0]``.

        The form ``solve(..., scale=scale)`` takes: one matrix (at the reference weight) and one
        factor per patient, ``(w / w_ref) ** (e_cl - e_v)`` (1 for linear and unscaled sets), so
        that a population's matrices need not be built. No variability factors here: they break
        the common form (use ``build``).
        """
        w = np.atleast_1d(np.asarray(weight_kg, dtype=np.float64))
        ev, ec = _SCALINGS[self.weight_scaling]
        a_ref, _ = self.build(np.array([float(self.reference_weight_kg)]))
        scale = np.ones_like(w) if ec == ev else _power(w / self.reference_weight_kg, ec - ev)
        return a_ref, scale, self.volumes_l(w, {})

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "drug": self.drug,
            "sampling": self.sampling,
            "population": self.population,
            "adult": self.adult,
            "flagged": self.flagged,
            "flags": list(self.flags),
            "routes": list(self.routes),
            "weight_scaling": self.weight_scaling,
            "parameter_status": self.parameter_status,
            "parameter_note": self.parameter_note,
            "has_variability": bool(self.variability),
            "source": self.source,
            "doi": self.doi,
            "pmid": self.pmid,
        }

    def to_dict(self) -> dict[str, Any]:
        return self.summary()


def _flow(src: str, raw: dict[str, Any]) -> Flow:
    keys = [k for k in _RATE_KEYS if k in raw]
    if len(keys) != 1:
        raise DefinitionError(src, f"flow {raw}: give exactly one of {', '.join(_RATE_KEYS)}")
    key = keys[0]
    value = raw[key]
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise DefinitionError(src, f"flow {raw}: {key} must be a number")
    per_min = float(value) / (60.0 if key.endswith("_per_h") else 1.0)
    try:
        return Flow(
            source=str(raw["from"]),
            target=str(raw["to"]),
            value=per_min,
            kind="k" if key.startswith("k_") else "cl",
            param=str(raw.get("param", "")),
        )
    except KeyError as exc:
        raise DefinitionError(src, f"flow {raw}: missing {exc}") from None


def model_from_toml(src: str, raw: dict[str, Any]) -> PKModel:
    try:
        nasal_raw = raw.get("nasal")
        nasal = None
        if nasal_raw is not None:
            nasal = NasalDevice(
                device_mg=float(nasal_raw["device_mg"]),
                device_interval_min=float(nasal_raw["device_interval_min"]),
                frn_first=float(nasal_raw["frn_first"]),
                later_device_factor=float(nasal_raw["later_device_factor"]),
                fgut=float(nasal_raw["fgut"]),
                swallow_duration_min=float(nasal_raw["swallow_duration_h"]) * 60.0,
                nasal_depot=str(nasal_raw["nasal_depot"]),
                gut_depot=str(nasal_raw["gut_depot"]),
            )
        return PKModel(
            id=str(raw["id"]),
            name=str(raw["name"]),
            drug=str(raw["drug"]),
            sampling=str(raw["sampling"]),
            population=str(raw["population"]),
            adult=bool(raw["adult"]),
            flagged=bool(raw["flagged"]),
            flags=tuple(str(f) for f in raw.get("flags", [])),
            source=str(raw["source"]),
            doi=str(raw.get("doi", "")),
            pmid=str(raw.get("pmid", "")),
            parameter_status=str(raw["parameter_status"]),
            parameter_note=str(raw.get("parameter_note", "")),
            weight_scaling=str(raw["weight_scaling"]),
            reference_weight_kg=float(raw["reference_weight_kg"]),
            central=str(raw["central"]),
            routes=tuple(str(r) for r in raw["routes"]),
            compartments=tuple(
                Compartment(
                    name=str(c["name"]),
                    volume_l=float(c["volume_l"]) if "volume_l" in c else None,
                    volume_l_per_kg=(
                        float(c["volume_l_per_kg"]) if "volume_l_per_kg" in c else None
                    ),
                    param=str(c.get("param", "")),
                )
                for c in raw["compartment"]
            ),
            flows=tuple(_flow(src, f) for f in raw["flow"]),
            variability=tuple(
                Variability(
                    param=str(v["param"]),
                    cv=float(v["cv"]) if "cv" in v else None,
                    logit_sd=float(v["logit_sd"]) if "logit_sd" in v else None,
                )
                for v in raw.get("variability", [])
            ),
            nasal=nasal,
            filename=src,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DefinitionError(src, f"missing or malformed field: {exc}") from None


@cache
def _load() -> tuple[dict[str, PKModel], dict[tuple[str, str], RouteInfo]]:
    models: dict[str, PKModel] = {}
    routes: dict[tuple[str, str], RouteInfo] = {}
    for name, raw in iter_data_files("ketacare.core.pk"):
        if name == "routes.toml":
            for r in raw.get("route", []):
                try:
                    info = RouteInfo(**{k: r[k] for k in RouteInfo.__dataclass_fields__})
                except (KeyError, TypeError) as exc:
                    raise DefinitionError(name, f"route row {r}: {exc}") from None
                routes[(info.drug, info.route)] = info
            continue
        model = model_from_toml(name, raw)
        if name != f"{model.id}.toml":
            raise DefinitionError(name, f"file name must be {model.id}.toml")
        models[model.id] = model
    for m in models.values():
        for r in m.routes:
            if not (m.nasal is not None and r == "in") and (m.drug, r) not in routes:
                raise DefinitionError(m.filename, f"route {r!r} has no row in routes.toml")
    return models, routes


def list_models(*, include_flagged: bool = True) -> list[PKModel]:
    """Every shipped parameter set, sorted by id; ``include_flagged=False`` for default choices."""
    models = sorted(_load()[0].values(), key=lambda m: m.id)
    return [m for m in models if include_flagged or not m.flagged]


def get_model(model_id: str) -> PKModel:
    models = _load()[0]
    if model_id not in models:
        raise UnknownIdError("model", model_id, list(models))
    return models[model_id]


def route_info(drug: str, route: str) -> RouteInfo | None:
    return _load()[1].get((drug, route))
