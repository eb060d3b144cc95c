"""The outcome rules data files (core.outcomes.rules)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ketacare.core.errors import DefinitionError
from ketacare.core.outcomes import get_scale_rules, list_scale_rules
from ketacare.core.outcomes.rules import general_rules, parse_scale_rules

MADRS: dict[str, Any] = {
    "id": "madrs",
    "name": "MADRS",
    "min": 0,
    "max": 60,
    "response": {"fraction": 0.5, "source": "a source"},
    "remission": {
        "default": "a",
        "definitions": [{"id": "a", "max": 12, "label": "<= 12", "source": "a source"}],
    },
}


def test_the_brief_scales_all_have_rules() -> None:
    ids = {rules.id for rules in list_scale_rules()}
    assert {"madrs", "hamd17", "qids-sr16", "phq9", "gad7", "pcl5", "bss", "ssi"} <= ids
    assert "cssrs-screen" in ids


def test_every_stored_rule_has_a_source() -> None:
    for rules in list_scale_rules():
        for definition in rules.remission_definitions:
            assert definition.source.strip()
        for relapse in rules.relapse_rules:
            assert relapse.source.strip()
        if rules.response_fraction is not None:
            assert rules.response_source
        if rules.suicide is not None:
            assert rules.suicide.source.strip()
    assert general_rules().partial_source and general_rules().rci_source


def test_scale_ranges_match_the_reference() -> None:
    # rating-scales.md §1: MADRS 0-60, HAM-D 17 0-52, QIDS-SR16 0-27, PHQ-9 0-27, GAD-7 0-21,
    # BSS 0-38, SSI 0-38, PCL-5 0-80.
    expected = {
        "madrs": 60,
        "hamd17": 52,
        "qids-sr16": 27,
        "phq9": 27,
        "gad7": 21,
        "bss": 38,
        "ssi": 38,
        "pcl5": 80,
    }
    for scale, top in expected.items():
        rules = get_scale_rules(scale)
        assert (rules.min, rules.max) == (0, top)


def test_suicide_items_match_the_reference() -> None:
    # rating-scales.md §1: "MADRS Item 10 = suicidal thoughts", HAM-D item 3 "suicide" 0-4,
    # "QIDS Item 12 = suicide item", "PHQ-9 Item 9 = thoughts of death or self-harm".
    expected = {"madrs": (10, 6), "hamd17": (3, 4), "qids-sr16": (12, 3), "phq9": (9, 3)}
    for scale, (item, top) in expected.items():
        suicide = get_scale_rules(scale).suicide
        assert suicide is not None
        assert (suicide.item, suicide.item_min, suicide.item_max) == (item, 0, top)


def test_a_default_that_is_not_a_definition_is_refused_naming_the_file() -> None:
    data = copy.deepcopy(MADRS)
    data["remission"]["default"] = "b"
    with pytest.raises(DefinitionError) as exc:
        parse_scale_rules("madrs.toml", data)
    assert "madrs.toml" in str(exc.value)


def test_a_remission_cut_off_outside_the_range_is_refused() -> None:
    data = copy.deepcopy(MADRS)
    data["remission"]["definitions"][0]["max"] = 61
    with pytest.raises(DefinitionError):
        parse_scale_rules("madrs.toml", data)


def test_a_definition_without_a_source_is_refused() -> None:
    data = copy.deepcopy(MADRS)
    del data["remission"]["definitions"][0]["source"]
    with pytest.raises(DefinitionError) as exc:
        parse_scale_rules("madrs.toml", data)
    assert "source" in str(exc.value)


def test_an_unknown_key_is_refused() -> None:
    data = copy.deepcopy(MADRS)
    data["remision"] = {}
    with pytest.raises(DefinitionError) as exc:
        parse_scale_rules("madrs.toml", data)
    assert "remision" in str(exc.value)


def test_an_rci_reliability_of_one_is_refused() -> None:
    data = copy.deepcopy(MADRS)
    data["rci"] = {"sd": 7.5, "reliability": 1.0, "source": "s"}
    with pytest.raises(DefinitionError):
        parse_scale_rules("madrs.toml", data)
