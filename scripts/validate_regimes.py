"""Validate rotation.regimes on the historical record (notebook-like script).

Run:  .venv/bin/python scripts/validate_regimes.py

Cell by cell it builds the composite rotation score and the filtered
Markov-switching probabilities on (a) the sector SPDR spread XLI+XLB+XLE
minus XLK (from 1998-12) and (b) the Fama-French industry spread
Manuf+Enrgy+Other minus HiTec (from 1926, with SMB and HML for the score),
then measures, for each known episode, the detection delay (first session,
after the episode's start, on which the signal has been above its threshold
for 5 sessions in a row) and the share of the period flagged. Everything is
causal: each value uses data up to its own date only. The numbers printed
here are the ones quoted in docs/regimes.md.
"""

from __future__ import annotations

import time
import warnings

import pandas as pd

from rotation.data.bundled import load_market_data
from rotation.regimes import (
    MarkovRegimes,
    RegimeConvergenceWarning,
    basket_spread_returns,
    bocpd,
    detection_delay,
    fama_french_components,
    fama_french_spread_returns,
    rotation_components,
    rotation_score,
)

ROTATION_EPISODES = {
    "2000-02 tech unwind": ("2000-03-10", "2002-10-09"),
    "2022 rotation": ("2022-01-03", "2022-12-30"),
}
TECH_EPISODES = {
    "2017-19 tech leadership": ("2017-01-03", "2019-12-31"),
    "2023 tech leadership": ("2023-01-03", "2023-12-29"),
}
PERSISTENCE = 5


def evaluate(name: str, signal: pd.Series, threshold: float) -> list[dict[str, object]]:
    """Detection delay and share flagged for each episode."""
    rows: list[dict[str, object]] = []
    for episode, (start, end) in {**ROTATION_EPISODES, **TECH_EPISODES}.items():
        part = signal.loc[start:end].dropna()
        delay = detection_delay(
            signal, start, threshold=threshold, end=end, persistence=PERSISTENCE
        )
        rows.append(
            {
                "signal": name,
                "episode": episode,
                "mean": round(float(part.mean()), 3),
                "share_flagged": round(float((part > threshold).mean()), 3),
                "delay_days": None if delay is None else delay.days,
            }
        )
    return rows


def main() -> None:
    # %% Data
    market = load_market_data()
    etf_spread = basket_spread_returns(market.prices)
    ff_spread = fama_french_spread_returns(market)

    # %% Composite score (weighted causal z-scores)
    etf_score = rotation_score(rotation_components(market)).score
    ff_score = rotation_score(fama_french_components(market)).score

    # %% Markov-switching regimes, filtered probabilities, quarterly refits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeConvergenceWarning)
        started = time.perf_counter()
        # The sector SPDRs start in Dec 1998: first fit after one year (52 weeks).
        etf_model = MarkovRegimes(refit="Q", min_observations=52).fit(etf_spread)
        etf_seconds = time.perf_counter() - started
        ff_model = MarkovRegimes(refit="Q").fit(ff_spread.loc["1990":])
    etf_prob = etf_model.filtered_probabilities_["rotation"]
    ff_prob = ff_model.filtered_probabilities_["rotation"]

    # %% Detection delays and flags
    rows = (
        evaluate("score: sector SPDRs (> 0)", etf_score, 0.0)
        + evaluate("score: Fama-French (> 0.5)", ff_score, 0.5)
        + evaluate("P(rotation): sector SPDRs (> 0.5)", etf_prob, 0.5)
        + evaluate("P(rotation): Fama-French from 1990 (> 0.5)", ff_prob, 0.5)
    )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 140, "display.max_rows", 100):
        print(table.to_string(index=False))
    print(f"\nMarkov fit, sector spread, quarterly refits: {etf_seconds:.2f} s")
    print(etf_model.result_.summary())

    # %% Online change points on the sector spread
    changes = bocpd(etf_spread)
    print(changes.summary())


if __name__ == "__main__":
    main()
