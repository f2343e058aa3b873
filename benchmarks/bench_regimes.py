"""Benchmark rotation.regimes against peer libraries (plain script).

Run:  .venv/bin/python benchmarks/bench_regimes.py

1. Full-history filtered regime series for one spread: the default
   direction x volatility model (4 states, tied ECM) next to the old
   2-regime model, and (sector SPDRs
   XLI+XLB+XLE minus XLK, ~6,900 sessions, weekly blocks, monthly refits on
   an expanding window): our numba EM engine vs the same schedule with
   statsmodels' MarkovRegression as the fitter, and one statsmodels fit on
   the full sample (which is all hmmlearn/statsmodels users usually run, and
   which peeks if its smoothed probabilities are used).
2. Online change points on the daily spread: our numba BOCPD vs our
   pure-Python kernel (the obvious implementation); CUSUM.
3. Where the time goes: fits vs the Hamilton filter passes.
Times are best of N after warming numba.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

from rotation.data.bundled import load_market_data
from rotation.regimes import (
    DirectionRegimes,
    MarkovRegimes,
    RegimeConvergenceWarning,
    basket_spread_returns,
    bocpd,
    cusum,
    fama_french_spread_returns,
    hamilton_filter,
)
from rotation.regimes._changepoint import _bocpd_py, _initial_state


def best_of(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    market = load_market_data()
    spread = basket_spread_returns(market.prices)
    print(
        f"spread: {len(spread)} sessions {spread.index[0].date()}..{spread.index[-1].date()}"
    )
    warnings.simplefilter("ignore", RegimeConvergenceWarning)

    rows: list[tuple[str, float, str]] = []
    # Warm numba.
    MarkovRegimes(refit="Y").fit(spread)
    bocpd(spread.iloc[:500])
    cusum(spread.iloc[:500])

    em = MarkovRegimes(refit="M")
    t_em = best_of(lambda: em.fit(spread), 3)
    rows.append(
        ("Markov, monthly refits, EM engine (ours)", t_em, f"{len(em.fits_)} fits")
    )

    direction = MarkovRegimes(
        refit="M", structure="direction_volatility", trailing_blocks=22
    )
    direction.fit(spread.iloc[:1500])  # warm the ECM kernel
    t_direction = best_of(lambda: direction.fit(spread), 3)
    rows.append(
        (
            "Markov dir x vol (Kronecker), trailing 22w, monthly, ECM",
            t_direction,
            f"{len(direction.fits_)} fits (previous default)",
        )
    )
    full = MarkovRegimes(
        refit="M",
        structure="direction_volatility",
        transition="full",
        trailing_blocks=22,
    )
    t_full = best_of(lambda: full.fit(spread), 1)
    rows.append(
        (
            "Markov dir x vol (full 4x4), trailing 22w, monthly, ECM",
            t_full,
            f"{len(full.fits_)} fits",
        )
    )

    sm = MarkovRegimes(refit="M", engine="statsmodels")
    t_sm = best_of(lambda: sm.fit(spread), 1)
    rows.append(
        ("Markov, monthly refits, statsmodels engine", t_sm, f"{len(sm.fits_)} fits")
    )
    blocks = em.observations_.to_numpy()
    t_one = best_of(
        lambda: MarkovRegression(blocks, k_regimes=2, switching_variance=True).fit(
            disp=False
        ),
        3,
    )
    rows.append(
        (
            "statsmodels MarkovRegression, one full-sample fit",
            t_one,
            "peeks if smoothed",
        )
    )

    # Where the time goes in our run: filter passes alone.
    last = em.fits_.iloc[-1]
    transition = np.array(
        [
            [last["stay_tech_leadership"], 1 - last["stay_rotation"]],
            [1 - last["stay_tech_leadership"], last["stay_rotation"]],
        ]
    )
    means = np.array([last["mean_tech_leadership"], last["mean_rotation"]])
    variances = np.array([last["variance_tech_leadership"], last["variance_rotation"]])
    t_filter = best_of(
        lambda: hamilton_filter(blocks, transition, means, variances), 20
    )
    rows.append(
        (
            f"  of which Hamilton filter passes ({len(em.fits_)} x one pass)",
            t_filter * len(em.fits_),
            f"{t_filter * 1e6:.0f} us per pass",
        )
    )

    t_bocpd = best_of(lambda: bocpd(spread), 5)
    rows.append(("BOCPD, numba (ours), R=500", t_bocpd, f"{len(spread)} sessions"))
    x = spread.to_numpy() * 100
    state = _initial_state(500, 0.0, 1.0, 1.0, 1.0)
    t_py = best_of(
        lambda: _bocpd_py(x[:700], 1 / 250, 0.0, 1.0, 1.0, 1.0, 500, *state), 1
    )
    rows.append(
        (
            "BOCPD, pure Python kernel (700 sessions)",
            t_py,
            f"~{t_py * len(x) / 700:.1f} s full",
        )
    )
    t_cusum = best_of(lambda: cusum(spread), 5)
    rows.append(("CUSUM (ours)", t_cusum, ""))

    # The product's model (issue 15): the sticky direction filter on the full
    # history. No refits (parameters fixed pre-2000); the causal volatility
    # and the filter are recomputed over the whole history.
    DirectionRegimes().fit(spread.iloc[:500])  # warm numba
    t_direction = best_of(lambda: DirectionRegimes().fit(spread), 5)
    rows.append(
        (
            "sticky direction filter, full history (product model)",
            t_direction,
            f"{len(spread)} sessions, no refits",
        )
    )
    ff = fama_french_spread_returns(market)
    t_ff = best_of(lambda: DirectionRegimes().fit(ff), 3)
    rows.append(
        ("sticky direction filter, Fama-French 1926-2025", t_ff, f"{len(ff)} sessions")
    )

    print(f"\n{'task':<62}{'seconds':>10}  note")
    for name, seconds, note in rows:
        print(f"{name:<62}{seconds:>10.3f}  {note}")


if __name__ == "__main__":
    main()
