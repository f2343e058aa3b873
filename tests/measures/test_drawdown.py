from __future__ import annotations

import empyrical
import numpy as np
import pandas as pd
import quantstats as qs
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rotation.measures import calmar_ratio, drawdown, max_drawdown, max_drawdown_info

RTOL = 1e-9  # same formula in another library; only summation order differs


def _slow_max_drawdown(r: np.ndarray) -> float:
    equity, peak, worst = 1.0, 1.0, 0.0
    for x in r:
        equity *= 1.0 + x
        peak = max(peak, equity)
        worst = min(worst, equity / peak - 1.0)
    return worst


class TestReference:
    def test_vs_empyrical_and_quantstats(self, daily_returns: pd.Series) -> None:
        np.testing.assert_allclose(
            max_drawdown(daily_returns),
            empyrical.max_drawdown(daily_returns),
            rtol=RTOL,
        )
        np.testing.assert_allclose(
            max_drawdown(daily_returns), qs.stats.max_drawdown(daily_returns), rtol=RTOL
        )

    def test_calmar_vs_empyrical(self, daily_returns: pd.Series) -> None:
        np.testing.assert_allclose(
            calmar_ratio(daily_returns),
            empyrical.calmar_ratio(daily_returns),
            rtol=RTOL,
        )

    def test_first_day_loss_counts(self) -> None:
        # quantstats' convention (phantom baseline of 1); empyrical would say -0.1.
        r = pd.Series([-0.2, 0.1, -0.1], index=pd.bdate_range("2020-01-01", periods=3))
        np.testing.assert_allclose(max_drawdown(r), _slow_max_drawdown(r.to_numpy()))
        np.testing.assert_allclose(max_drawdown(r), qs.stats.max_drawdown(r), rtol=RTOL)

    def test_dates_hand_example(self) -> None:
        index = pd.bdate_range("2020-01-01", periods=6)
        r = pd.Series([0.10, -0.05, -0.10, 0.05, 0.20, 0.01], index=index)
        info = max_drawdown_info(r)
        np.testing.assert_allclose(info.depth, 0.95 * 0.90 - 1.0, rtol=1e-12)
        assert info.peak == index[0]
        assert info.trough == index[2]
        assert info.recovery == index[4]  # 1.1*.95*.9*1.05*1.2 = 1.185 >= 1.1

    def test_drawdown_path_matches_loop(self, daily_returns: pd.Series) -> None:
        path = drawdown(daily_returns)
        np.testing.assert_allclose(
            path.min(), _slow_max_drawdown(daily_returns.to_numpy()), rtol=1e-12
        )


class TestProperties:
    @settings(deadline=None, max_examples=40)
    @given(arrays(np.float64, st.integers(1, 60), elements=st.floats(-0.5, 0.5)))
    def test_bounds_and_loop(self, r: np.ndarray) -> None:
        mdd = max_drawdown(r)
        assert -1.0 <= mdd <= 0.0
        np.testing.assert_allclose(mdd, _slow_max_drawdown(r), rtol=1e-10, atol=1e-14)


class TestNoLookAhead:
    def test_drawdown_path_prefix_invariance(self, daily_returns: pd.Series) -> None:
        full = drawdown(daily_returns)
        for t in (1, 10, 500, 1499):
            pd.testing.assert_series_equal(
                drawdown(daily_returns.iloc[:t]), full.iloc[:t]
            )
