"""Loading of the intake data files: the TRD rule and the contraindication questions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError
from ketacare.core.safety._common import DRUGS, ROUTES

KINDS: tuple[str, ...] = ("contraindication", "caution")
TRIAL_RESPONSES: tuple[str, ...] = (
    "none",
    "partial",
    "response",
    "remission",
    "not_tolerated",
    "unknown",
)


@dataclass(frozen=True)
class TRDRule:
    min_failed_adequate: int
    failure_responses: tuple[str, ...]
    source: str
    quote: str
    file: str

    def __post_init__(self) -> None:
        if isinstance(self.min_failed_adequate, bool) or not isinstance(
            self.min_failed_adequate, int
        ):
            raise DefinitionError(self.file, "min_failed_adequate must be an integer")
        if self.min_failed_adequate < 1:
            raise DefinitionError(self.file, "min_failed_adequate must be 1 or more")
        for response in self.failure_responses:
            if response not in TRIAL_RESPONSES:
                raise DefinitionError(self.file, f"unknown failure response {response!r}")
        if not self.source.strip():
            raise DefinitionError(self.file, "source must not be empty")


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    label: str
    reason: str
    drugs: tuple[str, ...]
    routes: tuple[str, ...] | None
    source: str
    file: str
    quote: str | None = None

    def __post_init__(self) -> None:
        where = f"{self.file} [{self.id}]"
        if self.kind not in KINDS:
            raise DefinitionError(where, f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        for name in ("label", "reason", "source"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise DefinitionError(where, f"{name} must be non-empty text")
        if self.quote is not None and (not isinstance(self.quote, str) or not self.quote.strip()):
            raise DefinitionError(where, "quote, when given, must be non-empty text")
        if not self.drugs or any(d not in DRUGS for d in self.drugs):
            raise DefinitionError(where, f"drugs must be a non-empty list of {', '.join(DRUGS)}")
        if self.routes is not None and (
            not self.routes or any(r not in ROUTES for r in self.routes)
        ):
            raise DefinitionError(where, f"routes must be a non-empty list of {', '.join(ROUTES)}")

    def applies(self, drug: str | None, route: str | None) -> bool:
        if drug is not None and drug not in self.drugs:
            return False
        return not (route is not None and self.routes is not None and route not in self.routes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "reason": self.reason,
            "drugs": list(self.drugs),
            "routes": None if self.routes is None else list(self.routes),
            "source": self.source,
            "quote": self.quote,
        }


def _text(file: str, table: dict[str, Any], key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str):
        raise DefinitionError(file, f"{key!r} must be text")
    return value


def _str_list(file: str, value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DefinitionError(file, f"{key!r} must be a list of text")
    return tuple(value)


@cache
def trd_rule() -> TRDRule:
    files = dict(iter_data_files("ketacare.core.intake"))
    name = "trd.toml"
    if name not in files or not isinstance(files[name].get("trd"), dict):
        raise DefinitionError(name, "missing [trd] table")
    table = files[name]["trd"]
    return TRDRule(
        min_failed_adequate=table.get("min_failed_adequate"),
        failure_responses=_str_list(name, table.get("failure_responses"), "failure_responses"),
        source=_text(name, table, "source"),
        quote=_text(name, table, "quote"),
        file=name,
    )


@cache
def questions() -> tuple[Question, ...]:
    files = dict(iter_data_files("ketacare.core.intake"))
    name = "contraindications.toml"
    if name not in files:
        raise DefinitionError(name, "file missing")
    out = []
    for qid, table in files[name].items():
        if not isinstance(table, dict):
            raise DefinitionError(name, f"{qid!r} must be a table")
        unknown = set(table) - {"kind", "label", "reason", "drugs", "routes", "source", "quote"}
        if unknown:
            raise DefinitionError(name, f"[{qid}] unknown keys: {', '.join(sorted(unknown))}")
        routes = table.get("routes")
        quote = table.get("quote")
        out.append(
            Question(
                id=qid,
                kind=_text(name, table, "kind"),
                label=_text(name, table, "label"),
                reason=_text(name, table, "reason"),
                drugs=_str_list(name, table.get("drugs"), "drugs"),
                routes=None if routes is None else _str_list(name, routes, "routes"),
                source=_text(name, table, "source"),
                file=name,
                quote=None if quote is None else _text(name, table, "quote"),
            )
        )
    return tuple(out)
