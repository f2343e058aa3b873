"""Direction x volatility Markov-switching model: reference and causality tests."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from rotation.regimes import (
    MarkovRegimes,
    RegimeConvergenceWarning,
    factorial_em,
    hamilton_filter,
    kronecker_transition,
)
from rotation.regimes._factorial_em import (
    _factorial_em,
    _factorial_em_py,
    factorial_state_parameters,
)


def _factorial_sample(seed: int = 3, n: int = 900) -> np.ndarray:
    """Direction switches rarely (means -1, +1), volatility often (sd 1, 3)."""
    rng = np.random.default_rng(seed)
    direction = np.zeros(n, dtype=int)
    volatility = np.zeros(n, dtype=int)
    for t in range(1, n):
        direction[t] = direction[t - 1] if rng.random() < 0.98 else 1 - direction[t - 1]
        volatility[t] = (
            volatility[t - 1] if rng.random() < 0.93 else 1 - volatility[t - 1]
        )
    return rng.normal(
        np.where(direction == 1, 1.0, -1.0), np.where(volatility, 3.0, 1.0)
    )


def _start() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    stay = np.array([[0.95, 0.05], [0.05, 0.95]])
    return kronecker_transition(stay, stay), np.array([-0.5, 0.5]), np.array([1.0, 4.0])


def _negative_loglik(theta: np.ndarray, y: np.ndarray) -> float:
    """Hamilton-filter log-likelihood of the tied Kronecker parametrisation."""
    mu = theta[0:2]
    var = np.exp(theta[2:4])
    stay = 1.0 / (1.0 + np.exp(-theta[4:8]))
    direction = np.array([[stay[0], 1 - stay[1]], [1 - stay[0], stay[1]]])
    volatility = np.array([[stay[2], 1 - stay[3]], [1 - stay[2], stay[3]]])
    logits = np.concatenate([[0.0], theta[8:11]])
    initial = np.exp(logits - logits.max())
    means, variances = factorial_state_parameters(mu, var)
    _, loglik = hamilton_filter(
        y,
        kronecker_transition(direction, volatility),
        means,
        variances,
        initial=initial / initial.sum(),
    )
    return -loglik


class TestReference:
    def test_ecm_matches_direct_maximisation_of_the_filter_likelihood(self) -> None:
        y = _factorial_sample()
        transition, mu, var, initial, loglik, _, converged = factorial_em(
            y, *_start(), max_iterations=20000, tolerance=1e-13
        )
        assert converged
        stay = np.diag(transition.reshape(2, 2, 2, 2).sum(axis=(1, 3)) / 2.0)
        # Start the optimiser away from the EM optimum (the EM's own start).
        theta0 = np.concatenate(
            [[-0.5, 0.5], np.log([1.0, 4.0]), np.full(4, 2.9), np.zeros(3)]
        )
        result = minimize(
            _negative_loglik, theta0, args=(y,), method="BFGS", options={"gtol": 1e-7}
        )
        theta = result.x
        # Same maximum (to 1e-4 in log-likelihood; EM at least as high).
        assert loglik >= -result.fun - 1e-4
        np.testing.assert_allclose(loglik, -result.fun, atol=1e-3)
        order_em = np.argsort(mu)
        order_sp = np.argsort(theta[0:2])
        np.testing.assert_allclose(mu[order_em], theta[0:2][order_sp], atol=2e-3)
        vorder_em = np.argsort(var)
        vorder_sp = np.argsort(theta[2:4])
        np.testing.assert_allclose(
            var[vorder_em], np.exp(theta[2:4])[vorder_sp], rtol=2e-3
        )
        sp_stay = 1.0 / (1.0 + np.exp(-theta[4:6]))
        np.testing.assert_allclose(stay[order_em], sp_stay[order_sp], atol=5e-3)
        assert initial.sum() == pytest.approx(1.0)
        # The transition stays a Kronecker product of two 2x2 chains.
        direction = transition.reshape(2, 2, 2, 2).sum(axis=(1, 3)) / 2.0
        volatility = transition.reshape(2, 2, 2, 2).sum(axis=(0, 2)) / 2.0
        np.testing.assert_allclose(
            kronecker_transition(direction, volatility), transition, atol=1e-12
        )

    def test_recovers_simulated_parameters(self) -> None:
        y = _factorial_sample(n=3000, seed=11)
        _, mu, var, _, _, _, converged = factorial_em(y, *_start())
        assert converged
        np.testing.assert_allclose(np.sort(mu), [-1.0, 1.0], atol=0.15)
        np.testing.assert_allclose(np.sort(var), [1.0, 9.0], rtol=0.15)

    @pytest.mark.parametrize("kronecker", [True, False])
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_numba_kernel_equals_python_kernel(
        self, kronecker: bool, seed: int
    ) -> None:
        y = _factorial_sample(seed=seed, n=300)
        transition, mu, var = _start()
        initial = np.full(4, 0.25)
        args = (y, transition, mu, var, initial, kronecker, 40, 1e-10, 1e-8)
        fast = _factorial_em(*args)
        slow = _factorial_em_py(*args)
        for a, b in zip(fast[:5], slow[:5], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        assert fast[5:] == slow[5:]

    def test_likelihood_never_decreases(self) -> None:
        y = _factorial_sample(seed=5, n=400)
        values = [
            factorial_em(y, *_start(), max_iterations=i, tolerance=0.0)[4]
            for i in range(2, 30)
        ]
        assert np.all(np.diff(values) >= -1e-9)


def _spread(n: int = 2600, seed: int = 4) -> pd.Series:
    rng = np.random.default_rng(seed)
    mean = np.repeat([0.002, -0.002, 0.002, -0.002], n // 4)
    sd = np.tile(np.repeat([0.005, 0.012], n // 8), 4)
    return pd.Series(
        rng.normal(mean, sd), index=pd.bdate_range("2001-01-01", periods=n)
    )


def _model(**kwargs: object) -> MarkovRegimes:
    params: dict[str, object] = {
        "refit": "Y",
        "min_observations": 52,
        "trailing_blocks": 4,
        "structure": "direction_volatility",
    }
    params.update(kwargs)
    return MarkovRegimes(**params)  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore::rotation.regimes.RegimeConvergenceWarning")
class TestNoLookAhead:
    @pytest.mark.parametrize("transition", ["kronecker", "full"])
    def test_refit_on_data_cut_at_t_gives_the_same_output_at_t(
        self, transition: str
    ) -> None:
        spread = _spread()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RegimeConvergenceWarning)
            full = _model(transition=transition).fit(spread)
            for cut in (900, 1507, 2222):
                part = _model(transition=transition).fit(spread.iloc[: cut + 1])
                pd.testing.assert_frame_equal(
                    part.state_probabilities_,
                    full.state_probabilities_.iloc[: cut + 1],
                    rtol=1e-10,
                    atol=1e-12,
                )
                pd.testing.assert_frame_equal(
                    part.filtered_probabilities_,
                    full.filtered_probabilities_.iloc[: cut + 1],
                    rtol=1e-10,
                    atol=1e-12,
                )

    def test_changing_data_after_t_changes_nothing_up_to_t(self) -> None:
        spread = _spread()
        cut = 1600
        altered = spread.copy()
        altered.iloc[cut + 1 :] = -altered.iloc[cut + 1 :] * 3.0
        base = _model().fit(spread).filtered_probabilities_
        other = _model().fit(altered).filtered_probabilities_
        pd.testing.assert_frame_equal(
            base.iloc[: cut + 1], other.iloc[: cut + 1], rtol=0, atol=0
        )
        assert not base.iloc[cut + 200 :].equals(other.iloc[cut + 200 :])


class TestModel:
    @pytest.mark.filterwarnings("ignore::rotation.regimes.RegimeConvergenceWarning")
    def test_directions_found_and_labelled_by_mean(self) -> None:
        spread = _spread()
        model = _model().fit(spread)
        assert model.labels_ == ("tech_leadership", "rotation")
        assert list(model.state_probabilities_.columns) == [
            "tech_leadership|calm",
            "tech_leadership|turbulent",
            "rotation|calm",
            "rotation|turbulent",
        ]
        fits = model.fits_[model.fits_["in_use"]]
        assert (fits["mean_rotation"] > fits["mean_tech_leadership"]).all()
        assert (fits["variance_turbulent"] > fits["variance_calm"]).all()
        probability = model.filtered_probabilities_["rotation"]
        # Rotation (positive drift) in the 1st and 3rd quarters of the sample.
        quarter = len(spread) // 4
        assert probability.iloc[2 * quarter + 100 : 3 * quarter].mean() > 0.7
        assert probability.iloc[quarter + 100 : 2 * quarter].mean() < 0.3
        both = model.state_probabilities_.dropna()
        np.testing.assert_allclose(both.sum(axis=1), 1.0, atol=1e-12)

    def test_failed_refit_keeps_last_good_fit(self) -> None:
        spread = _spread()
        with pytest.warns(RegimeConvergenceWarning, match="last good fit"):
            model = _model(max_iterations=2).fit(spread)
        assert not model.fits_["converged"].any()
        assert model.filtered_probabilities_.isna().all().all()

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"n_regimes": 3}, "n_regimes must be 2"),
            ({"engine": "statsmodels"}, "engine must be 'em'"),
            ({"transition": "diagonal"}, "transition must be"),
            ({"structure": "other"}, "structure must be"),
        ],
    )
    def test_bad_parameters(self, kwargs: dict[str, object], match: str) -> None:
        with pytest.raises(ValueError, match=match):
            _model(**kwargs).fit(_spread())


@pytest.mark.filterwarnings("ignore::rotation.regimes.RegimeConvergenceWarning")
def test_summary_lists_directions_and_volatilities() -> None:
    text = _model().fit(_spread()).result_.summary()
    assert "rotation" in text and "turbulent" in text and "calm" in text
