"""Numba kernels, each written as plain Python (``_foo_py``) and jitted (``_foo``).

Kernels trust their inputs: the public functions validate shapes, dtypes and
parameters before calling them. Keeping the Python version lets the tests check
the compiled kernel against the interpreted one.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rotation._typing import FloatArray


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
