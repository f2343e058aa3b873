"""The filtered direction candidates: reference, no look-ahead, calibration."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.regimes import (
    DIRECTION_CALIBRATION,
    DIRECTION_MODEL,
    DirectionRegimes,
    causal_standardised,
    date_phases,
    drift_changepoint_probability,
    fama_french_spread_returns,
    hamilton_filter,
    moving_average_crossover,
    reliability_curve,
    score_rotation_signal,
    sticky_direction_probability,
    trailing_sign,
)
from rotation.regimes._direction_filter import (
    _drift_bocpd,
    _drift_bocpd_py,
    _sticky_filter,
    _sticky_filter_py,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "rotation" / "regimes"


def _spread(n: int = 1500, seed: int = 42) -> pd.Series:
    rng = np.random.default_rng(seed)
    drift = np.repeat(rng.choice([-0.001, 0.001], n // 250 + 1), 250)[:n]
    return pd.Series(
        rng.normal(drift, 0.01), index=pd.bdate_range("2000-01-03", periods=n)
    )


CANDIDATES = {
    "sticky": lambda s: sticky_direction_probability(s),
    "bocpd": lambda s: drift_changepoint_probability(s, max_run_length=300),
    "sign": lambda s: trailing_sign(s, window=63),
    "ma": lambda s: moving_average_crossover(s, short_window=10, long_window=50),
    "z": lambda s: causal_standardised(s),
    "estimator": lambda s: DirectionRegimes().fit(s).filtered_probabilities_,
}


class TestReference:
    def test_sticky_filter_is_the_hamilton_filter(self) -> None:
        # Reference: rotation.regimes.hamilton_filter (itself tested against
        # statsmodels) with two states N(-m, 1), N(+m, 1) and a symmetric
        # transition. 1e-10: two implementations of one recursion.
        z = np.random.default_rng(1).normal(0.05, 1.0, 2000).clip(-4, 4)
        m, q = 0.2, 1 - 1 / 250
        transition = np.array([[q, 1 - q], [1 - q, q]])
        filtered, _ = hamilton_filter(
            z, transition, np.array([-m, m]), np.ones(2), initial=np.array([0.5, 0.5])
        )
        ours = _sticky_filter(z, m, q, 4.0, 0.5)
        np.testing.assert_allclose(ours, filtered[:, 1], rtol=1e-10, atol=1e-12)

    @settings(deadline=None, max_examples=20)
    @given(st.integers(0, 10_000))
    def test_numba_kernels_match_python(self, seed: int) -> None:
        z = np.random.default_rng(seed).standard_t(4, 300)
        np.testing.assert_allclose(
            _sticky_filter(z, 0.1, 0.99, 4.0, 0.5),
            _sticky_filter_py(z, 0.1, 0.99, 4.0, 0.5),
            rtol=1e-12,
        )
        np.testing.assert_allclose(
            _drift_bocpd(z, 0.01, 10.0, 101, 4.0),
            _drift_bocpd_py(z, 0.01, 10.0, 101, 4.0),
            rtol=1e-10,
        )

    def test_bocpd_without_changes_is_the_posterior_of_the_drift(self) -> None:
        # Hazard -> 0: one run; P(drift > 0) = Phi(sum z / sqrt(k0 + n)).
        from scipy.stats import norm

        z = np.random.default_rng(3).normal(0.1, 1.0, 200)
        ours = _drift_bocpd_py(z, 1e-12, 10.0, 400, 10.0)
        expected = norm.cdf(np.cumsum(z) / np.sqrt(10.0 + np.arange(1, 201)))
        np.testing.assert_allclose(ours, expected, rtol=1e-8)

    def test_causal_standardised_uses_the_volatility_before_t(self) -> None:
        spread = _spread(300)
        z = causal_standardised(spread, half_life=20, min_observations=30)
        variance = (spread**2).ewm(halflife=20).mean()
        expected = spread / np.sqrt(variance.shift(1))
        pd.testing.assert_series_equal(
            z.iloc[30:], expected.iloc[30:].rename("z"), rtol=1e-12
        )
        assert z.iloc[:30].isna().all()


class TestNoLookAhead:
    @pytest.mark.parametrize("name", list(CANDIDATES))
    def test_truncation(self, name: str) -> None:
        spread = _spread()
        full = CANDIDATES[name](spread)
        for cut in (400, 900, 1321):
            part = CANDIDATES[name](spread.iloc[:cut])
            if isinstance(full, pd.DataFrame):
                pd.testing.assert_frame_equal(part, full.iloc[:cut], rtol=1e-12)
            else:
                pd.testing.assert_series_equal(part, full.iloc[:cut], rtol=1e-12)

    @pytest.mark.parametrize("name", list(CANDIDATES))
    def test_perturbing_after_t(self, name: str) -> None:
        spread = _spread()
        changed = spread.copy()
        changed.iloc[900:] = np.random.default_rng(7).normal(0.02, 0.05, 600)
        base, other = CANDIDATES[name](spread), CANDIDATES[name](changed)
        if isinstance(base, pd.DataFrame):
            pd.testing.assert_frame_equal(base.iloc[:900], other.iloc[:900])
        else:
            pd.testing.assert_series_equal(base.iloc[:900], other.iloc[:900])
            assert not base.iloc[900:].equals(other.iloc[900:])


class TestDatingIsNeverAnInput:
    def test_filtered_modules_do_not_import_the_dating(self) -> None:
        for module in ("_direction_filter", "_direction_regimes", "_baselines",
                       "_markov", "_changepoint", "_provider"):  # fmt: skip
            tree = ast.parse((SRC / f"{module}.py").read_text())
            names = {
                node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module
            }  # fmt: skip
            assert not any("_dating" in n or "_evaluation" in n for n in names), module

    def test_scoring_does_not_change_the_filtered_values(self) -> None:
        spread = _spread()
        before = sticky_direction_probability(spread).copy()
        dating = date_phases(spread)
        score_rotation_signal(
            before, spread, dating, start=spread.index[0], end=spread.index[-1],
            climatology=0.5,
        )  # fmt: skip
        pd.testing.assert_series_equal(before, sticky_direction_probability(spread))


class TestCalibration:
    def test_constant_is_the_pre_2000_reliability(self, market) -> None:
        # DIRECTION_CALIBRATION must be what scripts/validate_regimes.py
        # prints: the product model's reliability on FF industries 1927-1999.
        ff = fama_french_spread_returns(market)
        probability = DirectionRegimes(**DIRECTION_MODEL).fit(ff)
        dating = date_phases(ff)
        curve = reliability_curve(
            probability.filtered_probabilities_["rotation"].loc["1927":"1999"],
            dating.indicator().loc["1927":"1999"],
        )
        np.testing.assert_allclose(
            curve["observed"].to_numpy(), DIRECTION_CALIBRATION, atol=5e-4
        )


class TestErrors:
    def test_bad_parameters(self) -> None:
        spread = _spread(300)
        with pytest.raises(ValueError, match="drift must be"):
            sticky_direction_probability(spread, drift=0.0)
        with pytest.raises(ValueError, match="expected_duration"):
            sticky_direction_probability(spread, expected_duration=1.0)
        with pytest.raises(ValueError, match="short_window must be below"):
            moving_average_crossover(spread, short_window=50, long_window=50)
