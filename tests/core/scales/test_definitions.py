"""The scale library: every data file loads, validates itself and carries its source."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import pytest

from ketacare.core.errors import DefinitionError, UnknownIdError
from ketacare.core.scales import build_scale, get_scale, list_scales

CONTRACT_IDS = {
    "madrs",
    "hamd17",
    "qids-sr16",
    "phq9",
    "gad7",
    "bss",
    "ssi",
    "cssrs-screen",
    "cadss",
    "cadss6",
    "moaas",
    "cgi-s",
    "cgi-i",
    "bprs18",
    "bprs-positive",
    "pcl5",
    "aldrete",
}

# rating-scales.md §0: item text may be shipped only for PHQ-9, GAD-7, HAM-D 17, CGI, BPRS-18
# (and PCL-5 after a check); never for MADRS, BSS, SSI, CADSS, QIDS, C-SSRS.
NO_TEXT = {"madrs", "bss", "ssi", "cadss", "cadss6", "qids-sr16", "cssrs-screen", "pcl5"}


def _raw(scale_id: str) -> dict[str, Any]:
    text = (
        resources.files("ketacare.core.scales")
        .joinpath("data", f"{scale_id}.toml")
        .read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


def test_the_library_has_exactly_the_contract_scale_ids() -> None:
    assert {s.id for s in list_scales()} == CONTRACT_IDS


def test_every_data_file_starts_with_a_header_naming_grammar_and_source() -> None:
    root = resources.files("ketacare.core.scales").joinpath("data")
    for entry in root.iterdir():
        if entry.name.endswith(".toml"):
            head = entry.read_text(encoding="utf-8").splitlines()[:3]
            assert head[0].startswith("# KetaCare scale definition. Grammar:"), entry.name
            assert any("source" in line.lower() for line in head), entry.name


def test_every_scale_has_a_source_version_and_sourced_bands() -> None:
    for scale in list_scales():
        assert scale.source and scale.version and scale.rule
        for band_set in scale.band_sets:
            assert band_set.source


def test_item_text_is_not_shipped_where_the_licence_does_not_allow_it() -> None:
    for scale_id in NO_TEXT:
        assert all(item.text is None for item in get_scale(scale_id).items), scale_id


def test_item_counts_match_the_published_scales() -> None:
    counts = {"madrs": 10, "hamd17": 17, "qids-sr16": 16, "phq9": 9, "gad7": 7, "cadss": 23}
    counts |= {"cadss6": 6, "pcl5": 20, "bprs18": 18, "bprs-positive": 4, "aldrete": 5}
    counts |= {"bss": 19, "ssi": 19, "moaas": 1, "cgi-s": 1, "cgi-i": 1}
    for scale_id, n in counts.items():
        assert get_scale(scale_id).item_count == n, scale_id


def test_unknown_scale_id_lists_the_known_ids() -> None:
    with pytest.raises(UnknownIdError) as err:
        get_scale("hamd21")
    assert "madrs" in err.value.allowed


def test_to_dict_describes_the_scale() -> None:
    data = get_scale("hamd17").to_dict()
    assert data["range"] == "0-52"
    assert data["options"][0]["key"] == "item16"
    assert [b["id"] for b in data["band_sets"]] == ["zimmerman2013", "consensus-camcops"]


def test_a_declared_total_that_does_not_match_the_items_is_refused() -> None:
    raw = _raw("phq9")
    raw["total_max"] = 28
    with pytest.raises(DefinitionError) as err:
        build_scale(raw, "phq9.toml")
    assert "phq9.toml" in str(err.value) and "0-27" in str(err.value)


def test_bands_with_a_gap_are_refused() -> None:
    raw = copy.deepcopy(_raw("phq9"))
    raw["band_sets"][0]["bands"][1]["min"] = 6
    with pytest.raises(DefinitionError) as err:
        build_scale(raw, "phq9.toml")
    assert "contiguous" in str(err.value)


def test_items_out_of_order_are_refused() -> None:
    raw = copy.deepcopy(_raw("gad7"))
    raw["items"][0]["number"] = 8
    with pytest.raises(DefinitionError):
        build_scale(raw, "gad7.toml")


def test_blank_items_need_a_sourced_missing_rule() -> None:
    raw = copy.deepcopy(_raw("qids-sr16"))
    del raw["missing_rule"]
    with pytest.raises(DefinitionError) as err:
        build_scale(raw, "qids-sr16.toml")
    assert "missing_rule" in str(err.value)


def test_a_malformed_file_names_itself() -> None:
    raw = copy.deepcopy(_raw("gad7"))
    raw["unknown_key"] = 1
    with pytest.raises(DefinitionError) as err:
        build_scale(raw, "gad7.toml")
    assert str(err.value).startswith("gad7.toml:")
