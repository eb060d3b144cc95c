"""The column judgement equals the core's per-row ``outcomes.assess`` on every total."""

from __future__ import annotations

import pandas as pd

from ketacare.core.analytics import ORKA_DEFINITION
from ketacare.core.analytics.frames import judge
from ketacare.core.outcomes import assess


def test_every_phq9_and_madrs_pair_is_judged_as_assess_does() -> None:
    rows = [
        (scale, b, s)
        for scale, top in (("phq9", 27), ("madrs", 60))
        for b in range(1, top + 1)
        for s in range(0, top + 1)
    ]
    frame = pd.DataFrame(rows, columns=["scale_id", "baseline", "total"])
    response, remission = judge(frame, ORKA_DEFINITION)
    for (scale, b, s), resp, rem in zip(rows, response, remission, strict=True):
        expected = assess(scale, b, s)
        assert (bool(resp), bool(rem)) == (expected.response, bool(expected.remission)), (
            scale,
            b,
            s,
        )
