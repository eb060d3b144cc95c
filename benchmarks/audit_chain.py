"""Benchmark of the audit trail's hash chain: appends through ``audit.services.record`` (each in
its own transaction, with the clinic's lock and head read) and ``ketacare audit-verify`` over
``--entries`` entries (default 20,000) of one clinic.

Figures only, never assertions (DESIGN.md). Usage:

    .venv/bin/python benchmarks/audit_chain.py                      # SQLite in a temporary dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ketacare_bench_x \\
        .venv/bin/python benchmarks/audit_chain.py                  # an empty PostgreSQL database
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.web.test_settings")
    os.environ.setdefault("KETACARE_DATA_DIR", tempfile.mkdtemp(prefix="ketacare-bench-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from ketacare.web.accounts.models import Clinic, User
    from ketacare.web.audit import chain
    from ketacare.web.audit.services import record
    from ketacare.web.patients.models import Patient

    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(name="Benchmark clinic")
    nurse = User.objects.create_user("bench-nurse", clinic=clinic, role="nurse")
    patient = Patient.objects.create(
        clinic=clinic,
        record_number="B-1",
        given_name="Synthetic",
        family_name="Patient",
        date_of_birth="1980-01-01",
    )
    after = {"systolic": 128, "diastolic": 82, "heart_rate": 71, "spo2": 98, "minute": 40}
    started = time.perf_counter()
    for i in range(args.entries):
        with transaction.atomic():
            record(nurse, "chart.open", patient, None, {**after, "i": i}, "")
    append_s = time.perf_counter() - started
    report = chain.verify()
    print(
        f"{connection.vendor}: {args.entries:,} appends in {append_s:.1f} s "
        f"({append_s / args.entries * 1000:.2f} ms each, one transaction each); "
        f"audit-verify of {report.entries:,} entries in {report.seconds:.2f} s "
        f"({report.entries / report.seconds:,.0f} entries/s), intact: {report.intact}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
