from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import (
    dual_momentum,
    momentum_scores,
    rebalance_mask,
    relative_momentum,
)


def _slow_top_k(prices: pd.DataFrame, lookback: int, top_k: int, skip: int):
    """Row-by-row selection written from the docstring, with Python sorting."""
    px = prices.ffill()
    mask = rebalance_mask(pd.DatetimeIndex(prices.index), "month_end")
    out = pd.DataFrame(np.nan, index=prices.index, columns=prices.columns)
    for t in np.flatnonzero(mask):
        if t - skip - lookback < 0:
            out.iloc[t] = 0.0
            continue
        scores = {}
        for j, name in enumerate(prices.columns):
            a, b = px.iloc[t - skip - lookback, j], px.iloc[t - skip, j]
            if not (np.isnan(a) or np.isnan(b)):
                scores[name] = b / a - 1
        ranked = sorted(
            scores, key=lambda n: (-scores[n], list(prices.columns).index(n))
        )
        chosen = ranked[: min(top_k, len(ranked))]
        out.iloc[t] = 0.0
        for name in chosen:
            out.loc[out.index[t], name] = 1.0 / len(chosen)
    return out


class TestReference:
    @pytest.mark.parametrize(
        ("lookback", "top_k", "skip"), [(20, 1, 0), (60, 3, 5), (120, 6, 21)]
    )
    def test_vs_slow_loop(
        self, prices: pd.DataFrame, lookback: int, top_k: int, skip: int
    ) -> None:
        ours = relative_momentum(prices, lookback=lookback, top_k=top_k, skip=skip)
        expected = _slow_top_k(prices, lookback, top_k, skip)
        pd.testing.assert_frame_equal(ours, expected, rtol=1e-12)

    def test_scores_hand_example(self) -> None:
        index = pd.bdate_range("2024-01-01", periods=5)
        px = pd.DataFrame({"A": [100.0, 101, 102, 103, 104]}, index=index)
        out = momentum_scores(px, lookback=2, skip=1)["A"]
        np.testing.assert_allclose(out.iloc[3], 102 / 100 - 1)
        np.testing.assert_allclose(out.iloc[4], 103 / 101 - 1)
        assert out.iloc[:3].isna().all()

    def test_late_listing_needs_full_lookback(self, prices: pd.DataFrame) -> None:
        targets = relative_momentum(prices, lookback=60, top_k=6)
        decided = targets.dropna(how="all")
        first_full = prices.index[250 + 60]
        assert (decided.loc[: first_full - pd.Timedelta(days=1), "E"] == 0).all()
        assert (decided.loc[first_full + pd.Timedelta(days=31) :, "E"] > 0).any()

    def test_dual_momentum_goes_safe_when_all_fall(self) -> None:
        index = pd.bdate_range("2020-01-01", periods=300)
        falling = np.linspace(100, 60, 300)
        px = pd.DataFrame({"A": falling, "B": falling * 1.1, "S": 50.0}, index=index)
        out = dual_momentum(px, risky=["A", "B"], safe="S", lookback=60)
        decided = out.dropna(how="all").iloc[4:]
        np.testing.assert_allclose(decided["S"].to_numpy(), 1.0)
        np.testing.assert_allclose(decided[["A", "B"]].to_numpy(), 0.0)

    def test_dual_momentum_cash_hurdle(self) -> None:
        index = pd.bdate_range("2020-01-01", periods=300)
        rising = 100 * 1.0001 ** np.arange(300)  # ~2.5% a year
        px = pd.DataFrame({"A": rising}, index=index)
        low = dual_momentum(px, risky=["A"], lookback=60)
        high = dual_momentum(
            px, risky=["A"], lookback=60, cash_returns=pd.Series(0.0002, index=index)
        )
        assert (low.dropna(how="all")["A"].iloc[4:] == 1.0).all()
        assert (high.dropna(how="all")["A"].iloc[4:] == 0.0).all()


class TestNoLookAhead:
    @pytest.mark.parametrize("strategy", ["relative", "dual"])
    def test_future_changes_leave_past_weights(
        self, prices: pd.DataFrame, strategy: str
    ) -> None:
        def run(px: pd.DataFrame) -> pd.DataFrame:
            if strategy == "relative":
                return relative_momentum(px, lookback=40, top_k=2, skip=5)
            return dual_momentum(px, risky=["A", "B", "C", "D"], safe="F", lookback=40)

        base = run(prices)
        for t in (300, 455, 600):
            shocked = prices.copy()
            shocked.iloc[t + 1 :] = shocked.iloc[t + 1 :] * np.linspace(0.5, 2.0, 6)
            pd.testing.assert_frame_equal(
                run(shocked).iloc[: t + 1], base.iloc[: t + 1]
            )
            # prefix invariance (a truncated history decides the same)
            pd.testing.assert_frame_equal(run(prices.iloc[: t + 1]), base.iloc[: t + 1])


class TestErrors:
    def test_bad_lookback(self, prices: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="lookback must be a positive"):
            relative_momentum(prices, lookback=0)

    def test_bad_top_k(self, prices: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="top_k must be"):
            relative_momentum(prices, top_k=0)

    def test_dual_unknown_asset(self, prices: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="missing"):
            dual_momentum(prices, risky=["A", "ZZ"])
