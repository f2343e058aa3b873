from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.indicators import (
    distance_from_moving_average,
    drawdown_from_high,
    momentum,
    moving_average_slope,
    rolling_zscore,
)
from rotation.indicators._kernels import _rolling_zscore, _rolling_zscore_py

COPPER = ["HG=F", "CPER", "COPX"]


@pytest.fixture(scope="module")
def copper(market) -> pd.DataFrame:
    # rows where one of them trades; the futures end 2025-08
    return market.prices[COPPER].loc["2018":].dropna(how="all").astype(float)


def _loop_ma(x: np.ndarray, window: int) -> np.ndarray:
    out = np.full(len(x), np.nan)
    for t in range(window - 1, len(x)):
        out[t] = np.mean(x[t - window + 1 : t + 1])  # NaN if any NaN inside
    return out


class TestReference:
    def test_momentum_vs_direct_arithmetic(self, copper):
        series = copper["HG=F"].dropna()
        x = series.to_numpy()
        window, skip = 63, 5
        expected = np.full(len(x), np.nan)
        for t in range(window + skip, len(x)):
            expected[t] = x[t - skip] / x[t - skip - window] - 1.0
        out = momentum(series, window, skip=skip)
        np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-14, atol=0)

    def test_moving_average_slope_and_distance_vs_loop(self, copper):
        series = copper["CPER"].dropna()
        x = series.to_numpy()
        ma = _loop_ma(x, 50)
        slope = np.full(len(x), np.nan)
        slope[21:] = ma[21:] / ma[:-21] - 1.0
        # pandas' rolling mean (Kahan-compensated online sum) vs np.mean per window
        np.testing.assert_allclose(
            moving_average_slope(series, 50, slope_window=21).to_numpy(),
            slope,
            rtol=1e-10,
            atol=1e-13,
        )
        np.testing.assert_allclose(
            distance_from_moving_average(series, 50).to_numpy(),
            x / ma - 1.0,
            rtol=1e-10,
            atol=1e-13,
        )

    def test_rolling_zscore_vs_pandas(self, copper):
        window = 63
        both = copper[["CPER", "COPX"]].dropna()
        roll = both.rolling(window, min_periods=window)
        expected = (both - roll.mean()) / roll.std()
        # different summation schemes (pandas online vs shifted sums): loose-ish
        np.testing.assert_allclose(
            rolling_zscore(both, window).to_numpy(),
            expected.to_numpy(),
            rtol=1e-8,
            atol=1e-9,
        )

    def test_rolling_zscore_vs_numpy_loop(self, market):
        x = market.prices["XLK"].dropna().to_numpy(dtype=float)
        window = 21
        expected = np.full(len(x), np.nan)
        for t in range(window - 1, len(x)):
            block = x[t - window + 1 : t + 1]
            expected[t] = (x[t] - block.mean()) / block.std(ddof=1)
        out = rolling_zscore(market.prices["XLK"].dropna(), window)
        np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-9, atol=1e-9)

    def test_drawdown_vs_loop(self, copper):
        series = copper["HG=F"].dropna()
        x = series.to_numpy()
        expected = np.full(len(x), np.nan)
        expected_w = np.full(len(x), np.nan)
        for t in range(len(x)):
            if np.isnan(x[t]):
                continue
            expected[t] = x[t] / np.nanmax(x[: t + 1]) - 1.0
            expected_w[t] = x[t] / np.nanmax(x[max(0, t - 251) : t + 1]) - 1.0
        np.testing.assert_allclose(
            drawdown_from_high(series).to_numpy(), expected, rtol=1e-14
        )
        np.testing.assert_allclose(
            drawdown_from_high(series, 252).to_numpy(), expected_w, rtol=1e-14
        )

    def test_copper_tariff_drop(self, market):
        # PROVENANCE.md: HG=F ~4.35 on 2025-07-31 after the tariff news (a close
        # of 4.33 after the all-time closing high of 5.795 on 2025-07-23)
        hg = market.prices["HG=F"].loc["2018":]
        np.testing.assert_allclose(float(hg.loc["2025-07-31"]), 4.35, atol=0.05)
        dd = drawdown_from_high(hg)
        np.testing.assert_allclose(dd.loc["2025-07-23"], 0.0, atol=0)
        np.testing.assert_allclose(
            dd.loc["2025-07-31"], 4.3305 / 5.795 - 1.0, rtol=1e-6
        )
        assert dd.loc["2025-07-31"] < -0.2

    @pytest.mark.parametrize(
        "fn",
        [
            lambda p: momentum(p, 21, skip=3),
            lambda p: moving_average_slope(p, 20),
            lambda p: distance_from_moving_average(p, 50),
            lambda p: rolling_zscore(p, 63),
            lambda p: drawdown_from_high(p, 100),
        ],
    )
    def test_each_column_uses_its_own_observations(self, fn, copper):
        out = fn(copper)
        for column in copper.columns:
            own = copper[column].dropna()
            expected = fn(own).reindex(copper.index)
            np.testing.assert_allclose(
                out[column].to_numpy(), expected.to_numpy(), rtol=0, atol=0
            )

    def test_holiday_rows_do_not_break_windows(self):
        idx = pd.bdate_range("2024-01-01", periods=6)
        prices = pd.DataFrame({"A": [1.0, 2.0, np.nan, 3.0, 4.0, 5.0]}, index=idx)
        out = momentum(prices, 2)
        assert np.isnan(out.iloc[2, 0])
        np.testing.assert_allclose(
            out["A"].iloc[[3, 4, 5]].to_numpy(), [2.0, 1.0, 2 / 3], rtol=1e-14
        )


