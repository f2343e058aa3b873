from __future__ import annotations

import empyrical
import numpy as np
import pandas as pd
import pytest
import quantstats as qs

from rotation.measures import alpha, beta, information_ratio

RTOL = 1e-9  # same formulas as empyrical/quantstats, different reduction order


class TestReference:
    def test_alpha_beta_vs_empyrical(
        self, daily_returns: pd.Series, benchmark_returns: pd.Series
    ) -> None:
        exp_alpha, exp_beta = empyrical.alpha_beta(
            daily_returns, benchmark_returns, risk_free=0.0001
        )
        np.testing.assert_allclose(
            beta(daily_returns, benchmark_returns),
            empyrical.beta(daily_returns, benchmark_returns),
            rtol=RTOL,
        )
        np.testing.assert_allclose(
            alpha(daily_returns, benchmark_returns, risk_free=0.0001),
            exp_alpha,
            rtol=RTOL,
        )

    def test_information_ratio_vs_quantstats(
        self, daily_returns: pd.Series, benchmark_returns: pd.Series
    ) -> None:
        # quantstats' IR is per period; ours is annualised by sqrt(252).
        expected = qs.stats.information_ratio(daily_returns, benchmark_returns)
        np.testing.assert_allclose(
            information_ratio(daily_returns, benchmark_returns),
            expected * np.sqrt(252),
            rtol=RTOL,
        )

    def test_beta_of_itself_is_one(self, daily_returns: pd.Series) -> None:
        np.testing.assert_allclose(beta(daily_returns, daily_returns), 1.0, rtol=1e-12)

    def test_frame_input(
        self, daily_returns: pd.Series, benchmark_returns: pd.Series
    ) -> None:
        frame = pd.DataFrame({"a": daily_returns, "b": 2 * daily_returns})
        out = beta(frame, benchmark_returns)
        np.testing.assert_allclose(out["b"], 2 * out["a"], rtol=1e-12)


class TestErrors:
    def test_length_mismatch(self) -> None:
        with pytest.raises(ValueError, match="benchmark must be 1-D"):
            beta(np.zeros(5), np.zeros(4))
