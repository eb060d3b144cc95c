"""The audit trail's hash chain (one per clinic) and ``ketacare audit-verify``: intact, an edit,
a deletion (gap) and an insertion out of chain are each found and named; the triggers are checked
too. To tamper, the test does what only the database's owner can: it disables the trigger
(PostgreSQL) or drops it (SQLite), inside the test's transaction (rolled back after)."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import json
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from ketacare import cli
from ketacare.web.audit import chain
from ketacare.web.audit.models import AuditEntry
from ketacare.web.audit.services import record

pytestmark = pytest.mark.django_db

ODD_VALUES = {
    "dose_mg": 35.0,  # a whole float: jsonb gives it back as 35.0, written as 35 in the hash
    "huge": 1e16,  # jsonb gives 1e+16 back as 10000000000000000
    "tiny": 1e-7,
    "ratio": 0.1,
    "name": "Zoë Ñúñez — 日本",
    "nested": {"b": [1, 2.5, None, True], "a": {"z": "", "y": False}},
    "big": 2**60,
}


def _add(actor: Any, obj: Any, n: int, action: str = "patient.update") -> list[AuditEntry]:
    made = []
    for i in range(n):
        with transaction.atomic():
            made.append(record(actor, action, obj, {"n": i}, {**ODD_VALUES, "n": i + 1}, f"#{i}"))
    return made


def _verify(*args: str, capsys: Any) -> tuple[int, str]:
    status = cli.main(["audit-verify", *args])
    return status, capsys.readouterr().out


def _tamper(sql: str, params: list[Any]) -> None:
    """Run ``sql`` past the append-only triggers, as a database owner could."""
    migration = importlib.import_module("ketacare.web.audit.migrations.0006_append_only")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending on the table
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        else:
            for drop in migration.SQLITE_DOWN:
                cursor.execute(drop)
        cursor.execute(sql, params)


def test_each_clinic_has_its_own_chain_linked_entry_by_entry(
    nurse: Any, patient: Any, other_clinician: Any, other_patient: Any
) -> None:
    north = _add(nurse, patient, 3)
    south = _add(other_clinician, other_patient, 2)
    for entries in (north, south):
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        assert entries[0].prev_hash == chain.GENESIS
        for before, after in itertools.pairwise(entries):
            assert after.prev_hash == before.hash
    # the hash is reproducible from what the database gives back (jsonb numbers, UTC times)
    for stored in AuditEntry.objects.all():
        assert chain.entry_hash(stored) == stored.hash, stored.pk
        assert len(stored.hash) == 64


def test_the_canonical_form_is_sorted_compact_json_of_every_field(nurse: Any, patient: Any) -> None:
    entry = _add(nurse, patient, 1)[0]
    text = chain.canonical(AuditEntry.objects.get(pk=entry.pk)).decode()
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert set(data) == {
        "clinic",
        "seq",
        "prev_hash",
        "at",
        "actor",
        "action",
        "object_type",
        "object_uuid",
        "patient",
        "before",
        "after",
        "reason",
    }
    assert data["after"]["dose_mg"] == 35 and '"dose_mg":35,' in text
    assert data["at"].endswith("Z") and ", " not in text


def test_the_backfill_migration_hashes_as_the_app_does(nurse: Any, patient: Any) -> None:
    backfill = importlib.import_module("ketacare.web.audit.migrations.0004_chain_backfill")
    for entry in _add(nurse, patient, 3):
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert backfill._hash(stored) == stored.hash


def test_verify_says_intact_and_exits_0(
    nurse: Any, patient: Any, other_clinician: Any, other_patient: Any, capsys: Any
) -> None:
    _add(nurse, patient, 4)
    _add(other_clinician, other_patient, 2)
    status, out = _verify(capsys=capsys)
    assert status == 0, out
    assert "Northside Ketamine Clinic (clinic " in out and "4 entries intact, head #4" in out
    assert "Southside Clinic" in out and "2 entries intact" in out
    assert "Audit trail intact: 6 entries in 2 clinic(s) checked" in out
    status, out = _verify("--json", capsys=capsys)
    data = json.loads(out)
    assert status == 0 and data["intact"] is True and data["entries"] == 6
    assert {c["clinic"]: c["head_seq"] for c in data["clinics"]} == {
        "Northside Ketamine Clinic": 4,
        "Southside Clinic": 2,
    }
    assert set(data["triggers"].values()) == {"enabled"}


def test_verify_of_one_clinic_and_of_an_unknown_one(
    nurse: Any, patient: Any, other_clinician: Any, other_patient: Any, capsys: Any
) -> None:
    _add(nurse, patient, 2)
    _add(other_clinician, other_patient, 1)
    status, out = _verify("--clinic", "Southside Clinic", "--json", capsys=capsys)
    data = json.loads(out)
    assert status == 0 and [c["clinic"] for c in data["clinics"]] == ["Southside Clinic"]
    status, out = _verify("--clinic", str(patient.clinic_id), capsys=capsys)
    assert status == 0 and "Northside" in out and "Southside" not in out
    assert cli.main(["audit-verify", "--clinic", "Nowhere"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--clinic" in captured.err and "Nowhere" in captured.err


def test_an_edited_entry_is_named(nurse: Any, patient: Any, capsys: Any) -> None:
    entries = _add(nurse, patient, 5)
    target = entries[2]
    _tamper("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["nothing here", target.pk])
    status, out = _verify(capsys=capsys)
    assert status == 1, out
    assert f"BROKEN at entry id {target.pk}, position 3 [edited]" in out
    assert f"entry id {target.pk} at position 3 was edited" in out
    assert "problems in all" not in out  # the entries after it still link to its stored hash
    trigger = "is disabled" if connection.vendor == "postgresql" else "is missing"
    assert trigger in out and "Audit trail NOT intact" in out
    data = json.loads(_verify("--json", capsys=capsys)[1])
    broken = data["clinics"][0]["broken"]
    assert broken["kind"] == "edited" and broken["entry_id"] == target.pk and broken["seq"] == 3


def test_an_edited_time_or_actor_is_found_too(nurse: Any, patient: Any, capsys: Any) -> None:
    entries = _add(nurse, patient, 3)
    moved = entries[1].at - dt.timedelta(hours=2)
    _tamper("UPDATE audit_auditentry SET at = %s WHERE id = %s", [moved, entries[1].pk])
    _tamper("UPDATE audit_auditentry SET actor_id = NULL WHERE id = %s", [entries[2].pk])
    status, out = _verify(capsys=capsys)
    assert status == 1
    assert f"entry id {entries[1].pk}, position 2 [edited] (2 problems in all)" in out


def test_a_deleted_entry_leaves_a_gap_that_is_named(nurse: Any, patient: Any, capsys: Any) -> None:
    entries = _add(nurse, patient, 6)
    _tamper("DELETE FROM audit_auditentry WHERE id IN (%s, %s)", [entries[2].pk, entries[3].pk])
    status, out = _verify(capsys=capsys)
    assert status == 1
    assert f"BROKEN at entry id {entries[4].pk}, position 5 [gap]" in out
    assert f"positions 3 to 4 missing before entry id {entries[4].pk} at position 5" in out
    assert "2 entries deleted" in out


def test_an_entry_inserted_out_of_chain_is_named(nurse: Any, patient: Any, capsys: Any) -> None:
    entries = _add(nurse, patient, 3)
    last = AuditEntry.objects.get(pk=entries[-1].pk)
    # a forged entry at the next position, with a made-up previous hash and its own hash right
    forged = AuditEntry(
        clinic_id=last.clinic_id,
        actor_id=nurse.pk,
        action="patient.update",
        object_type=last.object_type,
        object_uuid=last.object_uuid,
        patient_id=last.patient_id,
        after={"given_name": "Someone else"},
        reason="slipped in",
        seq=4,
        prev_hash="f" * 64,
    )
    forged.at = last.at
    forged.hash = chain.entry_hash(forged)
    forged.save(force_insert=True)
    status, out = _verify(capsys=capsys)
    assert status == 1
    assert f"BROKEN at entry id {forged.pk}, position 4 [relinked]" in out
    assert "names a previous hash ffffffffffff..." in out


def test_verify_reports_a_dropped_trigger_even_when_the_chain_holds(
    nurse: Any, patient: Any, capsys: Any
) -> None:
    _add(nurse, patient, 2)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DROP TRIGGER audit_entry_no_truncate ON audit_auditentry")
            name = "audit_entry_no_truncate"
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
            name = "audit_entry_no_delete"
    status, out = _verify(capsys=capsys)
    assert status == 1
    assert "2 entries intact" in out
    assert f"Trigger {name} is missing: the database no longer refuses changes" in out


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_leave_an_unbroken_chain(nurse: Any, patient: Any, capsys: Any) -> None:
    """Eight threads, each its own connection, append at once; each transaction holds its
    append a moment before committing so that the others must wait for the clinic's lock."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes every write; the append lock is PostgreSQL's")
    threads, per_thread, errors = 8, 10, []
    start = threading.Barrier(threads)

    def work() -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    record(nurse, "patient.update", patient, None, {"i": i}, "race")
                    time.sleep(0.002)
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(repr(exc))
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    assert errors == []
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads * per_thread + 1))
    status, out = _verify(capsys=capsys)
    assert status == 0, out
    assert f"{threads * per_thread} entries intact" in out
