"""Average pairwise correlation and cross-sectional dispersion of a basket."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from rotation.indicators._kernels import _avg_corr
from rotation.indicators._validation import (
    check_frame,
    check_window,
    observed_rows,
    weight_vector,
)

__all__ = ["rolling_average_correlation", "rolling_dispersion"]


@cache
def _blas_controller() -> ThreadpoolController:
    # numba's np.dot calls scipy's BLAS: load it before the controller takes
    # its (one-off, millisecond) inventory of BLAS libraries.
    import scipy.linalg.cython_blas  # noqa: F401

    return ThreadpoolController()


def rolling_average_correlation(
    returns: pd.DataFrame,
    window: int,
    *,
    weights: Mapping[str, float] | None = None,
    min_assets: int = 2,
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
    The numba kernel costs :math:`O(N \cdot w)` per date (no :math:`N^2`
    correlation matrix; the sums for 64 dates at a time come from one BLAS
    matrix product, run single-threaded); per-series moments slide with
    Welford-type updates and are recomputed exactly every ``window`` steps.

    NaN handling: a series joins on the first date its trailing window holds
    ``window`` non-NaN returns and leaves on any NaN in the window; constant
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
    members, raw = weight_vector(returns.columns, weights, "weights")
    values = returns[members].to_numpy(dtype=np.float64, na_value=np.nan)
    rows = observed_rows(returns[members])
    out = np.full(len(returns), np.nan)
    # The kernel's matrix products are small (window + 63 rows by 64 columns):
    # BLAS threads only add contention there (2-3x slower on a busy machine).
    with _blas_controller().limit(limits=1, user_api="blas"):
        out[rows] = _avg_corr(
            np.ascontiguousarray(values[rows]), raw, window, min_assets
        )
    return pd.Series(out, index=returns.index, name="avg_corr")


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
