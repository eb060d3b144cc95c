# Written by hand: link the entries written before the chain existed, clinic by clinic, in the
# order they were written (their ids). Runs before 0006 creates the triggers that refuse UPDATE.

import datetime as dt
import hashlib
import json

from django.db import migrations

GENESIS = "0" * 64
BATCH = 1000


# A frozen copy of ``audit.chain.canonical`` (a migration must not change when the app's code
# does; a test checks the two give the same hash).
def _number(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_number(v) for v in value]
    return value


def _hash(e):
    fields = {
        "clinic": e.clinic_id,
        "seq": e.seq,
        "prev_hash": e.prev_hash,
        "at": e.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": e.actor_id,
        "action": e.action,
        "object_type": e.object_type,
        "object_uuid": str(e.object_uuid),
        "patient": e.patient_id,
        "before": _number(e.before),
        "after": _number(e.after),
        "reason": e.reason,
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link(apps, schema_editor):
    entry = apps.get_model("audit", "AuditEntry")
    clinics = entry.objects.values_list("clinic_id", flat=True).distinct()
    for clinic_id in sorted(set(clinics)):
        prev, batch = GENESIS, []
        rows = entry.objects.filter(clinic_id=clinic_id).order_by("id").iterator(chunk_size=BATCH)
        for seq, e in enumerate(rows, start=1):
            e.seq, e.prev_hash = seq, prev
            e.hash = prev = _hash(e)
            batch.append(e)
            if len(batch) >= BATCH:
                entry.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
                batch = []
        if batch:
            entry.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])


def unlink(apps, schema_editor):
    apps.get_model("audit", "AuditEntry").objects.update(seq=None, prev_hash="", hash="")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_fields")]

    operations = [migrations.RunPython(link, unlink)]
