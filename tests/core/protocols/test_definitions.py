"""Protocol data files: every protocol loads, validates itself and carries its source."""

from __future__ import annotations

import pytest

from ketacare.core.errors import DefinitionError, UnknownIdError
from ketacare.core.protocols import get_protocol, list_protocols
from ketacare.core.protocols.definitions import protocol_from_toml

CONTRACT_IDS = {
    "iv-racemic",
    "esketamine-trd",
    "in-racemic",
    "sc-kads",
    "oral-oktos",
    "sl-racemic",
    "iv-ptsd",
}


def test_every_contract_protocol_id_is_shipped() -> None:
    assert {p.id for p in list_protocols()} >= CONTRACT_IDS


def test_every_protocol_states_its_source_and_urls() -> None:
    for protocol in list_protocols():
        assert protocol.source
        assert all(url.startswith("http") for url in protocol.source_urls)
        assert protocol.quotes


def test_every_data_file_starts_with_a_comment_header() -> None:
    from importlib import resources

    root = resources.files("ketacare.core.protocols").joinpath("data")
    for entry in root.iterdir():
        if entry.name.endswith(".toml"):
            text = entry.read_text(encoding="utf-8")
            assert text.startswith("# KetaCare protocol definition"), entry.name
            assert "Source:" in text.split("\nid =")[0], entry.name


def test_drug_and_route_use_the_shared_vocabulary() -> None:
    # contracts.md: route ids iv, im, sc, in, po, sl; drug ids racemic, esketamine, arketamine.
    routes = {p.id: (p.drug, p.route) for p in list_protocols()}
    assert routes["iv-racemic"] == ("racemic", "iv")
    assert routes["esketamine-trd"] == ("esketamine", "in")
    assert routes["in-racemic"] == ("racemic", "in")
    assert routes["sc-kads"] == ("racemic", "sc")
    assert routes["oral-oktos"] == ("racemic", "po")
    assert routes["sl-racemic"] == ("racemic", "sl")
    assert routes["iv-ptsd"] == ("racemic", "iv")


def test_maxima_match_their_sources() -> None:
    # Andrade 2017: "others may require up to 0.75 mg/kg".
    assert get_protocol("iv-racemic").max_dose_mg_per_kg == pytest.approx(0.75, abs=1e-9)
    # SPRAVATO label: "56 mg or 84 mg" (84 mg = 3 devices).
    assert get_protocol("esketamine-trd").max_dose_mg == pytest.approx(84, abs=1e-9)
    # Peters 2023: "intranasal racemic ketamine (50 mg or 75 mg)".
    assert get_protocol("in-racemic").max_dose_mg == pytest.approx(75, abs=1e-9)
    # KADS: "flexible-dose ketamine 0.5-0.9 mg/kg".
    assert get_protocol("sc-kads").max_dose_mg_per_kg == pytest.approx(0.9, abs=1e-9)
    # OKTOS: "commenced with 0.5 mg/kg of ketamine, which was titrated to a maximum 3.0 mg/kg".
    assert get_protocol("oral-oktos").max_dose_mg_per_kg == pytest.approx(3.0, abs=1e-9)
    # Feder 2021: "six infusions of ketamine (0.5 mg/kg)".
    assert get_protocol("iv-ptsd").max_dose_mg_per_kg == pytest.approx(0.5, abs=1e-9)
    # Lara 2013: "10 mg ... every 2-3 days or weekly".
    assert get_protocol("sl-racemic").max_dose_mg == pytest.approx(10, abs=1e-9)


def test_ceilings_match_their_sources() -> None:
    # Fava 2020 (PMC6447473) abstract: "a single dose of ketamine 1.0 mg/kg (n = 20)", the
    # highest of its arms 0.1, 0.2, 0.5 and 1.0 mg/kg.
    iv = get_protocol("iv-racemic")
    assert iv.ceiling_mg_per_kg == pytest.approx(1.0, abs=1e-9)
    assert "Fava 2020" in iv.ceiling_source
    # Derived cap, not a published value: 1.0 mg/kg x 150 kg = 150 mg.
    assert iv.ceiling_mg == pytest.approx(150, abs=1e-9)
    assert "derived" in iv.ceiling_mg_source
    # SPRAVATO label: "Subsequent doses: 56 mg or 84 mg"; nothing above 84 mg.
    assert get_protocol("esketamine-trd").ceiling_mg == pytest.approx(84, abs=1e-9)
    # No higher dose sourced: the ceiling is the protocol's own maximum, and the file says so.
    for pid in ("iv-ptsd", "sc-kads", "oral-oktos", "in-racemic", "sl-racemic"):
        protocol = get_protocol(pid)
        assert protocol.ceiling == pytest.approx(protocol.max_dose, abs=1e-9), pid
        assert "own maximum" in protocol.ceiling_source, pid


