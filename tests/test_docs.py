"""Docs that tests keep honest (in the style of datasette's tests/test_docs.py): every permission,
web app, CLI command and API operation named in the code is documented (the environment
variables: tests/test_configuration_doc.py), and every dotted ``ketacare.`` name in docs/
resolves. Each failure prints both differences: named in the code but not documented, and
documented but gone from the code."""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
WEB = ROOT / "src" / "ketacare" / "web"


def _docs_text(*names: str) -> str:
    files = [DOCS / n for n in names] if names else sorted(DOCS.rglob("*.md"))
    return "\n".join(p.read_text(encoding="utf-8") for p in files) + (
        (ROOT / "README.md").read_text(encoding="utf-8") if not names else ""
    )


def _differ(what: str, in_code: set[str], in_docs: set[str]) -> str:
    missing = sorted(in_code - in_docs)
    stale = sorted(in_docs - in_code)
    return (
        f"{what}: in the code but not documented {missing}; documented but not in the code {stale}"
    )


def test_every_permission_is_documented_with_its_roles() -> None:
    from ketacare.web.accounts.permissions import PERMISSIONS

    text = _docs_text("web.md")
    in_docs = set(re.findall(r"^\|\s*`([a-z_]+)`\s*\|", text, flags=re.MULTILINE))
    in_code = set(PERMISSIONS)
    assert in_code <= in_docs, _differ("permissions", in_code, in_docs & in_code)


def test_every_web_app_is_in_the_app_table() -> None:
    from django.conf import settings

    in_code = {
        app.rsplit(".", 1)[-1] for app in settings.INSTALLED_APPS if app.startswith("ketacare.")
    }
    text = _docs_text("web.md")
    in_docs = set(re.findall(r"^\|\s*`(?:web/)?([a-z_]+)/?`\s*\|", text, flags=re.MULTILINE))
    assert in_code <= in_docs, _differ("web apps", in_code, in_docs & in_code)


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.add(f"{prefix}{name}")
                found |= _subcommands(sub, f"{prefix}{name} ")
    return found


def test_every_cli_command_is_documented() -> None:
    from ketacare import cli

    parser = cli.build_parser()
    in_code = {f"ketacare {name}" for name in _subcommands(parser)}
    text = _docs_text()
    in_docs = {name for name in in_code if name in text}
    assert in_code == in_docs, _differ("CLI commands", in_code, in_docs)


def test_every_api_operation_is_in_the_api_reference() -> None:
    from ketacare.web import urls  # noqa: F401  (registers every router)
    from ketacare.web.clinic.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    in_code = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    in_docs = set(
        re.findall(r"^\|\s*`((?:GET|POST|PUT|PATCH|DELETE) /api/v1/[^`]*)`", text, re.MULTILINE)
    )
    assert in_code == in_docs, _differ("API operations", in_code, in_docs)


DOTTED = re.compile(r"`(ketacare(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


#: dotted words in the docs that are not Python names: Django system-check ids, logger names and
#: Celery task names (checked against the registered tasks below)
NOT_PYTHON = re.compile(r"^ketacare\.(?:[EW]\d{3}|request|security|ping|checkins\.[a-z_]+)$")


def _resolves(name: str) -> bool:
    if NOT_PYTHON.match(name):
        return True
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


@pytest.mark.parametrize("doc", sorted(p.name for p in DOCS.glob("*.md")))
def test_every_dotted_name_in_the_docs_resolves(doc: str) -> None:
    text = (DOCS / doc).read_text(encoding="utf-8")
    names = sorted(set(DOTTED.findall(text)))
    broken = [n for n in names if not _resolves(n)]
    assert not broken, f"{doc} names modules or attributes that do not exist: {broken}"


def test_every_task_name_in_the_docs_is_a_registered_task() -> None:
    from ketacare.web.clinic.scheduler import registered_task

    text = _docs_text()
    names = set(re.findall(r"`(ketacare\.(?:ping|checkins\.[a-z_]+))`", text))
    assert names, "the deployment guide names the tasks"
    for name in sorted(names):
        assert registered_task(name).name == name
