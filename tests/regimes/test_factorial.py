"""Direction x volatility Markov-switching model: reference and causality tests."""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from rotation.regimes import (
    MarkovRegimes,
    RegimeConvergenceWarning,
    _markov,
    factorial_em,
    hamilton_filter,
    kronecker_transition,
)
from rotation.regimes._factorial_em import (
    _factorial_em,
    _factorial_em_py,
    factorial_state_parameters,
)
from rotation.regimes._fitters import Fit, fit_direction_volatility


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

    def test_no_converged_fit_gives_no_probability(self) -> None:
        spread = _spread()
        with pytest.warns(RegimeConvergenceWarning, match="last good fit"):
            model = _model(max_iterations=2).fit(spread)
        assert not model.fits_["converged"].any()
        assert not model.fits_["in_use"].any()
        assert model.filtered_probabilities_.isna().all().all()

    @pytest.mark.parametrize("candidate", ["wrong_fit", "no_fit"])
    def test_failed_refit_keeps_last_good_fit(
        self, candidate: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Refit 4 (2006) fails on purpose; refits 1-3 converge (refit 0 does
        # not, on its own). The failed refit returns either a fit with wrong
        # means or none, so any use of it would change the probabilities.
        failing_call = 4
        outcomes: list[tuple[Fit | None, bool, str]] = []
        previous_seen: list[Fit | None] = []

        def flaky(sample: np.ndarray, **kwargs: Any) -> tuple[Fit | None, bool, str]:
            previous_seen.append(kwargs["previous"])
            outcome = fit_direction_volatility(sample, **kwargs)
            if len(outcomes) == failing_call:
                fit = outcome[0]
                assert fit is not None
                wrong = replace(fit, means=fit.means[::-1] + 5.0)
                outcome = (
                    wrong if candidate == "wrong_fit" else None,
                    False,
                    "injected failure",
                )
            outcomes.append(outcome)
            return outcome

        monkeypatch.setattr(_markov, "fit_direction_volatility", flaky)
        spread = _spread()
        with pytest.warns(RegimeConvergenceWarning, match="2006-01-06"):
            model = _model().fit(spread)

        fits = model.fits_
        assert len(outcomes) == len(fits) > failing_call + 1
        last_good = outcomes[failing_call - 1][0]
        assert outcomes[failing_call - 1][1] and last_good is not None
        failed = fits.iloc[failing_call]
        assert failed["date"] == pd.Timestamp("2006-01-06")
        assert not failed["converged"] and not failed["in_use"]
        assert failed["message"] == "injected failure"
        assert fits.iloc[failing_call - 1]["in_use"]
        assert fits.iloc[failing_call + 1]["in_use"]
        # The next refit is warm-started from the last good fit.
        assert previous_seen[failing_call + 1] is last_good

        # Between the failed refit and the next one the probabilities are the
        # Hamilton filter of the last good fit over its (expanding) window.
        blocks = model.observations_.to_numpy()
        dates = model.observations_.index
        begin = int(dates.get_loc(fits.iloc[failing_call]["date"]))
        end = int(dates.get_loc(fits.iloc[failing_call + 1]["date"]))
        expected, _ = hamilton_filter(
            blocks[:end],
            last_good.transition,
            last_good.means,
            last_good.variances,
            initial=last_good.initial,
        )
        got = model.state_probabilities_.loc[dates[begin:end]].to_numpy()
        np.testing.assert_allclose(got, expected[begin:], rtol=0, atol=1e-12)
        direction = model.filtered_probabilities_.loc[dates[begin:end]].to_numpy()
        np.testing.assert_allclose(
            direction,
            expected[begin:, 0::2] + expected[begin:, 1::2],
            rtol=0,
            atol=1e-12,
        )
        # The check discriminates: the failed candidate filters differently.
        wrong = replace(last_good, means=last_good.means[::-1] + 5.0)
        other, _ = hamilton_filter(
            blocks[:end],
            wrong.transition,
            wrong.means,
            wrong.variances,
            initial=wrong.initial,
        )
        assert np.abs(other[begin:] - expected[begin:]).max() > 0.1

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
def test_summary_reports_direction_means_and_volatility_sds() -> None:
    model = _model().fit(_spread())
    text = model.result_.summary()
    last = model.fits_[model.fits_["in_use"]].iloc[-1]
    for label in ("tech_leadership", "rotation"):
        mean = f"{last[f'mean_{label}']:+.3f}"
        stay = f"{last[f'stay_{label}']:.3f}"
        line = rf"^ +{label}: mean {re.escape(mean)}% +stay {re.escape(stay)}$"
        assert re.search(line, text, flags=re.MULTILINE), (line, text)
    for name in ("calm", "turbulent"):
        sd = f"{np.sqrt(last[f'variance_{name}']):.3f}"
        line = rf"^ +{name}: sd {re.escape(sd)}%$"
        assert re.search(line, text, flags=re.MULTILINE), (line, text)
    # The tied model has no per-direction sd: volatility is a separate chain.
    assert not re.search(r"rotation: mean \S+ +sd", text)
    assert re.search(r"^  regimes: tech_leadership, rotation$", text, re.MULTILINE)


class TestErrors:
    @pytest.mark.parametrize(
        ("change", "match"),
        [
            ({"observations": np.zeros((10, 2))}, r"observations must be a 1-D"),
            ({"observations": np.zeros(1)}, r"at least 2 values \(got shape \(1,\)"),
            (
                {"observations": np.array([0.1, np.nan, 0.2])},
                r"observations must be finite \(got nan at position 1\)",
            ),
            ({"transition": np.eye(2)}, r"transition must have shape \(4, 4\)"),
            (
                {"transition": np.full((4, 4), 0.3)},
                r"transition must be column-stochastic.*column sums",
            ),
            (
                {"transition": np.kron(np.eye(2), [[1.5, 0.0], [-0.5, 1.0]])},
                r"transition must be column-stochastic.*minimum -0.5",
            ),
            (
                {"direction_means": np.zeros(3)},
                r"direction_means must be 2 finite numbers.*shape \(3,\)",
            ),
            (
                {"direction_means": np.array([0.0, np.inf])},
                r"direction_means must be 2 finite numbers.*\(got \[ 0. inf\]",
            ),
            (
                {"volatility_variances": np.ones((2, 2))},
                r"volatility_variances must be 2 numbers.*shape \(2, 2\)",
            ),
            (
                {"volatility_variances": np.array([1.0, 0.0])},
                r"volatility_variances must be positive and finite \(got \[1. 0.\]",
            ),
            (
                {"volatility_variances": np.array([np.nan, 1.0])},
                r"volatility_variances must be positive and finite \(got \[nan",
            ),
            ({"initial": np.full(3, 1 / 3)}, r"initial must have shape \(4,\)"),
            (
                {"initial": np.array([0.5, 0.5, 0.5, -0.5])},
                r"initial must be non-negative probabilities summing to 1",
            ),
            (
                {"initial": np.full(4, 0.3)},
                r"initial must be non-negative .*sum 1.2",
            ),
            ({"max_iterations": 0}, r"max_iterations must be >= 1 \(got 0\)"),
            ({"tolerance": -1e-3}, r"tolerance must be a finite number >= 0"),
        ],
    )
    def test_bad_argument_is_named(self, change: dict[str, Any], match: str) -> None:
        transition, means, variances = _start()
        arguments: dict[str, Any] = {
            "observations": _factorial_sample(n=50),
            "transition": transition,
            "direction_means": means,
            "volatility_variances": variances,
        }
        arguments.update(change)
        with pytest.raises(ValueError, match=match):
            factorial_em(**arguments)

    def test_max_iterations_must_be_an_integer(self) -> None:
        with pytest.raises(TypeError, match="max_iterations must be an integer"):
            factorial_em(
                _factorial_sample(n=50),
                *_start(),
                max_iterations=2.5,  # type: ignore[arg-type]
            )

    def test_valid_initial_is_accepted(self) -> None:
        *_, converged = factorial_em(
            _factorial_sample(n=300), *_start(), initial=np.full(4, 0.25)
        )
        assert converged
