"""Input checks and the portfolio-return helper shared by the risk modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from rotation._typing import FloatArray

__all__ = ["HasReturns", "portfolio_returns"]


@runtime_checkable
class HasReturns(Protocol):
    """Anything with a ``returns`` attribute, such as a backtest result."""

    @property
    def returns(self) -> pd.Series:  # pragma: no cover - protocol
        """Daily simple returns of the portfolio."""
        ...


def check_level(level: float, name: str = "level") -> float:
    """Return ``level`` as float after checking it lies strictly in (0, 1)."""
    value = float(level)
    if not 0.0 < value < 1.0:
        raise ValueError(
            f"{name} must be a confidence level strictly between 0 and 1 "
            f"(got {level!r}). Typical values: 0.95 or 0.99."
        )
    return value


def check_positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as int after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer (got {value!r}).")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum} (got {value}).")
    return int(value)


def as_2d_float(returns: Any, name: str = "returns", *, minimum: int = 2) -> FloatArray:
    """Return a finite 2-D float array of shape (n_observations, n_assets)."""
    array = np.asarray(returns, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D of shape (n_observations, n_assets) "
            f"(got {array.ndim} dimensions)."
        )
    if array.shape[0] < minimum:
        raise ValueError(
            f"{name} needs at least {minimum} observations (got {array.shape[0]})."
        )
    if not np.all(np.isfinite(array)):
        bad = int((~np.isfinite(array)).any(axis=1).sum())
        raise ValueError(
            f"{name} contains NaN or infinite values in {bad} row(s); drop or "
            "fill them explicitly before estimating (e.g. returns.dropna())."
        )
    return array


def portfolio_returns(
    returns: pd.DataFrame | pd.Series | HasReturns,
    weights: Mapping[str, float] | pd.Series | None = None,
) -> pd.Series:
    r"""Daily simple returns of a constant-weight portfolio.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets), Series, or object
        Asset simple returns; or the portfolio's own returns as a Series; or
        an object with a ``returns`` Series attribute (a backtest result).
    weights : mapping of str to float or Series, optional
        Weight per asset column, as fractions of capital (negative = short).
        Required when ``returns`` is a DataFrame with more than one column.
        Assets absent from ``weights`` get weight 0.

    Returns
    -------
    Series
        :math:`r_{p,t}`, indexed like ``returns``.

    Notes
    -----
    .. math:: r_{p,t} = \sum_i w_i\, r_{i,t}

    Weights are held constant (rebalanced daily). A dollar-neutral book
    (weights summing to 0) gives the return per unit of long-side capital.

    NaN handling: a row is NaN when any asset with a non-zero weight is NaN
    on that row; nothing is filled.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"A": [0.01, 0.02], "B": [0.03, -0.01]})
    >>> portfolio_returns(r, {"A": 0.5, "B": 0.5}).round(4).tolist()
    [0.02, 0.005]
    """
    if isinstance(returns, HasReturns) and not isinstance(
        returns, pd.DataFrame | pd.Series
    ):
        returns = returns.returns
    if isinstance(returns, pd.Series):
        if weights is not None:
            raise ValueError(
                "weights must be None when returns is already a portfolio "
                "return Series (got weights too)."
            )
        return returns.astype(np.float64)
    if not isinstance(returns, pd.DataFrame):
        raise TypeError(
            "returns must be a DataFrame of asset returns, a Series of portfolio "
            f"returns or an object with a .returns Series (got {type(returns)})."
        )
    if weights is None:
        if returns.shape[1] != 1:
            raise ValueError(
                "weights is required for a DataFrame with "
                f"{returns.shape[1]} columns (got None)."
            )
        return returns.iloc[:, 0].astype(np.float64)
    w = pd.Series(weights, dtype=np.float64)
    missing = [str(k) for k in w.index if k not in returns.columns]
    if missing:
        raise KeyError(
            f"weights name assets that are not columns of returns: {missing}; "
            f"available: {list(map(str, returns.columns))}"
        )
    w = w[w != 0.0]
    if w.empty:
        raise ValueError("weights are all zero; give at least one non-zero weight.")
    sub = returns.loc[:, list(w.index)].to_numpy(dtype=np.float64)
    values = sub @ w.to_numpy()
    return pd.Series(values, index=returns.index, name="portfolio")
