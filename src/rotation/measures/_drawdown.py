"""Drawdowns: the drawdown path, the maximum drawdown with its dates, Calmar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.measures._ratios import cagr
from rotation.measures._validation import ReturnsLike, as_columns, per_column, wrap

__all__ = ["Drawdown", "calmar_ratio", "drawdown", "max_drawdown", "max_drawdown_info"]


def _drawdown_path(r: FloatArray) -> FloatArray:
    # Equity starts at 1 before the first return, so a loss on day one is a
    # drawdown (quantstats adds the same "phantom" baseline; empyrical does not).
    equity = np.cumprod(1.0 + r)
    peak = np.maximum.accumulate(np.maximum(equity, 1.0))
    return equity / peak - 1.0


def drawdown(returns: ReturnsLike) -> Any:
    r"""Drawdown from the running peak of compounded equity at each period.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.

    Returns
    -------
    Series, DataFrame or ndarray
        Same shape as ``returns``, values in [-1, 0].

    Notes
    -----
    .. math:: E_t = \prod_{s \le t} (1 + r_s), \quad
              D_t = E_t / \max(1, \max_{s \le t} E_s) - 1

    NaN handling: a NaN return leaves equity unchanged for that period and
    its drawdown is NaN.
    """
    array = as_columns(returns)
    filled = np.where(np.isnan(array), 0.0, array)
    out = np.empty_like(array)
    for j in range(array.shape[1]):
        out[:, j] = _drawdown_path(filled[:, j])
    out[np.isnan(array)] = np.nan
    if isinstance(returns, pd.DataFrame):
        return pd.DataFrame(out, index=returns.index, columns=returns.columns)
    if isinstance(returns, pd.Series):
        return pd.Series(out[:, 0], index=returns.index, name=returns.name)
    return out[:, 0] if np.ndim(returns) == 1 else out


def max_drawdown(returns: ReturnsLike) -> Any:
    r"""Largest peak-to-trough loss of compounded equity.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.

    Returns
    -------
    float, Series or ndarray
        In [-1, 0] (a negative number, as quantstats and empyrical report it).

    Notes
    -----
    .. math:: \mathrm{MDD} = \min_t D_t

    with :math:`D_t` from :func:`drawdown` (equity starts at 1).

    NaN handling: NaN returns are skipped.
    """
    return per_column(
        returns, lambda r: float(np.min(_drawdown_path(r))) if r.size else float("nan")
    )


@dataclass(frozen=True)
class Drawdown:
    """The maximum drawdown and its dates.

    Attributes
    ----------
    depth : float
        Maximum drawdown, in [-1, 0].
    peak : Timestamp or None
        Last date at the running peak before the trough (None when the peak
        is the starting equity before the first observation).
    trough : Timestamp or None
        Date of the lowest equity relative to the peak.
    recovery : Timestamp or None
        First date after the trough when equity regained the peak; None if it
        has not recovered.
    """

    depth: float
    peak: pd.Timestamp | None
    trough: pd.Timestamp | None
    recovery: pd.Timestamp | None

    @property
    def duration(self) -> pd.Timedelta | None:
        """Calendar time from peak to recovery (None if not recovered)."""
        if self.peak is None or self.recovery is None:
            return None
        return self.recovery - self.peak


def max_drawdown_info(returns: pd.Series) -> Drawdown:
    r"""Maximum drawdown with its peak, trough and recovery dates.

    Parameters
    ----------
    returns : Series of shape (n_observations,)
        Simple returns indexed by date.

    Returns
    -------
    Drawdown

    Notes
    -----
    Same definition as :func:`max_drawdown`; the trough is the first date the
    minimum is reached.

    NaN handling: NaN returns are skipped.
    """
    if not isinstance(returns, pd.Series):
        raise ValueError(
            f"returns must be a pandas Series with a date index (got "
            f"{type(returns).__name__})."
        )
    clean = returns.dropna()
    if clean.empty:
        return Drawdown(float("nan"), None, None, None)
    r = clean.to_numpy(dtype=float)
    path = _drawdown_path(r)
    trough_pos = int(np.argmin(path))
    depth = float(path[trough_pos])
    if depth == 0.0:
        return Drawdown(0.0, None, None, None)
    equity = np.cumprod(1.0 + r)
    at_peak = np.flatnonzero(path[: trough_pos + 1] == 0.0)
    peak = clean.index[at_peak[-1]] if at_peak.size else None
    peak_level = equity[at_peak[-1]] if at_peak.size else 1.0
    recovered = np.flatnonzero(equity[trough_pos:] >= peak_level)
    recovery = clean.index[trough_pos + recovered[0]] if recovered.size else None
    return Drawdown(depth, peak, clean.index[trough_pos], recovery)


def calmar_ratio(returns: ReturnsLike, *, periods_per_year: float | None = None) -> Any:
    r"""CAGR divided by the absolute maximum drawdown.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray of shape (n_observations[, n_assets])
        Simple returns per period.
    periods_per_year : float, optional
        Annualisation factor; inferred from the date index when omitted.

    Returns
    -------
    float, Series or ndarray
        NaN when there is no drawdown.

    Notes
    -----
    .. math:: \mathrm{Calmar} = \mathrm{CAGR} / |\mathrm{MDD}|

    over the whole sample (not the trailing 36 months of the original
    definition), as empyrical and quantstats compute it.

    NaN handling: NaN returns are skipped.
    """
    growth = np.atleast_1d(np.asarray(cagr(returns, periods_per_year=periods_per_year)))
    depth = np.atleast_1d(np.asarray(max_drawdown(returns)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(depth < 0.0, growth / np.abs(depth), np.nan)
    return wrap(returns, ratio.astype(float))
