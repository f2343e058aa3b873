"""EM (ECM) for the direction x volatility ("factorial") Markov-switching model.

Four hidden states ``s = 2 * d + v``: direction ``d`` (0: lower mean spread,
1: higher mean spread) times volatility ``v`` (0: calm, 1: turbulent). The
mean depends on the direction only, the variance on the volatility only.
Written as plain Python (``_factorial_em_py``) and compiled with numba
(``_factorial_em``); both names are kept so that tests compare them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from rotation._typing import FloatArray
from rotation.regimes._em import (
    _forward_backward,
    _normalise_columns,
    _steady_state,
)
from rotation.regimes._validation import check_positive_int

__all__ = ["factorial_em", "factorial_state_parameters", "kronecker_transition"]

N_STATES = 4


def kronecker_transition(direction: FloatArray, volatility: FloatArray) -> FloatArray:
    r"""Joint 4x4 transition of two independent 2x2 chains.

    Parameters
    ----------
    direction, volatility : ndarray of shape (2, 2)
        ``[i, j] = P(X_t = i | X_{t-1} = j)`` for each chain.

    Returns
    -------
    ndarray of shape (4, 4)
        :math:`P = P_d \otimes P_v`, states ordered ``s = 2 d + v``.
    """
    return np.ascontiguousarray(np.kron(direction, volatility), dtype=np.float64)


def factorial_state_parameters(
    direction_means: FloatArray, volatility_variances: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Per-state means and variances (``s = 2 d + v``) of the tied model.

    Parameters
    ----------
    direction_means : ndarray of shape (2,)
        :math:`\mu_d`.
    volatility_variances : ndarray of shape (2,)
        :math:`\sigma^2_v`.

    Returns
    -------
    means, variances : ndarray of shape (4,)
    """
    means = np.repeat(np.asarray(direction_means, dtype=np.float64), 2)
    variances = np.tile(np.asarray(volatility_variances, dtype=np.float64), 2)
    return means, variances


