"""The order of the web apps, lowest first (docs/decisions/0003-web-apps-in-one-direction.md).

An app imports only apps at its own rank or below it; a feature that needs several apps (the
dashboard, the patient chart, the reports, the API wiring) is composed at the top, in ``clinic``.
The project's own modules (``settings``, ``urls``, ``demo``, ...) sit above every app.
``tests/web/test_layers.py`` reads every import (module level and inside functions) and fails on
one that runs against this order, and on any module looked up by a string
(``importlib.import_module``, ``__import__``, ``import_string``) that names a web module.

Plain Python: ``scripts/import_graph.py`` reads it without Django.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

#: the apps, lowest first; ``notify`` and ``checkins`` have their rank before they arrive
LAYERS: tuple[str, ...] = (
    "lib",  # helpers every app may use: clinic scoping, version checks, forms, zone, links
    "notify",  # messages out (mail, SMS)
    "audit",  # the append-only audit entries
    "accounts",  # clinics, users, roles and permissions, API tokens and authentication
    "patients",  # demographics, intake, consents, contraindication screens
    "courses",  # treatment courses, planned sessions, PK views of a protocol
    "measures",  # rating-scale measures and their alerts
    "treatments",  # sessions: gates, doses, vitals, discharge, REMS
    "checkins",  # patients' self-report check-ins
    "evidence",  # trial records and the clinic beside the literature
    "clinic",  # the top: dashboard, patient chart, reports, outcomes, audit pages, API wiring
)

#: the rank of the project's own modules (``ketacare.web.settings``, ``urls``, ``demo``, ...)
PROJECT = "(project)"

#: imports allowed against the order: ``(importing module, imported module) -> the reason``.
#: It starts empty; an entry needs a written reason.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def rank(app: str) -> int:
    """The rank of ``app`` (0 for ``lib``); the project's modules rank above every app."""
    if app == PROJECT:
        return len(LAYERS)
    return LAYERS.index(app)


# --- reading the imports (used by tests/web/test_layers.py and scripts/import_graph.py) -------

PACKAGE = "ketacare.web"
#: calls that look a module up by its name
LOOKUPS = frozenset({"import_module", "__import__", "import_string"})


@dataclass(frozen=True)
class Import:
    """One import in a web module: where (module, line), what, and how."""

    module: str  # the importing module, e.g. ketacare.web.patients.views
    line: int
    target: str  # the imported module or name, e.g. ketacare.web.lib.records.for_clinic
    lookup: bool = False  # a string given to importlib.import_module / __import__ / import_string


def module_name(path: Path, web: Path) -> str:
    rel = path.relative_to(web).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _string(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:  # f"ketacare.web.{app}.chart"
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def imports_in(path: Path, web: Path) -> list[Import]:
    """Every import of ``path``: module level and inside functions (``ast.walk`` sees both),
    relative imports resolved, and every module looked up by a string."""
    module = module_name(path, web)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    constants = {
        target.id: value
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and (value := _string(node.value)) is not None
    }
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(module, node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.extend(Import(module, node.lineno, f"{base}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in LOOKUPS:
                continue
            arg = node.args[0]
            text = _string(arg)
            if text is None and isinstance(arg, ast.Name):  # SERVICES = "ketacare.web...."
                text = constants.get(arg.id)
            if text is not None:  # a name computed at run time (a backend from the settings,
                # like EMAIL_BACKEND) is not read: it names no module in the source
                found.append(Import(module, node.lineno, text, lookup=True))
    return found


def app_of(module: str, web: Path) -> str | None:
    """The app of a ``ketacare.web`` module, :data:`PROJECT` for the project's own modules, None
    for a module outside the web layer."""
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        return None
    first = module[len(PACKAGE) + 1 :].split(".")[0]
    if first and (web / first).is_dir():
        return first
    return PROJECT


def web_modules(web: Path) -> list[Path]:
    """Every module of the web layer but the migrations (they name apps by label)."""
    return [p for p in sorted(web.rglob("*.py")) if "migrations" not in p.relative_to(web).parts]


def violations(web: Path) -> list[str]:
    """Every import that runs against :data:`LAYERS`, every module looked up by a string that
    names a web module, and every app without a rank; one line each, empty when all is well."""
    found: list[str] = []
    for path in web_modules(web):
        here = app_of(module_name(path, web), web)
        assert here is not None
        if here != PROJECT and here not in LAYERS:
            found.append(f"{path.relative_to(web)}: the app {here!r} has no rank in LAYERS")
            continue
        for imp in imports_in(path, web):
            there = app_of(imp.target, web)
            where = f"{path.relative_to(web)}:{imp.line}"
            if imp.lookup and (there is not None or imp.target.startswith(PACKAGE)):
                found.append(f"{where}: looks up {imp.target!r} by a string: import it")
                continue
            if there is None or there == here:
                continue
            if (imp.module, imp.target.rpartition(".")[0]) in EXCEPTIONS or (
                imp.module,
                imp.target,
            ) in EXCEPTIONS:
                continue
            if there != PROJECT and there not in LAYERS:
                found.append(f"{where}: imports {imp.target} of {there!r}, which has no rank")
            elif rank(there) > rank(here):
                found.append(
                    f"{where}: {here} imports {imp.target}, but {there} ranks above {here}"
                )
    return found


def graph(web: Path) -> dict[str, set[str]]:
    """For each app (and the project's modules): the other apps it imports."""
    edges: dict[str, set[str]] = {}
    for path in web_modules(web):
        here = app_of(module_name(path, web), web)
        assert here is not None
        edges.setdefault(here, set())
        for imp in imports_in(path, web):
            there = app_of(imp.target, web)
            if there is not None and there != here:
                edges[here].add(there)
    return edges
