"""Risk benchmarks: Ledoit-Wolf, VaR/CVaR and Monte Carlo VaR vs peers.

Run: ``python benchmarks/bench_risk.py``. Every row is timed in this run on
the same data (best of N with time.perf_counter); the peers are scikit-learn's
``LedoitWolf``, quantstats' VaR/CVaR and a direct numpy implementation
(full sort; full multivariate-normal paths).

Targets (issue 8): Ledoit-Wolf N=500 x T=2,520 under 20 ms; VaR/CVaR on the
same panel under 10 ms; 100,000-path Monte Carlo VaR for 30 assets over
10 days.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.covariance import LedoitWolf as SkLedoitWolf

from rotation.risk import LedoitWolf, value_at_risk


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm caches (and any lazy imports)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


def main() -> None:
    rng = np.random.default_rng(0)
    n_days, n_assets = 2520, 500
    loadings = rng.normal(0, 1, (n_assets, 3))
    panel = (
        rng.standard_t(5, (n_days, 3)) @ loadings.T * 0.004
        + rng.standard_t(4, (n_days, n_assets)) * 0.01
    )
    index = pd.bdate_range("2016-01-01", periods=n_days)
    frame = pd.DataFrame(panel, index=index, columns=[f"S{i}" for i in range(n_assets)])
    weights = pd.Series(rng.dirichlet(np.ones(n_assets)), index=frame.columns)
    rows: list[tuple[str, str, float]] = []

    # 1. Ledoit-Wolf
    ours = LedoitWolf().fit(panel)
    ref = SkLedoitWolf().fit(panel)
    assert np.allclose(ours.covariance_, ref.covariance_, rtol=1e-10, atol=1e-16)
    rows.append(
        (
            "Ledoit-Wolf 500x2520",
            "rotation.risk.LedoitWolf",
            best_of(lambda: LedoitWolf().fit(panel), 15),
        )
    )
    rows.append(
        (
            "Ledoit-Wolf 500x2520",
            "sklearn LedoitWolf",
            best_of(lambda: SkLedoitWolf().fit(panel), 5),
        )
    )

    centred = panel - panel.mean(axis=0)
    rows.append(
        (
            "Ledoit-Wolf 500x2520",
            "floor: one BLAS X'X (not a method)",
            best_of(lambda: centred.T @ centred, 15),
        )
    )

    # 2. VaR/CVaR 99 % of a 500-asset portfolio, 2,520 days
    w = weights.to_numpy()

    def numpy_sort() -> tuple[float, float]:
        port = panel @ w
        ordered = np.sort(port)
        k = int(np.ceil(len(port) * 0.01))
        return -ordered[k - 1], -ordered[:k].mean()

    est = value_at_risk(frame, weights, level=0.99)
    assert np.allclose((est.var, est.cvar), numpy_sort(), rtol=1e-12)
    rows.append(
        (
            "VaR+CVaR hist 500x2520",
            "rotation.risk.value_at_risk (DataFrame)",
            best_of(lambda: value_at_risk(frame, weights, level=0.99), 30),
        )
    )
    port = pd.Series(panel @ w, index=index)
    rows.append(
        (
            "VaR+CVaR hist 500x2520",
            "rotation.risk.value_at_risk (Series)",
            best_of(lambda: value_at_risk(port, level=0.99), 30),
        )
    )
    rows.append(
        ("VaR+CVaR hist 500x2520", "numpy matmul + full sort", best_of(numpy_sort, 30))
    )
    rows.append(
        (
            "VaR+CVaR normal 500x2520",
            "rotation.risk.value_at_risk (DataFrame)",
            best_of(lambda: value_at_risk(frame, weights, method="normal"), 30),
        )
    )
    try:
        import quantstats as qs

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")

            def quantstats_var() -> tuple[float, float]:
                return (
                    qs.stats.value_at_risk(port, confidence=0.99),
                    qs.stats.conditional_value_at_risk(port, confidence=0.99),
                )

            rows.append(
                (
                    "VaR+CVaR 500x2520 (portfolio given)",
                    "quantstats VaR+CVaR",
                    best_of(quantstats_var, 10),
                )
            )
    except ImportError:  # pragma: no cover - optional peer
        pass

    # 3. Monte Carlo VaR: 100,000 paths, 30 assets, 10 days
    sub = frame.iloc[:, :30]
    w30 = pd.Series(np.full(30, 1 / 30), index=sub.columns)
    mean, cov = sub.mean().to_numpy(), sub.cov().to_numpy()

    def numpy_mc() -> float:
        gen = np.random.default_rng(1)
        days = gen.multivariate_normal(mean, cov, size=(100_000, 10))  # full vectors
        paths = np.prod(1 + days @ w30.to_numpy(), axis=1) - 1
        return float(-np.sort(paths)[999])

    def ours_mc(method: str) -> Callable[[], Any]:
        return lambda: value_at_risk(
            sub, w30, level=0.99, horizon=10, method=method, n_paths=100_000, seed=1
        )

    mc = ours_mc("monte_carlo_normal")()
    ref_mc = numpy_mc()
    assert abs(mc.var / ref_mc - 1) < 0.03, (mc.var, ref_mc)  # Monte Carlo noise
    rows.append(
        (
            "MC VaR 100k paths x 10d, 30 assets",
            "rotation (normal from cov)",
            best_of(ours_mc("monte_carlo_normal"), 10),
        )
    )
    rows.append(
        (
            "MC VaR 100k paths x 10d, 30 assets",
            "rotation (bootstrap of days)",
            best_of(ours_mc("monte_carlo_bootstrap"), 10),
        )
    )
    rows.append(
        (
            "MC VaR 100k paths x 10d, 30 assets",
            "numpy multivariate_normal + sort",
            best_of(numpy_mc, 5),
        )
    )

    width = max(len(r[0]) for r in rows)
    impl = max(len(r[1]) for r in rows)
    print(f"{'case':<{width}}  {'implementation':<{impl}}  {'best ms':>9}")
    print("-" * (width + impl + 13))
    for case, name, ms in rows:
        print(f"{case:<{width}}  {name:<{impl}}  {ms:9.2f}")


if __name__ == "__main__":
    main()
