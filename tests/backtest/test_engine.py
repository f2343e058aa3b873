from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.backtest import backtest, buy_and_hold, relative_momentum
from rotation.backtest._kernels import _simulate, _simulate_py


def _small_prices() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    index = pd.bdate_range("2020-01-01", periods=300)
    steps = rng.normal(0.0003, 0.012, size=(300, 4))
    return pd.DataFrame(
        100 * np.exp(np.cumsum(steps, axis=0)), index=index, columns=list("ABCD")
    )


class TestReference:
    def test_hand_example(self) -> None:
        # Decide 100% A at the close of day 0; trade at the close of day 1;
        # A's move from day 0 to day 1 is therefore not earned.
        index = pd.bdate_range("2024-01-01", periods=4)
        prices = pd.DataFrame({"A": [100.0, 110.0, 121.0, 108.9]}, index=index)
        targets = pd.DataFrame({"A": [1.0, np.nan, np.nan, np.nan]}, index=index)
        res = backtest(prices, targets, cost_bps=10)
        fee = 1.0 * 10 / 1e4
        expected = [1.0, 1.0 - fee, (1.0 - fee) * 1.1, (1.0 - fee) * 1.1 * 0.9]
        np.testing.assert_allclose(res.equity.to_numpy(), expected, rtol=1e-14)
        np.testing.assert_allclose(res.costs.sum(), fee, rtol=1e-14)
        np.testing.assert_allclose(res.trades["A"].iloc[0], 1.0, rtol=1e-14)

    def test_vs_slow_share_loop(
        self, prices: pd.DataFrame, cash: pd.Series, slow
    ) -> None:
        targets = relative_momentum(prices, lookback=40, top_k=2, skip=5)
        res = backtest(prices, targets, cost_bps=25, cash_returns=cash)
        expected = slow(prices, targets, cost_bps=25, cash=cash)
        np.testing.assert_allclose(
            res.equity.to_numpy(), expected.to_numpy(), rtol=1e-10
        )

    def test_partial_investment_earns_cash(self, prices: pd.DataFrame, slow) -> None:
        targets = pd.DataFrame(np.nan, index=prices.index, columns=prices.columns)
        targets.iloc[0] = [0.3, 0.2, 0.0, 0.0, 0.0, 0.0]
        cash = pd.Series(0.0001, index=prices.index)
        res = backtest(prices, targets, cost_bps=0, cash_returns=cash)
        expected = slow(prices, targets, cost_bps=0, cash=cash)
        np.testing.assert_allclose(
            res.equity.to_numpy(), expected.to_numpy(), rtol=1e-10
        )

    def test_long_short_spread(self, prices: pd.DataFrame, slow) -> None:
        targets = pd.DataFrame(np.nan, index=prices.index, columns=prices.columns)
        targets.iloc[[0, 100, 300]] = [[1.0, -1.0, 0, 0, 0, 0]] * 3
        res = backtest(prices, targets, cost_bps=5, allow_short=True, max_gross=2.0)
        expected = slow(prices, targets, cost_bps=5)
        np.testing.assert_allclose(
            res.equity.to_numpy(), expected.to_numpy(), rtol=1e-10
        )

    def test_numba_matches_python(self, prices: pd.DataFrame) -> None:
        rng = np.random.default_rng(1)
        r = rng.normal(0, 0.01, (200, 4))
        c = np.full(200, 1e-4)
        targets = rng.dirichlet(np.ones(4), 200) * 0.9
        decide = rng.random(200) < 0.2
        for a, b in zip(
            _simulate(r, c, targets, decide, 0.001),
            _simulate_py(r, c, targets, decide, 0.001),
            strict=True,
        ):
            np.testing.assert_allclose(a, b, rtol=1e-12)

    def test_slippage_adds_to_costs(self, prices: pd.DataFrame) -> None:
        targets = relative_momentum(prices, lookback=40, top_k=2)
        a = backtest(prices, targets, cost_bps=10, slippage_bps=5)
        b = backtest(prices, targets, cost_bps=15)
        np.testing.assert_allclose(a.equity.to_numpy(), b.equity.to_numpy(), rtol=1e-14)

    def test_gap_is_valued_at_last_close(self, prices: pd.DataFrame, slow) -> None:
        # 'F' has no price on rows 400-402: a decision there trades at the
        # carried close, as the docstring says.
        targets = pd.DataFrame(np.nan, index=prices.index, columns=prices.columns)
        targets.iloc[0] = [0, 0, 0, 0, 0, 1.0]
        targets.iloc[400] = [0.5, 0, 0, 0, 0, 0.5]
        res = backtest(prices, targets, cost_bps=10)
        expected = slow(prices, targets, cost_bps=10)
        np.testing.assert_allclose(
            res.equity.to_numpy(), expected.to_numpy(), rtol=1e-10
        )


