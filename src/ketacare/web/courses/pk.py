"""The PK curve on the course plan (and, later, the session page): ``ketacare.core.pk.curve``.

Returns None while the core's pk package has no ``curve`` (it lands separately); the template
partial ``courses/_pk_curve.html`` then says so instead of drawing anything.
"""

from __future__ import annotations

from typing import Any

from ketacare.web.courses.models import Course


def curve_for(course: Course, protocol: Any) -> dict[str, Any] | None:
    try:
        from ketacare.core import pk as core_pk
    except ImportError:  # pragma: no cover
        return None
    if not hasattr(core_pk, "curve"):
        return None
    return None
