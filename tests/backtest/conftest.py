from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.market import MarketData

# slow_backtest: an independent, slow backtest with holdings in shares and cash in
# currency, written from the engine's documented conventions only (decide at the
# close of t, trade at the close of t+1, costs on traded value, cash earns c_t);
# it shares no code with rotation.backtest.

SECTORS = ["XLK", "XLI", "XLB", "XLE", "XLF", "XLV", "XLY", "XLP", "XLU", "XLRE", "XLC"]


def make_prices(seed: int = 42, n_obs: int = 700, n_assets: int = 6) -> pd.DataFrame:
    """Seeded random-walk closes; asset 'E' lists late, 'F' has a gap."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2015-01-01", periods=n_obs)
    drift = rng.normal(0.0003, 0.0002, n_assets)
    steps = rng.normal(drift, 0.012, size=(n_obs, n_assets))
    prices = pd.DataFrame(
        100 * np.exp(np.cumsum(steps, axis=0)),
        index=index,
        columns=[chr(ord("A") + i) for i in range(n_assets)],
    )
    prices.iloc[:250, 4] = np.nan  # late listing
    prices.iloc[400:403, 5] = np.nan  # did not trade for three sessions
    return prices


def slow_backtest(
    prices: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    cost_bps: float,
    cash: pd.Series | None = None,
) -> pd.Series:
    px = prices.ffill()
    n_obs, n_assets = px.shape
    shares = np.zeros(n_assets)
    money = 1.0
    equity = []
    for t in range(n_obs):
        row = px.iloc[t].to_numpy()
        if t > 0 and cash is not None:
            money *= 1.0 + cash.iloc[t]
        held_value = np.nansum(np.where(shares != 0, shares * row, 0.0))
        value = money + held_value
        if t > 0:
            decision = targets.iloc[t - 1]
            if decision.notna().any():
                want = decision.fillna(0.0).to_numpy()
                current = np.where(shares != 0, shares * row, 0.0)
                traded = np.abs(want * value - current).sum()
                fee = traded * cost_bps / 1e4
                value_after = value - fee
                new_shares = np.zeros(n_assets)
                nz = want != 0
                new_shares[nz] = want[nz] * value_after / row[nz]
                money = value_after - (want * value_after).sum()
                shares = new_shares
                value = value_after
        equity.append(value)
    return pd.Series(equity, index=prices.index)


@pytest.fixture(scope="session")
def slow():
    """The independent reference backtest (see slow_backtest)."""
    return slow_backtest


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return make_prices()


@pytest.fixture(scope="module")
def cash(prices: pd.DataFrame) -> pd.Series:
    rng = np.random.default_rng(3)
    rate = pd.Series(
        2.0 + np.cumsum(rng.normal(0, 0.02, len(prices))), index=prices.index
    )
    from rotation.backtest import cash_returns

    return cash_returns(rate.clip(lower=0.0))


@pytest.fixture(scope="module")
def sectors(market: MarketData) -> pd.DataFrame:
    return market.prices[SECTORS].dropna(how="all")
