"""Thresholds: every published default checked against its source, and clinic overrides."""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources

import pytest

from ketacare.core.errors import DefinitionError, InputError
from ketacare.core.safety import DEFAULT_THRESHOLDS, load_default_thresholds
from ketacare.core.safety.thresholds import Thresholds, thresholds_from_data, value_fields

T = DEFAULT_THRESHOLDS
EXACT = 0  # thresholds are published integers: tolerance 0


SWISS_LABEL = "ch.oddb.org/en/gcc/fachinfo/reg/67199"


def test_high_bp_alert_limits_are_the_ketamine_labels_180_over_100() -> None:
    # Swiss product information of a racemic ketamine injection, Contraindications:
    # "arterielle Hypertonie (systolischer/diastolischer Blutdruck über 180/100 mmHg in Ruhe)"
    assert T.systolic_high == pytest.approx(180, abs=EXACT)
    assert T.diastolic_high == pytest.approx(100, abs=EXACT)
    assert SWISS_LABEL in T.source_of("systolic_high")
    assert SWISS_LABEL in T.source_of("diastolic_high")


def test_the_other_vital_alert_limits_are_the_ehr_guides_and_say_secondary_source() -> None:
    # ketaminesoftware.com "IV Therapy EHR Requirements", example alert thresholds:
    # "SBP > 180 or < 90; HR > 120 or < 50; SpO2 < 92%; RR < 10 or > 25"
    assert T.systolic_low == pytest.approx(90, abs=EXACT)
    assert T.heart_rate_high == pytest.approx(120, abs=EXACT)
    assert T.heart_rate_low == pytest.approx(50, abs=EXACT)
    assert T.spo2_low == pytest.approx(92, abs=EXACT)
    assert T.resp_rate_low == pytest.approx(10, abs=EXACT)
    assert T.resp_rate_high == pytest.approx(25, abs=EXACT)
    for name in (
        "systolic_low",
        "heart_rate_high",
        "heart_rate_low",
        "spo2_low",
        "resp_rate_low",
        "resp_rate_high",
    ):
        assert "ketaminesoftware.com" in T.source_of(name), name
        assert "secondary source" in T.source_of(name), name


def test_limits_that_are_off_by_default_say_why_in_their_source() -> None:
    # no lower diastolic limit and no racemic pre-dose cut-off in the label or paper read
    for name in (
        "diastolic_low",
        "ketamine_predose_systolic_max",
        "ketamine_predose_diastolic_max",
    ):
        assert getattr(T, name) is None, name
        assert "off by default:" in T.source_of(name), name
    assert "Sanacora" in T.source_of("ketamine_predose_systolic_max")


def test_no_threshold_cites_an_ai_question_and_answer_site() -> None:
    for name in value_fields():
        assert "droracle" not in T.source_of(name), name


def _data() -> dict[str, dict[str, object]]:
    text = (
        resources.files("ketacare.core.safety")
        .joinpath("data", "thresholds.toml")
        .read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


def test_a_limit_switched_off_without_a_reason_is_refused_naming_the_file() -> None:
    data = _data()
    data["diastolic_high"] = {
        "value": "none",
        "unit": "mmHg",
        "rule": "alert if diastolic > limit",
        "source": "none adopted",
    }
    with pytest.raises(DefinitionError) as exc:
        thresholds_from_data(data)
    assert "thresholds.toml" in str(exc.value) and "[diastolic_high]" in str(exc.value)
    assert "reason" in str(exc.value)
    data["diastolic_high"]["reason"] = "a clinic sets it"
    assert thresholds_from_data(data).diastolic_high is None


def test_an_unknown_key_in_a_threshold_table_is_refused() -> None:
    data = _data()
    data["spo2_low"] = dict(data["spo2_low"], citation="x")
    with pytest.raises(DefinitionError) as exc:
        thresholds_from_data(data)
    assert "[spo2_low] unknown keys: citation" in str(exc.value)


def test_esketamine_predose_bp_is_140_over_90() -> None:
    # Spravato label §2, known only from a secondary source: "If baseline BP is elevated (e.g.
    # > 140 mmHg systolic or > 90 mmHg diastolic), weigh the risk ... against the benefit"
    assert T.esketamine_predose_systolic_max == pytest.approx(140, abs=EXACT)
    assert T.esketamine_predose_diastolic_max == pytest.approx(90, abs=EXACT)
    assert "secondary source" in T.source_of("esketamine_predose_systolic_max")


def test_esketamine_fasting_and_nasal_medicine_intervals() -> None:
    # spravato.com "Preparing for Treatment": "avoid eating two hours before and drinking
    # liquids 30 minutes before"; "take these medicines at least one hour before"
    assert T.esketamine_fasting_food_h == pytest.approx(2, abs=EXACT)
    assert T.esketamine_fasting_liquid_min == pytest.approx(30, abs=EXACT)
    assert T.esketamine_nasal_medicine_min == pytest.approx(60, abs=EXACT)


def test_observation_is_two_hours() -> None:
    # Spravato label boxed warning: "patients must be monitored for at least 2 hours at each
    # treatment session"
    assert T.esketamine_observation_min == pytest.approx(120, abs=EXACT)


def test_moaas_coding_and_cadss_cutoff() -> None:
    # Janssen medical information: "mild sedation = 4, moderate or worse = <= 3"
    assert T.moaas_mild == 4
    assert T.moaas_moderate_max == 3
    # post-hoc esketamine analysis: "peak CADSS > 4 as the cut-off for severe dissociation"
    assert T.cadss_severe_above == pytest.approx(4, abs=EXACT)


def test_aldrete_rems_and_baseline_fraction() -> None:
    # Modified Aldrete (1995): "A total >= 9 allows leaving the PACU"; circulation item
    # "BP within +/-20% of baseline = 2"
    assert T.aldrete_discharge_min == 9
    assert T.baseline_bp_fraction == pytest.approx(0.20, abs=1e-12)
    # REMS Patient Monitoring Form instructions: "Submit within 7 days"
    assert T.rems_form_due_days == 7


def test_every_threshold_has_a_source() -> None:
    for name in value_fields():
        assert T.source_of(name).strip(), name


def test_loading_twice_gives_equal_thresholds() -> None:
    assert load_default_thresholds() == T


def test_a_clinic_override_keeps_the_published_default_in_the_source() -> None:
    clinic = T.with_overrides({"systolic_high": 170})
    assert clinic.systolic_high == 170
    assert clinic.source_of("systolic_high").startswith("clinic setting (published default 180")
    assert T.systolic_high == 180  # the default is untouched (frozen)


def test_dataclasses_replace_also_validates() -> None:
    with pytest.raises(InputError) as exc:
        dataclasses.replace(T, systolic_low=200)
    assert "systolic_low" in str(exc.value)


def test_unknown_override_name_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        T.with_overrides({"sbp_high": 170})
    assert exc.value.field == "threshold"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("spo2_low", 101),
        ("baseline_bp_fraction", 1.5),
        ("moaas_mild", 7),
        ("aldrete_discharge_min", None),
    ],
)
def test_bad_override_values_name_the_field(name: str, value: object) -> None:
    with pytest.raises(InputError) as exc:
        T.with_overrides({name: value})
    assert name in exc.value.field


def test_a_malformed_data_file_raises_definition_error_naming_it() -> None:
    values = {name: getattr(T, name) for name in value_fields()}
    values["resp_rate_low"] = 30.0  # above resp_rate_high
    with pytest.raises(DefinitionError) as exc:
        Thresholds(**values, origin="thresholds.toml")  # type: ignore[arg-type]
    assert "thresholds.toml" in str(exc.value)
