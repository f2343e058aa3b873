"""Benchmark: full-history evaluation of the default thesis on the bundled data.

Run: python benchmarks/bench_thesis.py

Prints a table measured in this run: loading + validating the thesis, the full
history (every pillar every session, vectorized metrics + numba state machine)
on the whole bundled history and on the ~7,000 sessions since 1998, the
as-of alternative (re-evaluating on truncated data date by date, extrapolated
from a sample), the numba state machine vs its pure-Python twin, and the
event study. Best of N with numba warmed first; data loading is excluded.
"""

from __future__ import annotations

import time

import numpy as np

from rotation.data.bundled import load_market_data
from rotation.thesis import (
    evaluate,
    history,
    load_thesis,
    parse_rule,
    thesis_event_study,
)
from rotation.thesis._state import _pillar_states, _pillar_states_py
from rotation.thesis_files import default_thesis_text

#: A 20-pillar thesis written with the newer functions and calendar windows.
LANGUAGE_EXPRS = (
    "rank(XLE, sectors, 6m)",
    "top(XLE, 3, sectors, 3m)",
    "pctile(momentum(SPY, 63), 1y)",
    "corr(SPY, DGS10, 3m)",
    "corr(tangible, tech, 63)",
    "mean(momentum(SPY, 21), ytd)",
    "min(price(SPY), qtd)",
    "max(price(SPY), 1y)",
    "lag(price(SPY), 1y)",
    "breadth(sectors, 200)",
    "momentum(SPY, 3m) > 0 and not (rel_return(tangible, tech, 6m) > 0)",
    "momentum(both, 6m)",
    "pctile(value(VIXCLS), 1y)",
    "mean(value(UNRATE), 3m) - min(mean(value(UNRATE), 3m), 1y)",
    "value(T10Y2Y) > 0 or mean(value(T10Y2Y), qtd) > 0",
    "rank(XLK, sectors, ytd)",
    "breadth(sectors, 6m)",
    "rel_return(tangible, tech, ytd)",
    "fwd_pe(tech)",
    "max(corr(XLK, XLE, 63), 1y)",
)


def language_thesis_text() -> str:
    sectors = "XLK, XLE, XLF, XLV, XLI, XLB, XLP, XLU, XLY"
    body = "\n".join(
        f'  - {{id: p{i}, claim: c, expr: "{e}", rule: "> 0"}}'
        for i, e in enumerate(LANGUAGE_EXPRS)
    )
    return (
        "meta: {title: language benchmark}\nbaskets:\n"
        f"  sectors: [{sectors}]\n  tangible: [XLI, XLB, XLE]\n  tech: [XLK]\n"
        f"  both: [tangible, tech]\npillars:\n{body}\n"
    )


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    t0 = time.perf_counter()
    market = load_market_data()
    load_s = time.perf_counter() - t0
    text = default_thesis_text()
    thesis = load_thesis(text)
    recent = type(market)(
        prices=market.prices.loc["1998-08-01":],
        series=market.series,
        dots=market.dots,
        info=market.info,
        as_of=market.as_of,
    )
    history(thesis, market)  # warm numba and caches
    n_items = len(thesis.pillars) + sum(r.trigger is not None for r in thesis.risks)

    rows: list[tuple[str, str, float]] = []
    rows.append(
        (
            "load + validate thesis (YAML, parse, check)",
            "ours",
            best(lambda: load_thesis(text), 20),
        )
    )
    full = best(lambda: history(thesis, market), 5)
    rows.append(
        (
            f"full history, {len(market.sessions)} sessions x {n_items} items",
            "ours (vectorized + numba)",
            full,
        )
    )
    language = load_thesis(language_thesis_text())
    history(language, market)  # warm numba and the calendar
    rows.append(
        (
            f"full history, {len(market.sessions)} sessions x 20 pillars "
            "(rank, pctile, corr, breadth, calendar windows, ...)",
            "ours (vectorized + numba)",
            best(lambda: history(language, market), 5),
        )
    )
    part = best(lambda: history(thesis, recent), 5)
    rows.append(
        (
            f"full history, {len(recent.sessions)} sessions since 1998-08",
            "ours (vectorized + numba)",
            part,
        )
    )
    one = best(lambda: evaluate(thesis, market), 5)
    rows.append(("as of the last date", "ours evaluate()", one))

    sample = recent.sessions[:: max(1, len(recent.sessions) // 20)]
    t0 = time.perf_counter()
    for d in sample:
        evaluate(thesis, recent, d)
    per_date = (time.perf_counter() - t0) / len(sample)
    rows.append(
        (
            f"as-of loop over {len(recent.sessions)} dates (extrapolated from "
            f"{len(sample)})",
            "naive: evaluate() per date",
            per_date * len(recent.sessions),
        )
    )

    rng = np.random.default_rng(0)
    values = rng.normal(0, 1, 100_000)
    rule = parse_rule("> 0")
    args = (values, rule.low, rule.high, rule.low_strict, rule.high_strict, 0.1, 5)
    _pillar_states(*args)
    rows.append(
        (
            "state machine, 100,000 values",
            "ours numba kernel",
            best(lambda: _pillar_states(*args), 20),
        )
    )
    rows.append(
        (
            "state machine, 100,000 values",
            "same kernel, pure Python",
            best(lambda: _pillar_states_py(*args), 3),
        )
    )
    rows.append(
        (
            "event study (2 pairs + Fama-French 1926-), 1000 bootstrap draws",
            "ours",
            best(lambda: thesis_event_study(thesis, market), 3),
        )
    )

    width = max(len(r[0]) for r in rows)
    print(
        f"bundled data load (excluded below): {load_s:.2f} s; "
        f"{market.prices.shape[0]} sessions, {len(thesis.pillars)} pillars, "
        f"{len(thesis.risks)} risks"
    )
    print(f"{'task'.ljust(width)}  {'implementation':30s}  {'time':>10s}")
    print(f"{'-' * width}  {'-' * 30}  {'-' * 10}")
    for task, impl, seconds in rows:
        shown = f"{seconds * 1e3:8.1f} ms" if seconds < 10 else f"{seconds:8.1f} s "
        print(f"{task.ljust(width)}  {impl:30s}  {shown:>10s}")
    target = "PASS" if full < 1.0 else "MISS"
    print(
        f"\ntarget: full history under 1 s after data load -> {target} "
        f"({full * 1e3:.0f} ms)"
    )


if __name__ == "__main__":
    main()
