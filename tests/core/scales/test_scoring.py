"""Scoring of each scale, checked against its published source (quoted beside the assertion).

Totals are integers: every comparison is exact (tolerance 0).
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import InputError
from ketacare.core.scales import score


def _bands(scale_id: str, cases: dict[int, str], n_items: int, item_max: int, **opts: str) -> None:
    """Build item vectors with the given totals (fill items in order) and check the band."""
    for total, label in cases.items():
        items: list[int] = []
        left = total
        for _ in range(n_items):
            v = min(item_max, left)
            items.append(v)
            left -= v
        assert left == 0
        result = score(scale_id, items, opts or None)
        assert result.total == total  # exact
        assert result.severity == label, (scale_id, total)


# -- PHQ-9 --------------------------------------------------------------------------------------


def test_phq9_example_from_the_brief_is_moderate() -> None:
    result = score("phq9", [1, 2, 1, 0, 3, 1, 0, 2, 0])
    assert result.total == 10  # 1+2+1+0+3+1+0+2+0, exact
    assert result.severity == "moderate"
    assert result.band_set == "kroenke2001"
    assert result.version.startswith("PHQ-9")
    assert "sum of items 1-9" in result.rule
    assert result.suicide_item_value == 0


def test_phq9_uses_kroenke_2001_cut_points_5_10_15_20() -> None:
    # Kroenke 2001 / LOINC LL382-3: "0-4 = None; 5-9 = Mild depression; 10-14 = Moderate
    # depression; 15-19 = Moderately severe depression; 20-27 = Severe depression".
    cases = {
        0: "none-minimal",
        4: "none-minimal",
        5: "mild",
        9: "mild",
        10: "moderate",
        14: "moderate",
        15: "moderately severe",
        19: "moderately severe",
        20: "severe",
        27: "severe",
    }
    _bands("phq9", cases, 9, 3)


def test_phq9_records_item_9_as_the_suicide_item() -> None:
    # LOINC 44260-8: item 9 "Thoughts that you would be better off dead, or of hurting yourself".
    assert score("phq9", [0] * 8 + [2]).suicide_item_value == 2


def test_phq9_ships_loinc_item_codes_and_text() -> None:
    from ketacare.core.scales import get_scale

    phq9 = get_scale("phq9")
    # LOINC 44249-1 panel: total score 44261-6; item 1 is 44250-9.
    assert (phq9.loinc_panel, phq9.loinc_total, phq9.items[0].loinc) == (
        "44249-1",
        "44261-6",
        "44250-9",
    )
    assert phq9.items[0].text == "Little interest or pleasure in doing things"


# -- GAD-7 --------------------------------------------------------------------------------------


def test_gad7_uses_spitzer_2006_cut_points_5_10_15() -> None:
    # Spitzer 2006: "0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe".
    cases = {0: "minimal", 4: "minimal", 5: "mild", 9: "mild", 10: "moderate", 14: "moderate"}
    cases |= {15: "severe", 21: "severe"}
    _bands("gad7", cases, 7, 3)


# -- QIDS-SR16 ----------------------------------------------------------------------------------


def test_qids_takes_the_worst_sleep_item() -> None:
    # Rush 2003: "Sleep = max(items 1-4)"; not a plain sum of the 16 items.
    items: list[int | None] = [1, 3, 0, 2] + [0] * 12
    assert score("qids-sr16", items).total == 3  # exact


def test_qids_takes_the_worst_appetite_weight_and_psychomotor_items() -> None:
    # Rush 2003: total = max(1-4) + 5 + max(6-9) + 10 + 11 + 12 + 13 + 14 + max(15-16).
    items: list[int | None] = [1, 2, 3, 0, 2, 0, 1, 2, 0, 1, 1, 1, 1, 1, 0, 3]
    # 3 + 2 + 2 + (1+1+1+1+1) + 3 = 15
    result = score("qids-sr16", items)
    assert result.total == 15  # exact
    assert result.severity == "moderate"  # ids-qids.org: 11-15 moderate


def test_qids_accepts_one_blank_of_items_6_7_and_8_9_as_the_form_allows() -> None:
    # ids-qids.org: the form asks patients to answer only one of 6/7 and one of 8/9.
    items: list[int | None] = [0, 0, 0, 0, 0, None, 2, 3, None, 0, 0, 0, 0, 0, 0, 0]
    result = score("qids-sr16", items)
    assert result.total == 3  # max(-, 2, 3, -) = 3, exact
    assert any("left blank" in note for note in result.notes)


def test_qids_rejects_both_appetite_items_blank() -> None:
    items: list[int | None] = [0, 0, 0, 0, 0, None, None, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    with pytest.raises(InputError) as err:
        score("qids-sr16", items)
    assert "items 6 and 7" in str(err.value)


def test_qids_rejects_a_blank_item_outside_the_allowed_pairs() -> None:
    items: list[int | None] = [0] * 16
    items[11] = None
    with pytest.raises(InputError) as err:
        score("qids-sr16", items)
    assert "qids-sr16 item 12" in str(err.value)


def test_qids_bands_from_ids_qids_org() -> None:
    # ids-qids.org: "0-5 none, 6-10 mild, 11-15 moderate, 16-20 severe, 21-27 very severe".
    def vector(total: int) -> list[int | None]:
        # fill the nine domains (first item of each max-domain), 3 points each
        slots = [0, 4, 5, 9, 10, 11, 12, 13, 14]
        items: list[int | None] = [0] * 16
        left = total
        for s in slots:
            items[s] = min(3, left)
            left -= items[s] or 0
        return items

    expected = {5: "none", 6: "mild", 10: "mild", 11: "moderate", 15: "moderate"}
    expected |= {16: "severe", 20: "severe", 21: "very severe", 27: "very severe"}
    for total, label in expected.items():
        result = score("qids-sr16", vector(total))
        assert (result.total, result.severity) == (total, label)


def test_qids_suicide_item_is_item_12() -> None:
    items: list[int | None] = [0] * 16
    items[11] = 2
    assert score("qids-sr16", items).suicide_item_value == 2


# -- MADRS --------------------------------------------------------------------------------------


def test_madrs_uses_snaith_bands() -> None:
    # Snaith: "0-6 absent, 7-19 mild, 20-34 moderate, 35-60 severe".
    cases = {0: "absent", 6: "absent", 7: "mild", 19: "mild", 20: "moderate", 34: "moderate"}
    cases |= {35: "severe", 60: "severe"}
    _bands("madrs", cases, 10, 6)


def test_madrs_anhedonia_subscale_is_items_1_2_6_7_8() -> None:
    # bio-protocol r9014622: anhedonia subscale = items 1, 2, 6, 7, 8.
    result = score("madrs", [1, 2, 5, 5, 5, 3, 4, 5, 5, 6])
    assert result.subscales["anhedonia"] == 1 + 2 + 3 + 4 + 5  # exact
    assert result.suicide_item_value == 6  # item 10 = suicidal thoughts


def test_madrs_rejects_7() -> None:
    # MADRS items are rated 0-6 (Montgomery & Asberg 1979).
    with pytest.raises(InputError) as err:
        score("madrs", [0, 0, 0, 7, 0, 0, 0, 0, 0, 0])
    assert str(err.value) == "madrs item 4: 7 is not allowed; allowed: an integer 0-6"


# -- HAM-D 17 -----------------------------------------------------------------------------------


def test_hamd17_items_have_mixed_ranges() -> None:
    # camcops hamd.py: items 1-3, 7-11, 15 are 0-4; items 4-6, 12-14, 16, 17 are 0-2.
    top = [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2]
    result = score("hamd17", top, {"item16": "A"})
    assert result.total == 52  # "maximum of 52", exact
    assert result.severity == "severe"
    bad = list(top)
    bad[3] = 3
    with pytest.raises(InputError) as err:
        score("hamd17", bad, {"item16": "A"})
    assert str(err.value) == "hamd17 item 4: 3 is not allowed; allowed: an integer 0-2"


def test_hamd17_item16_value_3_is_not_assessed_and_not_scored() -> None:
    # CamCOPS after Guy 1976 (ECDEU pp. 187, 189): on 16A/16B "3 = not assessed", not scored.
    items = [1] * 17
    items[15] = 3
    result = score("hamd17", items, {"item16": "B"})
    assert result.total == 16  # the other 16 items, exact
    assert result.options["item16"] == "B"
    assert any("item 16" in n and "not scored" in n for n in result.notes)


def test_hamd17_item16_scores_whichever_method_was_used_and_records_it_when_given() -> None:
    # Hamilton 1960 / ECDEU (Guy 1976) via CamCOPS hamd.py: item 16 is rated by A (history) or
    # B (measured weight change), each 0-2; the total counts it the same either way.
    items = [1] * 15 + [2, 1]
    totals = {m: score("hamd17", items, {"item16": m}).total for m in ("A", "B")}
    assert totals == {"A": 18, "B": 18}  # 15 x 1 + 2 + 1, exact
    unstated = score("hamd17", items)
    assert unstated.total == 18
    assert "item16" not in unstated.options
    assert score("hamd17", items, {"item16": "B"}).options["item16"] == "B"
    with pytest.raises(InputError):
        score("hamd17", [1] * 15 + [4, 1])  # 0-2 by either method; 3 = not assessed


def test_hamd17_zimmerman_2013_bands_and_consensus_option() -> None:
    # Zimmerman 2013: "0-7 none, 8-16 mild, 17-23 moderate, >= 24 severe".
    top = [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2]

    def vector(total: int) -> list[int]:
        items, left = [], total
        for m in top:
            items.append(min(m, left))
            left -= items[-1]
        return items

    for total, label in {7: "none", 8: "mild", 16: "mild", 17: "moderate", 23: "moderate"}.items():
        assert score("hamd17", vector(total), {"item16": "A"}).severity == label
    assert score("hamd17", vector(24), {"item16": "A"}).severity == "severe"
    # CamCOPS consensus: "< 8 none, 8-13 mild, 14-18 moderate, 19-22 severe, >= 23 very severe".
    opts = {"item16": "A", "bands": "consensus-camcops"}
    result = score("hamd17", vector(23), opts)
    assert (result.severity, result.band_set) == ("very severe", "consensus-camcops")
    assert score("hamd17", vector(14), opts).severity == "moderate"


# -- C-SSRS screener ----------------------------------------------------------------------------


def test_cssrs_all_no_is_none() -> None:
    result = score("cssrs-screen", ["n", "n", "-", "-", "-", "n", "-"])
    assert (result.triage, result.total, result.severity) == ("none", None, None)


def test_cssrs_yes_to_4_or_5_is_high() -> None:
    # Columbia triage: "a positive answer to Question 4 or 5 in the past month ... the most
    # severely emergent clinical situation".
    assert score("cssrs-screen", ["y", "y", "n", "y", "n", "n", "-"]).triage == "high"
    assert score("cssrs-screen", ["n", "y", "n", "n", "y", "n", "-"]).triage == "high"


def test_cssrs_behaviour_in_the_past_3_months_is_high_and_older_behaviour_positive() -> None:
    # Columbia triage: "any behavior in the past 3 months" is the most emergent level.
    assert score("cssrs-screen", ["n", "n", "-", "-", "-", "y", "y"]).triage == "high"
    assert score("cssrs-screen", ["n", "n", "-", "-", "-", "y", "n"]).triage == "positive"


def test_cssrs_ships_no_unsourced_low_or_moderate_level() -> None:
    # Columbia triage page: "As you look to delineate high, moderate and low risk levels, you might
    # use the cut-offs described as your anchors" -- the low/moderate split is the programme's;
    # the item mapping for it is known only from vendor pages (secondary), so it is not shipped.
    result = score("cssrs-screen", ["y", "y", "y", "n", "n", "y", "n"])
    assert result.triage == "positive"
    assert any("no low or moderate level" in n and "secondary source" in n for n in result.notes)
    assert "most worrisome" in (result.band_source or "")


def test_cssrs_yes_to_1_2_or_3_is_a_positive_screen() -> None:
    assert score("cssrs-screen", ["y", "n", "-", "-", "-", "n", "-"]).triage == "positive"
    assert score("cssrs-screen", ["y", "y", "y", "n", "n", "n", "-"]).triage == "positive"


def test_cssrs_skip_logic_items_3_to_5_only_after_yes_to_2() -> None:
    # LOINC 93245-9 coding instructions: "If item 2 is yes, ask items 3-5"; if no, go to 6.
    with pytest.raises(InputError) as err:
        score("cssrs-screen", ["y", "n", "y", "-", "-", "n", "-"])
    assert "cssrs-screen item 3" in str(err.value) and "skipped" in str(err.value)
    with pytest.raises(InputError) as err:
        score("cssrs-screen", ["y", "y", "-", "n", "n", "n", "-"])
    assert "cssrs-screen item 3" in str(err.value)


def test_cssrs_rejects_answers_other_than_y_n_dash() -> None:
    with pytest.raises(InputError) as err:
        score("cssrs-screen", ["yes", "n", "-", "-", "-", "n", "-"])
    assert "y (yes), n (no) or - (skipped)" in str(err.value)


# -- CADSS / CADSS-6 ----------------------------------------------------------------------------


def test_cadss_sums_23_items_and_reports_cadss6() -> None:
    # Trials: "23 items, each 0 (normal) to 4 (severe); total 0-92". CADSS-6 (Rodrigues 2021)
    # = items 1, 2, 6, 7, 15, 22.
    items = [0] * 23
    for n in (1, 2, 6, 7, 15, 22):
        items[n - 1] = 4
    items[2] = 1
    result = score("cadss", items)
    assert result.total == 25  # exact
    assert result.subscales["cadss6"] == 24  # exact
    assert score("cadss", [4] * 23).total == 92


def test_cadss6_range_is_0_to_24() -> None:
    assert score("cadss6", [4] * 6).total == 24  # 6 x 4 (derived), exact
    with pytest.raises(InputError):
        score("cadss6", [5, 0, 0, 0, 0, 0])


# -- MOAA/S, CGI --------------------------------------------------------------------------------


def test_moaas_is_a_single_rating_0_to_5() -> None:
    # Chernik 1990 modified: 5 = alert ... 0 = no response.
    assert score("moaas", [3], {"variant": "A"}).total == 3
    assert score("moaas", [0]).options["variant"] == "unspecified"
    with pytest.raises(InputError):
        score("moaas", [6])


def test_cgi_s_reports_the_level_label() -> None:
    # Guy 1976: "1) normal or not at all ill; ... 4) moderately ill; ... 7) among the most
    # extremely ill patients".
    assert score("cgi-s", [4]).severity == "moderately ill"
    assert score("cgi-s", [1]).severity == "normal, not at all ill"
    assert score("cgi-s", [7]).severity == "among the most extremely ill"


def test_cgi_i_4_is_no_change() -> None:
    # Guy 1976: "4) no change".
    result = score("cgi-i", [4])
    assert (result.total, result.severity) == (4, "no change")
    assert score("cgi-i", [2]).severity == "much improved"


def test_cgi_0_means_not_assessed_and_gives_no_rating() -> None:
    # CamCOPS cgi_task.py after Guy 1976: "1-7, higher worse, 0 not assessed".
    result = score("cgi-s", [0])
    assert (result.total, result.severity) == (None, None)
    with pytest.raises(InputError):
        score("cgi-i", [8])


# -- BPRS ---------------------------------------------------------------------------------------


def test_bprs18_original_coding_is_1_to_7_and_rejects_0() -> None:
    # Overall & Gorham: 7 points from not present (1) to extremely severe (7); 18-126.
    assert score("bprs18", [1] * 18).total == 18
    assert score("bprs18", [7] * 18).total == 126
    with pytest.raises(InputError) as err:
        score("bprs18", [0] + [1] * 17)
    assert str(err.value) == "bprs18 item 1: 0 is not allowed; allowed: an integer 1-7"


def test_bprs18_0_to_6_coding_is_recorded_and_rejects_7() -> None:
    result = score("bprs18", [0] * 18, {"coding": "0-6"})
    assert (result.total, result.options["coding"]) == (0, "0-6")
    assert result.total_range == (0, 108)
    with pytest.raises(InputError):
        score("bprs18", [7] + [0] * 17, {"coding": "0-6"})


def test_bprs18_positive_subscale_is_items_4_11_12_15() -> None:
    # NCT04226963: conceptual disorganisation, suspiciousness, hallucinatory behaviour, unusual
    # thought content = BPRS-18 items 4, 11, 12, 15 (camcops bprs.py order).
    items = [1] * 18
    items[3], items[10], items[11], items[14] = 2, 3, 4, 5
    assert score("bprs18", items).subscales["positive"] == 14  # exact


def test_bprs_positive_requires_the_coding_and_stores_it() -> None:
    # NCT04226963 scored each item 0-6 (total 0-24); other trials 1-7 (total 4-28).
    with pytest.raises(InputError) as err:
        score("bprs-positive", [0, 0, 0, 0])
    assert "coding" in str(err.value)
    result = score("bprs-positive", [6, 6, 6, 6], {"coding": "0-6"})
    assert (result.total, result.options["coding"], result.total_range) == (24, "0-6", (0, 24))
    assert score("bprs-positive", [1, 1, 1, 1], {"coding": "1-7"}).total_range == (4, 28)


# -- PCL-5 --------------------------------------------------------------------------------------


def test_pcl5_clusters_and_total() -> None:
    # PCL-5: items 0-4, total 0-80; "B 1-5, C 6-7, D 8-14, E 15-20".
    items = list(range(5)) * 4
    result = score("pcl5", items)
    assert result.total == 40  # exact
    assert result.subscales == {"B": 10, "C": 1, "D": 15, "E": 14}


def test_pcl5_provisional_dsm5_rule_counts_items_rated_2_or_more() -> None:
    # "count items rated >= 2, then apply >= 1 B, >= 1 C, >= 2 D, >= 2 E".
    items = [0] * 20
    items[0] = 2  # B
    items[5] = 2  # C
    items[7] = items[8] = 2  # D
    items[14] = items[15] = 2  # E
    assert score("pcl5", items).flags["provisional_dsm5_ptsd"] is True
    items[15] = 1
    assert score("pcl5", items).flags["provisional_dsm5_ptsd"] is False


# -- Aldrete, BSS, SSI --------------------------------------------------------------------------


def test_aldrete_9_or_more_meets_the_discharge_score() -> None:
    # Aldrete 1995: "A total >= 9 allows leaving the PACU".
    assert score("aldrete", [2, 2, 2, 2, 1]).severity == "discharge score met"
    assert score("aldrete", [2, 2, 2, 1, 1]).severity == "below discharge score"
    assert score("aldrete", [2] * 5).total == 10


def test_bss_and_ssi_sum_19_items_0_to_2() -> None:
    # BSS: "19 scored items, each 0-2 -> 0-38"; SSI: "each item 0-2; total 0-38".
    for scale_id in ("bss", "ssi"):
        assert score(scale_id, [2] * 19).total == 38
        result = score(scale_id, [0] * 19)
        assert (result.total, result.severity, result.band_set) == (0, None, "none")
        with pytest.raises(InputError):
            score(scale_id, [3] + [0] * 18)


# -- bad input ----------------------------------------------------------------------------------


def test_wrong_number_of_items_names_the_scale_and_the_count() -> None:
    with pytest.raises(InputError) as err:
        score("phq9", [0] * 8)
    assert str(err.value) == "phq9: 8 item values given; allowed: exactly 9 (items 1-9)"


@pytest.mark.parametrize("bad", [2.5, "2.5", True, "two"])
def test_non_integers_are_rejected_naming_the_item(bad: object) -> None:
    items: list[object] = [0] * 9
    items[2] = bad
    with pytest.raises(InputError) as err:
        score("phq9", items)  # type: ignore[arg-type]
    assert err.value.field == "phq9 item 3"
    assert "integer" in err.value.allowed


def test_a_missing_item_is_rejected_where_the_manual_has_no_rule() -> None:
    with pytest.raises(InputError) as err:
        score("phq9", [0, 0, 0, None, 0, 0, 0, 0, 0])
    assert err.value.field == "phq9 item 4"
    assert "missing" in str(err.value)


def test_unknown_scale_and_unknown_option_are_rejected() -> None:
    with pytest.raises(InputError) as err:
        score("madrs-s", [0] * 9)
    assert "phq9" in str(err.value)
    with pytest.raises(InputError) as err:
        score("phq9", [0] * 9, {"coding": "0-6"})
    assert err.value.field == "phq9 option"
    with pytest.raises(InputError) as err:
        score("hamd17", [0] * 17, {"item16": "C"})
    assert err.value.field == "hamd17 option item16"


def test_digit_strings_from_the_command_line_are_read_as_integers() -> None:
    assert score("gad7", ["1", "2", "3", "0", "0", "0", "0"]).total == 6


def test_result_to_dict_is_json_able_and_explains_the_score() -> None:
    import json

    data = score("phq9", [1, 2, 1, 0, 3, 1, 0, 2, 0]).to_dict()
    json.dumps(data)
    for key in ("scale", "version", "total", "severity", "band_set", "rule", "items", "options"):
        assert key in data
    assert data["band_source"].startswith("Kroenke 2001")


def test_a_non_integer_under_the_0_6_coding_names_that_coding_range() -> None:
    with pytest.raises(InputError) as err:
        score("bprs-positive", ["x", 0, 0, 0], {"coding": "0-6"})
    assert err.value.allowed == "an integer 0-6"
