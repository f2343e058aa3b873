"""Fitters of the Gaussian Markov-switching model: numba EM and statsmodels.

Each returns a fit sorted by increasing regime mean, a convergence flag and a
message, and never raises on a numerical failure (the caller keeps the last
good fit).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from rotation._typing import FloatArray
from rotation.regimes._em import baum_welch
from rotation.regimes._factorial_em import (
    factorial_em,
    factorial_state_parameters,
    kronecker_transition,
)
from rotation.regimes._hamilton import steady_state_probabilities

__all__ = ["Fit", "fit_direction_volatility", "fit_em", "fit_statsmodels"]


@dataclass(frozen=True)
class Fit:
    """One fitted parameter set, regimes sorted by increasing mean."""

    transition: FloatArray  # sorted by mean, [i, j] = P(S_t = i | S_{t-1} = j)
    means: FloatArray
    variances: FloatArray
    initial: FloatArray  # first observation's regime probabilities, sorted
    log_likelihood: float
    # fit_statsmodels only: its unsorted parameter vector, the warm start of
    # the next statsmodels refit. The EM fitters warm-start from the sorted
    # fields above and leave it None.
    raw_params: FloatArray | None = None


_EMOutcome = tuple[FloatArray, FloatArray, FloatArray, FloatArray, float, int, bool]


def _best_finite(outcomes: Iterable[_EMOutcome]) -> _EMOutcome | None:
    """Return the highest-likelihood outcome among those with finite parameters."""
    best: _EMOutcome | None = None
    for outcome in outcomes:
        finite = np.isfinite(outcome[4]) and all(
            np.all(np.isfinite(part)) for part in outcome[:4]
        )
        if finite and (best is None or outcome[4] > best[4]):
            best = outcome
    return best


def fit_em(
    sample: FloatArray,
    n_regimes: int,
    *,
    switching_variance: bool,
    previous: Fit | None,
    max_iterations: int,
) -> tuple[Fit | None, bool, str]:
    """EM fits from a quantile start and the previous fit; keep the best."""
    k = n_regimes
    stay = 0.95
    quantile_start = (
        np.full((k, k), (1.0 - stay) / (k - 1))
        + np.eye(k) * (stay - (1 - stay) / (k - 1)),
        np.quantile(sample, (np.arange(k) + 0.5) / k),
        np.full(k, max(float(np.var(sample)), 1e-12)),
    )
    centre, spread = float(np.mean(sample)), float(np.std(sample))
    # Spread returns switch mostly in volatility: also start from a calm and a
    # turbulent regime around the same mean.
    volatility_start = (
        quantile_start[0],
        centre + spread * np.linspace(-0.1, 0.1, k),
        max(spread**2, 1e-12) * np.geomspace(0.4, 2.5, k),
    )
    starts = [quantile_start, volatility_start]
    if previous is not None:
        starts.append((previous.transition, previous.means, previous.variances))
    best = _best_finite(
        baum_welch(
            sample,
            transition,
            means,
            variances,
            switching_variance=switching_variance,
            max_iterations=max_iterations,
        )
        for transition, means, variances in starts
    )
    if best is None:
        return None, False, "non-finite parameters or likelihood"
    transition, means, variances, initial, loglik, n_iter, converged = best
    order = np.argsort(means, kind="stable")
    fit = Fit(
        transition=np.ascontiguousarray(transition[np.ix_(order, order)]),
        means=np.ascontiguousarray(means[order]),
        variances=np.ascontiguousarray(variances[order]),
        initial=np.ascontiguousarray(initial[order]),
        log_likelihood=loglik,
    )
    message = (
        f"converged in {n_iter} EM iterations"
        if converged
        else f"EM did not converge in {n_iter} iterations"
    )
    return fit, converged, message


def fit_statsmodels(
    sample: FloatArray,
    n_regimes: int,
    *,
    switching_variance: bool,
    previous: Fit | None,
    max_iterations: int,
) -> tuple[Fit | None, bool, str]:
    """One statsmodels fit, sorted by mean; never raises on numerical failure."""
    # Imported here: statsmodels.tsa costs ~0.7 s, and only the statsmodels
    # engine (a validation candidate, never the product's filter) needs it.
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, EstimationWarning
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

    start_params = None if previous is None else previous.raw_params
    try:
        with warnings.catch_warnings():
            # Convergence is read from mle_retvals and reported in fits_.
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", EstimationWarning)
            model = MarkovRegression(
                sample, k_regimes=n_regimes, switching_variance=switching_variance
            )
            result = model.fit(
                start_params=start_params,
                maxiter=max_iterations,
                disp=False,
            )
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as error:
        return None, False, f"{type(error).__name__}: {error}"
    params = np.asarray(result.params, dtype=np.float64)
    converged = bool(result.mle_retvals.get("converged", False))
    transition = np.asarray(model.regime_transition_matrix(params))[:, :, 0]
    means = np.asarray(params[n_regimes * (n_regimes - 1) :][:n_regimes])
    variances = np.asarray(params[n_regimes * (n_regimes - 1) + n_regimes :])
    if variances.size == 1:
        variances = np.repeat(variances, n_regimes)
    finite = (
        np.all(np.isfinite(params))
        and np.all(variances > 0)
        and np.isfinite(result.llf)
    )
    if not finite:
        return None, False, "non-finite parameters or likelihood"
    order = np.argsort(means, kind="stable")
    fit = Fit(
        transition=np.ascontiguousarray(transition[np.ix_(order, order)]),
        means=np.ascontiguousarray(means[order]),
        variances=np.ascontiguousarray(variances[order]),
        initial=steady_state_probabilities(transition[np.ix_(order, order)]),
        log_likelihood=float(result.llf),
        raw_params=params,
    )
    message = "converged" if converged else str(result.mle_retvals.get("warnflag", ""))
    if not converged:
        message = f"optimiser did not converge (warnflag {message})"
    return fit, converged, message


def fit_direction_volatility(
    sample: FloatArray,
    *,
    kronecker: bool,
    previous: Fit | None,
    max_iterations: int,
) -> tuple[Fit | None, bool, str]:
    """ECM fits of the direction x volatility model from several starts.

    States are returned in the order ``s = 2 d + v`` with directions sorted
    by increasing mean (``d = 1``: the higher mean spread) and volatility
    regimes by increasing variance (``v = 1``: turbulent), so that labels
    are the same at every refit.
    """
    centre, spread = float(np.mean(sample)), float(np.std(sample))
    variance = max(spread**2, 1e-12)
    stay_d, stay_v = 0.97, 0.95
    direction = np.array([[stay_d, 1 - stay_d], [1 - stay_d, stay_d]])
    volatility = np.array([[stay_v, 1 - stay_v], [1 - stay_v, stay_v]])
    transition = kronecker_transition(direction, volatility)
    starts = [
        (
            transition,
            centre + spread * np.array([-0.3, 0.3]),
            variance * np.array([0.5, 2.0]),
        ),
        (
            transition,
            centre + spread * np.array([-0.1, 0.1]),
            variance * np.array([0.4, 2.5]),
        ),
    ]
    if previous is not None:
        starts.append(
            (previous.transition, previous.means[::2], previous.variances[:2])
        )
    best = _best_finite(
        factorial_em(
            sample,
            start_transition,
            means,
            variances,
            kronecker=kronecker,
            max_iterations=max_iterations,
        )
        for start_transition, means, variances in starts
    )
    if best is None:
        return None, False, "non-finite parameters or likelihood"
    transition, direction_means, variances, initial, loglik, n_iter, converged = best
    d_order = np.argsort(direction_means, kind="stable")
    v_order = np.argsort(variances, kind="stable")
    order = np.array([2 * d_order[d] + v_order[v] for d in range(2) for v in range(2)])
    means, state_variances = factorial_state_parameters(
        direction_means[d_order], variances[v_order]
    )
    fit = Fit(
        transition=np.ascontiguousarray(transition[np.ix_(order, order)]),
        means=means,
        variances=state_variances,
        initial=np.ascontiguousarray(initial[order]),
        log_likelihood=loglik,
    )
    message = (
        f"converged in {n_iter} ECM iterations"
        if converged
        else f"ECM did not converge in {n_iter} iterations"
    )
    return fit, converged, message
