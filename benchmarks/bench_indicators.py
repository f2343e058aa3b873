"""Speed of the indicator kernels against the obvious peers, measured in one run.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python
benchmarks/bench_indicators.py`` (add ``--quick`` to skip the slow per-date loop
for N=500; ``--floor-only`` prints only the dgemm floor table). Times are the
best of several runs after warming numba; the machine may be shared, so run it a
few times and take the median.

Floor: the average correlation N=500 costs 2 * N * window * T flops (the banded
product); the floor is that divided by this machine's dgemm rate, measured in
the same run with a numpy matmul of the same flop count (square, threads pinned
with threadpoolctl). The ratio floor / ours is the fraction of dgemm speed
reached (goal >= 0.7). OPENBLAS_CORETYPE (set on some hosts for old OpenBLAS
builds) would pin numpy's OpenBLAS to a slower kernel: unset it for this command
only; the OpenBLAS kernel in use is printed.

Average pairwise correlation (T=5000 seeded returns, window 63):
  * ours: ``rolling_average_correlation`` (numba kernels, O(N * window) per
    date, spans on every CPU; "1 thread" pins ``n_threads=1``);
  * numpy loop: ``np.corrcoef`` of each window, mean of the off-diagonal;
  * pandas: ``DataFrame.rolling(63).corr()`` (full N x N matrix per date), only
    where its output fits in memory.
RRG: 11 sector SPDRs vs SPY on the bundled data (1998-12 to 2026-08), daily and
weekly, against a straightforward pandas implementation of the same formulas.

Small baskets (``--small-only`` prints only this table): the numpy path that
baskets of up to ``SMALL_BASKET`` members take (nothing to compile) against
the warm numba kernel on the same data, T=12,000, window 63, interleaved
rounds; the ratio numpy / kernel chose ``SMALL_BASKET``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from rotation.indicators import _banded_product, rolling_average_correlation, rrg

T, WINDOW = 5000, 63
SECTORS = ["XLK", "XLI", "XLB", "XLE", "XLF", "XLV", "XLY", "XLP", "XLU", "XLRE", "XLC"]
PANDAS_MEMORY_LIMIT_GB = 2.0


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def seeded_returns(n_assets: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(0.0, 0.01, size=(T, 1))
    values = common * rng.uniform(0.2, 1.5, size=(1, n_assets))
    values = values + rng.normal(0.0, 0.015, size=(T, n_assets))
    index = pd.bdate_range("2006-01-02", periods=T)
    return pd.DataFrame(values, index=index, columns=[f"S{i}" for i in range(n_assets)])


def loop_avg_corr(values: np.ndarray) -> np.ndarray:
    out = np.full(len(values), np.nan)
    off = ~np.eye(values.shape[1], dtype=bool)
    for t in range(WINDOW - 1, len(values)):
        rho = np.corrcoef(values[t - WINDOW + 1 : t + 1], rowvar=False)
        out[t] = rho[off].mean()
    return out


def pandas_avg_corr(frame: pd.DataFrame) -> np.ndarray:
    n = frame.shape[1]
    pairwise = frame.rolling(WINDOW).corr().to_numpy().reshape(len(frame), n, n)
    off = ~np.eye(n, dtype=bool)
    return pairwise[:, off].mean(axis=1)


def fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:,.2f} ms"


def bench_correlation(quick: bool) -> list[tuple[str, ...]]:
    rows = []
    for n_assets in (100, 500):
        frame = seeded_returns(n_assets)
        values = frame.to_numpy()
        rolling_average_correlation(frame.iloc[:200], WINDOW)  # warm numba
        ours_s, ours = best_of(
            lambda f=frame: rolling_average_correlation(f, WINDOW), 25
        )
        single_s, single = best_of(
            lambda f=frame: rolling_average_correlation(f, WINDOW, n_threads=1), 15
        )
        ours_arr = np.asarray(ours)
        assert np.array_equal(ours_arr, np.asarray(single), equal_nan=True)
        if quick and n_assets > 100:
            loop_s, loop = None, None
            loop_note = "skipped (--quick)"
        else:
            loop_s, loop = best_of(lambda v=values: loop_avg_corr(v), 1)
            diff = np.nanmax(np.abs(ours_arr - np.asarray(loop)))
            loop_note = f"max |ours - loop| = {diff:.1e}"
        need_gb = 3 * T * n_assets * n_assets * 8 / 1e9  # values + MultiIndex
        if need_gb <= PANDAS_MEMORY_LIMIT_GB:
            pandas_s, pandas_out = best_of(lambda f=frame: pandas_avg_corr(f), 1)
            pandas_note = (
                f"max |ours - pandas| = {np.nanmax(np.abs(ours_arr - pandas_out)):.1e}"
            )
        else:
            pandas_s = None
            pandas_note = f"pandas skipped: would need ~{need_gb:.0f} GB"
        speedup = "" if loop_s is None else f"{loop_s / ours_s:,.0f}x vs loop"
        target = (
            f"; target 5 ms {'met' if ours_s < 5e-3 else 'MISSED'}"
            if n_assets == 500
            else ""
        )
        rows.append(
            (
                f"avg corr N={n_assets}",
                f"{fmt_ms(ours_s)} (1 thread {fmt_ms(single_s)})",
                fmt_ms(loop_s),
                fmt_ms(pandas_s),
                f"{speedup}; {loop_note}; {pandas_note}{target}",
            )
        )
    return rows


def pandas_rrg(prices: pd.DataFrame, bench: pd.Series, window: int, k: int):
    rs = 100.0 * prices.div(bench, axis=0)
    roll = rs.rolling(window)
    ratio = 100.0 + (rs - roll.mean()) / roll.std()
    roc = ratio / ratio.shift(k) - 1.0
    roll_roc = roc.rolling(window)
    mom = 100.0 + (roc - roll_roc.mean()) / roll_roc.std()
    return ratio, mom


def bench_rrg() -> list[tuple[str, ...]]:
    from rotation.data.bundled import load_market_data  # benchmark shell, not core

    market = load_market_data()
    panel = market.prices[[*SECTORS, "SPY"]].loc["1998-12":].astype("float64")
    panel = panel[panel["SPY"].notna()]
    prices, bench = panel[SECTORS], panel["SPY"]
    rrg(prices.iloc[:300], bench.iloc[:300])  # warm numba
    rows = []
    ours_s, ours = best_of(lambda: rrg(prices, bench), 15)
    peer_s, (ratio, mom) = best_of(lambda: pandas_rrg(prices, bench, 63, 21), 15)
    diff = max(
        np.nanmax(np.abs(ours.rs_ratio.to_numpy() - ratio.to_numpy())),
        np.nanmax(np.abs(ours.rs_momentum.to_numpy() - mom.to_numpy())),
    )
    rows.append(
        (
            f"RRG daily, 11 sectors x {len(panel)} sessions",
            fmt_ms(ours_s),
            "-",
            fmt_ms(peer_s),
            f"max |ours - pandas| = {diff:.1e}",
        )
    )
    weekly_s, _ = best_of(
        lambda: rrg(prices, bench, window=26, momentum_window=5, frequency="weekly"), 15
    )
    rows.append(("RRG weekly (incl. resampling)", fmt_ms(weekly_s), "-", "-", ""))
    return rows


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def bench_floor(rounds: int = 5) -> None:
    """Ours vs the dgemm floor for N=500, T=5000, window 63, 1 and all threads."""
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    kernel = ", ".join(
        f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
        for i in blas
    )
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    n_assets = 500
    flops = 2 * n_assets * WINDOW * T
    side = round((flops / 2) ** (1 / 3))  # a square matmul of the same flops
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(side, side)), rng.normal(size=(side, side))
    frame = seeded_returns(n_assets)
    rolling_average_correlation(frame.iloc[:300], WINDOW, n_threads=1)  # warm numba
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    tile = getattr(_banded_product, "TILE", "?")
    print(f"CPU: {cpu_model()} ({cpus} CPUs); tile {tile}; BLAS: {kernel}")
    if coretype:
        print(f"warning: OPENBLAS_CORETYPE={coretype} pins OpenBLAS; unset it here")
    print(
        f"avg corr N={n_assets} T={T} w={WINDOW}: {flops / 1e6:.0f} MFLOP; "
        f"dgemm {side}x{side}x{side} of the same flops; best / median of each "
        f"round, {rounds} rounds"
    )
    header = "threads  ours best/median     dgemm GFLOP/s  floor     ratio"
    print(header)
    print("-" * len(header))
    for threads in sorted({1, cpus}):
        ratios, ours_best, ours_med, rates = [], [], [], []
        for _ in range(rounds):
            with threadpool_limits(threads, user_api="blas"):
                gemm_best, _ = timed(lambda: a @ b, 20)
            best, median = timed(
                lambda t=threads: rolling_average_correlation(
                    frame, WINDOW, n_threads=t
                ),
                15,
            )
            rate = 2 * side**3 / gemm_best
            ratios.append(flops / rate / best)
            ours_best.append(best)
            ours_med.append(median)
            rates.append(rate)
        rate = statistics.median(rates)
        print(
            f"{threads:<8} {fmt_ms(statistics.median(ours_best)):>8} / "
            f"{fmt_ms(statistics.median(ours_med)):<9} {rate / 1e9:8.1f}      "
            f"{fmt_ms(flops / rate):<9} {statistics.median(ratios):.2f} "
            f"(goal >= 0.7; rounds {min(ratios):.2f}-{max(ratios):.2f})"
        )
    print()


def bench_small_baskets(rounds: int = 5, sizes: tuple[int, ...] = (7, 12, 16)) -> None:
    """The numpy path of small baskets against the warm kernel, same data.

    T=12,000 seeded returns with a few gaps, window 63; each round times both
    paths (best of 7 calls), interleaved; the ratio is the median over rounds
    of numpy / kernel. The numpy path compiles nothing; the kernel is warmed
    first, so its compile time (seconds, on a first run) is not counted.
    """
    from rotation.indicators._correlation import (
        SMALL_BASKET,
        _kernel_average_correlation,
    )
    from rotation.indicators._correlation_small import average_correlation_small

    n_obs = 12_000
    print(
        f"small baskets (numpy path up to N={SMALL_BASKET}), T={n_obs:,}, "
        f"w={WINDOW}, 1 thread; best of 7 per round, {rounds} rounds"
    )
    header = "N    kernel (warm)   numpy        numpy / kernel   load avg"
    print(header)
    print("-" * len(header))
    rng = np.random.default_rng(7)
    for n_assets in sizes:
        common = rng.normal(0.0, 0.01, size=(n_obs, 1))
        values = common * rng.uniform(0.2, 1.5, size=(1, n_assets))
        values = values + rng.normal(0.0, 0.015, size=(n_obs, n_assets))
        values[rng.random(values.shape) < 0.002] = np.nan
        weights = np.ones(n_assets)
        _kernel_average_correlation(values[:300], weights, WINDOW, 2, 1)  # warm
        kernel, small = [], []
        for _ in range(rounds):
            kernel.append(
                timed(
                    lambda v=values, w=weights: _kernel_average_correlation(
                        v, w, WINDOW, 2, 1
                    ),
                    7,
                )[0]
            )
            small.append(
                timed(
                    lambda v=values, w=weights: average_correlation_small(
                        v, w, WINDOW, 2
                    ),
                    7,
                )[0]
            )
        ratios = [b / a for a, b in zip(kernel, small, strict=True)]
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{n_assets:<4} {fmt_ms(min(kernel)):>13}   {fmt_ms(min(small)):>10}   "
            f"{statistics.median(ratios):5.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
            f"   {load}"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the N=500 loop")
    parser.add_argument(
        "--floor-only", action="store_true", help="only ours vs the dgemm floor"
    )
    parser.add_argument(
        "--small-only",
        action="store_true",
        help="only the numpy path of small baskets vs the warm kernel",
    )
    args = parser.parse_args()
    if args.small_only:
        bench_small_baskets()
        return
    bench_floor()
    if args.floor_only:
        return
    bench_small_baskets()
    rows = bench_correlation(args.quick) + bench_rrg()
    header = ("case", "ours", "numpy loop", "pandas", "notes")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = "  ".join(h.ljust(w) for h, w in zip(header[:4], widths, strict=True))
    print(line + "  " + header[4])
    print("-" * (len(line) + 40))
    for row in rows:
        print(
            "  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True))
            + "  "
            + row[4]
        )


if __name__ == "__main__":
    main()
