"""Kaplan-Meier durability against a published example: the Freireich et al. (1963, Blood
21:699) 6-MP leukaemia remission data, shipped with lifelines (``load_leukemia``, Rx 0 = 6-MP,
Rx 1 = placebo) and as ``gehan`` in R's MASS."""

from __future__ import annotations

import pytest
from lifelines.datasets import load_leukemia

from ketacare.core.analytics.durability import kaplan_meier


def test_freireich_6mp_medians_and_survival() -> None:
    data = load_leukemia()
    mp = data[data["Rx"] == 0]
    placebo = data[data["Rx"] == 1]
    km = kaplan_meier(mp["t"], mp["status"], at_days=(10.0, 23.0))
    # Kleinbaum & Klein, Survival Analysis (3rd ed.), ch. 2: 6-MP group KM S(10) = 0.753,
    # S(22) = 0.538, S(23) = 0.448, median 23 weeks; placebo median 8 weeks.
    assert km["median_days"] == pytest.approx(23, abs=1e-9)
    assert km["at"][0]["survival"] == pytest.approx(0.753, abs=5e-4)
    assert km["at"][1]["survival"] == pytest.approx(0.448, abs=5e-4)
    assert km["n"] == 21 and km["events"] == 9
    assert km["at"][0]["ci_low"] < 0.753 < km["at"][0]["ci_high"]
    assert kaplan_meier(placebo["t"], placebo["status"])["median_days"] == pytest.approx(8)
