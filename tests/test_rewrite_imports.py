"""scripts/rewrite_imports.py turns code written against the old web layout into the new one
(branches written before the layer order are merged through it)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "rewrite_imports.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rewrite_imports", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["rewrite_imports"] = module
    spec.loader.exec_module(module)
    return module


rw = _script()

OLD = textwrap.dedent(
    '''\
    """Check-ins (see ``core_app.records.for_clinic`` and web.core_app.reports.services)."""

    from __future__ import annotations

    import importlib

    from ketacare.web.core_app import views as site_views
    from ketacare.web.core_app.api import api, api_user
    from ketacare.web.core_app.forms import DateInput, add_input_error
    from ketacare.web.core_app.records import (
        ConflictError,
        for_clinic,
        get_for_user,
    )
    from ketacare.web.core_app.reports.services import SMALL_CELL
    from ketacare.web.core_app.aggregates import SMALL_CELL as CELL, aggregates_context
    from ketacare.web.patients.chart import chart_context
    from ketacare.web.patients.views import patient_detail, patient_list
    from ketacare.web.treatments.clinic_time import clinic_time
    from ketacare.web.core_app import checks  # noqa: F401  (registers the checks)
    from ketacare.core.errors import InputError


    def page(request):
        from ketacare.web.core_app.zone import clinic_today

        module = importlib.import_module("ketacare.web.patients.chart")
        return render(request, "core_app/dashboard.html", {"x": "core_app/conflict.html"})


    MIDDLEWARE = ["ketacare.web.core_app.middleware.ConflictMiddleware"]
    PATCH = "ketacare.web.core_app.api.api_user"
    '''
)

NEW = textwrap.dedent(
    '''\
    """Check-ins (see ``lib.records.for_clinic`` and web.evidence.outcomes)."""

    from __future__ import annotations

    import importlib

    from ketacare.web.clinic import views as site_views
    from ketacare.web.clinic.api import api
    from ketacare.web.accounts.api import api_user
    from ketacare.web.lib.forms import DateInput, add_input_error
    from ketacare.web.lib.records import ConflictError, for_clinic, get_for_user
    from ketacare.web.evidence.outcomes import SMALL_CELL
    from ketacare.web.evidence.outcomes import SMALL_CELL as CELL
    from ketacare.web.clinic.aggregates import aggregates_context
    from ketacare.web.clinic.chart import chart_context
    from ketacare.web.clinic.views import patient_detail
    from ketacare.web.patients.views import patient_list
    from ketacare.web.lib.zone import clinic_time
    from ketacare.web.lib import checks  # noqa: F401  (registers the checks)
    from ketacare.core.errors import InputError


    def page(request):
        from ketacare.web.lib.zone import clinic_today

        module = importlib.import_module("ketacare.web.clinic.chart")
        return render(request, "clinic/dashboard.html", {"x": "lib/conflict.html"})


    MIDDLEWARE = ["ketacare.web.lib.middleware.ConflictMiddleware"]
    PATCH = "ketacare.web.accounts.api.api_user"
    '''
)


def test_it_rewrites_a_module_written_against_the_old_layout() -> None:
    new, warnings = rw.rewrite_python(OLD)
    assert new == NEW
    assert warnings == []
    ast.parse(new)


def test_a_second_run_changes_nothing() -> None:
    new, _ = rw.rewrite_python(OLD)
    assert rw.rewrite_python(new)[0] == new


def test_it_rewrites_template_names_in_templates() -> None:
    old = '{% extends "base.html" %}{% include "core_app/reports/_outcome_table.html" %}'
    assert rw.rewrite_template(old) == (
        '{% extends "base.html" %}{% include "clinic/reports/_outcome_table.html" %}'
    )


def test_it_warns_where_a_split_module_is_used_whole() -> None:
    _, warnings = rw.rewrite_python("from ketacare.web.core_app import api\napi.api_user(r)\n")
    assert len(warnings) == 1 and "by hand" in warnings[0]


def test_every_new_module_in_the_mapping_exists() -> None:
    targets = {new for old, new in rw.MODULES.items() if old not in rw.FROM_BRANCHES}
    targets |= set(rw.NAMES.values())
    missing = [m for m in sorted(targets) if importlib.util.find_spec(m) is None]
    assert missing == []


def test_every_moved_name_is_found_in_its_new_module() -> None:
    for (_old, name), new in rw.NAMES.items():
        module = importlib.import_module(new)
        assert hasattr(module, rw.RENAMED.get((_old, name), name)), (new, name)


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is gone too
        return False


def test_no_old_module_remains_in_the_tree() -> None:
    stale = [m for m in sorted(rw.MODULES) if _exists(m)]  # lib.tasks included
    assert stale == []


def test_the_command_rewrites_a_tree_in_place(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    code = tmp_path / "app" / "views.py"
    code.write_text(OLD, encoding="utf-8")
    page = tmp_path / "app" / "page.html"
    page.write_text('{% include "core_app/dashboard.html" %}\n', encoding="utf-8")
    check = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", str(tmp_path)], capture_output=True, text=True
    )
    assert check.returncode == 1 and "2 file(s) to rewrite" in check.stdout
    assert code.read_text(encoding="utf-8") == OLD
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert code.read_text(encoding="utf-8") == NEW
    assert page.read_text(encoding="utf-8") == '{% include "clinic/dashboard.html" %}\n'


def test_it_moves_a_module_a_branch_added_at_an_old_place(tmp_path: Path) -> None:
    src = tmp_path / "src"
    old = src / "ketacare" / "web" / "core_app"
    (old / "templates" / "core_app").mkdir(parents=True)
    (old / "tasks.py").write_text("from ketacare.web.core_app.records import for_clinic\n")
    (old / "records.py").write_text("")
    (old / "templates" / "core_app" / "extra.html").write_text("")
    git_placed = src / "ketacare" / "web" / "lib"
    git_placed.mkdir(parents=True)
    (git_placed / "scheduler.py").write_text("")
    moves = {
        (a.relative_to(src).as_posix(), b.relative_to(src).as_posix())
        for a, b in rw.move_files(src)
    }
    assert moves == {
        ("ketacare/web/core_app/tasks.py", "ketacare/web/clinic/tasks.py"),
        ("ketacare/web/core_app/records.py", "ketacare/web/lib/records.py"),
        (
            "ketacare/web/core_app/templates/core_app/extra.html",
            "ketacare/web/clinic/templates/clinic/extra.html",
        ),
        ("ketacare/web/lib/scheduler.py", "ketacare/web/clinic/scheduler.py"),
    }
    assert (src / "ketacare" / "web" / "clinic" / "tasks.py").exists()
