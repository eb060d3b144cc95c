"""Property tests: totals stay in range, any valid vector scores, any bad item is named."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.scales import ScaleDefinition, get_scale, list_scales, score

RATED = [s.id for s in list_scales() if s.scoring == "sum"]
FAST = settings(max_examples=40, deadline=None)


@st.composite
def administrations(draw: Any, scale: ScaleDefinition) -> tuple[list[int | None], dict[str, str]]:
    options = {o.key: draw(st.sampled_from(o.values)) for o in scale.options}
    items: list[int | None] = []
    for item in scale.items:
        low, high = scale.item_range(item, options)
        items.append(draw(st.integers(low, high)))
    for group in scale.at_least_one_of:
        # blank some of each pair as the form allows, keeping one answered
        keep = draw(st.sampled_from(group))
        for n in group:
            if n != keep and draw(st.booleans()):
                items[n - 1] = None
    return items, options


@pytest.mark.parametrize("scale_id", RATED)
def test_any_valid_item_vector_scores_within_the_total_range(scale_id: str) -> None:
    scale = get_scale(scale_id)

    @FAST
    @given(administrations(scale))
    def check(admin: tuple[list[int | None], dict[str, str]]) -> None:
        items, options = admin
        result = score(scale_id, items, options)
        low, high = scale.total_range(options)
        if result.total is not None:
            assert low <= result.total <= high
            if scale.band_sets:
                assert result.severity is not None
        for name, value in result.subscales.items():
            assert value is None or value >= 0, name
        assert result.version == scale.version

    check()


@pytest.mark.parametrize("scale_id", RATED)
def test_any_out_of_range_item_is_rejected_naming_the_item(scale_id: str) -> None:
    scale = get_scale(scale_id)

    @FAST
    @given(
        administrations(scale),
        st.integers(1, scale.item_count),
        st.one_of(st.integers(-100, -1), st.integers(1, 100)),
    )
    def check(admin: tuple[list[int | None], dict[str, str]], number: int, offset: int) -> None:
        items, options = admin
        low, high = scale.item_range(scale.item(number), options)
        items[number - 1] = low + offset if offset < 0 else high + offset
        with pytest.raises(InputError) as err:
            score(scale_id, items, options)
        assert err.value.field == f"{scale_id} item {number}"
        assert f"{low}-{high}" in err.value.allowed

    check()


@st.composite
def cssrs_answers(draw: Any) -> list[str]:
    yn = st.sampled_from(["y", "n"])
    a1, a2 = draw(yn), draw(yn)
    mid = [draw(yn), draw(yn), draw(yn)] if a2 == "y" else ["-", "-", "-"]
    a6 = draw(yn)
    a7 = draw(yn) if a6 == "y" else "-"
    return [a1, a2, *mid, a6, a7]


@FAST
@given(cssrs_answers())
def test_cssrs_any_valid_answer_set_gets_a_triage_level(answers: list[str]) -> None:
    result = score("cssrs-screen", answers)
    assert result.triage in ("none", "positive", "high")
    assert result.total is None
    assert (result.triage == "none") == ("y" not in answers)
    high = "y" in (answers[3], answers[4], answers[6])
    assert (result.triage == "high") == high
