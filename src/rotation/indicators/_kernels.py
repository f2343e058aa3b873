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
    every step, which makes the cost O(n_assets * window) per step; the sums
    for 64 consecutive dates come from one BLAS matrix product (window + 63
    rows by 64 columns), trading ~2x redundant work for BLAS speed.

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
    # Dates per matrix product: rows (window + block - 1) x block columns.
    block = 64
    n_chunks = (steps + chunk - 1) // chunk
    n_assets = values.shape[1]
    inv_window = 1.0 / window
    for c in prange(n_chunks):
        first = window - 1 + c * chunk
        stop = min(n_obs, first + chunk)
        nan_count = np.zeros(n_assets, dtype=np.int64)
        mean = np.zeros(n_assets)
        m2 = np.zeros(n_assets)
        valid = np.zeros(n_assets, dtype=np.bool_)
        coef = np.zeros(n_assets)
        fresh_mean = np.zeros(n_assets)
        fresh_m2 = np.zeros(n_assets)
        # One row per date of the block: contiguous writes, F-order for BLAS.
        coef_block = np.zeros((block, n_assets))
        block_ok = np.zeros(block, dtype=np.bool_)
        block_sw2 = np.zeros(block)
        block_mean = np.zeros(block)
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
            if refresh:
                # Exact two-pass moments of every series, walking the rows so
                # memory is read contiguously (series with a NaN in the window
                # get garbage here and are skipped below).
                fresh_mean[:] = 0.0
                fresh_m2[:] = 0.0
                for k in range(start, t + 1):
                    for i in range(n_assets):
                        fresh_mean[i] += clean[k, i]
                for i in range(n_assets):
                    fresh_mean[i] /= window
                for k in range(start, t + 1):
                    for i in range(n_assets):
                        dev = clean[k, i] - fresh_mean[i]
                        fresh_m2[i] += dev * dev
            weight_sum = 0.0
            n_members = 0
            for i in range(n_assets):
                if nan_count[i] > 0:
                    valid[i] = False
                    coef[i] = 0.0
                    continue
                if refresh:
                    mean[i] = fresh_mean[i]
                    m2[i] = fresh_m2[i]
                    valid[i] = True
                elif valid[i]:
                    x_new = values[t, i]
                    x_old = values[t - window, i]
                    mu_old = mean[i]
                    mu_new = mu_old + (x_new - x_old) * inv_window
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
                if not valid[i]:
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
            slot = (t - first) % block
            usable = n_members >= min_assets
            sum_w2 = 0.0
            y_mean = 0.0
            inv_sum = 1.0 / weight_sum if usable else 0.0
            for i in range(n_assets):
                if coef[i] != 0.0:
                    w = weights[i] * inv_sum
                    sum_w2 += w * w
                    coef[i] *= inv_sum
                    y_mean += coef[i] * mean[i]
                coef_block[slot, i] = coef[i]
            block_ok[slot] = usable and sum_w2 < 1.0
            block_sw2[slot] = sum_w2
            block_mean[slot] = y_mean
            if slot == block - 1 or t == stop - 1:
                # y_k = sum_i coef_i r_ik for every date of the block and every
                # row of its window in one matrix product: the O(n_assets *
                # window) core, run by BLAS. Rows of date ``slot`` are
                # ``slot .. slot + window - 1`` of the product.
                block_first = t - slot
                product = np.dot(clean[block_first - window + 1 : t + 1], coef_block.T)
                for b in range(slot + 1):
                    if not block_ok[b]:
                        continue
                    var = 0.0
                    for k in range(window):
                        dev = product[b + k, b] - block_mean[b]
                        var += dev * dev
                    var /= window
                    out[block_first + b] = (var - block_sw2[b]) / (1.0 - block_sw2[b])
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
