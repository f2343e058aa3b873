"""The numba kernels agree with their plain-Python versions and with pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.backtest import (
    SweepGrid,
    backtest,
    prices_to_returns,
    rebalance_mask,
    relative_momentum,
    sweep,
)
from rotation.backtest._engine import returns_from_prices
from rotation.backtest._ranking import momentum_orders, order_scores


def _returns_loop(prices: np.ndarray) -> np.ndarray:
    # Reference: walk the dates, carrying each asset's last price.
    out = np.zeros(prices.shape)
    last = np.full(prices.shape[1], np.nan)
    for t in range(prices.shape[0]):
        for j in range(prices.shape[1]):
            if not np.isnan(prices[t, j]):
                if not np.isnan(last[j]):
                    out[t, j] = prices[t, j] / last[j] - 1.0
                last[j] = prices[t, j]
    return out


def _rank_loop(scores: np.ndarray, decide: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Reference: one decision at a time, a stable sort on (-score, column)
    # written out as a Python sort, missing scores last.
    orders, counts = [], []
    for t in np.flatnonzero(decide):
        row = scores[t]
        ranked = sorted(
            range(len(row)),
            key=lambda j: (np.isnan(row[j]), 0.0 if np.isnan(row[j]) else -row[j], j),
        )
        orders.append(ranked)
        counts.append(int(np.sum(~np.isnan(row))))
    return np.array(orders, dtype=np.int64), np.array(counts, dtype=np.int64)


def _momentum_loop(
    prices: np.ndarray, decide: np.ndarray, lookback: int, skip: int
) -> np.ndarray:
    scores = np.full(prices.shape, np.nan)
    for t in np.flatnonzero(decide):
        start, end = t - skip - lookback, t - skip
        if start >= 0:
            scores[t] = prices[end] / prices[start] - 1.0
    return scores


class TestReference:
    def test_returns_vs_pandas_and_loop(self, prices: pd.DataFrame) -> None:
        values = prices.to_numpy(dtype=float, copy=True)
        values[100:140, 2] = np.nan  # a gap inside the history
        values[:50, 0] = np.nan  # a late listing
        expected = prices_to_returns(pd.DataFrame(values)).fillna(0.0).to_numpy()
        got = returns_from_prices(values)
        np.testing.assert_allclose(got, expected, rtol=1e-14)
        np.testing.assert_array_equal(got, _returns_loop(values))

    def test_ranking_vs_python_sort(self, prices: pd.DataFrame) -> None:
        filled = prices.ffill().to_numpy(dtype=float, copy=True)
        filled[:300, 1] = np.nan  # a late listing
        decide = rebalance_mask(pd.DatetimeIndex(prices.index), "month_end")
        for lookback, skip in [(60, 5), (1, 0), (250, 21)]:
            expected = _rank_loop(
                _momentum_loop(filled, decide, lookback, skip), decide
            )
            got = momentum_orders(filled, decide, lookback, skip)
            for a, b in zip(got, expected, strict=True):
                np.testing.assert_array_equal(a, b)
        scores = np.diff(np.log(filled), axis=0, prepend=np.nan)
        scores[decide.nonzero()[0][5], :] = 0.0  # ties keep column order
        for a, b in zip(
            order_scores(scores, decide), _rank_loop(scores, decide), strict=True
        ):
            np.testing.assert_array_equal(a, b)


class TestProperties:
    @settings(deadline=None, max_examples=8)
    @given(
        seed=st.integers(0, 10_000),
        lookback=st.integers(5, 80),
        skip=st.integers(0, 10),
        top_k=st.integers(1, 5),
        cost=st.floats(0.0, 100.0),
    )
    def test_sweep_equals_engine(
        self, seed: int, lookback: int, skip: int, top_k: int, cost: float
    ) -> None:
        rng = np.random.default_rng(seed)
        index = pd.bdate_range("2019-01-01", periods=260)
        px = pd.DataFrame(
            100 * np.exp(np.cumsum(rng.normal(0, 0.015, (260, 4)), axis=0)),
            index=index,
            columns=list("ABCD"),
        )
        px.iloc[: rng.integers(0, 100), 3] = np.nan
        grid = SweepGrid(
            lookback=(lookback,),
            top_k=(top_k,),
            skip=(skip,),
            cost_bps=(cost,),
            rebalance="weekly",
        )
        row = sweep(px, grid).metrics.iloc[0]
        res = backtest(
            px,
            relative_momentum(
                px, lookback=lookback, top_k=top_k, skip=skip, rebalance="weekly"
            ),
            cost_bps=cost,
        )
        for name, value in res.metrics.items():
            np.testing.assert_allclose(
                row[name], value, rtol=1e-9, atol=1e-12, err_msg=name
            )
