"""Rewrite imports written against the old web layout (``ketacare.web.core_app`` and the modules
that moved with the layer order, docs/decisions/0003) into the new one, in place.

    python scripts/rewrite_imports.py PATH [PATH ...]          # rewrite .py and .html files
    python scripts/rewrite_imports.py --check PATH [PATH ...]  # list what would change, exit 1
    python scripts/rewrite_imports.py --move-files src src tests docs  # after a merge: move the
        # modules still at an old place (core_app/x.py, or lib/tasks.py where git put it), then
        # rewrite

After merging a branch written against the old layout: resolve the conflicts, run it with
``--move-files src`` over ``src tests docs benchmarks``, ``make format``, then ``make graph`` and
``pytest tests/web/test_layers.py`` (a module git placed where its imports run against the order
is named there: move it by hand and add its line to MODULES).

What it rewrites, in every ``.py`` and ``.html`` file under the paths given:

- ``from OLD import a, b`` (one line or parenthesised): each name goes to its new module; names
  that went to different modules are split into one ``from`` line each, at the same indentation;
  ``from PACKAGE import module`` follows the module;
- ``import OLD`` / ``import OLD as x`` and every dotted path in the text
  (``"ketacare.web.core_app.middleware.ConflictMiddleware"`` in settings, ``include(...)`` strings,
  ``mock.patch`` targets, ``importlib.import_module`` strings, docstrings), and the short forms
  of prose (``core_app.records.for_clinic``, ``web.core_app.reports.services``);
- template names in quotes (``"core_app/dashboard.html"`` in ``render`` calls, ``{% include %}``
  and ``{% extends %}``).

It warns (and leaves the code as is) where a module whose names went to several modules is
imported whole and used as ``module.name``: change those by hand. Run ruff afterwards
(``ruff check --fix`` sorts the new import lines).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

W = "ketacare.web."

# --- the mapping ---------------------------------------------------------------------------
# MODULES: an old module (or package) -> its new module; the longest matching prefix wins, so a
# package line also moves every module under it that is not listed on its own line.
MODULES: dict[str, str] = {
    W + "core_app.records": W + "lib.records",
    W + "core_app.forms": W + "lib.forms",
    W + "core_app.formids": W + "lib.formids",
    W + "core_app.inputguard": W + "lib.inputguard",
    W + "core_app.middleware": W + "lib.middleware",
    W + "core_app.checks": W + "lib.checks",
    W + "core_app.links": W + "lib.links",
    W + "core_app.zone": W + "lib.zone",
    W + "core_app.context": W + "accounts.context",
    W + "core_app.reports.data": W + "evidence.frames",
    W + "core_app.reports.services": W + "evidence.outcomes",
    W + "core_app": W + "clinic",  # the rest: api, apps, views, dashboard, aggregates, reports.*
    W + "patients.chart": W + "clinic.chart",
    W + "audit.views": W + "clinic.audit_views",
    W + "audit.urls": W + "clinic.audit_urls",
    W + "treatments.clinic_time": W + "lib.zone",
    # modules that branches add to core_app: where each belongs (a module that composes apps goes
    # to clinic; one that needs no app may go to lib). git's rename detection suggests clinic/
    # for a file added to core_app/ (tried on notify); the lib.* lines bring back to clinic what
    # lands in lib/ and needs apps above it.
    W + "core_app.tasks": W + "clinic.tasks",  # notify: Celery tasks that call checkins
    W + "core_app.scheduler": W + "clinic.scheduler",  # notify: the in-process scheduler
    W + "lib.tasks": W + "clinic.tasks",
    W + "lib.scheduler": W + "clinic.scheduler",
    W + "core_app.templatetags": W + "lib.templatetags",  # journeys: core words, core only
}

#: the MODULES lines above for modules that arrive with branches (not in this tree yet)
FROM_BRANCHES = frozenset(
    {
        W + "core_app.tasks",
        W + "core_app.scheduler",
        W + "lib.tasks",
        W + "lib.scheduler",
        W + "core_app.templatetags",
    }
)

# NAMES: (old module, name) -> the new module of that name, where it is not the module's own
# new home above (a module whose names went to several places).
NAMES: dict[tuple[str, str], str] = {
    (W + "core_app.api", "api_user"): W + "accounts.api",
    (W + "core_app.api", "TokenAuth"): W + "accounts.api",
    (W + "core_app.api", "_docs_login_required"): W + "accounts.api",
    (W + "core_app.api", "error_response"): W + "lib.api",
    (W + "core_app.api", "ERROR_RESPONSES"): W + "lib.api",
    (W + "core_app.api", "KetaCareAPI"): W + "lib.api",
    (W + "core_app.api", "_validation"): W + "lib.api",
    (W + "core_app.api", "_field_name"): W + "lib.api",
    (W + "core_app.api", "_bounds"): W + "lib.api",
    (W + "core_app.api", "_input_error"): W + "lib.api",
    (W + "core_app.api", "_ketacare_error"): W + "lib.api",
    (W + "core_app.api", "_auth"): W + "lib.api",
    (W + "core_app.api", "_http_error"): W + "lib.api",
    (W + "core_app.api", "_forbidden"): W + "lib.api",
    (W + "core_app.api", "_not_found"): W + "lib.api",
    (W + "core_app.api", "_conflict"): W + "lib.api",
    (W + "core_app.api", "_integrity"): W + "lib.api",
    (W + "core_app.aggregates", "SMALL_CELL"): W + "evidence.outcomes",
    (W + "patients.views", "patient_detail"): W + "clinic.views",
}

# RENAMED: (old module, old name) -> new name (in the name's new module).
RENAMED: dict[tuple[str, str], str] = {
    (W + "core_app.api", "_docs_login_required"): "docs_login_required",
}

# TEMPLATES: a template name's old prefix -> its new prefix; the longest matching prefix wins.
TEMPLATES: dict[str, str] = {
    "core_app/conflict.html": "lib/conflict.html",
    "core_app/": "clinic/",
}
# --------------------------------------------------------------------------------------------

_DOTTED = re.compile(r"(?<![\w.])ketacare\.web(?:\.\w+)+")
# the short forms of prose (docstrings, comments, docs): ``core_app.records.for_clinic``,
# ``web.core_app.reports.services``
_SHORT = re.compile(r"(?<![\w.])(?P<web>web\.)?core_app(?P<rest>(?:\.\w+)+)")


def _short(match: re.Match[str]) -> str:
    full = rewrite_dotted(W + "core_app" + match.group("rest"))
    return (match.group("web") or "") + full[len(W) :]


_TEMPLATE_PREFIXES = "|".join(re.escape(k) for k in sorted(TEMPLATES, key=len, reverse=True))
_TEMPLATE = re.compile(rf"""(?P<q>["'])(?P<name>(?:{_TEMPLATE_PREFIXES})[^"'\s]*)(?P=q)""")


def new_module(module: str) -> str:
    """The new home of ``module`` (itself if it did not move)."""
    for old in sorted(MODULES, key=len, reverse=True):
        if module == old or module.startswith(old + "."):
            return MODULES[old] + module[len(old) :]
    return module


def new_name(module: str, name: str) -> tuple[str, str]:
    """Where ``from module import name`` now comes from: (module, name)."""
    if (module, name) in NAMES:
        return NAMES[(module, name)], RENAMED.get((module, name), name)
    full = f"{module}.{name}"
    moved = new_module(full)
    if moved != full and moved.rsplit(".", 1)[0] != new_module(module):
        # a submodule whose new home is not under the package's new home
        parent, leaf = moved.rsplit(".", 1)
        return parent, leaf
    return new_module(module), name


def rewrite_dotted(path: str) -> str:
    """A dotted path in text: ``ketacare.web.core_app.api.api_user`` ->
    ``ketacare.web.accounts.api.api_user``."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 1, -1):
        module, name = ".".join(parts[:cut]), parts[cut]
        if (module, name) in NAMES:
            rest = parts[cut + 1 :]
            moved, leaf = new_name(module, name)
            return ".".join([moved, leaf, *rest])
    return new_module(path)


def _split_names(module: str, names: list[ast.alias]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for alias in names:
        target, leaf = new_name(module, alias.name)
        if alias.asname:
            text = f"{leaf} as {alias.asname}"
        elif leaf != alias.name:
            text = f"{leaf} as {alias.name}"
        else:
            text = leaf
        out.setdefault(target, []).append(text)
    return out


def _from_lines(indent: str, groups: dict[str, list[str]], width: int = 100) -> list[str]:
    lines = []
    for module, names in groups.items():
        line = f"{indent}from {module} import {', '.join(names)}"
        if len(line) > width:
            body = "".join(f"{indent}    {n},\n" for n in names)
            line = f"{indent}from {module} import (\n{body}{indent})"
        lines.append(line)
    return lines


def _multi_home_modules() -> set[str]:
    return {module for module, _ in NAMES}


def rewrite_python(text: str, filename: str = "<text>") -> tuple[str, list[str]]:
    """The rewritten source and the warnings."""
    warnings: list[str] = []
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        return text, [f"{filename}: not parsed ({exc.msg}); dotted paths only"]
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, list[str]]] = []  # (first line, last line, replacement lines)
    multi = _multi_home_modules()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("ketacare.web"):
                continue
            for alias in node.names:
                if f"{node.module}.{alias.name}" in multi:
                    warnings.append(
                        f"{filename}:{node.lineno}: `{node.module}.{alias.name}` is imported "
                        "whole and its names went to several modules: rewrite its uses by hand"
                    )
            groups = _split_names(node.module, node.names)
            if list(groups) == [node.module] and all(
                g == (a.name if not a.asname else f"{a.name} as {a.asname}")
                for g, a in zip(groups[node.module], node.names, strict=True)
            ):
                continue
            first = lines[node.lineno - 1]
            indent = first[: len(first) - len(first.lstrip())]
            assert node.end_lineno is not None
            tail = lines[node.end_lineno - 1]
            end = tail.rstrip("\r\n")
            newline = tail[len(end) :] or "\n"
            rest = end[node.end_col_offset :]  # a trailing comment (a noqa, say) stays
            new = [line + "\n" for line in _from_lines(indent, groups)]
            new[-1] = new[-1].rstrip("\n") + rest + newline
            edits.append((node.lineno, node.end_lineno, new))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in multi:
                    warnings.append(
                        f"{filename}:{node.lineno}: `import {alias.name}`: its names went to "
                        "several modules: rewrite its uses by hand"
                    )
    for start, end, new in sorted(edits, reverse=True):
        lines[start - 1 : end] = new
    out = "".join(lines)
    out = _DOTTED.sub(lambda m: rewrite_dotted(m.group(0)), out)
    out = _SHORT.sub(_short, out)
    out = rewrite_templates(out)
    return out, warnings


def rewrite_templates(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group("name")
        for old in sorted(TEMPLATES, key=len, reverse=True):
            if name.startswith(old):
                name = TEMPLATES[old] + name[len(old) :]
                break
        return f"{match.group('q')}{name}{match.group('q')}"

    return _TEMPLATE.sub(repl, text)


def rewrite_template(text: str) -> str:
    out = _DOTTED.sub(lambda m: rewrite_dotted(m.group(0)), text)
    out = _SHORT.sub(_short, out)
    return rewrite_templates(out)


def rewrite_file(path: Path, *, write: bool = True) -> tuple[bool, list[str]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        new, warnings = rewrite_python(text, str(path))
    else:
        new, warnings = rewrite_template(text), []
    changed = new != text
    if changed and write:
        path.write_text(new, encoding="utf-8")
    return changed, warnings


def files_under(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for root in paths:
        if root.is_file():
            found.append(root)
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".md"} and path.is_file():
                if any(part in {".venv", ".git", "node_modules"} for part in path.parts):
                    continue
                found.append(path)
    return found


def _module_path(src: Path, module: str) -> Path | None:
    base = src.joinpath(*module.split("."))
    if base.is_dir():
        return base
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def move_files(src: Path, *, write: bool = True) -> list[tuple[Path, Path]]:
    """Move the modules of ``src`` (the directory holding ``ketacare/``) that sit at an old
    place of :data:`MODULES` to their new place; a package's files one by one (a file already
    at the new place is left, and reported). Returns the moves."""
    moves: list[tuple[Path, Path]] = []
    for old in sorted(MODULES, key=len, reverse=True):
        here = _module_path(src, old)
        if here is None:
            continue
        files = [here] if here.is_file() else sorted(p for p in here.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            rel = path.relative_to(src)
            dotted = ".".join(rel.with_suffix("").parts) if path.suffix == ".py" else None
            if dotted is not None:
                target = src.joinpath(*new_module(dotted).split(".")).with_suffix(".py")
            else:  # a template or data file under a moved package
                head = src.joinpath(*new_module(old).split("."))
                target = head / path.relative_to(here)
                target = Path(str(target).replace("/templates/core_app/", "/templates/clinic/"))
            if target == path:
                continue
            if target.exists():
                print(f"warning: {target} exists: {path} left where it is", file=sys.stderr)
                continue
            moves.append((path, target))
            if write:
                target.parent.mkdir(parents=True, exist_ok=True)
                path.rename(target)
    return moves


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="list the files, change nothing")
    parser.add_argument(
        "--move-files",
        type=Path,
        metavar="SRC",
        help="first move the modules under SRC (the directory holding ketacare/) that sit at an "
        "old place to their new place (then `git add -A`)",
    )
    args = parser.parse_args(argv)
    if args.move_files:
        for old, new in move_files(args.move_files, write=not args.check):
            print(f"{'would move' if args.check else 'moved'} {old} -> {new}")
    changed_files = 0
    for path in files_under(args.paths):
        changed, warnings = rewrite_file(path, write=not args.check)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if changed:
            changed_files += 1
            print(("would rewrite " if args.check else "rewrote ") + str(path))
    print(f"{changed_files} file(s) {'to rewrite' if args.check else 'rewritten'}")
    return 1 if args.check and changed_files else 0


if __name__ == "__main__":
    sys.exit(main())
