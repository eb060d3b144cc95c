"""simulate() and curve(): routes, assumptions, the Bowdle band, variability and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ketacare.core.errors import InputError
from ketacare.core.pk import Dose, curve, simulate
from ketacare.core.pk.simulate import minutes_above


def test_curve_has_the_contract_keys_and_is_json_able() -> None:
    c = curve("domino1982", route="iv", dose_mg=35.0, weight_kg=70.0, infusion_min=40.0)
    for key in ("times_min", "plasma_ng_per_ml", "band", "two_hour_mark_min", "assumptions"):
        assert key in c
    assert c["source"].startswith("Domino")
    assert c["two_hour_mark_min"] == 120.0
    assert c["times_min"][0] == 0.0 and c["times_min"][-1] == 240.0
    assert len(c["times_min"]) == len(c["plasma_ng_per_ml"]) == 241
    json.dumps(c)


def test_band_applies_to_racemic_venous_models_and_counts_time_above() -> None:
    c = curve("domino1982", route="iv", dose_mg=35.0, weight_kg=70.0, infusion_min=40.0)
    band = c["band"]
    assert band["applies"] is True
    assert "Bowdle 1998" in band["label"] and "steady state" in band["label"]
    above = band["minutes_above"]
    assert above["50"] >= above["100"] >= above["150"] >= above["200"] > 0


def test_band_does_not_apply_to_esketamine_without_a_potency_assumption() -> None:
    c = curve("perez-ruixo2021", route="in", dose_mg=84.0, weight_kg=70.0)
    assert c["band"]["applies"] is False
    assert "potency" in c["band"]["reason"]
    stated = curve(
        "perez-ruixo2021",
        route="in",
        dose_mg=84.0,
        weight_kg=70.0,
        racemic_equivalent_factor=2.0,
    )
    assert stated["band"]["applies"] is True
    assert "ASSUMPTION" in stated["band"]["potency_assumption"]
    assert c["band"]["minutes_above"] is None
    assert stated["band"]["minutes_above"]["100"] > 0


def test_band_does_not_apply_to_an_arterial_model() -> None:
    c = curve("kamp2020", route="iv", dose_mg=35.0, weight_kg=70.0, infusion_min=40.0)
    assert c["band"]["applies"] is False
    assert "arterial" in c["band"]["reason"]
    assert c["band"]["minutes_above"] is None


def test_minutes_above_interpolates_between_samples() -> None:
    times = np.array([0.0, 10.0, 20.0])
    conc = np.array([0.0, 100.0, 0.0])
    assert minutes_above(times, conc, 50.0) == pytest.approx(10.0)


def test_subcutaneous_output_states_its_assumption() -> None:
    c = curve("domino1982", route="sc", dose_mg=35.0, weight_kg=70.0)
    assert any("ASSUMPTION" in a and "subcutaneous" in a for a in c["assumptions"])
    r = simulate("kamp2020", [Dose("sc", 35.0)], [10, 60], 70.0)
    assert any("no human subcutaneous" in a for a in r.assumptions)


def test_variability_band_brackets_the_typical_curve_where_the_source_gives_iiv() -> None:
    c = curve("perez-ruixo2021", route="in", dose_mg=56.0, weight_kg=70.0)
    v = c["variability"]
    assert v is not None
    typical = np.array(c["plasma_ng_per_ml"])[10:]
    p5, p95 = np.array(v["p5_ng_per_ml"])[10:], np.array(v["p95_ng_per_ml"])[10:]
    assert np.all(p5 <= typical) and np.all(typical <= p95)
    assert curve("domino1982", route="iv", dose_mg=35.0, weight_kg=70.0)["variability"] is None


def test_several_weights_give_one_row_per_patient() -> None:
    r = simulate("fanta2015", [Dose("iv", 10.0, 0.0, 10.0)], [5.0, 30.0], [50.0, 70.0, 90.0])
    assert r.plasma_ng_per_ml.shape == (3, 2)
    assert r.plasma_ng_per_ml[0, 1] > r.plasma_ng_per_ml[2, 1]


def test_multiple_doses_superpose() -> None:
    times = [10.0, 70.0, 200.0]
    one = simulate("domino1982", [Dose("iv", 20.0)], times, 70.0).plasma_ng_per_ml
    two = simulate("domino1982", [Dose("im", 20.0, 60.0)], times, 70.0).plasma_ng_per_ml
    both = simulate(
        "domino1982", [Dose("iv", 20.0), Dose("im", 20.0, 60.0)], times, 70.0
    ).plasma_ng_per_ml
    np.testing.assert_allclose(both, one + two, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"dose_mg": -1.0}, "dose_mg"),
        ({"dose_mg": float("nan")}, "dose_mg"),
        ({"weight_kg": 5.0}, "weight_kg"),
        ({"route": "rectal"}, "route"),
        ({"route": "im", "infusion_min": 10.0}, "infusion_min"),
        ({"infusion_min": -5.0}, "infusion_min"),
        ({"step_min": 0.0}, "step_min"),
    ],
)
def test_bad_curve_input_names_the_field(kwargs: dict, field: str) -> None:
    args = {"route": "iv", "dose_mg": 35.0, "weight_kg": 70.0} | kwargs
    with pytest.raises(InputError) as exc:
        curve("domino1982", **args)
    assert exc.value.field == field


def test_a_route_the_model_cannot_take_is_refused() -> None:
    with pytest.raises(InputError, match="can take: iv, in"):
        simulate("perez-ruixo2021", [Dose("im", 28.0)], [10.0], 70.0)


def test_nasal_doses_must_be_whole_devices() -> None:
    with pytest.raises(InputError, match="28-mg devices"):
        simulate("perez-ruixo2021", [Dose("in", 30.0)], [10.0], 70.0)


def test_negative_times_are_refused() -> None:
    with pytest.raises(InputError, match="times_min"):
        simulate("domino1982", [Dose("iv", 30.0)], [-1.0], 70.0)
