"""Risk of a portfolio inside each regime."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from rotation.risk._validation import check_level, portfolio_returns
from rotation.risk._var import historical_var_cvar

__all__ = ["regime_risk"]


def _average_correlation(frame: pd.DataFrame) -> float:
    if frame.shape[1] < 2 or len(frame) < 3:
        return float("nan")
    corr = np.corrcoef(frame.to_numpy(dtype=np.float64), rowvar=False)
    p = corr.shape[0]
    return float((corr.sum() - p) / (p * (p - 1)))


def regime_risk(
    returns: pd.DataFrame,
    regimes: pd.Series,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    level: float = 0.95,
    periods_per_year: int = 252,
    min_observations: int = 20,
) -> pd.DataFrame:
    r"""Volatility, correlation and VaR of a portfolio within each regime.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets)
        Asset simple returns.
    regimes : Series
        Regime label per date (any hashable labels). Use causal (filtered)
        labels: a smoothed label at t uses data after t.
    weights : mapping or Series, optional
        Asset weights; required with more than one column.
    level : float, default 0.95
        VaR/CVaR confidence level (historical, one day).
    periods_per_year : int, default 252
        For annualising mean and volatility.
    min_observations : int, default 20
        Regimes with fewer days get NaN statistics (their count is kept).

    Returns
    -------
    DataFrame
        Index: regime label; columns ``n_observations``, ``share``,
        ``mean_return`` and ``volatility`` (annualised), ``var``, ``cvar``,
        ``avg_correlation`` (average pairwise correlation of the weighted
        assets' returns inside the regime).

    Notes
    -----
    .. math:: \bar\rho = \frac{1}{p(p-1)}\sum_{i\ne j}\rho_{ij}

    NaN handling: dates with a NaN label or a NaN portfolio return are left
    out.
    """
    level = check_level(level)
    if not isinstance(regimes, pd.Series):
        raise TypeError(f"regimes must be a Series of labels (got {type(regimes)}).")
    port = portfolio_returns(returns, weights)
    assets = (
        list(pd.Series(weights, dtype=np.float64).pipe(lambda s: s[s != 0]).index)
        if weights is not None
        else list(returns.columns)
    )
    labels = regimes.reindex(port.index)
    keep = labels.notna() & port.notna()
    port, labels = port[keep], labels[keep]
    total = int(keep.sum())
    rows = {}
    for label in pd.unique(labels.to_numpy()):
        mask = (labels == label).to_numpy()
        x = port.to_numpy(dtype=np.float64)[mask]
        row: dict[str, float] = {
            "n_observations": float(x.size),
            "share": x.size / total if total else float("nan"),
            "mean_return": float("nan"),
            "volatility": float("nan"),
            "var": float("nan"),
            "cvar": float("nan"),
            "avg_correlation": float("nan"),
        }
        if x.size >= max(min_observations, 2):
            var, cvar = historical_var_cvar(x, level=level)
            row.update(
                mean_return=float(x.mean() * periods_per_year),
                volatility=float(x.std(ddof=1) * np.sqrt(periods_per_year)),
                var=var,
                cvar=cvar,
                avg_correlation=_average_correlation(
                    returns.loc[port.index[mask], assets]
                ),
            )
        rows[label] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["n_observations"] = out["n_observations"].astype(int)
    return out.sort_index()
