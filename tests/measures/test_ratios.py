from __future__ import annotations

import empyrical
import numpy as np
import pandas as pd
import pytest
import quantstats as qs
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rotation.measures import (
    annual_volatility,
    cagr,
    hit_rate,
    sharpe_ratio,
    sortino_ratio,
    total_return,
)

# Tolerances: empyrical and quantstats compute the same formulas in float64 with
# pandas/numpy reductions in a different order, so agreement is to ~1e-12; 1e-9
# leaves room for summation order without hiding a convention difference.
RTOL = 1e-9


class TestReference:
    def test_cagr_vs_empyrical_and_quantstats(self, daily_returns: pd.Series) -> None:
        ours = cagr(daily_returns, periods_per_year=252)
        np.testing.assert_allclose(
            ours, empyrical.annual_return(daily_returns, period="daily"), rtol=RTOL
        )
        np.testing.assert_allclose(ours, qs.stats.cagr(daily_returns), rtol=RTOL)

    def test_volatility_vs_empyrical(self, daily_returns: pd.Series) -> None:
        np.testing.assert_allclose(
            annual_volatility(daily_returns),
            empyrical.annual_volatility(daily_returns),
            rtol=RTOL,
        )
        np.testing.assert_allclose(
            annual_volatility(daily_returns),
            qs.stats.volatility(daily_returns),
            rtol=RTOL,
        )

    def test_sharpe_vs_empyrical_and_quantstats(self, daily_returns: pd.Series) -> None:
        np.testing.assert_allclose(
            sharpe_ratio(daily_returns),
            empyrical.sharpe_ratio(daily_returns),
            rtol=RTOL,
        )
        np.testing.assert_allclose(
            sharpe_ratio(daily_returns), qs.stats.sharpe(daily_returns), rtol=RTOL
        )

    def test_sharpe_with_constant_risk_free(self, daily_returns: pd.Series) -> None:
        # empyrical takes the per-period rate as risk_free, like we do.
        rf = 0.0001
        np.testing.assert_allclose(
            sharpe_ratio(daily_returns, risk_free=rf),
            empyrical.sharpe_ratio(daily_returns, risk_free=rf),
            rtol=RTOL,
        )

    def test_sharpe_with_series_risk_free_is_excess(
        self, daily_returns: pd.Series
    ) -> None:
        rf = pd.Series(
            np.linspace(0.0, 0.0002, daily_returns.size), index=daily_returns.index
        )
        excess = daily_returns - rf
        expected = excess.mean() / excess.std(ddof=1) * np.sqrt(252)
        np.testing.assert_allclose(
            sharpe_ratio(daily_returns, risk_free=rf), expected, rtol=1e-12
        )

    def test_sortino_vs_empyrical_and_quantstats(
        self, daily_returns: pd.Series
    ) -> None:
        np.testing.assert_allclose(
            sortino_ratio(daily_returns),
            empyrical.sortino_ratio(daily_returns),
            rtol=RTOL,
        )
        np.testing.assert_allclose(
            sortino_ratio(daily_returns), qs.stats.sortino(daily_returns), rtol=RTOL
        )

    def test_hit_rate_vs_quantstats(self, daily_returns: pd.Series) -> None:
        r = daily_returns.copy()
        r.iloc[::7] = 0.0
        np.testing.assert_allclose(hit_rate(r), qs.stats.win_rate(r), rtol=RTOL)

    def test_monthly_data_uses_twelve(self, daily_returns: pd.Series) -> None:
        monthly = (1 + daily_returns).resample("ME").prod() - 1
        np.testing.assert_allclose(
            sharpe_ratio(monthly),
            empyrical.sharpe_ratio(monthly, period="monthly"),
            rtol=RTOL,
        )
        np.testing.assert_allclose(
            cagr(monthly), empyrical.annual_return(monthly, period="monthly"), rtol=RTOL
        )

    def test_weekly_data_uses_fifty_two(self, daily_returns: pd.Series) -> None:
        weekly = (1 + daily_returns).resample("W-FRI").prod() - 1
        np.testing.assert_allclose(
            annual_volatility(weekly),
            empyrical.annual_volatility(weekly, period="weekly"),
            rtol=RTOL,
        )

    def test_hand_computed_total_return(self) -> None:
        r = pd.Series([0.1, -0.5, 0.2])
        np.testing.assert_allclose(total_return(r), 1.1 * 0.5 * 1.2 - 1, rtol=1e-15)


class TestProperties:
    @settings(deadline=None, max_examples=30)
    @given(
        arrays(np.float64, 50, elements=st.floats(-0.05, 0.05)),
        st.floats(0.1, 10.0),
    )
    def test_sharpe_scale_invariant(self, r: np.ndarray, scale: float) -> None:
        if np.std(r) < 1e-6:
            return
        np.testing.assert_allclose(
            sharpe_ratio(r * scale, periods_per_year=252),
            sharpe_ratio(r, periods_per_year=252),
            rtol=1e-8,
        )

    def test_frame_equals_columns(self, daily_returns: pd.Series) -> None:
        frame = pd.DataFrame({"a": daily_returns, "b": daily_returns * 0.5 + 0.0001})
        out = sortino_ratio(frame)
        assert isinstance(out, pd.Series)
        for column in frame:
            np.testing.assert_allclose(
                out[column], sortino_ratio(frame[column]), rtol=1e-12
            )

    def test_numpy_equals_pandas(self, daily_returns: pd.Series) -> None:
        np.testing.assert_allclose(
            cagr(daily_returns.to_numpy(), periods_per_year=252),
            cagr(daily_returns),
            rtol=1e-12,
        )

    def test_nan_skipped_not_zeroed(self, daily_returns: pd.Series) -> None:
        r = daily_returns.copy()
        r.iloc[10] = np.nan
        np.testing.assert_allclose(
            annual_volatility(r), annual_volatility(r.dropna()), rtol=1e-12
        )


class TestErrors:
    def test_no_index_no_periods(self) -> None:
        with pytest.raises(ValueError, match="periods_per_year"):
            sharpe_ratio(np.array([0.01, 0.02, -0.01]))

    def test_negative_periods(self, daily_returns: pd.Series) -> None:
        with pytest.raises(ValueError, match="positive"):
            cagr(daily_returns, periods_per_year=-1)
