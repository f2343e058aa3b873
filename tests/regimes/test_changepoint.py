from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rotation.regimes import ChangePointResult, OnlineChangePoints, bocpd, cusum
from rotation.regimes._changepoint import (
    _bocpd,
    _bocpd_py,
    _cusum,
    _cusum_py,
    _initial_state,
)


def _series(values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=pd.bdate_range("2010-01-01", periods=len(values)))


def _slow_bocpd(x, hazard, mu0, kappa0, alpha0, beta0, max_run_length):
    """Adams & MacKay with dicts, scipy's Student-t and plain recomputation of
    each run's posterior from its data (no incremental updates)."""
    n = len(x)
    out = np.zeros((n, max_run_length + 1))
    prob = {0: 1.0}
    for t in range(n):
        new = {}
        change = 0.0
        for r, p in prob.items():
            data = x[t - r : t]
            m = len(data)
            kappa = kappa0 + m
            mean = (kappa0 * mu0 + data.sum()) / kappa
            alpha = alpha0 + m / 2
            xbar = data.mean() if m else 0.0
            beta = beta0 + 0.5 * ((data - xbar) ** 2).sum()
            if m:
                beta += kappa0 * m * (xbar - mu0) ** 2 / (2 * kappa)
            scale = np.sqrt(beta * (kappa + 1) / (alpha * kappa))
            pred = stats.t.pdf(x[t], df=2 * alpha, loc=mean, scale=scale)
            if r + 1 <= max_run_length:
                new[r + 1] = p * pred * (1 - hazard)
            change += p * pred * hazard
        new[0] = change
        total = sum(new.values())
        prob = {r: v / total for r, v in new.items()}
        for r, v in prob.items():
            out[t, r] = v
    return out


class TestReference:
    @pytest.mark.parametrize("max_run_length", [15, 200])
    def test_bocpd_matches_slow_implementation(self, max_run_length: int) -> None:
        rng = np.random.default_rng(42)
        x = np.concatenate([rng.normal(0, 1, 60), rng.normal(2.5, 0.5, 60)])
        prior = (0.0, 1.0, 1.0, 1.0)
        state = _initial_state(max_run_length, *prior)
        fast = _bocpd(x, 1 / 50, *prior, max_run_length, *state)[0]
        slow = _slow_bocpd(x, 1 / 50, 0.0, 1.0, 1.0, 1.0, max_run_length)
        # Same formula, different algebra (batch vs incremental posteriors).
        np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-12)

    def test_cusum_matches_loop(self) -> None:
        rng = np.random.default_rng(1)
        returns = _series(
            np.concatenate([rng.normal(0, 0.01, 400), rng.normal(0.01, 0.01, 100)])
        )
        frame = cusum(returns, drift=0.5, threshold=5.0, min_observations=100)
        values = returns.to_numpy()
        up = low = 0.0
        expected_alarm = np.zeros(len(values))
        for t in range(len(values)):
            if t < 100:
                continue
            history = values[:t]
            z = (values[t] - history.mean()) / history.std(ddof=1)
            up = max(0.0, up + z - 0.5)
            low = min(0.0, low + z + 0.5)
            if up > 5.0:
                expected_alarm[t], up, low = 1, 0.0, 0.0
            elif -low > 5.0:
                expected_alarm[t], up, low = -1, 0.0, 0.0
        np.testing.assert_array_equal(frame["alarm"].to_numpy(), expected_alarm)
        assert (frame["alarm"].iloc[400:] == 1).any()
        assert not (frame["alarm"].iloc[:400] == 1).any()


