"""Validate rotation.regimes out of sample (notebook-like script).

Run:  .venv/bin/python scripts/validate_regimes.py   (about a minute)

1. Ex-post dating (HINDSIGHT, the yardstick only) of the tangible-minus-tech
   spread: sector SPDRs XLI+XLB+XLE minus XLK from 1998, and Fama-French
   10-industry portfolios Manuf+Enrgy+Other minus HiTec from 1926.
2. Parameter choice on Fama-French industries 1927-1999 only: for each
   family with parameters, the setting with the lowest Brier score against
   the ex-post dating among those with a median detection delay of at most
   20 sessions.
3. Out of sample, 2000-2026 on the sector SPDRs: every candidate scored with
   the same rules (rotation.regimes.score_rotation_signal). Climatology =
   the rotation share of the Fama-French dating 1927-1999 (known in 2000).
4. The old validation periods (2000-02, 2022 rotation; 2017-19, 2023, 2020
   not) and the reliability curve of the product's model.
Every candidate is filtered: each value uses data up to its own date. Nothing
is cached on disk. The numbers here are the ones in docs/regimes.md.
"""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Callable

import pandas as pd

from rotation.data.bundled import load_market_data
from rotation.regimes import (
    DIRECTION_CALIBRATION,
    DIRECTION_MODEL,
    MarkovRegimes,
    RegimeConvergenceWarning,
    basket_spread_returns,
    date_phases,
    detection_delay,
    drift_changepoint_probability,
    fama_french_spread_returns,
    moving_average_crossover,
    reliability_curve,
    score_rotation_signal,
    sticky_direction_probability,
    trailing_sign,
)

IN_SAMPLE = ("1927-01-01", "1999-12-31")
OUT_OF_SAMPLE = ("2000-01-01", "2026-08-03")
MAX_DELAY = 20
GRIDS: dict[str, list[dict[str, float]]] = {
    "sticky": [
        {"drift": d, "expected_duration": e}
        for d, e in itertools.product(
            [0.03, 0.05, 0.08, 0.12, 0.2], [125, 250, 500, 1000]
        )
    ],
    "bocpd": [
        {"expected_run_length": h, "prior_precision": k}
        for h, k in itertools.product([125, 250, 500, 1000], [10, 100, 1000])
    ],
    "ma": [
        {"short_window": s, "long_window": w}
        for s, w in [(10, 50), (20, 50), (20, 100), (50, 100), (50, 200)]
    ],
}
FAMILIES: dict[str, Callable[..., pd.Series]] = {
    "sticky": sticky_direction_probability,
    "bocpd": drift_changepoint_probability,
    "ma": moving_average_crossover,
}
PERIODS = {
    "2000-02 (rotation)": ("2000-03-10", "2002-10-09", True),
    "2022 (rotation)": ("2022-01-03", "2022-12-30", True),
    "2017-19 (tech)": ("2017-01-03", "2019-12-31", False),
    "2023 (tech)": ("2023-01-03", "2023-12-29", False),
    "2020 (tech, turbulent)": ("2020-01-02", "2020-12-31", False),
}


def choose(ff: pd.Series, dating, climatology: float) -> dict[str, dict[str, float]]:
    """Grid per family on FF 1927-1999: lowest Brier with median delay <= 20."""
    chosen: dict[str, dict[str, float]] = {}
    for family, grid in GRIDS.items():
        rows = []
        for params in grid:
            scores = score_rotation_signal(
                FAMILIES[family](ff, **params), ff, dating,
                start=IN_SAMPLE[0], end=IN_SAMPLE[1], climatology=climatology,
            )  # fmt: skip
            rows.append({**params, **scores.row()})
        table = pd.DataFrame(rows)
        print(f"\n--- {family}: grid on Fama-French {IN_SAMPLE[0][:4]}-1999")
        print(table.round(3).to_string(index=False))
        eligible = table[table["median_delay"] <= MAX_DELAY]
        best = (eligible if len(eligible) else table).sort_values("brier").iloc[0]
        chosen[family] = {k: float(best[k]) for k in grid[0]}
        print(f"chosen: {chosen[family]}")
    return chosen


