"""The course page's target-concentration infusion plan: a form (model from the core's IV
parameter sets for the course's drug, target, duration, step; the weight is the course's) whose
answer is ``core.pk.plan_target``'s bolus and stepped rates as a table and an SVG, with the core's
errors beside their fields in plain words and the UNVERIFIED-parameters note on the page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from ketacare.core import pk as core_pk
from ketacare.web.courses import services

START = dt.date(2026, 1, 5)
NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def iv_course(prescriber: Any, patient: Any) -> Any:
    return services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )


def _plan_page(client: Any, course: Any, **fields: Any) -> tuple[Any, str]:
    query = {f"tci-{k}": str(v) for k, v in fields.items()}
    response = client.get(f"/courses/{course.uuid}/", query)
    assert response.status_code == 200
    return response, response.content.decode()


def _section(text: str) -> str:
    match = re.search(r'<section class="card" id="pk-target">.*?</section>', text, re.S)
    assert match
    return match.group(0)


@pytest.mark.django_db
def test_the_form_offers_the_cores_iv_models_of_the_drug_and_no_plan_until_sent(
    iv_course: Any, nurse: Any, client_for: Any
) -> None:
    response, text = _plan_page(client_for(nurse), iv_course)
    section = _section(text)
    form = response.context["pk_target"]["form"]
    offered = [value for value, _ in form.fields["model"].choices]
    expected = sorted(
        m.id
        for m in core_pk.list_models(include_flagged=False)
        if m.drug == "racemic" and "iv" in m.routes
    )
    assert offered == expected and "domino1982" in offered
    assert "70.0 kg</strong>, the course's" in section
    assert "tci-steps" not in section


@pytest.mark.django_db
def test_the_table_and_the_svg_are_the_cores_plan(
    iv_course: Any, prescriber: Any, client_for: Any
) -> None:
    response, text = _plan_page(
        client_for(prescriber),
        iv_course,
        model="domino1982",
        target_ng_per_ml=300,
        hold_min=40,
        step_min=5,
    )
    expected = core_pk.plan_target("domino1982", 300, 40, 70.0, step_min=5).to_dict()
    assert response.context["pk_target"]["plan"] == expected
    section = _section(text)
    rows = re.findall(
        r'<tr class="step"><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>',
        section,
    )
    assert len(rows) == len(expected["steps"]) == 8
    for row, step in zip(rows, expected["steps"], strict=True):
        assert row == (
            f"{step['start_min']:g}",
            f"{step['end_min']:g}",
            f"{step['rate_mg_per_h']:.1f}",
            f"{step['amount_mg']:.2f}",
        )
    assert f"<td>bolus</td><td>{expected['bolus_mg']:.2f}</td>" in section
    assert f"{expected['total_mg']:.2f} mg ({expected['total_mg_per_kg']:.3f} mg/kg)" in section
    svg = ET.fromstring(re.search(r"<svg .*?</svg>", section, re.S).group(0))  # type: ignore[union-attr]
    bars = [r for r in svg.iter(f"{NS}rect") if r.get("class") == "rate-step"]
    assert len(bars) == 8
    heights = [float(b.get("height", "")) for b in bars]
    rates = [s["rate_mg_per_h"] for s in expected["steps"]]
    # bar heights are proportional to the core's rates
    for h, r in zip(heights, rates, strict=True):
        assert h / heights[0] == pytest.approx(r / rates[0], abs=2e-3)
    assert len([c for c in svg.iter(f"{NS}circle") if c.get("class") == "bolus"]) == 1


@pytest.mark.django_db
def test_the_unverified_parameters_note_the_core_attaches_is_shown(
    iv_course: Any, nurse: Any, client_for: Any
) -> None:
    _, text = _plan_page(
        client_for(nurse), iv_course, model="domino1982", target_ng_per_ml=200, hold_min=30
    )
    plan = core_pk.plan_target("domino1982", 200, 30, 70.0)
    notes = [a for a in plan.assumptions if a.startswith("UNVERIFIED parameters")]
    assert notes
    section = _section(text).replace("&#x27;", "'").replace("&quot;", '"')
    for note in notes:
        assert note in section
    assert "unverified parameters</span>" in section
    assert plan.source in section


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "fields", "allowed"),
    [
        (
            "target_ng_per_ml",
            {"target_ng_per_ml": 0, "hold_min": 40},
            "0 is not possible here. Allowed: a target above 0 and at most 5000 ng/mL.",
        ),
        (
            "target_ng_per_ml",
            {"target_ng_per_ml": 9000, "hold_min": 40},
            "9000 is not possible here. Allowed: a target above 0 and at most 5000 ng/mL.",
        ),
        (
            "hold_min",
            {"target_ng_per_ml": 300, "hold_min": 2000},
            "2000 is not possible here. Allowed: a duration above 0 and at most 1440 min.",
        ),
        (
            "step_min",
            {"target_ng_per_ml": 300, "hold_min": 40, "step_min": 0.1},
            "0.1 is not possible here. Allowed: a step of at least 0.5 min.",
        ),
    ],
)
def test_bad_input_shows_the_cores_error_beside_its_field(
    field: str,
    fields: dict[str, Any],
    allowed: str,
    iv_course: Any,
    prescriber: Any,
    client_for: Any,
) -> None:
    response, text = _plan_page(client_for(prescriber), iv_course, model="domino1982", **fields)
    form = response.context["pk_target"]["form"]
    assert form.errors == {field: [allowed]}
    # beside the field: inside the field's own wrapper, after its input
    pattern = (
        rf'<input[^>]*name="tci-{field}"[^>]*>\s*(?:<small class="help">[^<]*</small>\s*)?'
        rf'<small class="error" role="alert">{re.escape(allowed)}</small>'
    )
    assert re.search(pattern, _section(text)), _section(text)
    assert "tci-steps" not in _section(text)


@pytest.mark.django_db
def test_a_word_for_a_number_is_refused_by_the_form(
    iv_course: Any, nurse: Any, client_for: Any
) -> None:
    response, _ = _plan_page(
        client_for(nurse), iv_course, model="domino1982", target_ng_per_ml="lots", hold_min=40
    )
    assert response.context["pk_target"]["form"].errors == {"target_ng_per_ml": ["Enter a number."]}


@pytest.mark.django_db
def test_an_intranasal_course_says_the_plan_is_for_iv_courses(
    prescriber: Any, patient: Any, client_for: Any
) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="esketamine-trd", start_date=START, weight_kg=70
    )
    _, text = _plan_page(client_for(prescriber), course, target_ng_per_ml=300, hold_min=40)
    section = _section(text)
    assert "an intravenous infusion; this course's route is intranasal." in section
    assert "<form" not in section
