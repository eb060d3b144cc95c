"""Parameter sets load from data files, validate themselves and scale with weight."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.datafiles import load_toml_text
from ketacare.core.errors import DefinitionError, UnknownIdError
from ketacare.core.pk import get_model, list_models, route_info
from ketacare.core.pk.models import _power, model_from_toml

REQUIRED = {"domino1982", "kamp2020", "clements1981", "hijazi2003", "fanta2015", "perez-ruixo2021"}


def test_every_required_model_ships_with_source_population_and_sampling() -> None:
    models = {m.id: m for m in list_models()}
    assert set(models) >= REQUIRED
    for m in models.values():
        assert m.source and m.population
        assert m.sampling in ("venous", "arterial")
        assert m.weight_scaling in ("linear", "allometric", "none")


def test_doubtful_and_unrepresentative_sets_are_flagged_not_offered_by_default() -> None:
    assert get_model("clements1981").flagged
    assert get_model("hijazi2003").flagged
    defaults = {m.id for m in list_models(include_flagged=False)}
    assert "clements1981" not in defaults and "hijazi2003" not in defaults
    assert {"domino1982", "kamp2020", "perez-ruixo2021"} <= defaults


def test_unverified_parameters_are_said_in_every_models_notes() -> None:
    for m in list_models():
        if m.parameter_status == "unverified":
            assert any("UNVERIFIED" in n for n in m.notes())


def test_unknown_model_names_the_known_ids() -> None:
    with pytest.raises(UnknownIdError, match="domino1982"):
        get_model("hornik2018")


def test_linear_weight_scaling_keeps_mg_per_kg_concentrations_equal() -> None:
    # pharmacokinetics.md §4: with mg/kg dosing and volumes linear in weight, weight drops out.
    model = get_model("domino1982")
    a, vols = model.build(np.array([50.0, 100.0]))
    np.testing.assert_allclose(a[0], a[1])
    assert vols[1, 0] == pytest.approx(2 * vols[0, 0])


def test_allometric_scaling_gives_clearance_to_the_three_quarter_power() -> None:
    model = get_model("fanta2015")
    a, vols = model.build(np.array([70.0, 140.0]))
    cl = -a[:, :, 0].sum(axis=1) * vols[:, 0]
    assert cl[1] / cl[0] == pytest.approx(2**0.75)


def test_subcutaneous_bioavailability_is_marked_an_assumption() -> None:
    info = route_info("racemic", "sc")
    assert info is not None
    assert info.bioavailability_status == "assumption"
    assert any("ASSUMPTION" in a for a in info.assumptions())


GOOD = """
id = "x"
name = "x"
drug = "racemic"
sampling = "venous"
population = "p"
adult = true
flagged = false
flags = []
source = "s"
parameter_status = "primary"
weight_scaling = "linear"
reference_weight_kg = 70
central = "c"
routes = ["iv"]
[[compartment]]
name = "c"
volume_l = 10.0
[[flow]]
from = "c"
to = "out"
k_per_min = 0.1
"""


def test_a_well_formed_file_loads() -> None:
    model = model_from_toml("x.toml", load_toml_text(GOOD, "x.toml"))
    assert model.n == 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('drug = "racemic"', 'drug = "coffee"', "drug"),
        ('sampling = "venous"', 'sampling = "capillary"', "sampling"),
        ("volume_l = 10.0", "volume_l = -1.0", "positive volume"),
        ('to = "out"', 'to = "nowhere"', "elimination flow"),
        ('from = "c"', 'from = "d"', "unknown compartment"),
        ("k_per_min = 0.1", "k_per_min = 0.1\ncl_l_per_h = 3.0", "exactly one"),
        ('routes = ["iv"]', 'routes = ["po"]', "routes"),
        ("adult = true\nflagged = false", "adult = false\nflagged = false", "flag"),
        ('source = "s"', 'source = ""', "source"),
    ],
)
def test_malformed_files_raise_a_definition_error_naming_the_file(
    old: str, new: str, message: str
) -> None:
    text = GOOD.replace(old, new)
    with pytest.raises(DefinitionError, match=message) as exc:
        model_from_toml("bad.toml", load_toml_text(text, "bad.toml"))
    assert "bad.toml" in str(exc.value)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.05, 20.0), min_size=1, max_size=20))
def test_quarter_powers_by_square_roots_match_numpy_power(ratios: list[float]) -> None:
    # Allometric sets raise weight / reference to -0.25 and 0.75; the square-root forms must agree
    # with np.power to a few units in the last place (4e-16 relative allowed).
    x = np.array(ratios)
    for e in (-0.25, 0.75, 1.0, 0.5):
        np.testing.assert_allclose(_power(x, e), x**e, rtol=4e-16, atol=0.0)
