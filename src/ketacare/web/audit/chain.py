"""The hash chain of the audit trail, one chain per clinic: appending a link and checking them all.

Each entry carries ``seq`` (its position in its clinic's trail: 1, 2, 3...), ``prev_hash`` (the
``hash`` of the entry at ``seq - 1``; :data:`GENESIS` for the first) and ``hash``: the SHA-256 of
:func:`canonical` — the entry's fields, ``prev_hash`` included, as JSON with sorted keys, no
spaces, UTF-8, and every whole number written as an integer (PostgreSQL's ``jsonb`` gives
``1e+16`` back as ``10000000000000000``). Editing an entry changes its hash; deleting one leaves a
gap in ``seq`` and a ``prev_hash`` that names no entry; an entry slipped in out of chain has a
position or a ``prev_hash`` that does not follow. :func:`verify` finds each of them.

Appends are serialized per clinic inside the caller's transaction (the clinical write's): on
PostgreSQL by ``pg_advisory_xact_lock(LOCK_CLASS, clinic_id)``, held until that transaction
commits or rolls back, so the next append of the clinic reads the committed head; SQLite has one
writer at a time anyway. The unique ``(clinic, seq)`` constraint is the last line: a race the lock
did not cover ends in an ``IntegrityError`` (a 409), never in a fork of the chain.

Why one chain per clinic rather than one for the site: a clinic's trail is shown, exported and
checked on its own (``audit-verify --clinic``), without the entries of another clinic it must not
see; and one clinic's appends never wait on another's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from ketacare.web.audit.models import AuditEntry

GENESIS = "0" * 64
#: the first key of the advisory lock (the second is the clinic's id): "KCAU" as an int32
LOCK_CLASS = 0x4B434155
#: the database triggers that refuse UPDATE and DELETE (migration ``0006_append_only``)
TABLE = "audit_auditentry"
SQLITE_TRIGGERS = ("audit_entry_no_update", "audit_entry_no_delete")
POSTGRES_TRIGGERS = ("audit_entry_no_update_delete", "audit_entry_no_truncate")


def _number(value: Any) -> Any:
    """Whole numbers as integers, everything else as it is, recursively (JSON data: dicts with
    string keys, lists, str, int, float, bool, None; ``type() is``, not ``isinstance``: this runs
    for every value of every entry verified, and a bool is not a float)."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict:
        return {k: _number(v) for k, v in value.items()}
    if kind is list:
        return [_number(v) for v in value]
    return value


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: the fields hashed, as ``AuditEntry`` attributes (``values_list`` order in ``verify``)
HASHED = (
    "clinic_id",
    "seq",
    "prev_hash",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_uuid",
    "patient_id",
    "before",
    "after",
    "reason",
)


def _canonical(values: tuple[Any, ...]) -> bytes:
    clinic, seq, prev_hash, at, actor, action, object_type, object_uuid, patient = values[:9]
    before, after, reason = values[9:]
    fields = {
        "clinic": clinic,
        "seq": seq,
        "prev_hash": prev_hash,
        "at": _instant(at),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_uuid": str(object_uuid),
        "patient": patient,
        "before": _number(before),
        "after": _number(after),
        "reason": reason,
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def canonical(entry: AuditEntry) -> bytes:
    """The bytes an entry's hash is taken over."""
    return _canonical(tuple(getattr(entry, name) for name in HASHED))


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def lock_clinic(clinic_id: int) -> None:
    """Hold the clinic's append lock until the current transaction ends (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, clinic_id])


def append(entry: AuditEntry) -> AuditEntry:
    """Link ``entry`` (unsaved) to the head of its clinic's chain and insert it. The caller is
    inside ``transaction.atomic`` (``services.record`` checks)."""
    lock_clinic(entry.clinic_id)
    head = (
        AuditEntry.objects.filter(clinic_id=entry.clinic_id)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    entry.seq, entry.prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    if entry.at is None:
        entry.at = timezone.now()
    # the value as the database gives it back (microseconds, UTC), so the hash is reproducible
    entry.at = entry.at.astimezone(dt.UTC)
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True)
    return entry


# ----------------------------------------------------------------------------------- verify


@dataclass
class Break:
    """The first thing wrong in a clinic's chain."""

    kind: str  # "edited", "gap", "out_of_chain", "relinked"
    entry_id: int
    seq: int | None
    message: str


@dataclass
class ClinicChain:
    clinic_id: int
    clinic: str
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    broken: Break | None = None
    problems: int = 0

    @property
    def intact(self) -> bool:
        return self.broken is None


@dataclass
class Report:
    clinics: list[ClinicChain]
    triggers: dict[str, str]  # trigger name -> "enabled", "disabled" or "missing"
    seconds: float = 0.0
    entries: int = 0

    @property
    def triggers_ok(self) -> bool:
        return all(state == "enabled" for state in self.triggers.values())

    @property
    def intact(self) -> bool:
        return self.triggers_ok and all(c.intact for c in self.clinics)

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "seconds": round(self.seconds, 3),
            "triggers": self.triggers,
            "clinics": [
                {
                    **{k: v for k, v in asdict(c).items() if k != "broken"},
                    "intact": c.intact,
                    "broken": asdict(c.broken) if c.broken else None,
                }
                for c in self.clinics
            ],
        }