class TestProperties:
    def test_result_is_immutable(self, prices: pd.DataFrame) -> None:
        res = backtest(prices, buy_and_hold(prices, weights=["A"]))
        with pytest.raises(AttributeError):
            res.name = "x"  # type: ignore[misc]

    def test_buy_and_hold_tracks_asset(self, prices: pd.DataFrame) -> None:
        res = backtest(prices, buy_and_hold(prices, weights=["A"]), cost_bps=0)
        asset = prices["A"] / prices["A"].iloc[1]
        np.testing.assert_allclose(
            res.equity.iloc[1:].to_numpy(), asset.iloc[1:].to_numpy(), rtol=1e-12
        )

    @settings(deadline=None, max_examples=10)
    @given(st.floats(0.0, 50.0), st.floats(0.1, 50.0))
    def test_costs_monotone(self, low: float, extra: float) -> None:
        px = _small_prices()
        targets = relative_momentum(px, lookback=20, top_k=2)
        cheap = backtest(px, targets, cost_bps=low)
        dear = backtest(px, targets, cost_bps=low + extra)
        assert dear.equity.iloc[-1] < cheap.equity.iloc[-1]

    def test_summary_fields(self, prices: pd.DataFrame, cash: pd.Series) -> None:
        res = backtest(
            prices, relative_momentum(prices, lookback=40), cash_returns=cash
        )
        bench = backtest(prices, buy_and_hold(prices, weights=["A"]), cash_returns=cash)
        summary = res.summary(bench)
        for key in ("cagr", "sharpe", "max_drawdown", "drawdown_trough", "beta"):
            assert key in summary.index
        np.testing.assert_allclose(
            res.turnover.sum() * res.periods_per_year / len(res.returns),
            res.metrics["turnover"],
            rtol=1e-12,
        )


class TestNoLookAhead:
    def test_decision_is_traded_next_close(self, prices: pd.DataFrame) -> None:
        # A target decided at t cannot change the return earned over (t, t+1].
        base = relative_momentum(prices, lookback=40, top_k=2)
        t = 300
        changed = base.copy()
        changed.iloc[t] = [0, 0, 0, 1.0, 0, 0]
        a = backtest(prices, base, cost_bps=0)
        b = backtest(prices, changed, cost_bps=0)
        np.testing.assert_allclose(
            a.equity.iloc[: t + 2].to_numpy(), b.equity.iloc[: t + 2].to_numpy()
        )
        assert not np.allclose(a.equity.iloc[t + 2 :], b.equity.iloc[t + 2 :])

    def test_future_prices_do_not_change_past(self, prices: pd.DataFrame) -> None:
        targets = relative_momentum(prices, lookback=40, top_k=2)
        t = 450
        shocked = prices.copy()
        shocked.iloc[t + 1 :] *= 1.5
        a = backtest(prices, targets)
        b = backtest(shocked, targets)
        np.testing.assert_allclose(
            a.equity.iloc[: t + 1].to_numpy(), b.equity.iloc[: t + 1].to_numpy()
        )

    def test_prefix_invariance(self, prices: pd.DataFrame) -> None:
        targets = relative_momentum(prices, lookback=40, top_k=2)
        full = backtest(prices, targets)
        for t in (260, 401, 650):
            part = backtest(prices.iloc[:t], targets.iloc[:t])
            np.testing.assert_allclose(
                part.equity.to_numpy(), full.equity.iloc[:t].to_numpy(), rtol=1e-13
            )


class TestErrors:
    def test_short_refused_by_default(self, prices: pd.DataFrame) -> None:
        targets = pd.DataFrame({"A": [-0.5]}, index=prices.index[:1])
        with pytest.raises(ValueError, match="allow_short=True"):
            backtest(prices, targets)

    def test_leverage_refused(self, prices: pd.DataFrame) -> None:
        targets = pd.DataFrame({"A": [0.8], "B": [0.8]}, index=prices.index[:1])
        with pytest.raises(ValueError, match="max_gross"):
            backtest(prices, targets)

    def test_weight_before_listing(self, prices: pd.DataFrame) -> None:
        targets = pd.DataFrame({"E": [1.0]}, index=prices.index[:1])
        with pytest.raises(ValueError, match="'E'.*before its first price"):
            backtest(prices, targets)

    def test_unknown_column(self, prices: pd.DataFrame) -> None:
        targets = pd.DataFrame({"ZZZ": [1.0]}, index=prices.index[:1])
        with pytest.raises(ValueError, match="not in prices"):
            backtest(prices, targets)

    def test_negative_cost(self, prices: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="cost_bps must be >= 0"):
            backtest(prices, relative_momentum(prices), cost_bps=-1)

    def test_date_not_a_session(self, prices: pd.DataFrame) -> None:
        targets = pd.DataFrame({"A": [1.0]}, index=[pd.Timestamp("2015-01-03")])
        with pytest.raises(ValueError, match="not sessions"):
            backtest(prices, targets)
