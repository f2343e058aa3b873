"""Return and risk-adjusted return measures of a return series."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.measures._validation import (
    ReturnsLike,
    as_columns,
    per_column,
    resolve_periods,
    risk_free_columns,
    wrap,
)

__all__ = [
    "annual_volatility",
    "cagr",
    "hit_rate",
    "sharpe_ratio",
    "sortino_ratio",
    "total_return",
]


def total_return(returns: ReturnsLike) -> Any:
    r"""Compounded return over the whole sample.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.

    Returns
    -------
    float, Series or ndarray
        One value per column.

    Notes
    -----
    .. math:: R = \prod_t (1 + r_t) - 1

    NaN handling: NaN returns are skipped (not treated as zero).
    """
    return per_column(returns, lambda r: float(np.prod(1.0 + r) - 1.0))


def cagr(returns: ReturnsLike, *, periods_per_year: float | None = None) -> Any:
    r"""Compound annual growth rate.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.
    periods_per_year : float, optional
        Annualisation factor; inferred from the date index when omitted.

    Returns
    -------
    float, Series or ndarray
        One value per column; NaN when fewer than one observation.

    Notes
    -----
    .. math:: \mathrm{CAGR} = \Big(\prod_t (1 + r_t)\Big)^{P / n} - 1

    with :math:`n` observations and :math:`P` periods per year, so the number
    of years is counted in periods (as empyrical and quantstats >= 0.0.70 do),
    not in calendar days.

    NaN handling: NaN returns are skipped; :math:`n` counts the others.
    """
    periods = resolve_periods(returns, periods_per_year)

    def _one(r: FloatArray) -> float:
        if r.size == 0:
            return float("nan")
        growth = float(np.prod(1.0 + r))
        if growth <= 0.0:
            return -1.0
        return float(growth ** (periods / r.size) - 1.0)

    return per_column(returns, _one)


def annual_volatility(
    returns: ReturnsLike, *, periods_per_year: float | None = None
) -> Any:
    r"""Annualised standard deviation of returns.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.
    periods_per_year : float, optional
        Annualisation factor; inferred from the date index when omitted.

    Returns
    -------
    float, Series or ndarray

    Notes
    -----
    .. math:: \sigma_A = \sqrt{P}\,\mathrm{sd}(r), \quad \text{ddof} = 1

    NaN handling: NaN returns are skipped; NaN with fewer than 2 values.
    """
    periods = resolve_periods(returns, periods_per_year)
    return per_column(
        returns,
        lambda r: (
            float(np.std(r, ddof=1) * np.sqrt(periods)) if r.size > 1 else float("nan")
        ),
    )


def _excess(returns: ReturnsLike, risk_free: float | pd.Series) -> FloatArray:
    return as_columns(returns) - risk_free_columns(returns, risk_free)


def sharpe_ratio(
    returns: ReturnsLike,
    *,
    risk_free: float | pd.Series = 0.0,
    periods_per_year: float | None = None,
) -> Any:
    r"""Annualised Sharpe ratio of excess returns.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.
    risk_free : float or Series, default 0.0
        Risk-free return **per period** (a Series is aligned on the dates of
        ``returns``, e.g. the daily cash return from the Fed funds rate).
    periods_per_year : float, optional
        Annualisation factor; inferred from the date index when omitted.

    Returns
    -------
    float, Series or ndarray
        NaN when the excess returns have zero or undefined dispersion.

    Notes
    -----
    .. math:: SR = \sqrt{P}\,\frac{\overline{r - r_f}}{\mathrm{sd}(r - r_f)}

    with ``ddof = 1``. quantstats and empyrical take an *annual* ``rf`` and
    de-annualise it; here ``risk_free`` is already per period, which lets a
    time-varying cash rate be used.

    NaN handling: periods where the return or the risk-free rate is NaN are
    skipped.
    """
    periods = resolve_periods(returns, periods_per_year)
    excess = _excess(returns, risk_free)

    def _one(x: FloatArray) -> float:
        if x.size < 2:
            return float("nan")
        sd = float(np.std(x, ddof=1))
        if sd == 0.0:
            return float("nan")
        return float(np.mean(x) / sd * np.sqrt(periods))

    return wrap(returns, _columns(excess, _one))


def sortino_ratio(
    returns: ReturnsLike,
    *,
    risk_free: float | pd.Series = 0.0,
    periods_per_year: float | None = None,
) -> Any:
    r"""Annualised Sortino ratio of excess returns.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.
    risk_free : float or Series, default 0.0
        Risk-free return per period (see :func:`sharpe_ratio`).
    periods_per_year : float, optional
        Annualisation factor; inferred from the date index when omitted.

    Returns
    -------
    float, Series or ndarray
        NaN when there is no downside.

    Notes
    -----
    .. math::

        x_t = r_t - r_{f,t}, \qquad
        DD = \sqrt{\tfrac{1}{n} \textstyle\sum_t \min(x_t, 0)^2}, \qquad
        \mathrm{Sortino} = \sqrt{P}\,\bar{x} / DD

    The downside deviation divides by all :math:`n` observations (as
    quantstats and empyrical do), not only the negative ones.

    NaN handling: periods where the return or the risk-free rate is NaN are
    skipped.
    """
    periods = resolve_periods(returns, periods_per_year)
    excess = _excess(returns, risk_free)

    def _one(x: FloatArray) -> float:
        if x.size == 0:
            return float("nan")
        downside = float(np.sqrt(np.mean(np.minimum(x, 0.0) ** 2)))
        if downside == 0.0:
            return float("nan")
        return float(np.mean(x) / downside * np.sqrt(periods))

    return wrap(returns, _columns(excess, _one))


def hit_rate(returns: ReturnsLike) -> Any:
    r"""Share of periods with a positive return among periods with a non-zero one.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.

    Returns
    -------
    float, Series or ndarray
        In [0, 1]; NaN when every return is zero.

    Notes
    -----
    .. math:: h = \#\{t: r_t > 0\} / \#\{t: r_t \neq 0\}

    Zero returns (flat days in cash, holidays) are left out, as in quantstats'
    ``win_rate``.

    NaN handling: NaN returns are skipped.
    """

    def _one(r: FloatArray) -> float:
        nonzero = int(np.count_nonzero(r))
        return float(np.count_nonzero(r > 0) / nonzero) if nonzero else float("nan")

    return per_column(returns, _one)


def _columns(array: FloatArray, func: Any) -> FloatArray:
    out = np.empty(array.shape[1])
    for j in range(array.shape[1]):
        column = array[:, j]
        out[j] = func(column[~np.isnan(column)])
    return out
