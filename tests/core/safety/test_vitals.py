"""Vital-sign alerts against the configurable limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.safety import DEFAULT_THRESHOLDS, check_vitals


def test_values_inside_every_limit_give_no_alert() -> None:
    assert check_vitals(120, 80, 70, 98, 14) == []


SWISS_LABEL = "ch.oddb.org/en/gcc/fachinfo/reg/67199"
EHR_GUIDE = "ketaminesoftware.com"


@pytest.mark.parametrize(
    ("kwargs", "field", "limit", "cited"),
    [
        # ketamine label (Swiss product information), Contraindications: "Blutdruck über
        # 180/100 mmHg in Ruhe", adopted as the alert limits (exact: tolerance 0)
        ({"systolic": 181}, "systolic", 180, SWISS_LABEL),
        ({"diastolic": 101, "systolic": 130}, "diastolic", 100, SWISS_LABEL),
        # ketaminesoftware.com EHR guide (secondary source): "SBP ... < 90; HR > 120 or < 50;
        # SpO2 < 92%; RR < 10 or > 25"
        ({"systolic": 89}, "systolic", 90, EHR_GUIDE),
        ({"heart_rate": 121}, "heart_rate", 120, EHR_GUIDE),
        ({"heart_rate": 49}, "heart_rate", 50, EHR_GUIDE),
        ({"spo2": 91}, "spo2", 92, EHR_GUIDE),
        ({"resp_rate": 9}, "resp_rate", 10, EHR_GUIDE),
        ({"resp_rate": 26}, "resp_rate", 25, EHR_GUIDE),
    ],
)
def test_each_published_limit_alerts_just_beyond_it(
    kwargs: dict[str, float], field: str, limit: float, cited: str
) -> None:
    alerts = check_vitals(**kwargs)  # type: ignore[arg-type]
    assert len(alerts) == 1
    assert alerts[0].field == field
    assert alerts[0].limit == pytest.approx(limit, abs=0)
    assert alerts[0].severity == "alert"
    assert cited in alerts[0].source


def test_a_diastolic_of_114_alerts_by_default() -> None:
    # Swiss ketamine product information, Contraindications: "arterielle Hypertonie
    # (systolischer/diastolischer Blutdruck über 180/100 mmHg in Ruhe)": 114 > 100 (tolerance 0)
    alerts = check_vitals(diastolic=114, systolic=130, heart_rate=80, spo2=98, resp_rate=14)
    assert [(a.field, a.severity) for a in alerts] == [("diastolic", "alert")]
    assert alerts[0].limit == pytest.approx(100, abs=0)
    assert alerts[0].reason == "Diastolic BP 114 mmHg is above 100 mmHg."
    assert SWISS_LABEL in alerts[0].source


@pytest.mark.parametrize(
    "kwargs",
    [
        {"systolic": 180},
        {"systolic": 90},
        {"heart_rate": 120},
        {"heart_rate": 50},
        {"spo2": 92},
        {"resp_rate": 10},
        {"resp_rate": 25},
        {"diastolic": 100, "systolic": 130},
    ],
)
def test_a_value_equal_to_a_limit_does_not_alert(kwargs: dict[str, float]) -> None:
    # the rules are strict ("über 180/100", "> 180", "< 90", ...)
    assert check_vitals(**kwargs) == []  # type: ignore[arg-type]


def test_a_blood_pressure_more_than_20_percent_from_baseline_warns() -> None:
    # Modified Aldrete circulation item: "BP within +/-20% of baseline = 2"
    alerts = check_vitals(systolic=150, baseline={"systolic": 120})
    assert [a.severity for a in alerts] == ["warn"]
    assert alerts[0].limit == pytest.approx(144.0, abs=0.05)  # 120 * 1.2
    assert check_vitals(systolic=144, baseline={"systolic": 120}) == []


def test_a_clinic_limit_replaces_the_default() -> None:
    # the published diastolic default is 100 now, so the clinic tightens it to 95
    clinic = DEFAULT_THRESHOLDS.with_overrides({"systolic_high": 160, "diastolic_high": 95})
    alerts = check_vitals(170, 98, thresholds=clinic)
    assert {a.field for a in alerts} == {"systolic", "diastolic"}
    assert all(a.source.startswith("clinic setting") for a in alerts)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"systolic": 20}, "systolic"),
        ({"spo2": 101}, "spo2"),
        ({"heart_rate": float("nan")}, "heart_rate"),
        ({"resp_rate": True}, "resp_rate"),
        ({"systolic": 100, "diastolic": 110}, "diastolic"),
    ],
)
def test_implausible_values_are_refused_naming_the_field(
    kwargs: dict[str, float], field: str
) -> None:
    with pytest.raises(InputError) as exc:
        check_vitals(**kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_a_bad_baseline_key_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        check_vitals(systolic=120, baseline={"pulse": 70})
    assert exc.value.field == "baseline"


@given(
    sbp=st.floats(90, 180),
    dbp=st.floats(40, 89),
    hr=st.floats(50, 120),
    spo2=st.floats(92, 100),
    rr=st.floats(10, 25),
)
def test_a_vital_inside_all_limits_never_alerts(
    sbp: float, dbp: float, hr: float, spo2: float, rr: float
) -> None:
    assert check_vitals(sbp, dbp, hr, spo2, rr) == []


@given(spo2=st.floats(50, 91.99))
def test_spo2_below_92_always_alerts(spo2: float) -> None:
    alerts = check_vitals(spo2=spo2)
    assert [a.field for a in alerts] == ["spo2"]
