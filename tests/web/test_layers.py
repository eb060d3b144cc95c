"""The web apps import in one direction (``ketacare.web.layers``, docs/decisions/0003): every
import, at module level or inside a function, goes to an app of the same or a lower rank, and no
module is looked up by a string. Like the core's purity test, it reads the source with ``ast``."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from ketacare.web.layers import EXCEPTIONS, LAYERS, PROJECT, app_of, imports_in, violations

WEB = Path(__file__).resolve().parents[2] / "src" / "ketacare" / "web"


def _plant(root: Path, files: dict[str, str]) -> Path:
    web = root / "ketacare" / "web"
    for name, text in files.items():
        path = web / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return web


def test_every_web_import_runs_down_the_layer_order() -> None:
    found = violations(WEB)
    assert found == [], "imports against the order " + " < ".join(LAYERS) + ":\n" + "\n".join(found)


def test_every_app_of_the_web_layer_has_a_rank() -> None:
    apps = {p.name for p in WEB.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps - set(LAYERS) == set(), "add these apps to ketacare.web.layers.LAYERS"


def test_the_exceptions_start_empty_and_each_would_carry_a_reason() -> None:
    assert all(reason.strip() for reason in EXCEPTIONS.values())
    assert EXCEPTIONS == {}


def test_the_order_has_lib_at_the_bottom_and_clinic_at_the_top() -> None:
    assert LAYERS[0] == "lib" and LAYERS[-1] == "clinic"
    assert LAYERS.index("audit") < LAYERS.index("accounts") < LAYERS.index("patients")
    assert LAYERS.index("treatments") < LAYERS.index("checkins") < LAYERS.index("evidence")


def test_the_app_table_in_docs_lists_the_apps_in_the_layer_order() -> None:
    import re

    text = (WEB.parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
    table = text.split("| app (lowest first) |", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"^\|\s*`([a-z_]+)`\s*\|", table, flags=re.MULTILINE)
    assert listed == [app for app in LAYERS if app in listed]
    present = {p.name for p in WEB.iterdir() if (p / "__init__.py").exists()}
    assert present <= set(listed)


def test_it_fails_on_a_planted_import_against_the_order(tmp_path: Path) -> None:
    web = _plant(
        tmp_path,
        {
            "__init__.py": "",
            "lib/__init__.py": "",
            "lib/records.py": "from ..patients import models  # relative, upwards\n",
            "patients/__init__.py": "",
            "patients/models.py": "from ketacare.web.lib.records import for_clinic  # fine\n",
            "patients/views.py": """
                def detail():
                    from ketacare.web.clinic.chart import chart_context  # inside a function
                    return chart_context
            """,
            "patients/chart.py": """
                import importlib

                def extra():
                    return importlib.import_module("ketacare.web.treatments.chart")
            """,
            "treatments/__init__.py": "",
            "treatments/chart.py": "import ketacare.web.clinic.views\n",
            "clinic/__init__.py": "",
            "clinic/chart.py": "from ketacare.web.treatments import chart  # fine: downwards\n",
            "clinic/views.py": "from ketacare.web import settings  # the project's modules\n",
            "settings.py": "",
        },
    )
    found = violations(web)
    assert found == [
        "clinic/views.py:1: clinic imports ketacare.web.settings, but (project) ranks above clinic",
        "lib/records.py:1: lib imports ketacare.web.patients.models, but patients ranks above lib",
        "patients/chart.py:5: looks up 'ketacare.web.treatments.chart' by a string: import it",
        "patients/views.py:3: patients imports ketacare.web.clinic.chart.chart_context, "
        "but clinic ranks above patients",
        "treatments/chart.py:1: treatments imports ketacare.web.clinic.views, "
        "but clinic ranks above treatments",
    ]


def test_it_fails_on_every_way_of_looking_a_module_up_by_name(tmp_path: Path) -> None:
    web = _plant(
        tmp_path,
        {
            "lib/__init__.py": "",
            "lib/hooks.py": """
                from django.utils.module_loading import import_string

                a = __import__("ketacare.web.lib.records")
                b = import_string("ketacare.web.lib.records.for_clinic")
                c = f"ketacare.web.{'x'}.chart"
                d = __import__(f"ketacare.web.{c}")
                e = __import__("json")  # not a web module: fine
                SERVICES = "ketacare.web.checkins.services"
                f = __import__(SERVICES)  # a module-level constant
                g = import_string(name_from_settings)  # computed at run time: not read
            """,
        },
    )
    found = violations(web)
    assert [line.split(": ", 1)[0] for line in found] == [
        "lib/hooks.py:4",
        "lib/hooks.py:5",
        "lib/hooks.py:7",
        "lib/hooks.py:10",
    ]
    assert "'ketacare.web.checkins.services' by a string" in found[3]


def test_it_fails_on_an_app_without_a_rank(tmp_path: Path) -> None:
    web = _plant(tmp_path, {"lib/__init__.py": "", "reminders/__init__.py": ""})
    assert violations(web) == ["reminders/__init__.py: the app 'reminders' has no rank in LAYERS"]


def test_a_violation_planted_in_a_copy_of_the_real_web_layer_is_found(tmp_path: Path) -> None:
    web = tmp_path / "ketacare" / "web"
    shutil.copytree(WEB, web, ignore=shutil.ignore_patterns("static", "templates", "__pycache__"))
    assert violations(web) == []
    records = web / "lib" / "records.py"
    records.write_text(
        records.read_text(encoding="utf-8")
        + "\n\ndef _planted():\n    from ketacare.web.patients.models import Patient\n",
        encoding="utf-8",
    )
    found = violations(web)
    assert len(found) == 1
    assert found[0].startswith("lib/records.py:")
    assert "lib imports ketacare.web.patients.models.Patient" in found[0]


def test_imports_are_read_at_module_level_and_inside_functions() -> None:
    targets = {i.target for i in imports_in(WEB / "clinic" / "views.py", WEB)}
    assert "ketacare.web.clinic.dashboard.dashboard_context" in targets  # inside a function
    assert "ketacare.web.accounts.permissions.permission_required" in targets  # module level
    assert app_of("ketacare.web.urls", WEB) == PROJECT
    assert app_of("ketacare.core.errors", WEB) is None