def _factorial_em_py(
    y: FloatArray,
    transition: FloatArray,
    direction_means: FloatArray,
    volatility_variances: FloatArray,
    initial_probabilities: FloatArray,
    kronecker: bool,
    max_iterations: int,
    tolerance: float,
    variance_floor: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float, int, bool]:
    n = y.shape[0]
    k = N_STATES
    initial = initial_probabilities.copy()
    trans = transition.copy()
    mu = direction_means.copy()
    var = volatility_variances.copy()
    dens = np.empty((n, k))
    alpha = np.empty((n, k))
    beta = np.empty((n, k))
    gamma = np.empty((n, k))
    scale = np.empty(n)
    predicted = np.empty(k)
    state_mu = np.empty(k)
    state_var = np.empty(k)
    previous_loglik = -math.inf
    loglik = -math.inf
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007
        # E step: scaled forward-backward over the 4 states, densities
        # relative to their max (state s has mean mu[s // 2], variance var[s % 2]).
        for st in range(k):
            state_mu[st] = mu[st // 2]
            state_var[st] = var[st % 2]
        loglik = _forward_backward(
            y, trans, state_mu, state_var, initial, dens, alpha, beta, scale, predicted
        )
        if abs(loglik - previous_loglik) <= tolerance * (1.0 + abs(loglik)):
            converged = True
            break
        previous_loglik = loglik
        # Posterior state and transition weights.
        counts = np.zeros((k, k))
        for t in range(n):
            norm = 0.0
            for s in range(k):
                gamma[t, s] = alpha[t, s] * beta[t, s]
                norm += gamma[t, s]
            for s in range(k):
                gamma[t, s] /= norm
            if t > 0:
                for j in range(k):
                    for i in range(k):
                        counts[i, j] += (
                            trans[i, j]
                            * alpha[t - 1, j]
                            * dens[t, i]
                            * beta[t, i]
                            / scale[t]
                        )
        # CM step 1: direction means given the variances (weighted least
        # squares with weights gamma / sigma^2_v).
        for d in range(2):
            numerator = 0.0
            denominator = 0.0
            for t in range(n):
                for v in range(2):
                    w = gamma[t, 2 * d + v] / var[v]
                    numerator += w * y[t]
                    denominator += w
            if denominator > 0.0:
                mu[d] = numerator / denominator
        # CM step 2: volatility variances given the new means.
        for v in range(2):
            numerator = 0.0
            denominator = 0.0
            for t in range(n):
                for d in range(2):
                    resid = y[t] - mu[d]
                    numerator += gamma[t, 2 * d + v] * resid * resid
                    denominator += gamma[t, 2 * d + v]
            if denominator > 0.0:
                var[v] = max(numerator / denominator, variance_floor)
        for s in range(k):
            initial[s] = gamma[0, s]
        # Transition M step.
        if kronecker:
            # Marginal expected transition counts of each chain.
            direction = np.zeros((2, 2))
            volatility = np.zeros((2, 2))
            for i in range(k):
                for j in range(k):
                    direction[i // 2, j // 2] += counts[i, j]
                    volatility[i % 2, j % 2] += counts[i, j]
            for j in range(2):
                column_d = direction[0, j] + direction[1, j]
                column_v = volatility[0, j] + volatility[1, j]
                for i in range(2):
                    direction[i, j] = (
                        direction[i, j] / column_d if column_d > 0.0 else 0.5
                    )
                    volatility[i, j] = (
                        volatility[i, j] / column_v if column_v > 0.0 else 0.5
                    )
            for i in range(k):
                for j in range(k):
                    trans[i, j] = direction[i // 2, j // 2] * volatility[i % 2, j % 2]
        else:
            _normalise_columns(counts, trans)
    return trans, mu, var, initial, loglik, iteration, converged


_factorial_em = njit(_factorial_em_py, cache=True)


def factorial_em(
    observations: FloatArray,
    transition: FloatArray,
    direction_means: FloatArray,
    volatility_variances: FloatArray,
    *,
    initial: FloatArray | None = None,
    kronecker: bool = True,
    max_iterations: int = 1000,
    tolerance: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float, int, bool]:
    r"""Fit the direction x volatility Markov-switching model by ECM.

    Parameters
    ----------
    observations : ndarray of shape (n_observations,)
        The series :math:`y_t`.
    transition : ndarray of shape (4, 4)
        Starting ``transition[i, j] = P(S_t = i | S_{t-1} = j)`` over states
        ``s = 2 d + v``: finite, non-negative, each column summing to 1 (to
        1e-8). With ``kronecker=True`` it should be a Kronecker product (see
        :func:`kronecker_transition`); the first M step makes it one in any
        case.
    direction_means : ndarray of shape (2,)
        Starting :math:`\mu_d`.
    volatility_variances : ndarray of shape (2,)
        Starting :math:`\sigma^2_v`, positive and finite.
    initial : ndarray of shape (4,), optional
        Starting probabilities of the first observation's state,
        non-negative and summing to 1 (default: the steady state of
        ``transition``); estimated with the rest.
    kronecker : bool, default True
        ``True``: direction and volatility follow independent 2x2 chains,
        :math:`P = P_d \otimes P_v` (4 free transition parameters).
        ``False``: a full 4x4 transition (12 free parameters).
    max_iterations : int, default 1000
        Cap on ECM iterations.
    tolerance : float, default 1e-8
        Stop when the log-likelihood changes by less than
        ``tolerance * (1 + |loglik|)``.

    Returns
    -------
    transition : ndarray of shape (4, 4)
    direction_means, volatility_variances : ndarray of shape (2,)
    initial : ndarray of shape (4,)
    log_likelihood : float
        Log-likelihood at the last E step (the returned parameters once
        converged).
    n_iterations : int
    converged : bool

    Raises
    ------
    ValueError
        If an argument has the wrong shape or an invalid value (see the
        parameters); the message names it.
    TypeError
        If ``max_iterations`` is not an integer.

    Notes
    -----
    Model, with :math:`S_t = (D_t, V_t)`:

    .. math::

        y_t = \mu_{D_t} + \sigma_{V_t} \varepsilon_t, \quad
        \varepsilon_t \sim N(0, 1).

    E step: scaled forward-backward gives :math:`\gamma_{t,s}` and the
    expected transition counts :math:`N_{ij} = \sum_t \xi_{t,ij}`. The
    M step is split in two conditional maximisations (ECM, Meng and Rubin
    1993), each of which raises the likelihood:

    .. math::

        \mu_d = \frac{\sum_t \sum_v \gamma_{t,dv}\, y_t / \sigma^2_v}
                     {\sum_t \sum_v \gamma_{t,dv} / \sigma^2_v}, \qquad
        \sigma^2_v = \frac{\sum_t \sum_d \gamma_{t,dv} (y_t - \mu_d)^2}
                          {\sum_t \sum_d \gamma_{t,dv}}.

    Transitions: full, :math:`p_{ij} = N_{ij} / \sum_i N_{ij}`; Kronecker,
    the same formula on the marginal counts
    :math:`N^d_{dd'} = \sum_{v,v'} N_{(d,v)(d',v')}` and
    :math:`N^v_{vv'} = \sum_{d,d'} N_{(d,v)(d',v')}`, which maximises the
    expected complete-data log-likelihood exactly because
    :math:`\log p_{(d,v)(d',v')} = \log p^d_{dd'} + \log p^v_{vv'}`. The first
    state's distribution is free (:math:`\pi_{0,s} = \gamma_{0,s}`).
    Variances are floored at :math:`10^{-6}\,\mathrm{Var}(y)`. The returned
    parameters are not relabelled; callers sort directions by mean.

    NaN handling: none allowed. Every argument is checked at entry
    (shapes, finite observations and means, positive variances,
    column-stochastic ``transition`` and ``initial`` a probability vector)
    and a ``ValueError`` names the first bad one; the kernel trusts them.

    References
    ----------
    Meng, X.-L. and Rubin, D. B. (1993). Maximum likelihood estimation via
    the ECM algorithm. Biometrika 80(2). Ghahramani, Z. and Jordan, M. I.
    (1997). Factorial hidden Markov models. Machine Learning 29.
    """
    y, trans0, mu0, var0, start = _check_inputs(
        observations, transition, direction_means, volatility_variances, initial
    )
    check_positive_int(max_iterations, "max_iterations")
    if not (np.isfinite(tolerance) and tolerance >= 0.0):
        raise ValueError(
            f"tolerance must be a finite number >= 0 (got {tolerance!r}); "
            "use 0 to run all max_iterations."
        )
    floor = 1e-6 * max(float(np.var(y)), 1e-12)
    result = _factorial_em(
        y,
        trans0,
        mu0,
        var0,
        start,
        bool(kronecker),
        int(max_iterations),
        float(tolerance),
        floor,
    )
    trans, mu, var, init, loglik, n_iter, converged = result
    return trans, mu, var, init, float(loglik), int(n_iter), bool(converged)


_STOCHASTIC_TOLERANCE = 1e-8


def _check_inputs(
    observations: FloatArray,
    transition: FloatArray,
    direction_means: FloatArray,
    volatility_variances: FloatArray,
    initial: FloatArray | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validate :func:`factorial_em`'s arrays; return them contiguous float64."""
    y = np.ascontiguousarray(observations, dtype=np.float64)
    if y.ndim != 1 or y.shape[0] < 2:
        raise ValueError(
            "observations must be a 1-D array of at least 2 values "
            f"(got shape {y.shape})."
        )
    if not np.all(np.isfinite(y)):
        where = int(np.flatnonzero(~np.isfinite(y))[0])
        raise ValueError(
            f"observations must be finite (got {y[where]} at position {where}); "
            "drop or fill missing values before fitting."
        )
    trans = np.ascontiguousarray(transition, dtype=np.float64)
    if trans.shape != (N_STATES, N_STATES):
        raise ValueError(
            f"transition must have shape ({N_STATES}, {N_STATES}) over the states "
            f"s = 2 d + v (got shape {trans.shape}); build it with "
            "kronecker_transition(direction, volatility)."
        )
    columns = trans.sum(axis=0)
    if (
        not np.all(np.isfinite(trans))
        or np.any(trans < 0.0)
        or np.any(np.abs(columns - 1.0) > _STOCHASTIC_TOLERANCE)
    ):
        raise ValueError(
            "transition must be column-stochastic: finite, non-negative, each "
            "column P(. | S_{t-1} = j) summing to 1 (got column sums "
            f"{np.array2string(columns, precision=6)}, minimum {trans.min()})."
        )
    means = np.ascontiguousarray(direction_means, dtype=np.float64)
    if means.shape != (2,) or not np.all(np.isfinite(means)):
        raise ValueError(
            "direction_means must be 2 finite numbers, one per direction "
            f"(got {np.array2string(means)} of shape {means.shape})."
        )
    variances = np.ascontiguousarray(volatility_variances, dtype=np.float64)
    if variances.shape != (2,):
        raise ValueError(
            "volatility_variances must be 2 numbers, calm and turbulent "
            f"(got shape {variances.shape})."
        )
    if not np.all(np.isfinite(variances) & (variances > 0.0)):
        raise ValueError(
            "volatility_variances must be positive and finite "
            f"(got {np.array2string(variances)}); start from, e.g., "
            "var(observations) * [0.5, 2]."
        )
    if initial is None:
        return y, trans, means, variances, _steady_state(trans)
    start = np.ascontiguousarray(initial, dtype=np.float64)
    if start.shape != (N_STATES,):
        raise ValueError(
            f"initial must have shape ({N_STATES},) (got shape {start.shape}); "
            "pass None for the steady state of transition."
        )
    if (
        not np.all(np.isfinite(start))
        or np.any(start < 0.0)
        or abs(start.sum() - 1.0) > _STOCHASTIC_TOLERANCE
    ):
        raise ValueError(
            "initial must be non-negative probabilities summing to 1 "
            f"(got {np.array2string(start)}, sum {start.sum()}); "
            "pass None for the steady state of transition."
        )
    return y, trans, means, variances, start
