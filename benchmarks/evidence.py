"""Benchmark: REML pooling of 1,000 synthetic studies (prints figures; asserts nothing).

Run: .venv/bin/python benchmarks/evidence.py
"""

from __future__ import annotations

import time

import numpy as np

from ketacare.core.evidence.pooling import pool_yi_vi


def main() -> None:
    rng = np.random.default_rng(20261130)
    k = 1000
    vi = rng.uniform(0.01, 0.5, k)
    yi = rng.normal(-0.3, np.sqrt(0.1 + vi))
    ys, vs = yi.tolist(), vi.tolist()
    pool_yi_vi(ys, vs, method="REML")  # warm-up (imports, caches)
    for hksj in (False, True):
        runs = []
        for _ in range(20):
            t0 = time.perf_counter()
            r = pool_yi_vi(ys, vs, method="REML", hksj=hksj)
            runs.append(time.perf_counter() - t0)
        print(
            f"REML{' + HKSJ' if hksj else ''}, k = {k}: median {1000 * np.median(runs):.1f} ms, "
            f"max {1000 * max(runs):.1f} ms (tau2 = {r.tau2:.4f}, estimate = {r.estimate:.4f}, "
            "incl. Q-profile CI for tau2)"
        )


if __name__ == "__main__":
    main()
