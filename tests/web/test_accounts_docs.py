"""Every environment variable settings.py reads is in docs/configuration.md's table, and every
variable of the table is read (datasette's tests/test_docs.py, for the accounts' variables too)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_variable_in_settings_is_in_the_configuration_table() -> None:
    settings = (ROOT / "src/ketacare/web/settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', settings))
    table = set(
        re.findall(r"^\| `([A-Z0-9_]+)` \|", (ROOT / "docs/configuration.md").read_text(), re.M)
    )
    assert not read - table, f"read but not documented: {sorted(read - table)}"
    assert not table - read, f"documented but not read: {sorted(table - read)}"
