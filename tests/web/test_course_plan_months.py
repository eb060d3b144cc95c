"""The course plan's month grids each carry the month's name and year, so a plan spanning two
months says which is which."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from ketacare.web.courses import services


@pytest.mark.django_db
def test_each_month_grid_of_the_plan_is_headed_by_its_month_and_year(
    prescriber: Any, patient: Any, client_for: Any
) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=dt.date(2026, 1, 26), weight_kg=70
    )
    dates = sorted(s.date for s in course.planned_sessions.all())
    months = sorted({(d.year, d.month) for d in dates})
    assert len(months) >= 2  # the plan spans January into February
    response = client_for(prescriber).get(f"/courses/{course.uuid}/")
    assert response.status_code == 200
    page = response.content.decode()
    headings = re.findall(r'<h3 class="month"[^>]*>([^<]+)</h3>', page)
    expected = [dt.date(y, m, 1).strftime("%B %Y") for y, m in months]
    assert headings == expected, headings
    for y, m in months:  # each grid is labelled by its heading
        assert f'id="month-{y}-{m:02d}"' in page
        assert f'aria-labelledby="month-{y}-{m:02d}"' in page
