"""Average pairwise correlation and cross-sectional dispersion of a basket."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.indicators._correlation_small import average_correlation_small
from rotation.indicators._returns import simple_returns
from rotation.indicators._validation import (
    check_frame,
    check_window,
    observed_rows,
    weight_vector,
)

__all__ = [
    "basket_average_correlation",
    "basket_dispersion",
    "rolling_average_correlation",
    "rolling_dispersion",
]


def rolling_average_correlation(
    returns: pd.DataFrame,
    window: int,
    *,
    weights: Mapping[str, float] | None = None,
    min_assets: int = 2,
    n_threads: int | None = None,
) -> pd.Series:
    r"""Compute the rolling (weighted) average pairwise correlation of returns.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets)
        Simple (or log) returns of the members.
    window : int
        Trailing window in observations, >= 2 (63 is about one quarter).
    weights : mapping of str to float, optional
        Non-negative weight per member (e.g. market caps); only the named
        columns are used. ``None`` gives equal weights over all columns.
    min_assets : int, default 2
        Minimum number of members with a full window for a value.
    n_threads : int, optional
        Threads for large baskets (the kernels release the GIL); ``None``
        uses the CPUs available to this process. Results do not depend on it.

    Returns
    -------
    Series of shape (n_observations,)
        Named ``"avg_corr"``, in :math:`[-1, 1]`.

    Notes
    -----
    With :math:`z_{i,t}` the returns standardised inside the window (window
    mean, population standard deviation) and weights :math:`w_i` renormalised
    to sum to one over the members present,

    .. math::
        \bar\rho_t = \frac{\sum_{i \ne j} w_i w_j \rho_{ij}}
                          {\sum_{i \ne j} w_i w_j}
                   = \frac{\operatorname{Var}\left(\sum_i w_i z_i\right)
                           - \sum_i w_i^2}{1 - \sum_i w_i^2},

    which for equal weights is :math:`(N \operatorname{Var}(\bar z) - 1)/(N-1)`:
    the plain mean of the :math:`N(N-1)/2` pairwise correlations. It is the
    realised analogue of the formula behind Cboe's implied-correlation
    indices, with standardised returns in place of volatility-weighted ones.
    Baskets of up to 16 members (with a positive weight) are computed in
    numpy from window sums of the pairwise products (nothing to compile, so a
    first run is as fast as the next); each value depends on its own window
    only, so the output is bit-identical on any prefix or cut of the data.
    Larger baskets take the numba kernel, :math:`O(N \cdot w)` per date (no
    :math:`N^2` correlation matrix): the window's :math:`\sum_i c_i r_{i,s}`
    for several dates at a time come from a register-tiled, SIMD-vectorised
    banded product; per-series moments slide with Welford-type updates and
    are recomputed exactly every few windows (on a fixed grid of rows). Spans
    of rows run on threads; a value never depends on the span it falls in, so
    the output is bit-identical for any ``n_threads`` and on any prefix of
    the data (streaming == batch; dropping leading rows moves the grid, which
    can change the last bit). The two paths agree to rounding (~1e-15; up to
    ~1e-12 after a level shift, where the kernel's sliding moments lose a
    few digits that the numpy path's two-pass fallback keeps).

    NaN handling: a series joins on the first date its trailing window holds
    ``window`` non-NaN returns and leaves on any NaN in the window (an
    infinite return counts as missing, like NaN); constant
    series (zero variance) and zero-weight series are left out. The output
    is NaN where fewer than ``min_assets`` series qualify. Rows where every
    member is NaN (holidays of these assets in a wider panel) are not
    observations: they do not count in the window and are NaN in the output.
    Compute the returns with ``simple_returns(prices, skip_empty_rows=True)``
    so that the day after such a row keeps its return.

    References
    ----------
    .. [1] Cboe, "Cboe S&P 500 Implied Correlation Index" methodology.
    .. [2] Pollet, J. and Wilson, M. (2010), "Average correlation and stock
       market returns", Journal of Financial Economics 96(3).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> common = rng.normal(size=(200, 1))
    >>> r = pd.DataFrame(common + rng.normal(size=(200, 3)), columns=list("ABC"))
    >>> bool(0.3 < rolling_average_correlation(r, 63).iloc[-1] < 0.7)
    True
    """
    check_frame(returns, "returns")
    window = check_window(window, minimum=2)
    min_assets = check_window(min_assets, "min_assets", minimum=2)
    if weights is None:
        basket, raw = returns, np.ones(returns.shape[1])
    else:
        members, raw = weight_vector(returns.columns, weights, "weights")
        basket = returns[members]
    values = basket.to_numpy(dtype=np.float64, na_value=np.nan)
    out = _average_correlation(values, raw, window, min_assets, n_threads)
    return pd.Series(out, index=returns.index, name="avg_corr")


# Below this many multiply-adds (n_assets * window * n_observations) one
# thread is faster than handing spans to the pool.
_THREADED_WORK = 20_000_000

# Baskets of up to this many members (with a positive weight) take the numpy
# path: nothing to compile (the kernels take seconds on a first run). Its cost
# grows as N**2 (pairwise products), the kernel's as N: measured at T=12,000,
# w=63 against the warm kernel, 0.95x at N=7, 1.8x at N=12, 2.7x at N=16
# and ~3.5x at N=20 (benchmarks/bench_indicators.py --small-only). The choice
# depends on the basket only, so a basket always gets the same path (and the
# same bits).
SMALL_BASKET = 16


def _average_correlation(
    values: FloatArray,
    weights: FloatArray,
    window: int,
    min_assets: int,
    n_threads: int | None,
) -> FloatArray:
    """Average correlation of a (n_rows, n_assets) array; one value per row.

    Rows on which no member has a return are not observations: NaN, and
    skipped by the windows.
    """
    n_rows, n_assets = values.shape
    # validated whatever the path: the small path runs on the caller's thread
    threads = _thread_count(n_threads, n_assets * window * n_rows)
    if np.count_nonzero(weights > 0.0) <= SMALL_BASKET:
        return average_correlation_small(values, weights, window, min_assets)
    return _kernel_average_correlation(values, weights, window, min_assets, threads)


def _kernel_average_correlation(
    values: FloatArray,
    weights: FloatArray,
    window: int,
    min_assets: int,
    threads: int,
) -> FloatArray:
    """Run the numba kernel on spans of rows, on ``threads`` threads."""
    # Imported here: a process that only sees small baskets never loads
    # (let alone compiles) the kernels.
    from rotation.indicators._banded_product import LANES
    from rotation.indicators._correlation_kernels import (
        _avg_corr,
        refresh_period,
        ring_rows,
    )

    n_rows, n_assets = values.shape
    out = np.full(n_rows, np.nan)
    # Spans start on the refresh grid, so the split cannot change a value.
    refresh = refresh_period(window)
    n_padded = -(-n_assets // LANES) * LANES

    def span(lo: int, hi: int) -> None:
        ring = _aligned_zeros((ring_rows(window), n_padded))  # one per span
        _avg_corr(values, weights, window, min_assets, refresh, lo, hi, ring, out)

    _run_spans(span, _even_spans(0, n_rows, threads, refresh))
    return out


def _aligned_zeros(shape: tuple[int, int]) -> FloatArray:
    """Allocate a zeroed float64 array whose rows start on 64-byte boundaries."""
    lanes = 8  # float64 per 64 bytes
    size = shape[0] * shape[1]
    buffer = np.zeros(size + lanes)
    offset = (-buffer.ctypes.data % 64) // buffer.itemsize
    return buffer[offset : offset + size].reshape(shape)


def _thread_count(n_threads: int | None, work: int) -> int:
    if n_threads is None:
        return _cpu_count() if work >= _THREADED_WORK else 1
    if isinstance(n_threads, bool) or not isinstance(n_threads, int | np.integer):
        raise TypeError(f"n_threads must be an integer or None (got {n_threads!r}).")
    if n_threads < 1:
        raise ValueError(
            f"n_threads must be >= 1 (got {n_threads}); None uses every CPU."
        )
    return int(n_threads)


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _even_spans(first: int, stop: int, parts: int, step: int) -> list[tuple[int, int]]:
    """Split ``first:stop`` into ``parts`` spans starting at ``first + k * step``."""
    units = max(1, -(-(stop - first) // step))
    parts = max(1, min(parts, units))
    bounds = [first + (units * p // parts) * step for p in range(parts)] + [stop]
    return [(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False) if lo < hi]


def _run_spans(
    kernel: Callable[[int, int], None], spans: list[tuple[int, int]]
) -> None:
    """Run ``kernel(lo, hi)`` once per span, on the pool and the calling thread.

    Each span is claimed by whoever reaches it first, so a caller never waits
    on a queue that other callers (Dask threads, web requests) keep busy: it
    runs every span no worker has started.
    """
    if len(spans) == 1:
        kernel(*spans[0])
        return
    claims = [threading.Lock() for _ in spans]

    def run(k: int) -> None:
        if claims[k].acquire(blocking=False):
            kernel(*spans[k])

    pool = _pool(os.getpid())
    futures = [pool.submit(run, k) for k in range(1, len(spans))]
    for k in range(len(spans)):
        run(k)
    for future in futures:
        # A task still queued behind other callers' spans has nothing left
        # to do: cancel it instead of waiting for the pool to reach it.
        if not future.cancel():
            future.result()


@cache
def _pool(pid: int) -> ThreadPoolExecutor:
    # Keyed by process id: a pool inherited through fork has no live threads.
    return ThreadPoolExecutor(
        max_workers=max(1, _cpu_count() - 1), thread_name_prefix="rotation-avg-corr"
    )


def rolling_dispersion(returns: pd.DataFrame, window: int = 1) -> pd.Series:
    r"""Cross-sectional dispersion of (compounded) returns.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets)
        Simple returns of the members.
    window : int, default 1
        Compounding window in observations; 1 uses the daily returns.

    Returns
    -------
    Series of shape (n_observations,)
        Named ``"dispersion"``, in return units (0.01 = 1 percentage point).

    Notes
    -----
    .. math::
        R_{i,t} = \prod_{k=0}^{w-1} (1 + r_{i,t-k}) - 1, \qquad
        D_t = \sqrt{\frac{1}{N_t}\sum_{i=1}^{N_t} (R_{i,t} - \bar R_t)^2}

    the population standard deviation across the :math:`N_t` members with a
    full window.

    NaN handling: a member counts on date :math:`t` only if its ``window``
    returns up to :math:`t` are all non-NaN; NaN where fewer than two do.
    Rows where every member is NaN are not observations (skipped, NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"A": [0.01, 0.03], "B": [-0.01, 0.01]})
    >>> rolling_dispersion(r).round(4).tolist()
    [0.01, 0.01]
    """
    check_frame(returns, "returns")
    window = check_window(window)
    values = returns.astype("float64")
    rows = observed_rows(values)
    out = _dispersion(values[rows], window).reindex(values.index)
    return out.rename("dispersion")


def _dispersion(values: pd.DataFrame, window: int) -> pd.Series:
    if window == 1:
        compounded = values
    else:
        logs = pd.DataFrame(
            np.log1p(values.to_numpy()), index=values.index, columns=values.columns
        )
        growth = logs.rolling(window, min_periods=window).sum()
        compounded = pd.DataFrame(
            np.expm1(growth.to_numpy()), index=values.index, columns=values.columns
        )
    counts = compounded.notna().sum(axis=1)
    dispersion = compounded.std(axis=1, ddof=0, skipna=True)
    return dispersion.where(counts >= 2).rename("dispersion")


def _on_basket_rows(
    prices: pd.DataFrame, compute: Callable[[pd.DataFrame], pd.Series]
) -> pd.Series:
    """``compute(simple returns)`` on the rows where a member has a price."""
    check_frame(prices, "prices")
    values = prices.astype("float64")
    rows = observed_rows(values)
    # Computed on the observed rows, scattered back: the same row positions
    # (hence the same kernel refresh grid) as a panel with those rows dropped.
    out = compute(simple_returns(values[rows]))
    full = pd.Series(np.nan, index=prices.index, name=out.name, dtype="float64")
    full[rows] = out.to_numpy(dtype=np.float64, na_value=np.nan)
    return full


def basket_average_correlation(
    prices: pd.DataFrame,
    window: int,
    *,
    weights: Mapping[str, float] | None = None,
    min_assets: int = 2,
) -> pd.Series:
    r"""Compute the rolling average pairwise correlation of a basket's prices.

    The one average-correlation path: the thesis language's
    ``avg_corr(basket, window)``, the analysis's correlation part and the
    dashboard's explorer all call it, so the number is the same everywhere.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes of the members (other columns of a wider panel may
        be left out by ``weights``).
    window : int
        Trailing window in observations of the basket, >= 2.
    weights : mapping of str to float, optional
        Non-negative weight per member; ``None``: equal weights.
    min_assets : int, default 2
        Fewest members with a full window for a value.

    Returns
    -------
    Series of shape (n_observations,)
        Named ``"avg_corr"``, indexed like ``prices``.

    Notes
    -----
    :math:`\bar\rho_t` of :func:`rolling_average_correlation` on the simple
    returns :math:`r_{i,t} = P_{i,t}/P_{i,t^-} - 1`, with :math:`t^-` the
    previous row on which any member has a price.

    NaN handling: rows where no member has a price (holidays of these assets
    that other markets trade) are not observations of the basket: NaN, and
    they neither count in nor break a window (the day after keeps its
    return). A member with a gap leaves the average until its window is full
    again (see :func:`rolling_average_correlation`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> common = rng.normal(size=(120, 1))
    >>> r = common + rng.normal(size=(120, 3))
    >>> p = pd.DataFrame(100 * np.cumprod(1 + 0.01 * r, axis=0), columns=list("ABC"))
    >>> bool(basket_average_correlation(p, 63).iloc[-1] > 0.2)
    True
    """
    return _on_basket_rows(
        prices,
        lambda returns: rolling_average_correlation(
            returns, window, weights=weights, min_assets=min_assets
        ),
    )


def basket_dispersion(prices: pd.DataFrame, window: int = 1) -> pd.Series:
    r"""Cross-sectional dispersion of a basket's compounded returns, from prices.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes of the members.
    window : int, default 1
        Compounding window in observations of the basket.

    Returns
    -------
    Series of shape (n_observations,)
        Named ``"dispersion"``, indexed like ``prices``.

    Notes
    -----
    :func:`rolling_dispersion` of the returns of
    :func:`basket_average_correlation` (same returns rule).

    NaN handling: as :func:`rolling_dispersion`; rows where no member has a
    price are NaN and do not count.
    """
    return _on_basket_rows(prices, lambda r: rolling_dispersion(r, window))
