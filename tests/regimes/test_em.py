from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

from rotation.regimes import baum_welch
from rotation.regimes._em import _baum_welch, _baum_welch_py


def _two_regime_sample(seed: int = 7, n: int = 1200) -> np.ndarray:
    rng = np.random.default_rng(seed)
    state = np.zeros(n, dtype=int)
    for t in range(1, n):
        stay = 0.98 if state[t - 1] == 0 else 0.95
        state[t] = state[t - 1] if rng.random() < stay else 1 - state[t - 1]
    return rng.normal(np.where(state == 1, 1.5, -0.3), np.where(state == 1, 2.0, 0.8))


def _start(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.array([[0.9, 0.1], [0.1, 0.9]]),
        np.quantile(y, [0.25, 0.75]),
        np.full(2, y.var()),
    )


class TestReference:
    def test_matches_statsmodels_maximum_likelihood(self) -> None:
        y = _two_regime_sample()
        transition, means, variances, _, loglik, _, converged = baum_welch(
            y, *_start(y), max_iterations=5000, tolerance=1e-12
        )
        assert converged
        result = MarkovRegression(y, k_regimes=2, switching_variance=True).fit(
            disp=False
        )
        params = result.params
        order = np.argsort(params[2:4])
        sm_means = params[2:4][order]
        sm_variances = params[4:6][order]
        mine = np.argsort(means)
        # statsmodels ties the first regime's distribution to the steady
        # state; our EM estimates it freely, so the optima differ by O(1/T):
        # loose tolerances.
        np.testing.assert_allclose(means[mine], sm_means, atol=2e-2)
        np.testing.assert_allclose(variances[mine], sm_variances, rtol=2e-2)
        np.testing.assert_allclose(loglik, result.llf, rtol=1e-3)
        # A free initial distribution can only raise the maximum.
        assert loglik >= result.llf - 1e-6
        sm_stay = np.array([params[0], 1 - params[1]])[order]
        np.testing.assert_allclose(np.diag(transition)[mine], sm_stay, atol=1e-2)


class TestProperties:
    @settings(deadline=None, max_examples=10)
    @given(seed=st.integers(0, 1000), switching=st.booleans())
    def test_numba_matches_python(self, seed: int, switching: bool) -> None:
        y = _two_regime_sample(seed, n=300)
        transition, means, variances = _start(y)
        floor = 1e-6 * y.var()
        init = np.array([0.5, 0.5])
        fast = _baum_welch(
            y, transition, means, variances, init, switching, 30, 1e-10, floor
        )
        slow = _baum_welch_py(
            y, transition, means, variances, init, switching, 30, 1e-10, floor
        )
        for a, b in zip(fast[:5], slow[:5], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        assert fast[5] == slow[5]

    def test_likelihood_never_decreases(self) -> None:
        y = _two_regime_sample(3, n=400)
        params = _start(y)
        previous = -np.inf
        for iterations in range(2, 30, 3):
            *_, loglik, _, _ = baum_welch(
                y, *params, max_iterations=iterations, tolerance=0.0
            )
            assert loglik >= previous - 1e-9
            previous = loglik

    def test_pooled_variance_is_shared(self) -> None:
        y = _two_regime_sample(5, n=400)
        _, _, variances, *_ = baum_welch(y, *_start(y), switching_variance=False)
        np.testing.assert_allclose(variances[0], variances[1], rtol=1e-14)

    def test_columns_are_probabilities(self) -> None:
        y = _two_regime_sample(11, n=500)
        transition, *_ = baum_welch(y, *_start(y))
        np.testing.assert_allclose(transition.sum(axis=0), 1.0, atol=1e-12)
        assert np.all(transition >= 0)


@pytest.mark.parametrize("k", [2, 3])
def test_deterministic(k: int) -> None:
    y = _two_regime_sample(1, n=300)
    transition = np.full((k, k), 0.1 / (k - 1)) + np.eye(k) * (0.9 - 0.1 / (k - 1))
    means = np.quantile(y, (np.arange(k) + 0.5) / k)
    a = baum_welch(y, transition, means, np.full(k, y.var()))
    b = baum_welch(y, transition, means, np.full(k, y.var()))
    for x, z in zip(a[:5], b[:5], strict=True):
        np.testing.assert_array_equal(x, z)
