"""Numba kernels, each written as plain Python (``_foo_py``) and jitted (``_foo``).

Kernels trust their inputs: the public functions validate shapes, dtypes and
parameters before calling them. Keeping the Python version lets the tests check
the compiled kernel against the interpreted one.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from rotation._typing import FloatArray

# Reassociation lets LLVM vectorise the dot products; "nnan"/"ninf" are left out
# on purpose because the kernels test for NaN.
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


def _avg_corr_py(
    values: FloatArray, weights: FloatArray, window: int, min_assets: int
) -> FloatArray:
    """Compute the rolling weighted average pairwise correlation.

    Parameters
    ----------
    values : ndarray of shape (n_observations, n_assets)
        Returns, NaN where missing, C-contiguous float64.
    weights : ndarray of shape (n_assets,)
        Non-negative raw weights (renormalised over the members of each window).
    window : int
        Window length in observations, >= 2.
    min_assets : int
        Minimum number of members (>= 2) for a value.

    Returns
    -------
    ndarray of shape (n_observations,)
        ``(Var(sum_i w_i z_i) - sum_i w_i**2) / (1 - sum_i w_i**2)`` where
        ``z_i`` are the window's returns standardised with the window's mean and
        population standard deviation; NaN where fewer than ``min_assets`` series
        have a full window of non-NaN, non-constant returns.

    Notes
    -----
    Per-series means and sums of squared deviations slide with Welford-type
    add/remove updates and are recomputed exactly (two-pass) every ``window``
    steps, whenever a series (re)joins and whenever an update would cancel
    more than 99% of the sum of squares, so rounding drift cannot build up.
    The variance of ``y_k = sum_i c_i r_ik`` is recomputed over the window at
    every step, which makes the cost O(n_assets * window) per step.

    The dates are cut into chunks whose starts are refresh points, so the
    chunks are independent (``prange``) and a parallel build gives the same
    result whatever the number of threads.
    """
    n_obs = values.shape[0]
    out = np.full(n_obs, np.nan)
    if n_obs < window:
        return out
    clean = np.where(np.isnan(values), 0.0, values)
    steps = n_obs - window + 1
    chunk = window * max(1, 512 // window)
    n_chunks = (steps + chunk - 1) // chunk
    n_assets = values.shape[1]
    for c in prange(n_chunks):
        first = window - 1 + c * chunk
        stop = min(n_obs, first + chunk)
        nan_count = np.zeros(n_assets, dtype=np.int64)
        mean = np.zeros(n_assets)
        m2 = np.zeros(n_assets)
        valid = np.zeros(n_assets, dtype=np.bool_)
        coef = np.zeros(n_assets)
        for i in range(n_assets):
            for k in range(first - window + 1, first + 1):
                if np.isnan(values[k, i]):
                    nan_count[i] += 1
        for t in range(first, stop):
            if t > first:
                for i in range(n_assets):
                    if np.isnan(values[t, i]):
                        nan_count[i] += 1
                    if np.isnan(values[t - window, i]):
                        nan_count[i] -= 1
            start = t - window + 1
            refresh = (t - first) % window == 0
            weight_sum = 0.0
            n_members = 0
            for i in range(n_assets):
                if nan_count[i] > 0:
                    valid[i] = False
                    coef[i] = 0.0
                    continue
                if valid[i] and not refresh:
                    x_new = values[t, i]
                    x_old = values[t - window, i]
                    mu_old = mean[i]
                    mu_new = mu_old + (x_new - x_old) / window
                    updated = m2[i] + (x_new - x_old) * (
                        x_new - mu_new + x_old - mu_old
                    )
                    # Heavy cancellation (variance collapsing within one step) would
                    # cost relative precision: recompute exactly instead.
                    if updated > 0.01 * m2[i]:
                        m2[i] = updated
                        mean[i] = mu_new
                    else:
                        valid[i] = False
                if refresh or not valid[i]:
                    total = 0.0
                    for k in range(start, t + 1):
                        total += values[k, i]
                    mu = total / window
                    squares = 0.0
                    for k in range(start, t + 1):
                        dev = values[k, i] - mu
                        squares += dev * dev
                    mean[i] = mu
                    m2[i] = squares
                    valid[i] = True
                # A constant series has no correlation; relative threshold guards
                # against a sliding update leaving rounding dust instead of zero.
                if m2[i] <= 1e-13 * window * mean[i] * mean[i] or weights[i] <= 0.0:
                    coef[i] = 0.0
                    continue
                coef[i] = weights[i] / np.sqrt(m2[i] / window)
                weight_sum += weights[i]
                n_members += 1
            if n_members < min_assets:
                continue
            sum_w2 = 0.0
            y_mean = 0.0
            for i in range(n_assets):
                if coef[i] != 0.0:
                    w = weights[i] / weight_sum
                    sum_w2 += w * w
                    coef[i] /= weight_sum
                    y_mean += coef[i] * mean[i]
            if sum_w2 >= 1.0:
                continue
            # Var(y) of y_k = sum_i coef_i r_ik, centred on the members' window
            # means (so no second pass over y): the O(n_assets * window) core.
            var = 0.0
            for k in range(start, t + 1):
                acc = 0.0
                for i in range(n_assets):
                    acc += coef[i] * clean[k, i]
                dev = acc - y_mean
                var += dev * dev
            var /= window
            out[t] = (var - sum_w2) / (1.0 - sum_w2)
    return out


# Serial on purpose: numba's default "workqueue" threading layer is not safe
# when several Python threads (Dask workers, web requests) call a parallel
# kernel at once. The chunks are independent, so ``parallel=True`` is a
# one-word change where that cannot happen.
_avg_corr = njit(_avg_corr_py, cache=True, fastmath=_FASTMATH)


def _rolling_zscore_py(values: FloatArray, window: int) -> FloatArray:
    """Trailing z-score ``(x_t - mean) / std`` (ddof=1) of each column.

    Parameters
    ----------
    values : ndarray of shape (n_observations, n_columns)
        Float64 values, NaN where missing.
    window : int
        Window length in observations, >= 2.

    Returns
    -------
    ndarray of shape (n_observations, n_columns)
        NaN unless the trailing window holds ``window`` non-NaN values with a
        positive standard deviation.

    Notes
    -----
    Sums slide with add/remove updates on values shifted by the first value of
    the window at the last exact recompute (every ``window`` steps), which
    keeps cancellation and drift at rounding level.
    """
    n_obs, n_cols = values.shape
    out = np.full((n_obs, n_cols), np.nan)
    for j in range(n_cols):
        nan_count = 0
        shift = 0.0
        s1 = 0.0
        s2 = 0.0
        fresh = False
        for t in range(n_obs):
            x_new = values[t, j]
            if np.isnan(x_new):
                nan_count += 1
            if t >= window and np.isnan(values[t - window, j]):
                nan_count -= 1
            if t < window - 1 or nan_count > 0:
                fresh = False
                continue
            start = t - window + 1
            if not fresh or (start % window) == 0:
                shift = values[start, j]
                s1 = 0.0
                s2 = 0.0
                for k in range(start, t + 1):
                    dev = values[k, j] - shift
                    s1 += dev
                    s2 += dev * dev
                fresh = True
            else:
                new_dev = x_new - shift
                old_dev = values[t - window, j] - shift
                s1 += new_dev - old_dev
                s2 += new_dev * new_dev - old_dev * old_dev
            mean_dev = s1 / window
            var = (s2 - s1 * mean_dev) / (window - 1)
            scale = abs(mean_dev + shift)
            if var <= 1e-13 * (scale * scale + s2 / window):
                continue
            out[t, j] = (x_new - shift - mean_dev) / np.sqrt(var)
    return out


_rolling_zscore = njit(_rolling_zscore_py, cache=True)
