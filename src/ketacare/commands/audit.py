"""``ketacare audit-verify``: check that the audit trail has not been rewritten.

Walks each clinic's hash chain (``ketacare.web.audit.chain``) from its first entry and checks that
the database's append-only triggers are in place. Exit status 0 when every chain is unbroken and
every trigger enabled; 1 with the first broken entry of each clinic (its id, its position and
what is wrong: edited, a gap where entries were deleted, an entry inserted out of chain) or the
trigger that is missing or disabled; 2 for bad input (an unknown ``--clinic``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ketacare.commands import add_command
from ketacare.commands.serve import setup_django
from ketacare.core.errors import InputError


def _text(report: Any) -> str:
    lines = []
    for c in report.clinics:
        head = f"head #{c.head_seq} {c.head_hash[:16]}" if c.entries else "no entries"
        if c.intact:
            lines.append(f"{c.clinic} (clinic {c.clinic_id}): {c.entries:,} entries intact, {head}")
        else:
            more = f" ({c.problems} problems in all)" if c.problems > 1 else ""
            lines.append(
                f"{c.clinic} (clinic {c.clinic_id}): BROKEN at entry id {c.broken.entry_id}, "
                f"position {c.broken.seq} [{c.broken.kind}]{more}: {c.broken.message}"
            )
    for name, state in report.triggers.items():
        if state != "enabled":
            lines.append(
                f"Trigger {name} is {state}: the database no longer refuses changes to audit rows"
            )
    verdict = "intact" if report.intact else "NOT intact"
    lines.append(
        f"Audit trail {verdict}: {report.entries:,} entries in {len(report.clinics)} "
        f"clinic(s) checked in {report.seconds:.2f} s"
    )
    return "\n".join(lines)


def _verify(args: argparse.Namespace) -> int:
    setup_django()
    from ketacare.web.accounts.models import Clinic
    from ketacare.web.audit import chain

    if args.clinic is not None:
        key = args.clinic.strip()
        found = (
            Clinic.objects.filter(pk=int(key)) if key.isdigit() else Clinic.objects.filter(name=key)
        )
        if not found.exists():
            names = ", ".join(Clinic.objects.order_by("id").values_list("name", flat=True)[:20])
            raise InputError("--clinic", args.clinic, f"a clinic's id or exact name ({names})")
    report = chain.verify(args.clinic.strip() if args.clinic else None)
    if args.json:
        sys.stdout.write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_text(report) + "\n")
    return 0 if report.intact else 1


def register(subparsers: Any) -> None:
    cmd = add_command(
        subparsers,
        "audit-verify",
        "check the audit trail's hash chain and append-only triggers (exit 1 if broken)",
        _verify,
    )
    cmd.add_argument("--clinic", help="one clinic only: its id or exact name")