class TestProperties:
    @settings(deadline=None, max_examples=30)
    @given(seed=st.integers(0, 10_000), window=st.integers(2, 40))
    def test_numba_kernel_equals_python_kernel(self, seed, window):
        rng = np.random.default_rng(seed)
        values = 100 + np.cumsum(rng.normal(size=(200, 3)), axis=0)
        values[rng.random(values.shape) < 0.02] = np.nan
        np.testing.assert_allclose(
            _rolling_zscore(values, window),
            _rolling_zscore_py(values, window),
            rtol=0,
            atol=1e-12,
        )

    @settings(deadline=None, max_examples=30)
    @given(
        seed=st.integers(0, 10_000),
        scale=st.floats(1e-3, 1e3),
        shift=st.floats(-1e3, 1e3),
    )
    def test_zscore_shift_and_scale_invariance(self, seed, scale, shift):
        rng = np.random.default_rng(seed)
        x = pd.Series(np.cumsum(rng.normal(size=150)))
        np.testing.assert_allclose(
            rolling_zscore(x * scale + shift, 20).to_numpy(),
            rolling_zscore(x, 20).to_numpy(),
            rtol=1e-7,
            atol=1e-7,
        )

    @settings(deadline=None, max_examples=30)
    @given(seed=st.integers(0, 10_000), window=st.one_of(st.none(), st.integers(1, 60)))
    def test_drawdown_bounds(self, seed, window, make_prices):
        dd = drawdown_from_high(make_prices(200, 3, seed=seed), window)
        finite = dd.to_numpy()[~np.isnan(dd.to_numpy())]
        assert np.all(finite <= 0.0) and np.all(finite >= -1.0)

    def test_frame_and_series_agree(self, make_prices):
        prices = make_prices(120, 3)
        for fn in (
            lambda p: momentum(p, 10, skip=2),
            lambda p: moving_average_slope(p, 10, slope_window=5),
            lambda p: distance_from_moving_average(p, 10),
            lambda p: rolling_zscore(p, 10),
            lambda p: drawdown_from_high(p, 30),
        ):
            np.testing.assert_allclose(
                fn(prices["S2"]).to_numpy(), fn(prices)["S2"].to_numpy(), rtol=0, atol=0
            )

    def test_constant_window_zscore_is_nan(self):
        out = rolling_zscore(pd.Series([5.0] * 10 + [6.0]), 5)
        assert out.iloc[4:10].isna().all()
        assert out.iloc[10] > 0


class TestNoLookAhead:
    @pytest.mark.parametrize(
        "fn",
        [
            lambda p: momentum(p, 63),
            lambda p: momentum(p, 126, skip=21),
            lambda p: moving_average_slope(p, 50),
            lambda p: distance_from_moving_average(p, 200),
            lambda p: rolling_zscore(p, 63),
            lambda p: drawdown_from_high(p),
            lambda p: drawdown_from_high(p, 252),
        ],
        ids=["mom", "mom_skip", "ma_slope", "ma_dist", "zscore", "dd", "dd_252"],
    )
    def test_prefix_and_perturb(self, fn, copper, lookahead):
        cuts = [30, 300, 1000, len(copper) - 2]
        lookahead.prefix(fn, copper, cuts)
        lookahead.perturb(fn, copper, cuts)


class TestErrors:
    def test_zscore_window(self):
        with pytest.raises(
            ValueError, match=r"window must be >= 2 observations \(got 1\)"
        ):
            rolling_zscore(pd.Series([1.0, 2.0]), 1)

    def test_skip_negative(self):
        with pytest.raises(
            ValueError, match=r"skip must be >= 0 observations \(got -1\)"
        ):
            momentum(pd.Series([1.0, 2.0]), 1, skip=-1)

    def test_window_type(self):
        with pytest.raises(TypeError, match=r"window must be an integer.*got 2.5"):
            moving_average_slope(pd.Series([1.0, 2.0]), 2.5)
