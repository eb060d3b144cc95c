"""Template context: what the signed-in user may do (``can.view_clinical`` etc.)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ketacare.web.accounts.permissions import allowed_actions


class _Can:
    def __init__(self, actions: frozenset[str]) -> None:
        self._actions = actions

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return name in self._actions

    def __getitem__(self, name: str) -> bool:
        return name in self._actions


def ketacare(request: HttpRequest) -> dict[str, Any]:
    return {"can": _Can(allowed_actions(getattr(request, "user", None)))}
