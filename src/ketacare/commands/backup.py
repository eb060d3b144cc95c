"""``ketacare backup`` and ``ketacare restore``: a whole-database copy and its return.

- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, taken while the server runs)
  and ``pg_restore --clean --if-exists --single-transaction`` (all or nothing). The client tools
  must be of the server's major version or newer (``pg_dump --version``).
- SQLite: the online backup API (``sqlite3.Connection.backup``), a consistent page-by-page copy
  while the app runs; restore copies the file back the same way.

The database is the one the settings name (``DATABASE_URL``, else the SQLite file in
``$KETACARE_DATA_DIR``). A restore replaces every row; it asks first, or takes ``--yes``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from ketacare.commands import Output, add_command
from ketacare.commands.serve import setup_django
from ketacare.core.errors import InputError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _database() -> dict[str, Any]:
    setup_django()
    from django.db import connections

    connections.close_all()
    db: dict[str, Any] = connections["default"].settings_dict
    return db


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the client tools: the password never on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise InputError(
            name, "not found", "PostgreSQL's client tools on PATH (Debian: postgresql-client)"
        )
    return path


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InputError(
            Path(cmd[0]).name, result.stderr.strip()[-2000:] or result.returncode, "success"
        )


def _sqlite_copy(source: str, target: str) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _magic(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(16)


def _backup(args: argparse.Namespace) -> Output:
    output = Path(args.output)
    if output.exists() and not args.force:
        raise InputError("--output", str(output), "a file that does not exist yet (or --force)")
    output.parent.mkdir(parents=True, exist_ok=True)
    db = _database()
    vendor = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"
    if vendor == "sqlite":
        source = Path(db["NAME"])
        if not source.exists():
            raise InputError("database", str(source), "an existing SQLite database")
        partial = output.with_name(output.name + ".partial")
        partial.unlink(missing_ok=True)
        _sqlite_copy(str(source), str(partial))
        partial.replace(output)
    else:
        cmd = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        _run([*cmd, f"--file={output}", str(db["NAME"])], _pg_env(db))
    size = output.stat().st_size
    text = f"Backed up {vendor} database {db['NAME']} to {output} ({size:,} bytes)"
    return Output({"vendor": vendor, "database": str(db["NAME"]), "file": str(output)}, text)


def _confirm(name: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise InputError("--yes", "missing", "--yes to replace the database without asking")
    answer = input(f"Replace every row of database {name}? Type yes: ")
    if answer.strip().lower() != "yes":
        raise InputError("confirmation", answer, "yes")


def _restore(args: argparse.Namespace) -> Output:
    source = Path(args.file)
    if not source.is_file():
        raise InputError("FILE", str(source), "an existing backup file")
    magic = _magic(source)
    db = _database()
    vendor = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"
    if vendor == "sqlite":
        if not magic.startswith(SQLITE_MAGIC):
            raise InputError("FILE", str(source), "a backup of an SQLite database")
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check.execute("SELECT count(*) FROM django_migrations").fetchone()
        except sqlite3.DatabaseError:
            raise InputError("FILE", str(source), "a backup of a KetaCare database") from None
        finally:
            check.close()
        _confirm(str(db["NAME"]), args.yes)
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(str(source), str(db["NAME"]))
    else:
        if not magic.startswith(PGDUMP_MAGIC):
            raise InputError("FILE", str(source), "a pg_dump custom-format backup")
        _confirm(str(db["NAME"]), args.yes)
        cmd = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        cmd += ["--single-transaction", "--exit-on-error", f"--dbname={db['NAME']}", str(source)]
        _run(cmd, _pg_env(db))
    text = f"Restored {vendor} database {db['NAME']} from {source}"
    return Output({"vendor": vendor, "database": str(db["NAME"]), "file": str(source)}, text)


def register(subparsers: Any) -> None:
    backup = add_command(
        subparsers, "backup", "copy the whole database to a file (pg_dump, SQLite backup)", _backup
    )
    backup.add_argument("--output", required=True, help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="overwrite an existing file")
    restore = add_command(
        subparsers, "restore", "replace the database with a file of `ketacare backup`", _restore
    )
    restore.add_argument("file", metavar="FILE", help="a file written by `ketacare backup`")
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing")
