"""Expectation-maximisation (Baum-Welch) for a Gaussian Markov-switching model.

A fast, deterministic fitter for the model that statsmodels'
``MarkovRegression`` estimates (switching mean, optionally switching
variance, no regressors), used for the many refits of an expanding-window
run. Written as plain Python (``_baum_welch_py``) and compiled with numba
(``_baum_welch``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from rotation._typing import FloatArray

__all__ = ["baum_welch"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _steady_state_py(transition: FloatArray) -> FloatArray:
    # Solve (I - P) pi = 0 with the last equation replaced by sum(pi) = 1, by
    # Gaussian elimination with partial pivoting; uniform if singular.
    k = transition.shape[0]
    system = np.eye(k) - transition
    rhs = np.zeros(k)
    for j in range(k):
        system[k - 1, j] = 1.0
    rhs[k - 1] = 1.0
    for col in range(k):
        pivot = col
        for row in range(col + 1, k):
            if abs(system[row, col]) > abs(system[pivot, col]):
                pivot = row
        if abs(system[pivot, col]) < 1e-14:
            return np.full(k, 1.0 / k)
        if pivot != col:
            for j in range(k):
                held = system[col, j]
                system[col, j] = system[pivot, j]
                system[pivot, j] = held
            held = rhs[col]
            rhs[col] = rhs[pivot]
            rhs[pivot] = held
        for row in range(col + 1, k):
            factor = system[row, col] / system[col, col]
            for j in range(col, k):
                system[row, j] -= factor * system[col, j]
            rhs[row] -= factor * rhs[col]
    solution = np.zeros(k)
    for row in range(k - 1, -1, -1):
        acc = rhs[row]
        for j in range(row + 1, k):
            acc -= system[row, j] * solution[j]
        solution[row] = acc / system[row, row]
    total = 0.0
    for i in range(k):
        if solution[i] < 0.0:
            solution[i] = 0.0
        total += solution[i]
    if total <= 0.0:
        return np.full(k, 1.0 / k)
    for i in range(k):
        solution[i] /= total
    return solution


_steady_state = njit(_steady_state_py, cache=True)


def _forward_backward_py(
    y: FloatArray,
    transition: FloatArray,
    means: FloatArray,
    variances: FloatArray,
    initial: FloatArray,
    dens: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    scale: FloatArray,
    predicted: FloatArray,
) -> float:
    """Scaled forward-backward pass of a Gaussian hidden Markov model (the E step).

    Fills ``dens`` (state densities relative to each row's largest),
    ``alpha`` (filtered probabilities), ``beta`` (scaled backward variables)
    and ``scale``; returns the log-likelihood. ``transition[i, j] = P(S_t = i
    | S_{t-1} = j)``; ``means`` and ``variances`` are per state.
    """
    n = y.shape[0]
    k = means.shape[0]
    loglik = 0.0
    for t in range(n):
        largest = -math.inf
        for i in range(k):
            resid = y[t] - means[i]
            value = (
                -_LOG_SQRT_2PI
                - 0.5 * math.log(variances[i])
                - 0.5 * resid * resid / variances[i]
            )
            dens[t, i] = value
            if value > largest:
                largest = value
        for i in range(k):
            dens[t, i] = math.exp(dens[t, i] - largest)
        if t == 0:
            for i in range(k):
                predicted[i] = initial[i]
        else:
            for i in range(k):
                acc = 0.0
                for j in range(k):
                    acc += transition[i, j] * alpha[t - 1, j]
                predicted[i] = acc
        total = 0.0
        for i in range(k):
            alpha[t, i] = predicted[i] * dens[t, i]
            total += alpha[t, i]
        if total <= 0.0:
            total = 1e-300
        for i in range(k):
            alpha[t, i] /= total
        scale[t] = total
        loglik += largest + math.log(total)
    for i in range(k):
        beta[n - 1, i] = 1.0
    for t in range(n - 2, -1, -1):
        for j in range(k):
            acc = 0.0
            for i in range(k):
                acc += transition[i, j] * dens[t + 1, i] * beta[t + 1, i]
            beta[t, j] = acc / scale[t + 1]
    return loglik


_forward_backward = njit(_forward_backward_py, cache=True)


def _normalise_columns_py(counts: FloatArray, transition: FloatArray) -> None:
    """Transition M step: ``transition[:, j] = counts[:, j] / sum_i counts[i, j]``.

    A column with no expected transitions keeps its previous values.
    """
    k = counts.shape[0]
    for j in range(k):
        column = 0.0
        for i in range(k):
            column += counts[i, j]
        if column > 0.0:
            for i in range(k):
                transition[i, j] = counts[i, j] / column


_normalise_columns = njit(_normalise_columns_py, cache=True)


def _baum_welch_py(
    y: FloatArray,
    transition: FloatArray,
    means: FloatArray,
    variances: FloatArray,
    initial_probabilities: FloatArray,
    switching_variance: bool,
    max_iterations: int,
    tolerance: float,
    variance_floor: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float, int, bool]:
    n = y.shape[0]
    k = means.shape[0]
    initial = initial_probabilities.copy()
    trans = transition.copy()
    mu = means.copy()
    var = variances.copy()
    dens = np.empty((n, k))
    alpha = np.empty((n, k))
    beta = np.empty((n, k))
    scale = np.empty(n)
    predicted = np.empty(k)
    previous_loglik = -math.inf
    loglik = -math.inf
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007
        # E step: scaled forward-backward with densities relative to their max.
        loglik = _forward_backward(
            y, trans, mu, var, initial, dens, alpha, beta, scale, predicted
        )
        if abs(loglik - previous_loglik) <= tolerance * (1.0 + abs(loglik)):
            converged = True
            break
        previous_loglik = loglik
        # M step.
        weight = np.zeros(k)
        weighted_sum = np.zeros(k)
        counts = np.zeros((k, k))
        from_weight = np.zeros(k)
        gamma = np.empty((n, k))
        for t in range(n):
            norm = 0.0
            for i in range(k):
                gamma[t, i] = alpha[t, i] * beta[t, i]
                norm += gamma[t, i]
            for i in range(k):
                gamma[t, i] /= norm
                weight[i] += gamma[t, i]
                weighted_sum[i] += gamma[t, i] * y[t]
            if t > 0:
                for j in range(k):
                    from_weight[j] += gamma[t - 1, j]
                    for i in range(k):
                        counts[i, j] += (
                            trans[i, j]
                            * alpha[t - 1, j]
                            * dens[t, i]
                            * beta[t, i]
                            / scale[t]
                        )
        for i in range(k):
            initial[i] = gamma[0, i]
            mu[i] = weighted_sum[i] / weight[i] if weight[i] > 0.0 else mu[i]
        pooled = 0.0
        for i in range(k):
            acc = 0.0
            for t in range(n):
                resid = y[t] - mu[i]
                acc += gamma[t, i] * resid * resid
            pooled += acc
            if switching_variance and weight[i] > 0.0:
                var[i] = max(acc / weight[i], variance_floor)
        if not switching_variance:
            for i in range(k):
                var[i] = max(pooled / n, variance_floor)
        _normalise_columns(counts, trans)
    return trans, mu, var, initial, loglik, iteration, converged


_baum_welch = njit(_baum_welch_py, cache=True)


def baum_welch(
    observations: FloatArray,
    transition: FloatArray,
    means: FloatArray,
    variances: FloatArray,
    *,
    initial: FloatArray | None = None,
    switching_variance: bool = True,
    max_iterations: int = 500,
    tolerance: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float, int, bool]:
    r"""Fit a Gaussian Markov-switching model by expectation-maximisation.

    Parameters
    ----------
    observations : ndarray of shape (n_observations,)
        The series :math:`y_t`.
    transition : ndarray of shape (n_regimes, n_regimes)
        Starting ``transition[i, j] = P(S_t = i | S_{t-1} = j)``.
    means, variances : ndarray of shape (n_regimes,)
        Starting regime means and variances.
    initial : ndarray of shape (n_regimes,), optional
        Starting probabilities of the first observation's regime (default:
        the steady state of ``transition``); estimated with the rest.
    switching_variance : bool, default True
        Whether each regime has its own variance (else one pooled variance).
    max_iterations : int, default 500
        Cap on EM iterations.
    tolerance : float, default 1e-8
        Stop when the log-likelihood changes by less than
        ``tolerance * (1 + |loglik|)``.

    Returns
    -------
    transition, means, variances, initial : ndarray
        Fitted parameters (``initial``: the first observation's regime
        probabilities).
    log_likelihood : float
        Log-likelihood at the last E step (the returned parameters once
        converged).
    n_iterations : int
    converged : bool

    Notes
    -----
    E step: scaled forward-backward recursions give
    :math:`\gamma_{t,i} = P(S_t = i \mid y_{1:T})` and
    :math:`\xi_{t,ij} = P(S_t = i, S_{t-1} = j \mid y_{1:T})`. M step:

    .. math::

        p_{ij} = \frac{\sum_t \xi_{t,ij}}{\sum_t \gamma_{t-1,j}}, \quad
        \mu_i = \frac{\sum_t \gamma_{t,i} y_t}{\sum_t \gamma_{t,i}}, \quad
        \sigma_i^2 = \frac{\sum_t \gamma_{t,i} (y_t - \mu_i)^2}
                           {\sum_t \gamma_{t,i}}.

    and :math:`\pi_{0,i} = \gamma_{0,i}`. The first regime's distribution is a
    free parameter (statsmodels ties it to the steady state of the transition
    matrix), so the optimum differs from statsmodels' by terms of order
    :math:`1/T`; with it free, every EM step increases the likelihood. Variances are floored at
    :math:`10^{-6}\,\mathrm{Var}(y)` to avoid degenerate regimes.
    Smoothed probabilities are used only inside the fit, never reported.

    NaN handling: the kernel trusts its inputs; callers pass finite values.

    References
    ----------
    Baum, L. E., Petrie, T., Soules, G. and Weiss, N. (1970). Ann. Math.
    Statist. 41(1). Hamilton, J. D. (1990). Analysis of time series subject
    to changes in regime. J. Econometrics 45.
    """
    y = np.ascontiguousarray(observations, dtype=np.float64)
    floor = 1e-6 * max(float(np.var(y)), 1e-12)
    trans0 = np.ascontiguousarray(transition, dtype=np.float64)
    start = _steady_state(trans0) if initial is None else initial
    result = _baum_welch(
        y,
        trans0,
        np.ascontiguousarray(means, dtype=np.float64),
        np.ascontiguousarray(variances, dtype=np.float64),
        np.ascontiguousarray(start, dtype=np.float64),
        bool(switching_variance),
        int(max_iterations),
        float(tolerance),
        floor,
    )
    trans, mu, var, init, loglik, n_iter, converged = result
    return trans, mu, var, init, float(loglik), int(n_iter), bool(converged)
