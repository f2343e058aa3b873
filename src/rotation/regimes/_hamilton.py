"""Hamilton (1989) filter for a Gaussian Markov-switching mean/variance model.

Kernels are written as plain Python (``_hamilton_filter_py``) and compiled
with numba (``_hamilton_filter``); both names are kept so that tests can
check the compiled kernel against the Python one.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from rotation._typing import FloatArray

__all__ = ["hamilton_filter", "steady_state_probabilities"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _hamilton_filter_py(
    y: FloatArray,
    transition: FloatArray,
    means: FloatArray,
    variances: FloatArray,
    initial: FloatArray,
) -> tuple[FloatArray, float]:
    n = y.shape[0]
    k = means.shape[0]
    filtered = np.empty((n, k))
    previous = initial.copy()
    predicted = np.empty(k)
    log_joint = np.empty(k)
    loglik = 0.0
    for t in range(n):
        # The first observation uses the initial (steady-state) probabilities
        # directly, as statsmodels does.
        if t == 0:
            for i in range(k):
                predicted[i] = previous[i]
        else:
            for i in range(k):
                acc = 0.0
                for j in range(k):
                    acc += transition[i, j] * previous[j]
                predicted[i] = acc
        largest = -math.inf
        for i in range(k):
            if predicted[i] > 0.0:
                resid = y[t] - means[i]
                log_joint[i] = (
                    math.log(predicted[i])
                    - _LOG_SQRT_2PI
                    - 0.5 * math.log(variances[i])
                    - 0.5 * resid * resid / variances[i]
                )
            else:
                log_joint[i] = -math.inf
            if log_joint[i] > largest:
                largest = log_joint[i]
        total = 0.0
        for i in range(k):
            previous[i] = math.exp(log_joint[i] - largest)
            total += previous[i]
        for i in range(k):
            previous[i] /= total
            filtered[t, i] = previous[i]
        loglik += largest + math.log(total)
    return filtered, loglik


_hamilton_filter = njit(_hamilton_filter_py, cache=True)


def steady_state_probabilities(transition: FloatArray) -> FloatArray:
    r"""Ergodic probabilities of a left-stochastic transition matrix.

    Parameters
    ----------
    transition : ndarray of shape (n_regimes, n_regimes)
        ``transition[i, j] = P(S_t = i | S_{t-1} = j)`` (columns sum to one,
        the statsmodels convention).

    Returns
    -------
    ndarray of shape (n_regimes,)
        The vector :math:`\pi` with :math:`P\pi = \pi` and
        :math:`\sum_i \pi_i = 1`.
    """
    k = transition.shape[0]
    system = np.vstack([np.eye(k) - transition, np.ones((1, k))])
    rhs = np.zeros(k + 1)
    rhs[-1] = 1.0
    solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    solution = np.clip(solution, 0.0, None)
    return np.asarray(solution / solution.sum(), dtype=np.float64)


def hamilton_filter(
    observations: FloatArray,
    transition: FloatArray,
    means: FloatArray,
    variances: FloatArray,
    *,
    initial: FloatArray | None = None,
) -> tuple[FloatArray, float]:
    r"""Compute filtered regime probabilities :math:`P(S_t = i \mid y_{1:t})`.

    Parameters
    ----------
    observations : ndarray of shape (n_observations,)
        The observed series :math:`y_t`.
    transition : ndarray of shape (n_regimes, n_regimes)
        ``transition[i, j] = P(S_t = i | S_{t-1} = j)``.
    means, variances : ndarray of shape (n_regimes,)
        Regime means :math:`\mu_i` and variances :math:`\sigma_i^2`.
    initial : ndarray of shape (n_regimes,), optional
        Probabilities of the first observation's regime; defaults to the
        steady-state probabilities of ``transition``.

    Returns
    -------
    filtered : ndarray of shape (n_observations, n_regimes)
        Filtered probabilities; row t uses observations up to t only.
    log_likelihood : float
        :math:`\sum_t \log p(y_t \mid y_1, \dots, y_{t-1})`.

    Notes
    -----
    .. math::

        \xi_{t|t-1} = P\,\xi_{t-1|t-1}, \qquad
        \xi_{t|t} = \frac{\xi_{t|t-1} \odot \phi_t}
                          {\mathbf{1}^\top(\xi_{t|t-1} \odot \phi_t)},

    with :math:`\phi_{t,i}` the normal density of :math:`y_t` under regime
    :math:`i`. Computed in log space so that outliers do not underflow.

    NaN handling: the kernel trusts its inputs; callers pass finite values.

    References
    ----------
    Hamilton, J. D. (1989). A new approach to the economic analysis of
    nonstationary time series and the business cycle. Econometrica 57(2).
    """
    y = np.ascontiguousarray(observations, dtype=np.float64)
    p = np.ascontiguousarray(transition, dtype=np.float64)
    mu = np.ascontiguousarray(means, dtype=np.float64)
    var = np.ascontiguousarray(variances, dtype=np.float64)
    start = steady_state_probabilities(p) if initial is None else initial
    start = np.ascontiguousarray(start, dtype=np.float64)
    filtered, loglik = _hamilton_filter(y, p, mu, var, start)
    return filtered, float(loglik)
