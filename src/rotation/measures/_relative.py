"""Measures relative to a benchmark: beta, alpha, information ratio."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.measures._validation import (
    ReturnsLike,
    as_columns,
    resolve_periods,
    risk_free_columns,
    wrap,
)

__all__ = ["alpha", "beta", "information_ratio"]


def _aligned(
    returns: ReturnsLike, benchmark: pd.Series | FloatArray
) -> tuple[FloatArray, FloatArray]:
    r = as_columns(returns)
    if isinstance(benchmark, pd.Series):
        if not isinstance(returns, pd.Series | pd.DataFrame):
            raise ValueError(
                "benchmark is a Series but returns has no index to align on; pass "
                "both as pandas objects or both as arrays."
            )
        b = benchmark.reindex(returns.index).to_numpy(dtype=float)
    else:
        b = np.asarray(benchmark, dtype=float)
    if b.ndim != 1 or b.shape[0] != r.shape[0]:
        raise ValueError(
            f"benchmark must be 1-D with one value per observation of returns "
            f"({r.shape[0]}); got shape {b.shape}."
        )
    return r, np.broadcast_to(b[:, None], r.shape)


def _beta_one(x: FloatArray, y: FloatArray) -> float:
    if x.size < 2:
        return float("nan")
    dy = y - y.mean()
    var = float(np.mean(dy * dy))
    if var == 0.0:
        return float("nan")
    return float(np.mean((x - x.mean()) * dy) / var)


def beta(returns: ReturnsLike, benchmark: pd.Series | FloatArray) -> Any:
    r"""Sensitivity of returns to benchmark returns (OLS slope).

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.
    benchmark : Series or ndarray of shape (n_observations,)
        Benchmark returns on the same dates (a Series is aligned by date).

    Returns
    -------
    float, Series or ndarray

    Notes
    -----
    .. math:: \beta = \mathrm{cov}(r, b) / \mathrm{var}(b)

    NaN handling: periods where either return is NaN are skipped.
    """
    r, b = _aligned(returns, benchmark)
    out = np.empty(r.shape[1])
    for j in range(r.shape[1]):
        ok = ~(np.isnan(r[:, j]) | np.isnan(b[:, j]))
        out[j] = _beta_one(r[ok, j], b[ok, j])
    return wrap(returns, out)


def alpha(
    returns: ReturnsLike,
    benchmark: pd.Series | FloatArray,
    *,
    risk_free: float | pd.Series = 0.0,
    periods_per_year: float | None = None,
) -> Any:
    r"""Annualised Jensen's alpha against a benchmark.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.
    benchmark : Series or ndarray of shape (n_observations,)
        Benchmark returns on the same dates.
    risk_free : float or Series, default 0.0
        Risk-free return per period.
    periods_per_year : float, optional
        Annualisation factor; inferred from the date index when omitted.

    Returns
    -------
    float, Series or ndarray

    Notes
    -----
    With excess returns :math:`x = r - r_f` and :math:`y = b - r_f`,

    .. math:: \beta = \mathrm{cov}(x, y)/\mathrm{var}(y), \quad
              \alpha = (1 + \overline{x - \beta y})^{P} - 1

    i.e. the per-period intercept compounded to a year, as empyrical's
    ``alpha_beta`` does (quantstats multiplies by :math:`P` instead).

    NaN handling: periods where the return, benchmark or risk-free rate is
    NaN are skipped.
    """
    periods = resolve_periods(returns, periods_per_year)
    r, b = _aligned(returns, benchmark)
    rf = risk_free_columns(returns, risk_free)
    x, y = r - rf, b - rf
    out = np.empty(r.shape[1])
    for j in range(r.shape[1]):
        ok = ~(np.isnan(x[:, j]) | np.isnan(y[:, j]))
        slope = _beta_one(x[ok, j], y[ok, j])
        intercept = float(np.mean(x[ok, j] - slope * y[ok, j])) if ok.any() else np.nan
        out[j] = (1.0 + intercept) ** periods - 1.0
    return wrap(returns, out)


def information_ratio(
    returns: ReturnsLike,
    benchmark: pd.Series | FloatArray,
    *,
    periods_per_year: float | None = None,
) -> Any:
    r"""Annualised information ratio: active return over tracking error.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.
    benchmark : Series or ndarray of shape (n_observations,)
        Benchmark returns on the same dates.
    periods_per_year : float, optional
        Annualisation factor; inferred from the date index when omitted.

    Returns
    -------
    float, Series or ndarray

    Notes
    -----
    .. math:: a_t = r_t - b_t, \quad IR = \sqrt{P}\,\bar{a} / \mathrm{sd}(a)

    with ``ddof = 1``. quantstats' ``information_ratio`` returns the
    per-period ratio (no :math:`\sqrt{P}`); this one is annualised.

    NaN handling: periods where either return is NaN are skipped.
    """
    periods = resolve_periods(returns, periods_per_year)
    r, b = _aligned(returns, benchmark)
    active = r - b
    out = np.empty(r.shape[1])
    for j in range(r.shape[1]):
        a = active[~np.isnan(active[:, j]), j]
        sd = float(np.std(a, ddof=1)) if a.size > 1 else 0.0
        out[j] = float(np.mean(a) / sd * np.sqrt(periods)) if sd > 0 else np.nan
    return wrap(returns, out)
