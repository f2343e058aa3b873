from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

from rotation.regimes import hamilton_filter, steady_state_probabilities
from rotation.regimes._hamilton import _hamilton_filter, _hamilton_filter_py


def _simulated(n: int = 600, seed: int = 42) -> np.ndarray:
    rng = np.random.default_rng(seed)
    state = np.repeat([0, 1, 0, 1], n // 4)
    return rng.normal(np.where(state == 1, 1.0, -0.5), np.where(state == 1, 2.0, 1.0))


class TestReference:
    @pytest.mark.filterwarnings(
        "ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning"
    )
    @pytest.mark.parametrize("k_regimes", [2, 3])
    def test_matches_statsmodels_filtered_probabilities(self, k_regimes: int) -> None:
        y = _simulated()
        model = MarkovRegression(y, k_regimes=k_regimes, switching_variance=True)
        result = model.fit(disp=False)
        params = result.params
        transition = model.regime_transition_matrix(params)[:, :, 0]
        start = k_regimes * (k_regimes - 1)
        means = params[start : start + k_regimes]
        variances = params[start + k_regimes :]
        filtered, loglik = hamilton_filter(y, transition, means, variances)
        # Same parameters => same filter: two implementations of one recursion.
        np.testing.assert_allclose(
            filtered, result.filtered_marginal_probabilities, rtol=0, atol=1e-8
        )
        np.testing.assert_allclose(loglik, result.llf, rtol=1e-10)

    def test_steady_state_two_regimes_closed_form(self) -> None:
        p00, p11 = 0.97, 0.9
        transition = np.array([[p00, 1 - p11], [1 - p00, p11]])
        expected = np.array([(1 - p11) / (2 - p00 - p11), (1 - p00) / (2 - p00 - p11)])
        np.testing.assert_allclose(
            steady_state_probabilities(transition), expected, rtol=1e-12
        )


class TestProperties:
    @settings(deadline=None, max_examples=20)
    @given(
        seed=st.integers(0, 10_000),
        stay=st.floats(0.5, 0.995),
        gap=st.floats(0.0, 3.0),
    )
    def test_numba_matches_python_and_rows_sum_to_one(
        self, seed: int, stay: float, gap: float
    ) -> None:
        rng = np.random.default_rng(seed)
        y = rng.normal(size=200)
        transition = np.array([[stay, 1 - stay], [1 - stay, stay]])
        means = np.array([-gap / 2, gap / 2])
        variances = np.array([1.0, 2.5])
        init = steady_state_probabilities(transition)
        fast, ll_fast = _hamilton_filter(y, transition, means, variances, init)
        slow, ll_slow = _hamilton_filter_py(y, transition, means, variances, init)
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ll_fast, ll_slow, rtol=1e-12)
        np.testing.assert_allclose(fast.sum(axis=1), 1.0, atol=1e-12)

    def test_outlier_does_not_underflow(self) -> None:
        y = np.array([0.0, 1e4, 0.0])
        transition = np.array([[0.9, 0.1], [0.1, 0.9]])
        filtered, loglik = hamilton_filter(
            y, transition, np.zeros(2), np.array([1e-4, 1.0])
        )
        assert np.all(np.isfinite(filtered))
        assert np.isfinite(loglik)
        np.testing.assert_allclose(filtered[1], [0.0, 1.0], atol=1e-12)


class TestNoLookAhead:
    def test_prefix_invariance(self) -> None:
        y = _simulated()
        transition = np.array([[0.95, 0.1], [0.05, 0.9]])
        means, variances = np.array([-0.5, 1.0]), np.array([1.0, 4.0])
        full, _ = hamilton_filter(y, transition, means, variances)
        for cut in (1, 50, 333, len(y) - 1):
            part, _ = hamilton_filter(y[:cut], transition, means, variances)
            np.testing.assert_allclose(part, full[:cut], rtol=0, atol=1e-14)
