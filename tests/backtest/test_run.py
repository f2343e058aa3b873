from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import (
    backtest,
    dual_momentum,
    relative_momentum,
    run_backtest,
    thesis_tilt,
)


class TestReference:
    def test_same_as_composing(self, prices: pd.DataFrame, cash: pd.Series) -> None:
        a = run_backtest(
            "relative_momentum",
            prices,
            params={"lookback": 30, "top_k": 2},
            cash_returns=cash,
            cost_bps=7,
        )
        b = backtest(
            prices,
            relative_momentum(prices, lookback=30, top_k=2),
            cost_bps=7,
            cash_returns=cash,
        )
        pd.testing.assert_series_equal(a.equity, b.equity, check_names=False)
        assert a.params == {"lookback": 30, "top_k": 2}

    def test_dual_momentum_gets_cash(
        self, prices: pd.DataFrame, cash: pd.Series
    ) -> None:
        a = run_backtest(
            "dual_momentum",
            prices,
            params={"risky": ["A", "B"], "safe": "F"},
            cash_returns=cash,
        )
        b = backtest(
            prices,
            dual_momentum(prices, risky=["A", "B"], safe="F", cash_returns=cash),
            cash_returns=cash,
        )
        np.testing.assert_allclose(a.equity.to_numpy(), b.equity.to_numpy())

    def test_long_short_tilt(self, prices: pd.DataFrame) -> None:
        signal = pd.Series(1.0, index=prices.index)
        res = run_backtest(
            "thesis_tilt",
            prices,
            signal=signal,
            params={"tangible": ["A"], "tech": ["B"], "mode": "long_short"},
        )
        expected = backtest(
            prices,
            thesis_tilt(prices, signal, tangible=["A"], tech=["B"], mode="long_short"),
            allow_short=True,
            max_gross=2.0,
        )
        np.testing.assert_allclose(res.equity.to_numpy(), expected.equity.to_numpy())


class TestErrors:
    def test_unknown_strategy(self, prices: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="strategy must be one of"):
            run_backtest("magic", prices)

    def test_tilt_needs_signal(self, prices: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="needs signal"):
            run_backtest(
                "thesis_tilt", prices, params={"tangible": ["A"], "tech": ["B"]}
            )
