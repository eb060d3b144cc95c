"""``ketacare backup`` and ``ketacare restore``: a restored database equals the original row for
row, on SQLite always and on PostgreSQL when DATABASE_URL is set (in scratch databases of its
own, dropped afterwards)."""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

EXE = str(Path(sys.executable).with_name("ketacare"))
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp),
        "PYTHONPATH": SRC,
        "KETACARE_SECRET_KEY": secrets.token_urlsafe(64),
        "KETACARE_DATA_DIR": str(tmp / "data"),
        **extra,
    }


def _ketacare(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [EXE, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return result


def _ok(*args: str, env: dict[str, str]) -> str:
    result = _ketacare(*args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    finally:
        conn.close()


def test_an_sqlite_backup_restores_row_for_row(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _ok("demo", "--no-serve", "--data-dir", str(tmp_path / "data"), env=env)
    live = tmp_path / "data" / "ketacare.sqlite3"
    original = _sqlite_rows(live)
    assert len(original["patients_patient"]) >= 40 and original["measures_measure"]

    backup = tmp_path / "backups" / "ketacare.sqlite3.bak"
    assert "Backed up sqlite" in _ok("backup", "--output", str(backup), env=env)
    assert _sqlite_rows(backup) == original
    again = _ketacare("backup", "--output", str(backup), env=env)
    assert again.returncode == 2 and "--force" in again.stderr and not again.stdout

    conn = sqlite3.connect(live)  # damage: rows lost and rows added after the backup
    with conn:
        conn.execute("DELETE FROM measures_measure")
        conn.execute("UPDATE patients_patient SET given_name = 'Changed'")
    conn.close()
    assert _sqlite_rows(live) != original

    refused = _ketacare("restore", str(backup), env=env)  # no --yes, no terminal: refused
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert "Restored sqlite" in _ok("restore", str(backup), "--yes", env=env)
    assert _sqlite_rows(live) == original

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    wrong = _ketacare("restore", str(not_a_backup), "--yes", env=env)
    assert wrong.returncode == 2 and "SQLite" in wrong.stderr
    assert _sqlite_rows(live) == original


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_server() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not shutil.which("pg_dump"):
        return None
    return url.rsplit("/", 1)[0]


def _pg_rows(url: str) -> dict[str, list[str]]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        rows = {}
        for t in tables:
            got = conn.execute(f'SELECT t::text FROM "{t}" AS t ORDER BY 1').fetchall()
            rows[t] = [r[0] for r in got]
        seqs = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
        rows["(sequences)"] = sorted(f"{name}={value}" for name, value in seqs)
        return rows


@pytest.fixture
def scratch_databases() -> Iterator[tuple[str, str]]:
    server = _pg_server()
    if server is None:
        pytest.skip("PostgreSQL backups are tested when DATABASE_URL points at PostgreSQL")
    import psycopg

    names = [f"ketacare_backup_{secrets.token_hex(4)}", f"ketacare_restore_{secrets.token_hex(4)}"]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{names[0]}", f"{server}/{names[1]}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_postgresql_backup_restores_row_for_row(
    tmp_path: Path, scratch_databases: tuple[str, str]
) -> None:
    source, target = scratch_databases
    env = _env(tmp_path, DATABASE_URL=source)
    _ok("demo", "--no-serve", env=env)
    original = _pg_rows(source)
    assert len(original["patients_patient"]) >= 40

    backup = tmp_path / "ketacare.dump"
    assert "Backed up postgresql" in _ok("backup", "--output", str(backup), env=env)
    assert backup.read_bytes().startswith(b"PGDMP")

    # into an empty database (a new server)
    _ok("restore", str(backup), "--yes", env={**env, "DATABASE_URL": target})
    assert _pg_rows(target) == original

    # over the damaged original
    import psycopg

    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("DELETE FROM measures_alert")
        conn.execute("UPDATE patients_patient SET given_name = 'Changed'")
    assert _pg_rows(source) != original
    _ok("restore", str(backup), "--yes", env=env)
    assert _pg_rows(source) == original

    sqlite_file = tmp_path / "other.sqlite3"
    sqlite3.connect(sqlite_file).close()
    sqlite_file.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    wrong = _ketacare("restore", str(sqlite_file), "--yes", env=env)
    assert wrong.returncode == 2 and "pg_dump" in wrong.stderr
