from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rotation.measures import (
    deflated_sharpe_ratio,
    expected_maximum_sharpe,
    probabilistic_sharpe_ratio,
    sharpe_ratio_test,
)


class TestReference:
    def test_paper_numerical_example(self) -> None:
        # Bailey & López de Prado (2014), section 4: annualised SR 2.5 over
        # T=1250 daily obs, N=100 trials with V[SR]=0.5 (annualised), skew -3,
        # kurtosis 10 -> SR0 = 0.1132 per day and DSR = 0.9004 (printed to 4 dp).
        sr0 = expected_maximum_sharpe(100, 0.5 / 250)
        np.testing.assert_allclose(sr0, 0.1132, atol=5e-5)
        dsr = sharpe_ratio_test(
            2.5 / np.sqrt(250),
            n_observations=1250,
            skewness=-3.0,
            kurtosis=10.0,
            benchmark_sharpe=sr0,
        )
        np.testing.assert_allclose(dsr, 0.9004, atol=5e-5)

    def test_psr_normal_case_is_t_like(self, daily_returns: pd.Series) -> None:
        r = daily_returns.to_numpy()
        sr = r.mean() / r.std(ddof=1)
        skew = stats.skew(r)
        kurt = stats.kurtosis(r, fisher=False)
        z = sr * np.sqrt(r.size - 1) / np.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
        np.testing.assert_allclose(
            probabilistic_sharpe_ratio(r), stats.norm.cdf(z), rtol=1e-12
        )

    def test_dsr_from_trials(self, daily_returns: pd.Series) -> None:
        trials = np.array([0.01, 0.03, 0.05, 0.02, -0.01])
        expected = probabilistic_sharpe_ratio(
            daily_returns,
            benchmark_sharpe=expected_maximum_sharpe(5, float(np.var(trials, ddof=1))),
        )
        np.testing.assert_allclose(
            deflated_sharpe_ratio(daily_returns, trial_sharpes=trials),
            expected,
            rtol=1e-12,
        )


class TestProperties:
    def test_more_trials_deflate_more(self, daily_returns: pd.Series) -> None:
        few = deflated_sharpe_ratio(daily_returns, n_trials=5, sharpe_variance=1e-3)
        many = deflated_sharpe_ratio(daily_returns, n_trials=5000, sharpe_variance=1e-3)
        assert many < few
        assert 0.0 <= many <= 1.0


class TestErrors:
    def test_missing_trials(self, daily_returns: pd.Series) -> None:
        with pytest.raises(ValueError, match="n_trials"):
            deflated_sharpe_ratio(daily_returns)

    def test_one_trial(self) -> None:
        with pytest.raises(ValueError, match="n_trials must be at least 2"):
            expected_maximum_sharpe(1, 0.1)
