"""Numba kernels of the rolling average pairwise correlation.

Each kernel is written as plain Python (``_foo_py``) and jitted (``_foo``), so
the tests can check the compiled kernel against the interpreted one. Kernels
trust their inputs: :func:`rotation.indicators.rolling_average_correlation`
validates them. Every kernel releases the GIL, so spans of dates run on
plain Python threads (no numba threading layer, which is not safe when Dask
workers or web requests call a parallel kernel at once).

The cost is the banded matrix product ``P[s, t] = x_s . c_t`` for the
``window`` rows ``s`` of each date ``t``: ``n_assets * window`` multiply-adds
per date, which no exact method avoids because the coefficients ``c_t``
(inverse window volatilities) change with every date; see
:mod:`rotation.indicators._banded_product`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from rotation._typing import FloatArray, IntArray
from rotation.indicators._banded_product import (
    _FASTMATH,
    TILE_DATES,
    TILE_ROWS,
    _band_tile,
    compile_kernel,
)


def _pack_row_py(values: FloatArray, row: int, out: FloatArray) -> int:
    """Copy ``values[row]`` into ``out`` with 0.0 for gaps; return the gap count.

    A gap is a NaN or an infinite return (0 * inf would poison the product).

    ``out`` is a ring-buffer row padded with zeros past ``n_assets`` (the
    padding is written once, when the ring is allocated).
    """
    gaps = 0
    for i in range(values.shape[1]):
        v = values[row, i]
        gap = not np.isfinite(v)
        gaps += int(gap)
        out[i] = 0.0 if gap else v
    return gaps


_pack_row = compile_kernel(_pack_row_py, inline=True)


def ring_rows(window: int) -> int:
    """Rows of the ring buffer :func:`_avg_corr` needs for ``window``.

    A tile's band spans ``window + TILE_DATES - 1`` observations, and a tile
    is emitted before the next row is copied in, so that is the minimum (one
    row fewer gives wrong values: a row still in the band is overwritten).
    """
    return window + TILE_DATES - 1


def refresh_period(window: int) -> int:
    """Rows between exact recomputes of the moments: about 4 windows, >= 256.

    Sliding updates drift by rounding only (~1e-16 per step, tested over 20,000
    steps); recomputing every few windows instead of every window saves most
    of the two-pass cost. It does not depend on the tile shape, so neither do
    the values.
    """
    return max(256, 4 * window)


# A variance outside float32's normal range would spoil the float32 seed of
# _inverse_sqrt; such rows take the exact path instead (never, for returns).
_SEED_MIN = 1e-30
_SEED_MAX = 1e30


def _inverse_sqrt_py(variance: float) -> float:
    """``variance ** -0.5`` to within a few units in the last place.

    A float32 square root and division (twice as many lanes as float64, and a
    float64 ``sqrt`` + ``div`` pair is the slowest operation of the kernel)
    give 24 bits; two Newton steps in float64 double them twice. Valid for
    ``_SEED_MIN <= variance <= _SEED_MAX``.
    """
    y = np.float64(np.float32(1.0) / np.sqrt(np.float32(variance)))
    half = 0.5 * variance
    y = y * (1.5 - half * y * y)
    return y * (1.5 - half * y * y)


# Inlined in numba's IR: a call inside a loop would stop LLVM vectorising it.
_inverse_sqrt = njit(_inverse_sqrt_py, inline="always", fastmath=_FASTMATH)


def _coefficients_py(
    mean: FloatArray,
    m2: FloatArray,
    valid: npt.NDArray[np.bool_],
    weights: FloatArray,
    window: int,
    row_coef: FloatArray,
) -> tuple[float, float, int]:
    """Fill ``row_coef[i] = w_i / sigma_i`` for the members; return their weight sums.

    Returns ``(sum w_i, sum w_i**2, n_members)`` over the members: valid
    series with a positive weight and a non-zero variance.
    """
    inv_window = 1.0 / window
    weight_sum = 0.0
    weight_squares = 0.0
    n_members = 0
    n_extreme = 0
    for i in range(mean.shape[0]):
        # A constant series has no correlation; the relative threshold guards
        # against a sliding update leaving rounding dust instead of zero.
        member = (
            valid[i] & (weights[i] > 0.0) & (m2[i] > 1e-13 * window * mean[i] * mean[i])
        )
        weight = weights[i] if member else 0.0
        variance = m2[i] * inv_window if member else 1.0
        row_coef[i] = weight * _inverse_sqrt(variance)
        n_extreme += int(variance < _SEED_MIN) + int(variance > _SEED_MAX)
        weight_sum += weight
        weight_squares += weight * weight
        n_members += int(member)
    if n_extreme:
        _exact_coefficients(mean, m2, valid, weights, window, row_coef)
    return weight_sum, weight_squares, n_members


def _exact_coefficients_py(
    mean: FloatArray,
    m2: FloatArray,
    valid: npt.NDArray[np.bool_],
    weights: FloatArray,
    window: int,
    row_coef: FloatArray,
) -> None:
    """:func:`_coefficients` with a correctly rounded ``** -0.5`` (any variance)."""
    for i in range(mean.shape[0]):
        member = (
            valid[i] & (weights[i] > 0.0) & (m2[i] > 1e-13 * window * mean[i] * mean[i])
        )
        variance = m2[i] / window if member else 1.0
        row_coef[i] = (weights[i] if member else 0.0) * variance**-0.5


_exact_coefficients = compile_kernel(_exact_coefficients_py)
_coefficients = compile_kernel(_coefficients_py)


def _exact_moments_py(
    clean: FloatArray,
    rows: IntArray,
    start: int,
    t: int,
    mean: FloatArray,
    m2: FloatArray,
) -> None:
    """Two-pass mean and sum of squared deviations of every series over ``start..t``.

    Walks the rows so memory is read contiguously; series with a NaN in the
    window get meaningless values here and are never used.
    """
    inv_window = 1.0 / (t - start + 1)
    n_assets = mean.shape[0]
    for i in range(n_assets):
        mean[i] = 0.0
        m2[i] = 0.0
    for k in range(start, t + 1):
        x = clean[rows[k]]
        for i in range(n_assets):
            mean[i] += x[i]
    for i in range(n_assets):
        mean[i] *= inv_window
    for k in range(start, t + 1):
        x = clean[rows[k]]
        for i in range(n_assets):
            dev = x[i] - mean[i]
            m2[i] += dev * dev


_exact_moments = compile_kernel(_exact_moments_py, inline=True)


def _slide_coefficients_py(
    x_new: FloatArray,
    x_old: FloatArray,
    window: int,
    nan_count: IntArray,
    weights: FloatArray,
    mean: FloatArray,
    m2: FloatArray,
    valid: npt.NDArray[np.bool_],
    row_coef: FloatArray,
) -> tuple[int, float, float, int]:
    """Slide the moments one date (Welford add/remove), then fill the coefficients.

    Returns ``(n_stale, sum w_i, sum w_i**2, n_members)``. One pass does
    both (:func:`_coefficients` and the update read the same arrays).
    Branch-free so that it vectorises. A series with a NaN in its window is
    marked invalid; one whose update would cancel more than 99% of its sum of
    squares (variance collapsing within one step, which would cost relative
    precision) is marked invalid too and counted in ``n_stale``, as is a series
    rejoining: the caller then recomputes those exactly and calls
    :func:`_coefficients` again.
    """
    inv_window = 1.0 / window
    n_stale = 0
    weight_sum = 0.0
    weight_squares = 0.0
    n_members = 0
    n_extreme = 0
    for i in range(mean.shape[0]):
        mu_old = mean[i]
        step = x_new[i] - x_old[i]
        mu_new = mu_old + step * inv_window
        updated = m2[i] + step * (x_new[i] - mu_new + x_old[i] - mu_old)
        complete = nan_count[i] == 0
        keep = valid[i] & complete & (updated > 0.01 * m2[i])
        mu = mu_new if keep else mu_old
        squares = updated if keep else m2[i]
        mean[i] = mu
        m2[i] = squares
        valid[i] = keep
        # Integer arithmetic, not a bool select: measured 2x faster here.
        n_stale += int(complete) - int(keep)
        member = keep & (weights[i] > 0.0) & (squares > 1e-13 * window * mu * mu)
        weight = weights[i] if member else 0.0
        variance = squares * inv_window if member else 1.0
        row_coef[i] = weight * _inverse_sqrt(variance)
        n_extreme += int(variance < _SEED_MIN) + int(variance > _SEED_MAX)
        weight_sum += weight
        weight_squares += weight * weight
        n_members += int(member)
    if n_extreme:
        _exact_coefficients(mean, m2, valid, weights, window, row_coef)
    return n_stale, weight_sum, weight_squares, n_members


_slide_coefficients = compile_kernel(_slide_coefficients_py)


def _slide_clean_py(
    x_new: FloatArray,
    x_old: FloatArray,
    window: int,
    weights: FloatArray,
    mean: FloatArray,
    m2: FloatArray,
    mean_next: FloatArray,
    m2_next: FloatArray,
    row_coef: FloatArray,
) -> int:
    """:func:`_slide_coefficients` when every series is a member with a complete window.

    The common case, at half the work: no gap counts, no validity flags and
    no weight sums (they are those of the previous date). Writes the slid
    moments to ``mean_next``/``m2_next`` and returns how many series would
    leave (a cancelling update or a constant series): if any, the caller
    discards the result and takes the general path from ``mean``/``m2``.
    """
    inv_window = 1.0 / window
    n_leaving = 0
    for i in range(mean.shape[0]):
        mu_old = mean[i]
        step = x_new[i] - x_old[i]
        mu_new = mu_old + step * inv_window
        updated = m2[i] + step * (x_new[i] - mu_new + x_old[i] - mu_old)
        mean_next[i] = mu_new
        m2_next[i] = updated
        variance = updated * inv_window
        # the float32 seed's range check of _coefficients, folded in here
        leaving = (
            (updated <= 0.01 * m2[i])
            | (updated <= 1e-13 * window * mu_new * mu_new)
            | (variance < _SEED_MIN)
            | (variance > _SEED_MAX)
        )
        n_leaving += int(leaving)
        row_coef[i] = weights[i] * _inverse_sqrt(variance)
    return n_leaving


_slide_clean = compile_kernel(_slide_clean_py)


def _rejoin_py(
    clean: FloatArray,
    rows: IntArray,
    start: int,
    t: int,
    nan_count: IntArray,
    mean: FloatArray,
    m2: FloatArray,
    valid: npt.NDArray[np.bool_],
) -> None:
    """Recompute exactly (two-pass) the moments of complete series marked invalid."""
    inv_window = 1.0 / (t - start + 1)
    for i in range(mean.shape[0]):
        if valid[i] or nan_count[i] > 0:
            continue
        total = 0.0
        for k in range(start, t + 1):
            total += clean[rows[k], i]
        mu = total * inv_window
        squares = 0.0
        for k in range(start, t + 1):
            dev = clean[rows[k], i] - mu
            squares += dev * dev
        mean[i] = mu
        m2[i] = squares
        valid[i] = True


_rejoin = compile_kernel(_rejoin_py, inline=True)


def _emit_tile_py(
    ring: FloatArray,
    slots: IntArray,
    coef: FloatArray,
    window: int,
    n_filled: int,
    tile_obs: IntArray,
    tile_ok: IntArray,
    tile_sw2: FloatArray,
    tile_scale: FloatArray,
    obs_row: IntArray,
    product: FloatArray,
    out: FloatArray,
) -> None:
    """Banded product of one tile of dates, then each date's value into ``out``.

    ``y_s = c_t . r_s`` for the window of every date of the tile: the
    O(n_assets * window) core, in this machine's tile shape
    (:data:`rotation.indicators._banded_product.TILE`). Date ``slot`` reads
    rows slot..slot+window-1 of the product.
    """
    first = tile_obs[0]
    last = tile_obs[n_filled - 1]
    _band_tile(ring, slots, coef, first - window + 1, last, product)
    inv_window = 1.0 / window
    for slot in range(n_filled):
        if tile_ok[slot] == 0:
            continue
        total = 0.0
        for k in range(window):
            total += product[slot + k, slot]
        y_mean = total * inv_window
        var = 0.0
        for k in range(window):
            dev = product[slot + k, slot] - y_mean
            var += dev * dev
        var *= inv_window * tile_scale[slot]
        out[obs_row[tile_obs[slot]]] = (var - tile_sw2[slot]) / (1.0 - tile_sw2[slot])


_emit_tile = compile_kernel(_emit_tile_py, inline=True)


def _avg_corr_py(
    values: FloatArray,
    weights: FloatArray,
    window: int,
    min_assets: int,
    refresh: int,
    lo: int,
    hi: int,
    ring: FloatArray,
    out: FloatArray,
) -> None:
    """Compute the weighted average pairwise correlation on rows ``lo:hi``.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_assets)
        Returns, NaN where missing, C- or F-ordered.
    weights : ndarray of shape (n_assets,)
        Non-negative raw weights (renormalised over the members of each window).
    window : int
        Window length in observations, >= 2.
    min_assets : int
        Minimum number of members (>= 2) for a value.
    refresh : int
        Rows between exact recomputes of the moments (see
        :func:`refresh_period`).
    lo, hi : int
        Rows to compute; ``lo`` a multiple of ``refresh``.
    ring : ndarray of shape (ring_rows(window), n_padded)
        Scratch rows for the window's returns (0.0 for NaN), ``n_padded`` a
        multiple of ``LANES``, zero past ``n_assets``, rows 64-byte aligned.
    out : ndarray of shape (n_rows,)
        Receives ``(Var(sum_i w_i z_i) - sum_i w_i**2) / (1 - sum_i w_i**2)``
        where ``z_i`` are the window's returns standardised with the window's
        mean and population standard deviation; left untouched on rows where
        every member is missing (not observations) and where fewer than
        ``min_assets`` series have a full window of non-NaN, non-constant
        returns.

    Notes
    -----
    The window holds the last ``window`` observations (rows with at least one
    return). Each row is copied into the ring just before it is needed, so
    it is still in cache for the moments and the banded product.

    Per-series means and sums of squared deviations slide with Welford-type
    add/remove updates and are recomputed exactly (two-pass) on the first
    computed date at or after each multiple of ``refresh`` rows, whenever a
    series (re)joins and whenever an update would cancel more than 99% of
    the sum of squares, so rounding drift cannot build up. Because refresh
    points sit on a fixed grid of rows and every date's variance is computed
    by the same instructions, a value does not depend on where a span starts
    or ends: data cut at ``t`` give bit-identical values up to ``t``, and any
    split of the rows into spans (threads) gives identical numbers.

    The variance of ``y_s = sum_i c_i r_is`` over the window is computed
    two-pass from the banded product, in tiles of this machine's shape
    (:data:`rotation.indicators._banded_product.TILE`; every shape gives the
    same products, bit for bit).
    """
    n_assets = values.shape[1]
    n_padded = ring.shape[1]
    ring_size = ring.shape[0]
    n_tile = TILE_DATES
    # Observations of this span: the window - 1 before ``lo``, then ``lo:hi``.
    # Observation k lives in ring row k % ring_size; obs_row[k] is its row.
    start_row = lo
    found = 0
    while start_row > 0 and found < window - 1:
        start_row -= 1
        if _pack_row(values, start_row, ring[0]) < n_assets:
            found += 1
    n_max = found + hi - lo
    # Few array types (each allocation type costs compile time).
    observations = np.zeros((3, n_max), dtype=np.int64)
    slots, obs_row, obs_gaps = observations[0], observations[1], observations[2]
    for k in range(n_max):
        slots[k] = k % ring_size
    counts = np.zeros((3, max(n_assets, n_tile)), dtype=np.int64)
    nan_count, tile_obs, tile_ok = counts[0], counts[1], counts[2]
    moments = np.zeros((4, n_assets))
    mean, m2, mean_next, m2_next = moments[0], moments[1], moments[2], moments[3]
    valid = np.zeros(n_assets, dtype=np.bool_)
    # Every series a member with a complete window (all weights > 0, no gap
    # in the window, none left out): the previous date's sums still hold.
    all_members = False
    gap_rows = 0  # observations with a gap among the window's
    coef = np.zeros((n_tile, n_padded))
    tile_sums = np.zeros((2, n_tile))
    tile_sw2, tile_scale = tile_sums[0], tile_sums[1]
    product = np.zeros((window + n_tile - 1 + TILE_ROWS, n_tile))
    # typed int64 by numba, not Literal[int](0): a literal observation index
    # would give the helpers it reaches a second specialisation to compile
    n_obs = lo - lo
    n_dates = 0
    next_refresh = lo
    for row in range(start_row, hi):
        gaps = _pack_row(values, row, ring[slots[n_obs]])
        if gaps == n_assets:
            continue  # not an observation: no value, not in any window
        t = n_obs
        n_obs += 1
        obs_row[t] = row
        obs_gaps[t] = gaps
        if gaps > 0:
            for i in range(n_assets):
                nan_count[i] += int(not np.isfinite(values[row, i]))
            gap_rows += 1
        if t >= window and obs_gaps[t - window] > 0:
            leaving = obs_row[t - window]
            for i in range(n_assets):
                nan_count[i] -= int(not np.isfinite(values[leaving, i]))
            gap_rows -= 1
        if row < lo or t < window - 1:
            continue  # warm-up, or the window is not full yet
        start = t - window + 1
        slot = n_dates % n_tile
        row_coef = coef[slot]
        if n_dates == 0 or row >= next_refresh:
            while next_refresh <= row:
                next_refresh += refresh
            _exact_moments(ring, slots, start, t, mean, m2)
            for i in range(n_assets):
                valid[i] = nan_count[i] == 0
            weight_sum, weight_squares, n_members = _coefficients(
                mean, m2, valid, weights, window, row_coef
            )
            all_members = n_members == n_assets
        elif (
            all_members
            and gap_rows == 0
            and _slide_clean(
                ring[slots[t]],
                ring[slots[t - window]],
                window,
                weights,
                mean,
                m2,
                mean_next,
                m2_next,
                row_coef,
            )
            == 0
        ):
            mean, mean_next = mean_next, mean
            m2, m2_next = m2_next, m2
        else:
            n_stale, weight_sum, weight_squares, n_members = _slide_coefficients(
                ring[slots[t]],
                ring[slots[t - window]],
                window,
                nan_count,
                weights,
                mean,
                m2,
                valid,
                row_coef,
            )
            if n_stale:
                _rejoin(ring, slots, start, t, nan_count, mean, m2, valid)
                weight_sum, weight_squares, n_members = _coefficients(
                    mean, m2, valid, weights, window, row_coef
                )
            all_members = n_members == n_assets
        # Weights are normalised afterwards: Var(y / S) = Var(y) / S**2.
        usable = n_members >= min_assets
        scale = 1.0 / weight_sum if usable else 0.0
        sum_w2 = weight_squares * scale * scale
        tile_ok[slot] = int(usable and sum_w2 < 1.0)
        tile_sw2[slot] = sum_w2
        tile_scale[slot] = scale * scale
        tile_obs[slot] = t
        n_dates += 1
        if slot == n_tile - 1:
            _emit_tile(
                ring,
                slots,
                coef,
                window,
                slot + 1,
                tile_obs,
                tile_ok,
                tile_sw2,
                tile_scale,
                obs_row,
                product,
                out,
            )
    filled = n_dates % n_tile
    if filled:
        # A short last tile repeats its last date so the tile keeps its
        # shape; the repeated columns are computed and never written out.
        for slot in range(filled, n_tile):
            for i in range(n_padded):
                coef[slot, i] = coef[filled - 1, i]
        _emit_tile(
            ring,
            slots,
            coef,
            window,
            filled,
            tile_obs,
            tile_ok,
            tile_sw2,
            tile_scale,
            obs_row,
            product,
            out,
        )


_avg_corr = compile_kernel(_avg_corr_py)
