"""Sign in and out (Django's views), and the signed-in user's page (role and permissions)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketacare.web.accounts.permissions import PERMISSIONS, allowed_actions


def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {"actions": sorted(allowed_actions(request.user)), "all_actions": sorted(PERMISSIONS)},
    )
