from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import backtest, buy_and_hold, equal_weight, thesis_tilt


@pytest.fixture(scope="module")
def signal(prices: pd.DataFrame) -> pd.Series:
    rng = np.random.default_rng(11)
    level = pd.Series(np.cumsum(rng.normal(0, 0.1, len(prices))), index=prices.index)
    return (1 / (1 + np.exp(-level))).rename("health")


class TestReference:
    def test_tilt_underweight_weights(
        self, prices: pd.DataFrame, signal: pd.Series
    ) -> None:
        out = thesis_tilt(prices, signal, tangible=["A", "B"], tech=["C"], tilt=0.5)
        decided = out.dropna(how="all")
        on = signal.reindex(decided.index) >= 0.5
        np.testing.assert_allclose(decided.loc[on, "A"], 0.375)
        np.testing.assert_allclose(decided.loc[on, "C"], 0.25)
        np.testing.assert_allclose(decided.loc[~on, "A"], 0.25)
        np.testing.assert_allclose(decided.loc[~on, "C"], 0.5)

    def test_tilt_long_short_is_flat_when_off(
        self, prices: pd.DataFrame, signal: pd.Series
    ) -> None:
        out = thesis_tilt(prices, signal, tangible=["A"], tech=["C"], mode="long_short")
        decided = out.dropna(how="all")
        on = signal.reindex(decided.index) >= 0.5
        np.testing.assert_allclose(
            decided.loc[on, ["A", "C"]].to_numpy(), [[1.0, -1.0]] * on.sum()
        )
        np.testing.assert_allclose(decided.loc[~on].to_numpy(), 0.0)
        res = backtest(prices, out, allow_short=True, max_gross=2.0)
        assert np.isfinite(res.equity).all()

    def test_tilt_decides_on_flip(self, prices: pd.DataFrame) -> None:
        sig = pd.Series(0.0, index=prices.index)
        sig.iloc[103:] = 1.0  # a Wednesday-like mid-week flip
        out = thesis_tilt(
            prices, sig, tangible=["A"], tech=["B"], rebalance="month_end"
        )
        assert out.iloc[103].notna().all()

    def test_equal_weight_skips_unlisted(self, prices: pd.DataFrame) -> None:
        out = equal_weight(prices)
        np.testing.assert_allclose(out.iloc[0].to_numpy(), [0.2] * 4 + [0.0] + [0.2])
        late = out.dropna(how="all").iloc[-1]
        np.testing.assert_allclose(late.to_numpy(), 1 / 6)

    def test_buy_and_hold_waits_for_prices(self, prices: pd.DataFrame) -> None:
        out = buy_and_hold(prices, weights={"A": 0.5, "E": 0.5})
        decided = out.dropna(how="all")
        assert len(decided) == 1 and decided.index[0] == prices.index[250]


class TestNoLookAhead:
    @pytest.mark.parametrize("mode", ["underweight", "long_short"])
    def test_tilt(self, prices: pd.DataFrame, signal: pd.Series, mode: str) -> None:
        base = thesis_tilt(prices, signal, tangible=["A", "B"], tech=["C"], mode=mode)  # type: ignore[arg-type]
        t = 400
        sig2 = signal.copy()
        sig2.iloc[t + 1 :] = 1 - sig2.iloc[t + 1 :]
        px2 = prices.copy()
        px2.iloc[t + 1 :] *= 3.0
        changed = thesis_tilt(px2, sig2, tangible=["A", "B"], tech=["C"], mode=mode)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(changed.iloc[: t + 1], base.iloc[: t + 1])

    def test_benchmarks(self, prices: pd.DataFrame) -> None:
        t = 350
        px2 = prices.copy()
        px2.iloc[t + 1 :] *= 0.5
        for f in (equal_weight, buy_and_hold):
            pd.testing.assert_frame_equal(f(px2).iloc[: t + 1], f(prices).iloc[: t + 1])


class TestErrors:
    def test_tilt_missing_column(self, prices: pd.DataFrame, signal: pd.Series) -> None:
        with pytest.raises(ValueError, match="missing"):
            thesis_tilt(prices, signal, tangible=["A"], tech=["XLK"])

    def test_tilt_bad_mode(self, prices: pd.DataFrame, signal: pd.Series) -> None:
        with pytest.raises(ValueError, match="mode must be"):
            thesis_tilt(prices, signal, tangible=["A"], tech=["B"], mode="short")  # type: ignore[arg-type]

    def test_buy_and_hold_unknown(self, prices: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="missing"):
            buy_and_hold(prices, weights=["SPY"])
