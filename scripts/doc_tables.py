"""Print the reference tables the docs hold, from the code: the permission table (docs/web.md)
and the API operations (docs/api.md). tests/test_docs.py checks the docs still agree.

    KETACARE_DEBUG=1 python scripts/doc_tables.py permissions
    KETACARE_DEBUG=1 python scripts/doc_tables.py api
"""

from __future__ import annotations

import os
import sys

import django


def permissions() -> str:
    from ketacare.web.accounts.permissions import PERMISSIONS

    lines = ["| permission | roles |", "|---|---|"]
    for name in sorted(PERMISSIONS):
        roles = ", ".join(sorted(r.replace("_", " ") for r in PERMISSIONS[name]))
        lines.append(f"| `{name}` | {roles} |")
    return "\n".join(lines)


def api() -> str:
    from ketacare.web import urls  # noqa: F401  (registers every router)
    from ketacare.web.clinic.api import api as ninja_api

    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1")
    lines = ["| operation | what it does |", "|---|---|"]
    for path, item in sorted(schema["paths"].items()):
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                lines.append(f"| `{method.upper()} {path}` | {op.get('summary', '')} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.web.settings")
    django.setup()
    table = {"permissions": permissions, "api": api}.get(argv[0] if argv else "")
    if table is None:
        print(__doc__)
        return 2
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