def candidates(
    chosen: dict[str, dict[str, float]],
) -> dict[str, Callable[[pd.Series], pd.Series]]:
    """Every candidate as a function of a daily spread -> filtered P(rotation)."""
    sticky, bocpd_, ma = chosen["sticky"], chosen["bocpd"], chosen["ma"]

    def markov(**params: object) -> Callable[[pd.Series], pd.Series]:
        def run(spread: pd.Series) -> pd.Series:
            model = MarkovRegimes(min_observations=52, **params).fit(spread)  # type: ignore[arg-type]
            return model.filtered_probabilities_["rotation"]

        return run

    return {
        "dir x vol Markov, trailing 22w, Q refits (previous default)": markov(
            refit="Q", structure="direction_volatility", trailing_blocks=22
        ),
        "statsmodels MarkovRegression, switching variance, weekly, Y refits": markov(
            refit="Y", engine="statsmodels"
        ),
        f"sticky direction filter m={sticky['drift']:g} E[dur]={sticky['expected_duration']:g}": (
            lambda s: sticky_direction_probability(s, **sticky)
        ),
        f"BOCPD drift H=1/{bocpd_['expected_run_length']:g} k0={bocpd_['prior_precision']:g}": (
            lambda s: drift_changepoint_probability(
                s,
                expected_run_length=bocpd_["expected_run_length"],
                prior_precision=bocpd_["prior_precision"],
            )  # fmt: skip
        ),
        "sign of trailing 63-session spread": lambda s: trailing_sign(s, window=63),
        f"MA crossover {ma['short_window']:g}/{ma['long_window']:g}": (
            lambda s: moving_average_crossover(
                s,
                short_window=int(ma["short_window"]),
                long_window=int(ma["long_window"]),
            )
        ),
    }


def periods_row(name: str, probability: pd.Series) -> dict[str, object]:
    row: dict[str, object] = {"model": name}
    for period, (start, end, rotation) in PERIODS.items():
        part = probability.loc[start:end].dropna()
        text = f"{(part > 0.5).mean():.0%} (mean {part.mean():.2f})"
        if rotation:
            delay = detection_delay(
                probability, start, threshold=0.5, end=end, persistence=5
            )
            text += f", {'none' if delay is None else f'{delay.days} d'}"
        row[period] = text
    row[OUT_OF_SAMPLE[1]] = round(
        float(probability.loc[: OUT_OF_SAMPLE[1]].iloc[-1]), 2
    )
    return row


def main() -> None:
    started = time.perf_counter()
    market = load_market_data()
    etf = basket_spread_returns(market.prices)
    ff = fama_french_spread_returns(market)

    # %% 1. Ex-post dating (hindsight)
    ff_dating, etf_dating = date_phases(ff), date_phases(etf)
    climatology = float(ff_dating.indicator().loc[: IN_SAMPLE[1]].mean())
    print("Ex-post phases, sector SPDRs (HINDSIGHT):")
    print(etf_dating.phases.round(3).to_string(index=False))
    print(f"\nFama-French phases: {len(ff_dating.phases)}; rotation share "
          f"1927-1999 (climatology) {climatology:.3f}")  # fmt: skip

    # %% 2. Parameters chosen on Fama-French 1927-1999
    chosen = choose(ff, ff_dating, climatology)

    # %% 3. Out of sample on the sector SPDRs, 2000-2026
    rows, periods, probabilities = [], [], {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeConvergenceWarning)
        for name, run in candidates(chosen).items():
            tic = time.perf_counter()
            probability = run(etf)
            seconds = time.perf_counter() - tic
            probabilities[name] = probability
            scores = score_rotation_signal(
                probability, etf, etf_dating, start=OUT_OF_SAMPLE[0],
                end=OUT_OF_SAMPLE[1], climatology=climatology,
            )  # fmt: skip
            rows.append({"model": name, **scores.row(), "seconds": seconds})
            periods.append(periods_row(name, probability))
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print("\n--- Out of sample: sector SPDRs 2000-2026 (targets: episodes and "
              "sessions >= 0.8, median delay <= 20, t >= 2, brier < climatology)")  # fmt: skip
        print(table.round(3).to_string(index=False))
        print("\n--- Validation periods (share of sessions P > 0.5, mean, delay)")
        print(pd.DataFrame(periods).to_string(index=False))

    # %% 4. The product's model: reliability out of sample, calibration check
    product = sticky_direction_probability(
        etf, drift=DIRECTION_MODEL["drift"],
        expected_duration=DIRECTION_MODEL["expected_duration"],
    )  # fmt: skip
    oos = reliability_curve(
        product.loc[OUT_OF_SAMPLE[0] :], etf_dating.indicator().loc[OUT_OF_SAMPLE[0] :]
    )
    print("\n--- Product model: reliability out of sample (P bin vs hindsight share)")
    print(oos.round(3).to_string(index=False))
    ff_product = sticky_direction_probability(
        ff, drift=DIRECTION_MODEL["drift"],
        expected_duration=DIRECTION_MODEL["expected_duration"],
    )  # fmt: skip
    calibration = reliability_curve(
        ff_product.loc[IN_SAMPLE[0] : IN_SAMPLE[1]],
        ff_dating.indicator().loc[IN_SAMPLE[0] : IN_SAMPLE[1]],
    )
    print("\nCalibration table (FF 1927-1999), DIRECTION_CALIBRATION:",
          tuple(calibration["observed"].round(3)), DIRECTION_CALIBRATION)  # fmt: skip
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