def trigger_states() -> dict[str, str]:
    """Each append-only trigger of the audit table: "enabled", "disabled" or "missing"."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass",
                [TABLE],
            )
            found = {name: flag for name, flag in cursor.fetchall()}
        return {
            name: "missing"
            if name not in found
            else ("disabled" if found[name] == "D" else "enabled")
            for name in POSTGRES_TRIGGERS
        }
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
            present = {row[0] for row in cursor.fetchall()}
        return {name: "enabled" if name in present else "missing" for name in SQLITE_TRIGGERS}
    return {}


@dataclass
class _Row:
    pk: int
    seq: int | None
    prev_hash: str
    hash: str
    actual: str  # the hash of what the entry holds now


def _rows(clinic_id: int) -> Iterator[_Row]:
    """The clinic's entries in chain order, read as tuples (not model instances: faster)."""
    query = (
        AuditEntry.objects.filter(clinic_id=clinic_id)
        .order_by("seq", "id")
        .values_list("id", "hash", *HASHED)
    )
    for pk, stored, *values in query.iterator(chunk_size=5000):
        actual = hashlib.sha256(_canonical(tuple(values))).hexdigest()
        yield _Row(pk=pk, seq=values[1], prev_hash=values[2], hash=stored, actual=actual)


def verify_clinic(clinic_id: int, name: str, rows: Iterable[_Row] | None = None) -> ClinicChain:
    """Walk one clinic's chain from its first entry; note the first break, count them all."""
    chain = ClinicChain(clinic_id=clinic_id, clinic=name)
    expected, prev = 1, GENESIS
    for entry in rows if rows is not None else _rows(clinic_id):
        chain.entries += 1
        problem: Break | None = None
        where = f"entry id {entry.pk} at position {entry.seq}"
        actual = entry.actual
        if not entry.hash or entry.seq is None:
            problem = Break("out_of_chain", entry.pk, entry.seq, f"entry id {entry.pk} has no hash")
        elif entry.seq > expected:
            missing = (
                f"position {expected}"
                if entry.seq == expected + 1
                else f"positions {expected} to {entry.seq - 1}"
            )
            problem = Break(
                "gap",
                entry.pk,
                entry.seq,
                f"{missing} missing before {where}: {entry.seq - expected} entr"
                f"{'y' if entry.seq - expected == 1 else 'ies'} deleted",
            )
        elif entry.seq < expected:
            problem = Break(
                "out_of_chain",
                entry.pk,
                entry.seq,
                f"{where} repeats a position already taken (inserted out of chain)",
            )
        elif entry.prev_hash != prev:
            problem = Break(
                "relinked",
                entry.pk,
                entry.seq,
                f"{where} names a previous hash {entry.prev_hash[:12]}... but the entry before "
                f"it hashes to {prev[:12]}... (inserted out of chain, or the chain rewritten)",
            )
        elif actual != entry.hash:
            problem = Break(
                "edited",
                entry.pk,
                entry.seq,
                f"{where} was edited: its content hashes to {actual[:12]}..., "
                f"not the {entry.hash[:12]}... it was written with",
            )
        if problem is not None:
            chain.problems += 1
            if chain.broken is None:
                chain.broken = problem
        # go on from what the entry says, so that one edit is one problem, not all that follow
        if entry.seq is not None:
            expected = max(expected, entry.seq + 1)
        prev = entry.hash or prev
        chain.head_seq, chain.head_hash = entry.seq or chain.head_seq, entry.hash or prev
    return chain


def verify(clinic: str | None = None) -> Report:
    """Check every clinic's chain (or one: its id or exact name) and the triggers."""
    # the clinics through the entries' own foreign key: audit ranks below accounts
    clinic_model: Any = AuditEntry._meta.get_field("clinic").related_model
    started = time.perf_counter()
    clinics = clinic_model.objects.order_by("id")
    if clinic is not None:
        clinics = (
            clinics.filter(pk=int(clinic)) if clinic.isdigit() else clinics.filter(name=clinic)
        )
    chains = [verify_clinic(c.pk, c.name) for c in clinics]
    report = Report(clinics=chains, triggers=trigger_states())
    report.entries = sum(c.entries for c in chains)
    report.seconds = time.perf_counter() - started
    return report
