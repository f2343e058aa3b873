"""Backtest engine and sweep speed against bt and vectorbt, measured in one run.

Run: ``python benchmarks/bench_backtest.py`` (``--quick`` measures fewer peer
variants). Data: the 11 sector SPDRs of the bundled dataset (1998-12 to
2026-08, ~6,900 sessions), monthly top-3 momentum (126 sessions), 10 bps.

One backtest: the engine given the same target weights as the peers get
(vectorbt ``Portfolio.from_orders`` with target percents, bt ``WeighTarget`` +
``Rebalance``); our strategy + engine is shown too. Times are the best of
several runs after warming numba.

Sweep: the 11,600-variant grid of ``examples/sweep_grid.yaml`` (29 lookbacks x
4 skips x 10 top-k x 10 cost levels). Ours runs in full, in a child process
whose peak RSS is reported. vectorbt runs a slice of variants stacked in one
``from_orders`` call (its fastest form), bt a few variants one by one; their
full-grid time and memory are extrapolated linearly from the slice, as the
table says.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

SECTORS = ["XLK", "XLI", "XLB", "XLE", "XLF", "XLV", "XLY", "XLP", "XLU", "XLRE", "XLC"]
GRID_FILE = Path(__file__).parents[1] / "examples" / "sweep_grid.yaml"


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load() -> tuple[pd.DataFrame, pd.Series]:
    from rotation.backtest import cash_returns
    from rotation.data.bundled import load_market_data

    market = load_market_data()
    prices = market.prices[SECTORS].dropna(how="all")
    cash = cash_returns(market.known("DFF", index=prices.index), index=prices.index)
    return prices, cash


def child_sweep() -> None:
    """Run the full sweep in this (child) process; print JSON with time and RSS."""
    from rotation.backtest import load_grid, sweep

    prices, cash = load()
    grid = load_grid(GRID_FILE.read_text())
    before = peak_rss_mb()
    small = load_grid("lookback: [20]\ntop_k: [1]")
    sweep(prices, small, cash_returns=cash)  # warm numba (cached compile)
    seconds = best_of(lambda: sweep(prices, grid, cash_returns=cash), 10)
    result = sweep(prices, grid, cash_returns=cash)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "variants": int(len(result.metrics)),
                "rss_before_mb": before,
                "rss_peak_mb": peak_rss_mb(),
            }
        )
    )


def executed_weights(targets: pd.DataFrame) -> pd.DataFrame:
    decided = targets.notna().any(axis=1)
    return targets.shift(1)[decided.shift(1, fill_value=False)]


def vbt_run(prices: pd.DataFrame, targets_by_variant: list[pd.DataFrame]) -> object:
    import vectorbt as vbt

    filled = prices.bfill()
    frames, sizes = [], []
    for i, targets in enumerate(targets_by_variant):
        executed = executed_weights(targets)
        size = pd.DataFrame(np.nan, index=prices.index, columns=prices.columns)
        size.loc[executed.index] = executed.where(
            prices.loc[executed.index].notna()
        ).to_numpy()
        keys = pd.MultiIndex.from_product([[i], prices.columns], names=["v", "asset"])
        frames.append(filled.set_axis(keys, axis=1))
        sizes.append(size.set_axis(keys, axis=1))
    close = pd.concat(frames, axis=1)
    size = pd.concat(sizes, axis=1)
    portfolio = vbt.Portfolio.from_orders(
        close,
        size=size,
        size_type="targetpercent",
        fees=0.001,
        group_by="v",
        cash_sharing=True,
        call_seq="auto",
        init_cash=1.0,
        freq="1D",
    )
    return portfolio.value()


def bt_run(prices: pd.DataFrame, targets: pd.DataFrame) -> object:
    import bt

    strategy = bt.Strategy(
        "s",
        [
            bt.algos.WeighTarget(executed_weights(targets).fillna(0.0)),
            bt.algos.Rebalance(),
        ],
    )
    test = bt.Backtest(
        strategy,
        prices.bfill(),
        initial_capital=1e6,
        commissions=lambda q, p: abs(q) * p * 0.001,
        integer_positions=False,
        progress_bar=False,
    )
    return bt.run(test)


def main(quick: bool) -> None:
    warnings.filterwarnings("ignore")
    from rotation.backtest import backtest, load_grid, relative_momentum

    prices, cash = load()
    n_obs, n_assets = prices.shape
    targets = relative_momentum(prices, lookback=126, top_k=3)
    backtest(prices, targets, cash_returns=cash)
    ours_engine = best_of(lambda: backtest(prices, targets, cash_returns=cash), 50)
    ours_full = best_of(
        lambda: backtest(
            prices, relative_momentum(prices, lookback=126, top_k=3), cash_returns=cash
        ),
        20,
    )
    vbt_run(prices, [targets])  # compile vectorbt's numba
    vbt_one = best_of(lambda: vbt_run(prices, [targets]), 5)
    bt_one = best_of(lambda: bt_run(prices, targets), 3)

    child = subprocess.run(
        [sys.executable, __file__, "--child-sweep"],
        capture_output=True,
        text=True,
        check=True,
    )
    ours_sweep = json.loads(child.stdout.strip().splitlines()[-1])
    grid = load_grid(GRID_FILE.read_text())
    n_variants = grid.n_variants

    # vectorbt: a slice of distinct strategies (costs only change `fees`, so a
    # slice of (lookback, skip, top_k) is representative of the per-variant work).
    n_slice = 20 if quick else 60
    combos = [
        (lb, sk, k) for lb in grid.lookback for sk in grid.skip for k in grid.top_k
    ][:: max(1, len(grid.pairs) * len(grid.top_k) // n_slice)][:n_slice]
    slice_targets = [
        relative_momentum(prices, lookback=lb, top_k=k, skip=sk) for lb, sk, k in combos
    ]
    vbt_run(prices, slice_targets[:2])  # compile the stacked (grouped) path first
    rss0 = peak_rss_mb()
    vbt_slice = best_of(lambda: vbt_run(prices, slice_targets), 1)
    vbt_rss = max(peak_rss_mb() - rss0, 0.0)
    per_variant_vbt = vbt_slice / len(slice_targets)
    n_bt = 2 if quick else 3
    bt_slice = best_of(lambda: [bt_run(prices, t) for t in slice_targets[:n_bt]], 1)
    per_variant_bt = bt_slice / n_bt

    print(
        f"\nData: {n_assets} sector SPDRs x {n_obs} sessions "
        f"({prices.index[0].date()} to {prices.index[-1].date()}); monthly top-3 "
        "momentum, 10 bps.\n"
    )
    print("One backtest (best of N, warm)")
    print(f"  {'implementation':48s} {'time':>12s} {'vs ours':>10s}")
    rows = [
        ("rotation backtest() (targets given)", ours_engine),
        ("rotation relative_momentum() + backtest()", ours_full),
        ("vectorbt Portfolio.from_orders (targets given)", vbt_one),
        ("bt WeighTarget + Rebalance (targets given)", bt_one),
    ]
    for name, seconds in rows:
        print(f"  {name:48s} {seconds * 1e3:9.2f} ms {seconds / ours_engine:9.1f}x")

    print(f"\nSweep of {n_variants:,} variants ({GRID_FILE.name})")
    print(f"  {'implementation':48s} {'time':>12s} {'peak memory':>14s}")
    print(
        f"  {'rotation sweep() (in process, measured)':48s} "
        f"{ours_sweep['seconds']:10.3f} s "
        f"{ours_sweep['rss_peak_mb']:10.0f} MB RSS "
        f"(+{ours_sweep['rss_peak_mb'] - ours_sweep['rss_before_mb']:.0f} MB for the sweep)"
    )
    vbt_total = per_variant_vbt * n_variants
    vbt_mem = vbt_rss / len(slice_targets) * n_variants
    print(
        f"  {'vectorbt from_orders, stacked (extrapolated)':48s} "
        f"{vbt_total:10.0f} s {vbt_mem / 1024:10.1f} GB     "
        f"from {len(slice_targets)} variants in {vbt_slice:.2f} s, "
        f"+{vbt_rss:.0f} MB"
    )
    bt_total = per_variant_bt * n_variants
    print(
        f"  {'bt one run per variant (extrapolated)':48s} "
        f"{bt_total / 3600:10.1f} h {'n/a':>10s}        "
        f"from {n_bt} variants in {bt_slice:.2f} s"
    )
    print(
        "\nExtrapolated rows scale the measured slice linearly to the full grid; "
        "ours is measured in full."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller peer slices")
    parser.add_argument("--child-sweep", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_sweep:
        child_sweep()
    else:
        main(args.quick)
