"""Validate rotation.regimes on the historical record (notebook-like script).

Run:  .venv/bin/python scripts/validate_regimes.py   (about a minute)

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
    "2020 tech leads, turbulent": ("2020-01-02", "2020-12-31"),
}
#: The models tried for P(rotation) (docs/regimes.md), in the order tried.
CANDIDATES: dict[str, dict[str, object]] = {
    "2-state, weekly (old default)": {},
    "dir x vol, Kronecker, weekly": {"structure": "direction_volatility"},
    "dir x vol, full 4x4, weekly": {
        "structure": "direction_volatility",
        "transition": "full",
    },
    "dir x vol, Kronecker, 2-week blocks": {
        "structure": "direction_volatility",
        "sampling_interval": 10,
        "min_observations": 26,
    },
    "dir x vol, full 4x4, 4-week blocks": {
        "structure": "direction_volatility",
        "transition": "full",
        "sampling_interval": 20,
        "min_observations": 13,
    },
    "2-state, trailing 13 weeks": {"trailing_blocks": 13},
    "dir x vol, Kronecker, trailing 13 weeks": {
        "structure": "direction_volatility",
        "trailing_blocks": 13,
    },
    "dir x vol, Kronecker, trailing 26 weeks": {
        "structure": "direction_volatility",
        "trailing_blocks": 26,
    },
    "dir x vol, full 4x4, trailing 22 weeks": {
        "structure": "direction_volatility",
        "transition": "full",
        "trailing_blocks": 22,
    },
    "dir x vol, Kronecker, trailing 22 weeks (default)": {
        "structure": "direction_volatility",
        "trailing_blocks": 22,
    },
}
READING_DATE = "2026-08-03"
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


def candidates_table(spread: pd.Series) -> pd.DataFrame:
    """Share flagged (> 0.5) per period, delays and the latest reading."""
    rows = []
    for name, params in CANDIDATES.items():
        model = MarkovRegimes(
            **{"refit": "Q", "min_observations": 52, **params}  # type: ignore[arg-type]
        ).fit(spread)
        probability = model.filtered_probabilities_["rotation"]
        row: dict[str, object] = {"model": name}
        for episode, (start, end) in {**ROTATION_EPISODES, **TECH_EPISODES}.items():
            part = probability.loc[start:end].dropna()
            row[episode.split(" ")[0]] = f"{(part > 0.5).mean():.0%}"
            if episode in ROTATION_EPISODES:
                delay = detection_delay(
                    probability,
                    start,
                    threshold=0.5,
                    end=end,
                    persistence=PERSISTENCE,
                )
                row[f"delay {episode.split(' ')[0]}"] = (
                    "none" if delay is None else f"{delay.days} d"
                )
        row[READING_DATE] = round(float(probability.loc[:READING_DATE].iloc[-1]), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    # %% Data
    market = load_market_data()
    etf_spread = basket_spread_returns(market.prices)
    ff_spread = fama_french_spread_returns(market)

    # %% Composite score (weighted causal z-scores)
    etf_score = rotation_score(rotation_components(market)).score
    ff_score = rotation_score(fama_french_components(market)).score

    # %% Markov-switching regimes, filtered probabilities, quarterly refits.
    # The default: direction x volatility states on the trailing 22-week
    # spread. The sector SPDRs start in Dec 1998: first fit after 52
    # observations. Fama-French from 1990 and from 1926.
    direction = {"structure": "direction_volatility", "trailing_blocks": 22}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeConvergenceWarning)
        started = time.perf_counter()
        etf_model = MarkovRegimes(refit="Q", min_observations=52, **direction).fit(
            etf_spread
        )
        etf_seconds = time.perf_counter() - started
        ff_models = {
            start: MarkovRegimes(refit="Q", **direction).fit(ff_spread.loc[start:])
            for start in ("1990", "1926")
        }
        old_etf = MarkovRegimes(refit="Q", min_observations=52).fit(etf_spread)
        old_ff = MarkovRegimes(refit="Q").fit(ff_spread.loc["1990":])
    etf_prob = etf_model.filtered_probabilities_["rotation"]

    # %% Detection delays and flags
    rows = (
        evaluate("score: sector SPDRs (> 0)", etf_score, 0.0)
        + evaluate("score: Fama-French (> 0.5)", ff_score, 0.5)
        + evaluate("P(rotation): sector SPDRs (> 0.5)", etf_prob, 0.5)
        + evaluate(
            "P(rotation): Fama-French from 1990 (> 0.5)",
            ff_models["1990"].filtered_probabilities_["rotation"],
            0.5,
        )
        + evaluate(
            "P(rotation): Fama-French from 1926 (> 0.5)",
            ff_models["1926"].filtered_probabilities_["rotation"],
            0.5,
        )
        + evaluate(
            "old 2-state P: sector SPDRs (> 0.5)",
            old_etf.filtered_probabilities_["rotation"],
            0.5,
        )
        + evaluate(
            "old 2-state P: Fama-French from 1990 (> 0.5)",
            old_ff.filtered_probabilities_["rotation"],
            0.5,
        )
    )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_rows", 100):
        print(table.to_string(index=False))
    print(f"\nMarkov fit, sector spread, quarterly refits: {etf_seconds:.2f} s")
    print(etf_model.result_.summary())
    trailing = float((1.0 + etf_spread.loc[:READING_DATE]).iloc[-63:].prod() - 1.0)
    print(
        f"{READING_DATE}: P(rotation) {etf_prob.loc[:READING_DATE].iloc[-1]:.2f}; "
        f"tangible minus tech over 63 sessions {100 * trailing:+.1f}%"
    )

    # %% What was tried (sector SPDRs, quarterly refits, share of sessions
    # with P(rotation) > 0.5 per period, delays, reading on READING_DATE).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeConvergenceWarning)
        tried = candidates_table(etf_spread)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(tried.to_string(index=False))

    # %% Online change points on the sector spread
    changes = bocpd(etf_spread)
    print(changes.summary())


if __name__ == "__main__":
    main()
