"""URLs built once per page: reverse a route once with a placeholder, then fill in each row's
UUID by string replacement (a list page would otherwise reverse the same route for every row).

    patient_url = link_for("patients:detail")
    patient_url(patient.uuid)  # "/patients/<uuid>/", the same string ``reverse`` gives
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.urls import reverse

_PLACEHOLDER = uuid.UUID("00000000-0000-4000-8000-000000000000")


def link_for(viewname: str) -> Callable[[Any], str]:
    """A function from a row's UUID to the URL of ``viewname`` (one ``reverse`` per call)."""
    template = reverse(viewname, args=[_PLACEHOLDER])
    head, sep, tail = template.partition(str(_PLACEHOLDER))
    if not sep:  # the route does not show the UUID as is: reverse each time
        return lambda value: reverse(viewname, args=[value])
    return lambda value: f"{head}{value}{tail}"