class TestProperties:
    @settings(deadline=None, max_examples=15)
    @given(seed=st.integers(0, 10_000), hazard=st.floats(0.001, 0.2))
    def test_numba_matches_python_and_rows_are_distributions(
        self, seed: int, hazard: float
    ) -> None:
        x = np.random.default_rng(seed).standard_t(4, size=150)
        state = _initial_state(40, 0.0, 1.0, 1.0, 1.0)
        fast = _bocpd(x, hazard, 0.0, 1.0, 1.0, 1.0, 40, *state)[0]
        slow = _bocpd_py(x, hazard, 0.0, 1.0, 1.0, 1.0, 40, *state)[0]
        np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(fast.sum(axis=1), 1.0, atol=1e-12)

    def test_cusum_numba_matches_python(self) -> None:
        z = np.random.default_rng(3).normal(0.2, 1, 500)
        for a, b in zip(_cusum(z, 0.5, 4.0), _cusum_py(z, 0.5, 4.0), strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=0)

    def test_detects_a_volatility_break(self) -> None:
        rng = np.random.default_rng(7)
        x = np.concatenate([rng.normal(0, 0.005, 300), rng.normal(0, 0.03, 100)])
        result = bocpd(_series(x), expected_run_length=200)
        assert isinstance(result, ChangePointResult)
        first = result.alarms[result.alarms >= result.frame.index[300]]
        assert len(first) and (first[0] - result.frame.index[300]).days <= 14
        assert result.frame["map_run_length"].iloc[299] > 200
        assert "alarms" in result.summary()


class TestNoLookAhead:
    def test_prefix_and_future_changes(self) -> None:
        rng = np.random.default_rng(9)
        x = _series(rng.normal(0, 0.01, 400))
        full = bocpd(x, max_run_length=100)
        part = bocpd(x.iloc[:250], max_run_length=100)
        np.testing.assert_allclose(
            part.run_length_probabilities, full.run_length_probabilities[:250], atol=0
        )
        altered = x.copy()
        altered.iloc[250:] = 0.2
        other = bocpd(altered, max_run_length=100)
        pd.testing.assert_frame_equal(other.frame.iloc[:250], full.frame.iloc[:250])
        c_full = cusum(x, min_observations=50)
        c_part = cusum(x.iloc[:250], min_observations=50)
        pd.testing.assert_frame_equal(c_part, c_full.iloc[:250])


class TestStreaming:
    def test_partial_fit_equals_batch(self) -> None:
        rng = np.random.default_rng(5)
        x = _series(
            np.concatenate([rng.normal(0, 0.01, 250), rng.normal(0, 0.03, 150)])
        )
        batch = bocpd(x, max_run_length=120)
        online = OnlineChangePoints(max_run_length=120)
        for lo, hi in ((0, 1), (1, 137), (137, 138), (138, 400)):
            online.partial_fit(x.iloc[lo:hi])
        np.testing.assert_allclose(
            online.run_length_probabilities_,
            batch.run_length_probabilities,
            rtol=0,
            atol=0,
        )
        pd.testing.assert_frame_equal(online.frame_, batch.frame)
        refit = OnlineChangePoints(max_run_length=120).fit(x)
        pd.testing.assert_frame_equal(refit.frame_, batch.frame)

    def test_batches_must_move_forward(self) -> None:
        x = _series(np.zeros(20))
        online = OnlineChangePoints().partial_fit(x.iloc[:10])
        with pytest.raises(ValueError, match="must start after the last session seen"):
            online.partial_fit(x.iloc[5:])


class TestErrors:
    def test_bad_arguments(self) -> None:
        x = _series(np.zeros(50))
        with pytest.raises(ValueError, match="expected_run_length must be > 1"):
            bocpd(x, expected_run_length=0.5)
        with pytest.raises(ValueError, match="prior_beta must be a positive number"):
            bocpd(x, prior_beta=0.0)
        with pytest.raises(ValueError, match="alarm_probability must be in"):
            bocpd(x, alarm_probability=1.5)
        with pytest.raises(ValueError, match="threshold must be a positive number"):
            cusum(x, threshold=-1.0)
        gap = x.copy()
        gap.iloc[10] = np.nan
        with pytest.raises(ValueError, match="missing or non-finite"):
            bocpd(gap)