def test_every_protocol_has_a_ceiling_at_or_above_its_maximum_with_a_source() -> None:
    for protocol in list_protocols():
        assert protocol.ceiling >= protocol.max_dose
        assert protocol.ceiling_mg is not None and protocol.ceiling_mg > 0
        assert protocol.ceiling_source
        if protocol.weight_based:
            assert protocol.ceiling_mg_source


def test_esketamine_session_rules_are_data_with_their_label_source() -> None:
    esk = get_protocol("esketamine-trd")
    # HCP page quoting the US PI: "The Day 1 starting dose of SPRAVATO is 56 mg (2 devices)."
    assert esk.first_dose_mg == pytest.approx(56, abs=1e-9)
    # EU SmPC 4.2 Table 2, adults >= 65 years: "Starting day 1 dose: 28 mg".
    (age_rule,) = esk.age_start
    assert age_rule.min_age_years == pytest.approx(65, abs=1e-9)
    assert age_rule.dose_mg == pytest.approx(28, abs=1e-9)
    assert "SmPC" in age_rule.source
    # US PI via HCP page: 84 mg "taken only after an initial starting dose of 56 mg".
    (req,) = esk.requires_previous
    assert (req.dose_mg, req.previous_dose_mg) == (84, 56)


def test_dose_ladders_match_their_sources() -> None:
    # KADS cohort 2: "escalation steps 0.6, 0.75, and 0.9 mg/kg if not improved by 50%".
    assert get_protocol("sc-kads").steps == pytest.approx((0.5, 0.6, 0.75, 0.9), abs=1e-9)
    # Droracle summary (secondary): "0.5 -> 0.75 mg/kg".
    assert get_protocol("iv-racemic").steps == pytest.approx((0.5, 0.75), abs=1e-9)
    # SPRAVATO label: "Subsequent doses: 56 mg or 84 mg".
    assert get_protocol("esketamine-trd").steps == pytest.approx((56, 84), abs=1e-9)


def test_unknown_protocol_names_the_known_ids() -> None:
    with pytest.raises(UnknownIdError) as exc:
        get_protocol("iv-magic")
    assert "iv-racemic" in str(exc.value)
    assert exc.value.field == "protocol"


def _raw() -> dict[str, object]:
    return {
        "id": "x",
        "name": "X",
        "drug": "racemic",
        "route": "iv",
        "condition": "trd",
        "dose_unit": "mg/kg",
        "steps": [0.5],
        "max_dose_mg_per_kg": 0.5,
        "ceiling_mg_per_kg": 1.0,
        "ceiling_mg": 150,
        "ceiling_source": "C",
        "ceiling_mg_source": "C x 150 kg",
        "source": "S",
        "source_urls": ["https://example.org"],
        "phases": [{"id": "a", "period_days": 7, "sessions_per_period": 1, "periods": 1}],
    }


def test_a_protocol_must_name_a_condition_of_the_shared_vocabulary() -> None:
    raw = _raw()
    raw["condition"] = "melancholy"
    with pytest.raises(DefinitionError, match="condition 'melancholy' is not one of trd"):
        protocol_from_toml("x.toml", raw)


def test_a_well_formed_file_loads() -> None:
    assert protocol_from_toml("x.toml", _raw()).id == "x"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("route", "rectal", "route"),
        ("drug", "ketamine", "drug"),
        ("steps", [0.5, 0.4], "increasing"),
        ("steps", [1.0], "above the protocol maximum"),
        ("source_urls", [], "source"),
        ("phases", [], "phase"),
        ("typo_key", 1, "unknown keys"),
        ("ceiling_source", "", "ceiling_source"),
        ("ceiling_mg", None, "ceiling_mg"),
        ("ceiling_mg", 0, "ceiling_mg"),
        ("ceiling_mg_per_kg", None, "ceiling_mg_per_kg"),
        ("ceiling_mg_per_kg", 0.4, "below the protocol maximum"),
        ("ceiling_mg_source", "", "ceiling_mg_source"),
        ("age_start", [{"min_age_years": 65, "dose_mg": 28, "source": "L"}], "mg protocols"),
        ("first_dose_mg", 0.5, "first_dose_source"),
    ],
)
def test_a_malformed_file_raises_definition_error_naming_it(
    key: str, value: object, message: str
) -> None:
    raw = _raw()
    raw[key] = value
    with pytest.raises(DefinitionError) as exc:
        protocol_from_toml("x.toml", raw)
    assert "x.toml" in str(exc.value)
    assert message in str(exc.value)


def test_file_name_must_match_the_id() -> None:
    with pytest.raises(DefinitionError, match="file name"):
        protocol_from_toml("y.toml", _raw())
