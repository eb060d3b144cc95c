"""A nurse enters every scale of the core once, item by item, in Chromium at 1024x768 and at
1366x900, and sees each on the patient's chart: its name, its score and its band, as the core
scored them (``ketacare.core.scales.score`` on the same answers), and stored so.

Each item is answered at the middle of its range (yes/no scales "no", the skip logic's items
left as skipped); each option at its default. Screenshots: $KETACARE_SCREENSHOTS/
journey-scales-*.png (default /tmp/shots)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from ketacare.core import scales as core_scales

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answers(scale: Any) -> tuple[list[int | str | None], dict[str, str]]:
    if scale.answers == "yes-no":
        items: list[int | str | None] = ["n"] * len(scale.items)
        for rule in scale.skip_rules:
            if items[rule.when_item - 1] == rule.equals:
                for n in rule.skip:
                    items[n - 1] = None
    else:
        items = [(item.min + item.max) // 2 for item in scale.items]
    return items, {o.key: o.default or o.values[0] for o in scale.options}


def test_a_nurse_enters_every_scale_and_sees_each_on_the_chart(
    sized: Any, staff: dict[str, Any]
) -> None:
    from ketacare.web.measures.models import Measure
    from ketacare.web.patients.models import Patient

    page = sized
    patient = Patient.objects.create(
        clinic=staff["clinic"],
        record_number="N-0301",
        given_name="Dana",
        family_name="Whitfield",
        date_of_birth=dt.date(1988, 1, 9),
        sex="female",
    )
    sign_in(page, "noor")
    scales = core_scales.list_scales()
    expected = {}
    page.goto(f"/patients/{patient.uuid}/")
    page.get_by_role("link", name="Enter a measure").click()
    # the scale menu is as large as the form's own fields: a finger's height at the tablet
    menu = page.locator("#scale-choice").bounding_box()
    assert menu["height"] >= 38, menu
    for k, scale in enumerate(scales):
        if k == 0:  # the first from the form's own menu; then straight to each scale's form
            page.select_option("#scale-choice", scale.id)
            page.click("form[aria-label='Choose a scale'] button")
        else:
            page.goto(f"/measures/new/{patient.uuid}/?scale={scale.id}", wait_until="commit")
        page.wait_for_url(
            f"**/measures/new/{patient.uuid}/?scale={scale.id}", wait_until="domcontentloaded"
        )
        form = page.locator("form.card")
        assert scale.name in form.locator("h2").inner_text()
        items, options = _answers(scale)
        for key, value in options.items():
            form.locator(f"select[name=opt_{key}]").select_option(value)
        for item, value in zip(scale.items, items, strict=True):
            field = form.locator(f"[name=item_{item.number}]")
            # each item by its short label, not a bare number
            label = form.locator(f"label[for=id_item_{item.number}]").inner_text()
            assert item.label in label, (scale.id, item.number, label)
            field.select_option("-" if value is None else str(value))
        if scale.id == scales[0].id or scale.answers == "yes-no":
            shot(page, f"scales-form-{scale.id}")
        form.locator("button.primary").click()
        page.wait_for_url(f"**/patients/{patient.uuid}/", wait_until="domcontentloaded")
        said = page.inner_text(".messages")
        assert f"{scale.name} recorded" in said, said
        result = core_scales.score(scale.id, items, options)
        expected[scale.id] = result
        stored = Measure.objects.get(patient=patient, scale_id=scale.id)
        assert stored.total == result.total and (stored.severity or None) == result.severity

    # the chart: one row per scale with its name, score and band; one chart or list per scale
    page.goto(f"/patients/{patient.uuid}/")
    shot(page, "scales-chart")
    rows = page.locator("#measures tbody tr")
    assert rows.count() == len(scales)
    for scale in scales:
        result = expected[scale.id]
        row = page.locator("#measures tbody tr", has=page.get_by_text(scale.name, exact=True))
        assert row.count() == 1, scale.id
        cells = row.locator("td").all_inner_texts()
        assert cells[1] == scale.name, (scale.id, cells)
        total = "—" if result.total is None else f"{result.total:g}"
        assert cells[2] == total, (scale.id, cells)
        band = result.severity or (f"triage {result.triage}" if result.triage else "—")
        assert cells[3] == band, (scale.id, cells)
        caption = page.locator("#charts figcaption", has_text=scale.name)
        assert caption.count() == 1, scale.id
    for section in ("#measures", "#charts", "#timeline"):  # names, not the core's ids
        text = page.inner_text(section)
        assert not [s.id for s in scales if re.search(rf"(?<![\w-]){re.escape(s.id)}\b", text)]
    assert Measure.objects.filter(patient=patient).count() == len(scales)
