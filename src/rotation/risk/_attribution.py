"""Factor attribution: OLS on Fama-French factors with HAC standard errors."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from rotation._typing import DateLike
from rotation.measures import ols_hac
from rotation.risk._validation import (
    HasReturns,
    check_positive_int,
    portfolio_returns,
)

__all__ = [
    "FactorAttribution",
    "factor_attribution",
    "newey_west_lags",
    "rolling_factor_exposures",
]


def newey_west_lags(n_observations: int) -> int:
    r"""Newey-West (1994) rule of thumb, :math:`\lfloor 4(T/100)^{2/9}\rfloor`.

    Parameters
    ----------
    n_observations : int

    Returns
    -------
    int
    """
    return int(math.floor(4.0 * (n_observations / 100.0) ** (2.0 / 9.0)))


@dataclass(frozen=True)
class FactorAttribution:
    """Result of a factor regression.

    Attributes
    ----------
    table : DataFrame
        Index ``alpha`` then the factors; columns ``coef``, ``std_err``
        (HAC), ``t_value``, ``p_value``, ``mean_factor`` (per period, NaN for
        alpha) and ``contribution`` (coef x mean factor, annualised; alpha
        annualised).
    r_squared, adj_r_squared : float
    n_observations : int
    start, end : str
        ISO dates of the first and last observation.
    hac_lags : int
        Lags of the Newey-West covariance.
    periods_per_year : int
    """

    table: pd.DataFrame
    r_squared: float
    adj_r_squared: float
    n_observations: int
    start: str
    end: str
    hac_lags: int
    periods_per_year: int

    @property
    def betas(self) -> pd.Series:
        """Factor loadings (without alpha)."""
        return self.table["coef"].drop("alpha")

    @property
    def alpha(self) -> float:
        """Intercept per period."""
        return float(self.table["coef"]["alpha"])

    def to_dict(self) -> dict[str, Any]:
        """Return everything as a JSON-serialisable dict."""
        table = self.table.astype(float).replace({np.nan: None})
        return {
            "table": {k: table.loc[k].to_dict() for k in table.index},
            "r_squared": self.r_squared,
            "adj_r_squared": self.adj_r_squared,
            "n_observations": self.n_observations,
            "start": self.start,
            "end": self.end,
            "hac_lags": self.hac_lags,
            "periods_per_year": self.periods_per_year,
        }


def _align(
    returns: pd.DataFrame | pd.Series | HasReturns,
    factors: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None,
    risk_free: pd.Series | None,
) -> tuple[pd.Series, pd.DataFrame]:
    if not isinstance(factors, pd.DataFrame) or factors.shape[1] == 0:
        raise TypeError(
            "factors must be a DataFrame with one column per factor "
            f"(got {type(factors).__name__})."
        )
    y = portfolio_returns(returns, weights)
    if risk_free is not None:
        y = y - risk_free.reindex(y.index)
    y = y.rename("__portfolio__")
    joined = pd.concat([y, factors], axis=1, join="inner")
    return joined["__portfolio__"], joined[list(factors.columns)]


def factor_attribution(
    returns: pd.DataFrame | pd.Series | HasReturns,
    factors: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    risk_free: pd.Series | None = None,
    window: int | None = None,
    as_of: DateLike | None = None,
    hac_lags: int | None = None,
    periods_per_year: int = 252,
) -> FactorAttribution:
    r"""Regress portfolio returns on factor returns with HAC standard errors.

    Parameters
    ----------
    returns : DataFrame, Series or object
        Asset returns (with ``weights``), portfolio returns, or an object
        with a ``returns`` Series.
    factors : DataFrame of shape (n_observations, n_factors)
        Factor returns as fractions, e.g. Fama-French Mkt-RF, SMB, HML, RMW,
        CMA, Mom.
    weights : mapping or Series, optional
        Asset weights for a DataFrame of asset returns.
    risk_free : Series, optional
        Subtracted from the portfolio returns first (use it for a funded
        long-only portfolio; leave it out for a self-financing long/short).
    window : int, optional
        Use only the last ``window`` complete observations.
    as_of : date-like, optional
        Last date used (inclusive).
    hac_lags : int, optional
        Newey-West lags; default :func:`newey_west_lags` of the sample size.
    periods_per_year : int, default 252
        For annualising alpha and contributions.

    Returns
    -------
    FactorAttribution

    Notes
    -----
    .. math:: r_{p,t} - r_{f,t} = \alpha + \sum_k \beta_k f_{k,t}
              + \varepsilon_t

    estimated by OLS with the Newey-West HAC covariance
    (:func:`rotation.measures.ols_hac`).

    NaN handling: dates missing from either side, or with a NaN anywhere,
    are dropped (inner join); the count used is ``n_observations``.
    """
    y, X = _align(returns, factors, weights, risk_free)
    if as_of is not None:
        y, X = y.loc[: pd.Timestamp(as_of)], X.loc[: pd.Timestamp(as_of)]
    keep = y.notna() & X.notna().all(axis=1)
    y, X = y[keep], X[keep]
    if window is not None:
        window = check_positive_int(window, "window", minimum=2)
        y, X = y.iloc[-window:], X.iloc[-window:]
    n, k = X.shape
    if n <= k + 1:
        raise ValueError(
            f"need more than {k + 1} complete observations for {k} factors "
            f"(got {n}); check that returns and factors overlap in time."
        )
    lags = newey_west_lags(n) if hac_lags is None else hac_lags
    lags = check_positive_int(lags, "hac_lags", minimum=0)
    design = pd.concat(
        [pd.Series(1.0, index=X.index, name="alpha"), X.astype(float)], axis=1
    )
    fit = ols_hac(y.astype(float), design, maxlags=lags)
    mean_factor = X.mean().reindex(design.columns)
    contribution = fit.params * mean_factor * periods_per_year
    contribution["alpha"] = fit.params["alpha"] * periods_per_year
    table = pd.DataFrame(
        {
            "coef": fit.params,
            "std_err": fit.bse,
            "t_value": fit.tvalues,
            "p_value": fit.pvalues,
            "mean_factor": mean_factor,
            "contribution": contribution,
        }
    )
    return FactorAttribution(
        table=table,
        r_squared=float(fit.rsquared),
        adj_r_squared=float(fit.rsquared_adj),
        n_observations=int(n),
        start=y.index[0].date().isoformat() if hasattr(y.index[0], "date") else "",
        end=y.index[-1].date().isoformat() if hasattr(y.index[-1], "date") else "",
        hac_lags=lags,
        periods_per_year=periods_per_year,
    )


def rolling_factor_exposures(
    returns: pd.DataFrame | pd.Series | HasReturns,
    factors: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    window: int = 252,
    risk_free: pd.Series | None = None,
) -> pd.DataFrame:
    r"""Factor loadings on a rolling window, causal.

    Parameters
    ----------
    returns, factors, weights, risk_free
        As in :func:`factor_attribution`.
    window : int, default 252
        Observations per regression.

    Returns
    -------
    DataFrame
        Index: the dates common to returns and factors; columns ``alpha``
        and one per factor. Row t uses the last ``window`` complete
        observations up to and including t.

    Notes
    -----
    Per window, :math:`\hat\beta = (X^\top X)^{-1}X^\top y` with an
    intercept column, solved for all windows at once.

    NaN handling: incomplete rows (a NaN return or factor) are skipped and
    are NaN in the output; windows count complete rows only.
    """
    window = check_positive_int(window, "window", minimum=3)
    y_all, X_all = _align(returns, factors, weights, risk_free)
    complete = y_all.notna() & X_all.notna().all(axis=1)
    y, X = y_all[complete], X_all[complete]
    k = X.shape[1] + 1
    design = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=np.float64)])
    target = y.to_numpy(dtype=np.float64)
    out = np.full((len(X), k), np.nan)
    if len(X) >= window and window > k:
        wx = sliding_window_view(design, window, axis=0)  # (m, k, window)
        wy = sliding_window_view(target, window)  # (m, window)
        ok = np.isfinite(wx).all(axis=(1, 2)) & np.isfinite(wy).all(axis=1)
        wx, wy = wx[ok], wy[ok]
        xtx = np.einsum("mkw,mjw->mkj", wx, wx)
        xty = np.einsum("mkw,mw->mk", wx, wy)
        rows = np.flatnonzero(ok) + window - 1
        out[rows] = np.linalg.solve(xtx, xty[..., None])[..., 0]
    frame = pd.DataFrame(out, index=X.index, columns=["alpha", *map(str, X.columns)])
    return frame.reindex(X_all.index)
