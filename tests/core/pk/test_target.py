"""Target-concentration planning: bolus plus stepped rates reach and hold the target."""

from __future__ import annotations

import numpy as np
import pytest

from ketacare.core.errors import InputError
from ketacare.core.pk import Dose, get_model, plan_target, simulate


@pytest.mark.parametrize("model_id", ["domino1982", "kamp2020", "fanta2015", "perez-ruixo2021"])
def test_plan_holds_the_target_within_tolerance(model_id: str) -> None:
    plan = plan_target(model_id, 150.0, 60.0, 80.0)
    # Mean of every step equals the target by construction; the swing inside a step is
    # largest for Domino (central volume 0.063 L/kg). Tolerance: +/-15% over the hold.
    assert 0.85 * 150 <= plan.predicted_min_ng_per_ml <= plan.predicted_max_ng_per_ml <= 1.15 * 150
    assert plan.predicted_end_ng_per_ml == pytest.approx(150.0, rel=0.05)
    assert plan.steps[-1].end_min == 60.0


def test_bolus_fills_the_central_volume_and_total_adds_up() -> None:
    plan = plan_target("kamp2020", 100.0, 40.0, 70.0)
    # Kamp (opentiva) V1 = 25 L at 70 kg: 100 ng/mL * 25 L = 2.5 mg.
    assert plan.bolus_mg == pytest.approx(2.5)
    assert plan.total_mg == pytest.approx(plan.bolus_mg + sum(s.amount_mg for s in plan.steps))
    assert all(s.rate_mg_per_h >= 0 for s in plan.steps)
    # rates step down as peripheral compartments fill
    assert plan.steps[0].rate_mg_per_h > plan.steps[-1].rate_mg_per_h


def test_replaying_the_plan_reproduces_its_prediction() -> None:
    plan = plan_target("domino1982", 100.0, 30.0, 70.0, step_min=10.0)
    doses = [Dose("iv", plan.bolus_mg)] + [
        Dose("iv", s.amount_mg, s.start_min, s.end_min - s.start_min) for s in plan.steps
    ]
    end = simulate("domino1982", doses, [30.0], 70.0).plasma_ng_per_ml[0]
    assert end == pytest.approx(plan.predicted_end_ng_per_ml, rel=1e-9)


def test_plan_scales_with_weight_for_linear_models() -> None:
    light = plan_target("domino1982", 100.0, 40.0, 50.0)
    heavy = plan_target("domino1982", 100.0, 40.0, 100.0)
    assert heavy.total_mg == pytest.approx(2 * light.total_mg)
    assert get_model("domino1982").weight_scaling == "linear"


def test_plan_to_dict_reports_steps_and_total() -> None:
    d = plan_target("kamp2020", 150.0, 20.0, 70.0).to_dict()
    assert d["total_mg"] > d["bolus_mg"] > 0
    assert len(d["steps"]) == 4
    assert np.isclose(d["steps"][0]["start_min"], 0.0)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0.0, 60.0, 70.0), "target_ng_per_ml"),
        ((150.0, -1.0, 70.0), "hold_min"),
        ((150.0, 60.0, 400.0), "weight_kg"),
    ],
)
def test_bad_plan_input_names_the_field(args: tuple, field: str) -> None:
    with pytest.raises(InputError) as exc:
        plan_target("kamp2020", *args)
    assert exc.value.field == field
