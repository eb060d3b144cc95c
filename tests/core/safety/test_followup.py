"""Sedation (MOAA/S) and dissociation (CADSS) follow-up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.safety import dissociation_followup, sedation_followup


@pytest.mark.parametrize(
    ("moaas", "level", "decision"),
    [
        # Janssen medical information (esketamine phase 3 coding): "mild sedation = 4,
        # moderate or worse = <= 3"; MOAA/S 0 = loss of consciousness (label: 0.3%)
        (5, "none", "none"),
        (4, "mild", "monitor"),
        (3, "moderate_or_worse", "monitor"),
        (1, "moderate_or_worse", "monitor"),
        (0, "loss_of_consciousness", "adverse_event"),
    ],
)
def test_moaas_levels_follow_the_esketamine_coding(moaas: int, level: str, decision: str) -> None:
    result = sedation_followup(moaas)
    assert (result.level, result.decision) == (level, decision)
    assert result.source


def test_sedation_is_any_fall_from_the_predose_rating() -> None:
    # Spravato label §6: "Any decrease in MOAA/S from pre-dose is considered to indicate the
    # presence of sedation"
    assert sedation_followup(4, baseline=4).decision == "none"
    assert sedation_followup(3, baseline=4).decision == "monitor"


@pytest.mark.parametrize(
    ("cadss", "level"),
    [(0, "none"), (1, "present"), (4, "present"), (5, "severe_posthoc"), (92, "severe_posthoc")],
)
def test_cadss_levels_use_the_posthoc_cutoff_of_4(cadss: int, level: str) -> None:
    # post-hoc esketamine analysis: "peak CADSS > 4 as the cut-off for severe dissociation"
    assert dissociation_followup(cadss).level == level


def test_cadss_at_or_below_the_predose_value_needs_no_follow_up() -> None:
    assert dissociation_followup(3, baseline=3).decision == "none"


@pytest.mark.parametrize("bad", [-1, 6, 2.5, True, None])
def test_moaas_outside_0_to_5_is_refused(bad: object) -> None:
    with pytest.raises(InputError) as exc:
        sedation_followup(bad)  # type: ignore[arg-type]
    assert exc.value.field == "moaas"


@pytest.mark.parametrize("bad", [-1, 93, "4"])
def test_cadss_outside_0_to_92_is_refused(bad: object) -> None:
    with pytest.raises(InputError) as exc:
        dissociation_followup(bad)  # type: ignore[arg-type]
    assert exc.value.field == "cadss_total"


@given(moaas=st.integers(0, 5), baseline=st.integers(0, 5))
def test_a_rating_below_baseline_is_never_called_no_sedation(moaas: int, baseline: int) -> None:
    result = sedation_followup(moaas, baseline=baseline)
    assert (result.decision == "none") == (moaas >= baseline and moaas > 0)
