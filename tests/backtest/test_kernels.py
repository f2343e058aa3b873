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
from rotation.backtest._kernels import (
    _order_scores,
    _order_scores_py,
    _rank_decisions,
    _rank_decisions_py,
    _returns_from_prices,
    _returns_from_prices_py,
)


class TestReference:
    def test_returns_kernel_vs_pandas(self, prices: pd.DataFrame) -> None:
        values = np.ascontiguousarray(prices.to_numpy(dtype=float))
        expected = prices_to_returns(prices).fillna(0.0).to_numpy()
        np.testing.assert_allclose(_returns_from_prices(values), expected, rtol=1e-14)
        np.testing.assert_allclose(
            _returns_from_prices_py(values), expected, rtol=1e-14
        )

    def test_ranking_kernels(self, prices: pd.DataFrame) -> None:
        filled = np.ascontiguousarray(prices.ffill().to_numpy(dtype=float))
        decide = rebalance_mask(pd.DatetimeIndex(prices.index), "month_end")
        for a, b in zip(
            _rank_decisions(filled, decide, 60, 5),
            _rank_decisions_py(filled, decide, 60, 5),
            strict=True,
        ):
            np.testing.assert_array_equal(a, b)
        scores = np.ascontiguousarray(np.diff(np.log(filled), axis=0, prepend=np.nan))
        for a, b in zip(
            _order_scores(scores, decide), _order_scores_py(scores, decide), strict=True
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
