"""Checks on the bundled sector SPDRs (real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rotation.backtest import (
    SweepGrid,
    backtest,
    cash_returns,
    relative_momentum,
    run_backtest,
    sweep,
)
from rotation.market import MarketData


def test_late_listings_enter_after_full_lookback(sectors: pd.DataFrame) -> None:
    targets = relative_momentum(sectors, lookback=126, top_k=11)
    decided = targets.dropna(how="all")
    for name in ("XLRE", "XLC"):
        first = sectors[name].first_valid_index()
        eligible_from = sectors.index[sectors.index.get_loc(first) + 126]
        assert (decided.loc[: eligible_from - pd.Timedelta(days=1), name] == 0).all()
        assert (decided.loc[eligible_from:, name] > 0).all()


def test_sweep_matches_engine_on_real_data(
    sectors: pd.DataFrame, market: MarketData
) -> None:
    cash = cash_returns(market.known("DFF", index=sectors.index), index=sectors.index)
    grid = SweepGrid(lookback=(63, 252), top_k=(3, 5), skip=(21,), cost_bps=(10.0,))
    table = sweep(sectors, grid, cash_returns=cash).metrics
    for row in table.itertuples():
        res = backtest(
            sectors,
            relative_momentum(sectors, lookback=row.lookback, top_k=row.top_k, skip=21),
            cost_bps=10.0,
            cash_returns=cash,
        )
        for name, value in res.metrics.items():
            np.testing.assert_allclose(
                getattr(row, name), value, rtol=1e-9, err_msg=name
            )


def test_no_look_ahead_on_real_data(sectors: pd.DataFrame) -> None:
    cut = sectors.index.get_loc(pd.Timestamp("2020-03-31"))
    base = relative_momentum(sectors, lookback=126, top_k=3)
    shocked = sectors.copy()
    shocked.iloc[cut + 1 :] = shocked.iloc[cut + 1 :][::-1].to_numpy()
    pd.testing.assert_frame_equal(
        relative_momentum(shocked, lookback=126, top_k=3).iloc[: cut + 1],
        base.iloc[: cut + 1],
    )


def test_run_backtest_cash_earns_fed_funds(
    market: MarketData, sectors: pd.DataFrame
) -> None:
    cash = cash_returns(market.known("DFF", index=sectors.index), index=sectors.index)
    # lookback longer than the history: all cash, equity compounds DFF exactly.
    res = run_backtest(
        "relative_momentum",
        sectors,
        params={"lookback": 10_000, "top_k": 3},
        cash_returns=cash,
    )
    np.testing.assert_allclose(
        res.equity.iloc[-1], float(np.prod(1.0 + cash.iloc[1:])), rtol=1e-12
    )
