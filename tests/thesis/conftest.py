"""Small seeded market data for the thesis engine's unit tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.market import MarketData

SYMBOLS = ("XLI", "XLB", "XLE", "XLK", "IWM", "SPY", "NVDA", "MSFT", "GOOGL")

SMALL_THESIS = """
meta: {title: Small test thesis, date: 2021-06-01}
baskets:
  tangible: [XLI, XLB, XLE]
  tech: [XLK]
  ai: [NVDA, MSFT, GOOGL]
core_spread: {long: tangible, short: tech}
pillars:
  - id: tangible_leads
    claim: Tangible beats tech.
    claimed: {text: "tangible > tech", value: 0.0}
    expr: rel_return(tangible, tech, 21)
    rule: "> 0"
    hysteresis: 0.005
    min_persistence: 3
  - id: ai_corr
    claim: AI correlation is low.
    group: watch_metrics
    expr: avg_corr(ai, 42)
    rule: "< 0.5"
    hysteresis: 0.05
  - id: fed_range
    claim: Fed mid in range.
    expr: fed_mid
    rule: between 1.0 2.0
  - id: inflation
    claim: Inflation above 2%.
    expr: yoy(CPIAUCSL) - 2
    rule: "> 0"
  - id: small
    claim: Small caps trend up.
    group: small_caps
    expr: momentum(IWM, 63) - momentum(SPY, 63)
    rule: "> 0"
    min_persistence: 2
  - id: regime
    claim: Rotation regime.
    weight: 0.5
    expr: regime_prob("rotation")
    rule: "> 0.6"
  - id: valuation
    claim: Cheap small caps.
    no_data_reason: needs forward P/E history
risks:
  - id: tech_rebound
    description: Tech comes back.
    scenario: {shocks: {tech: 0.15, tangible: -0.05}}
    trigger: {expr: "rel_return(tech, tangible, 21)", rule: "> 0.05", weight: 1}
event_study:
  level: 0.5
  horizons: [5, 21]
  pairs:
    - {id: tangible_vs_tech, long: tangible, short: tech}
"""


def make_market(n: int = 600, seed: int = 42) -> MarketData:
    """Seeded prices on business days plus monthly CPI, daily rates and dots."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2019-01-01", periods=n, name="date")
    common = rng.normal(0.0, 0.01, size=(n, 1))
    noise = rng.normal(0.0003, 0.012, size=(n, len(SYMBOLS)))
    returns = 0.6 * common + noise
    prices = pd.DataFrame(
        100.0 * np.cumprod(1.0 + returns, axis=0), index=index, columns=list(SYMBOLS)
    )
    # Holes: a symbol listing late and a few rows where nothing trades.
    prices.loc[: index[40], "GOOGL"] = np.nan
    prices.iloc[[100, 101, 300]] = np.nan

    def daily(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {"value": values, "known_from": index}, index=index.rename("date")
        )

    steps = np.where(np.arange(n) < n // 2, 1.75, 1.25)
    months = pd.date_range("2017-01-01", index[-1], freq="MS", name="date")
    cpi = 250.0 * np.cumprod(1.0 + rng.normal(0.002, 0.002, size=len(months)))
    series = {
        "DFEDTARU": daily(steps + 0.25),
        "DFEDTARL": daily(steps),
        "DGS2": daily(2.0 + np.cumsum(rng.normal(0, 0.02, size=n))),
        "CPIAUCSL": pd.DataFrame(
            {"value": cpi, "known_from": months + pd.Timedelta(days=45)}, index=months
        ),
        "PCEPILFE": pd.DataFrame(
            {"value": cpi * 0.5, "known_from": months + pd.Timedelta(days=58)},
            index=months,
        ),
    }
    dots = pd.DataFrame(
        {
            "meeting_date": pd.to_datetime(
                ["2019-03-20"] * 3 + ["2019-12-11"] * 3 + ["2020-06-10"] * 3
            ),
            "horizon": ["2019", "2020", "2021"] * 3,
            "midpoint": [2.375, 2.625, 2.625, 1.625, 1.875, 2.125, 0.125, 0.125, 0.125],
            "participants": [17] * 9,
        }
    )
    return MarketData(prices=prices, series=series, dots=dots, as_of=index[-1])


@pytest.fixture(scope="module")
def small_market() -> MarketData:
    return make_market()


@pytest.fixture(scope="session")
def small_thesis_text() -> str:
    return SMALL_THESIS


@pytest.fixture(scope="session")
def market_factory():
    return make_market
