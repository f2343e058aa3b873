"""Statistics over windows given by anchors (see :mod:`rotation.thesis._windows`).

Each kernel takes values on a date index and, for every row t, the anchor
a(t): the window holds rows a(t)+1 .. t, so a fixed window of w rows has
a(t) = t - w and a calendar window has a variable length. Kernels are plain
Python compiled with numba (``_x = njit(_x_py)``), one pass over all rows.

NaN policy (all kernels): the value at t is NaN when a(t) < -1 (the data do
not reach back to the window's start; a(t) = -1 is a window that starts at
the first row) or when any value in the window is NaN,
as pandas ``rolling(w)`` with ``min_periods=w`` does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rotation._typing import FloatArray, IntArray

__all__ = [
    "rolling_corr",
    "rolling_extreme",
    "rolling_mean",
    "rolling_pctile",
    "value_at_anchor",
]


def _mean_py(values: FloatArray, anchors: IntArray) -> FloatArray:
    n = values.shape[0]
    out = np.full(n, np.nan)
    total = np.zeros(n + 1)
    nans = np.zeros(n + 1, dtype=np.int64)
    for t in range(n):
        v = values[t]
        bad = np.isnan(v)
        total[t + 1] = total[t] + (0.0 if bad else v)
        nans[t + 1] = nans[t] + (1 if bad else 0)
    for t in range(n):
        a = anchors[t]
        if a < -1 or a >= t or nans[t + 1] - nans[a + 1] > 0:
            continue
        # Summing the window directly keeps the result exact to rounding
        # (a difference of prefix sums loses digits on long histories).
        s = 0.0
        for k in range(a + 1, t + 1):
            s += values[k]
        out[t] = s / (t - a)
    return out


def _extreme_py(values: FloatArray, anchors: IntArray, sign: float) -> FloatArray:
    n = values.shape[0]
    out = np.full(n, np.nan)
    for t in range(n):
        a = anchors[t]
        if a < -1 or a >= t:
            continue
        best = -np.inf
        ok = True
        for k in range(a + 1, t + 1):
            v = values[k]
            if np.isnan(v):
                ok = False
                break
            if sign * v > best:
                best = sign * v
        if ok:
            out[t] = sign * best
    return out


def _pctile_py(values: FloatArray, anchors: IntArray) -> FloatArray:
    n = values.shape[0]
    out = np.full(n, np.nan)
    for t in range(n):
        a = anchors[t]
        x = values[t]
        if a < -1 or a >= t or np.isnan(x):
            continue
        count = 0
        ok = True
        for k in range(a + 1, t + 1):
            v = values[k]
            if np.isnan(v):
                ok = False
                break
            if v <= x:
                count += 1
        if ok:
            out[t] = count / (t - a)
    return out


def _corr_py(x: FloatArray, y: FloatArray, anchors: IntArray) -> FloatArray:
    n = x.shape[0]
    out = np.full(n, np.nan)
    for t in range(n):
        a = anchors[t]
        m = t - a
        if a < -1 or m < 2:
            continue
        sx = 0.0
        sy = 0.0
        ok = True
        for k in range(a + 1, t + 1):
            if np.isnan(x[k]) or np.isnan(y[k]):
                ok = False
                break
            sx += x[k]
            sy += y[k]
        if not ok:
            continue
        mx = sx / m
        my = sy / m
        sxx = 0.0
        syy = 0.0
        sxy = 0.0
        for k in range(a + 1, t + 1):
            dx = x[k] - mx
            dy = y[k] - my
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        if sxx > 0.0 and syy > 0.0:
            out[t] = sxy / np.sqrt(sxx * syy)
    return out


_mean = njit(cache=True)(_mean_py)
_extreme = njit(cache=True)(_extreme_py)
_pctile = njit(cache=True)(_pctile_py)
_corr = njit(cache=True)(_corr_py)


def _f(values: FloatArray) -> FloatArray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _i(anchors: IntArray) -> IntArray:
    return np.ascontiguousarray(anchors, dtype=np.int64)


def rolling_mean(values: FloatArray, anchors: IntArray) -> FloatArray:
    r"""Mean of the window: :math:`\frac{1}{t - a(t)} \sum_{k=a(t)+1}^{t} x_k`.

    Parameters
    ----------
    values : ndarray of shape (n_observations,)
    anchors : ndarray of int64, shape (n_observations,)
        From :func:`rotation.thesis.window_anchors`.

    Returns
    -------
    ndarray of shape (n_observations,)
    """
    return _mean(_f(values), _i(anchors))


def rolling_extreme(
    values: FloatArray, anchors: IntArray, *, largest: bool
) -> FloatArray:
    """Largest (``largest=True``) or smallest value of the window."""
    return _extreme(_f(values), _i(anchors), 1.0 if largest else -1.0)


def rolling_pctile(values: FloatArray, anchors: IntArray) -> FloatArray:
    r"""Share of the window at or below today's value, in (0, 1].

    .. math:: p_t = \frac{\#\{k \in (a(t), t] : x_k \le x_t\}}{t - a(t)}

    Equal to pandas ``rolling(w).rank(pct=True, method="max")``: 1 when today
    is the highest value of the window, 1/w when it is the lowest.
    """
    return _pctile(_f(values), _i(anchors))


def rolling_corr(x: FloatArray, y: FloatArray, anchors: IntArray) -> FloatArray:
    """Pearson correlation of ``x`` and ``y`` over the window (NaN if flat)."""
    return _corr(_f(x), _f(y), _i(anchors))


def value_at_anchor(values: FloatArray, anchors: IntArray) -> FloatArray:
    """Return ``values[a(t)]`` for every t (NaN where a(t) < 0): lags, changes."""
    out = np.full(values.shape[0], np.nan)
    ok = anchors >= 0
    out[ok] = np.asarray(values, dtype=np.float64)[anchors[ok]]
    return out
