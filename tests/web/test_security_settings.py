"""Production footing: headers on every page, the deploy checks clean with production
environment variables, a short secret key refused, no inline script or style in the templates,
request bodies bounded."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "ketacare" / "web"
GOOD_KEY = secrets.token_urlsafe(64)
PRODUCTION_ENV = {
    "PATH": "/usr/bin:/bin",
    "PYTHONPATH": str(ROOT / "src"),
    "DJANGO_SETTINGS_MODULE": "ketacare.web.settings",
    "KETACARE_SECRET_KEY": GOOD_KEY,
    "KETACARE_ALLOWED_HOSTS": "clinic.example",
    "KETACARE_CSRF_TRUSTED_ORIGINS": "https://clinic.example",
    # no connection is made: the deploy checks read the settings only
    "DATABASE_URL": "postgres://ketacare:pw@127.0.0.1:5432/ketacare",
}


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_deploy_checks_are_clean_with_production_settings(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "HOME": str(tmp_path), "KETACARE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_mode_is_secure_by_default() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER, "
        "s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, "
        "s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )
    result = _python(code, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        *("True", "True", "True", "31536000", "True"),
        *("('HTTP_X_FORWARDED_PROTO',", "'https')", "DENY", "same-origin", "60", "True"),
    ]
    tuned = {**PRODUCTION_ENV, "KETACARE_DB_CONN_MAX_AGE": "0"}
    tuned["KETACARE_DB_CONN_HEALTH_CHECKS"] = "0"
    result = _python(code, tuned)
    assert result.stdout.split()[-2:] == ["0", "False"], result.stderr


@pytest.mark.parametrize("key", ["too-short-for-production", "a" * 60])
def test_a_weak_secret_key_refuses_to_start_in_production(key: str) -> None:
    env = {**PRODUCTION_ENV, "KETACARE_SECRET_KEY": key}
    result = _python("import django; django.setup()", env)
    if len(key) < 50:
        assert result.returncode != 0
        assert "KETACARE_SECRET_KEY is 24 characters long" in result.stderr
    else:  # long but one character: the system check says so
        check = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "check", "--deploy"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode != 0
        assert "ketacare.E003" in check.stdout + check.stderr


def test_the_production_checks_name_each_dangerous_setting(settings: Any) -> None:
    from ketacare.web.lib.checks import check_production_settings

    settings.SECRET_KEY = "short"
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE = False
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"script-src": ["'self'", "'unsafe-inline'"], "frame-ancestors": ["'none'"]}
    }
    ids = {problem.id for problem in check_production_settings(None)}
    assert {"ketacare.E003", "ketacare.E004", "ketacare.E005", "ketacare.W002"} <= ids
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {}}
    assert "ketacare.E006" in {p.id for p in check_production_settings(None)}


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client_for: Any, nurse: Any) -> None:
    for client, url in ((Client(), "/accounts/login/"), (client_for(nurse), "/dashboard/")):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
        assert "unsafe" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_static_files_are_served_by_the_app(client: Client) -> None:
    response = client.get("/static/ketacare/site.js")
    assert response.status_code == 200
    assert b"data-action" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


# Inline script, style and event handlers that the Content-Security-Policy blocks, left in
# templates whose owner moves them (each with what to do). The test fails when one is fixed,
# so the entry is removed, and when a new one appears.
KNOWN_INLINE: dict[tuple[str, str], str] = {}
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b[^>]*>|\sstyle\s*=\s*\"[^\"]*\"|"
    r"\son[a-z]+\s*=\s*\"[^\"]*\"|href=\"javascript:[^\"]*\"",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_or_style() -> None:
    found = set()
    for template in WEB.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in INLINE.finditer(text):
            found.add((template.relative_to(WEB).as_posix(), match.group(0).strip()))
    assert found == set(KNOWN_INLINE), sorted(found ^ set(KNOWN_INLINE))


@pytest.mark.django_db
def test_a_request_body_above_the_bound_is_refused(client: Client) -> None:
    from django.conf import settings

    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/accounts/login/", {"username": "a", "password": big})
    assert response.status_code == 400
    many = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert client.post("/accounts/login/", many).status_code == 400


def test_the_bounds_are_read_from_the_environment() -> None:
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.DATA_UPLOAD_MAX_MEMORY_SIZE)"
    assert _python(code, PRODUCTION_ENV).stdout.strip() == "262144"
    env = {**PRODUCTION_ENV, "KETACARE_MAX_REQUEST_BYTES": "65536"}
    assert _python(code, env).stdout.strip() == "65536"
    env["KETACARE_MAX_REQUEST_BYTES"] = "1"
    result = _python(code, env)
    assert result.returncode != 0 and "KETACARE_MAX_REQUEST_BYTES" in result.stderr
