"""Input handling shared by the measures: shapes, NaN policy, annualisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.measures._frequency import periods_per_year as _infer_periods

ReturnsLike = pd.Series | pd.DataFrame | np.ndarray


def resolve_periods(returns: ReturnsLike, periods_per_year: float | None) -> float:
    """Return ``periods_per_year`` or infer it from the returns' date index."""
    if periods_per_year is not None:
        if not np.isfinite(periods_per_year) or periods_per_year <= 0:
            raise ValueError(
                f"periods_per_year must be a positive number (got "
                f"{periods_per_year!r}); typical values are 252, 52, 12."
            )
        return float(periods_per_year)
    if isinstance(returns, pd.Series | pd.DataFrame) and isinstance(
        returns.index, pd.DatetimeIndex
    ):
        return _infer_periods(returns.index)
    raise ValueError(
        "periods_per_year is None and cannot be inferred from an input without a "
        "DatetimeIndex; pass periods_per_year (252 daily, 52 weekly, 12 monthly)."
    )


def as_columns(values: ReturnsLike, name: str = "returns") -> FloatArray:
    """Return a float 2-D array ``(n_observations, n_columns)`` view of ``values``."""
    if isinstance(values, pd.Series | pd.DataFrame):
        array = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D or 2-D (got an array with {array.ndim} dimensions)."
        )
    return array


def wrap(values: ReturnsLike, result: FloatArray) -> Any:
    """Shape a per-column result like the input: float, Series or ndarray."""
    if isinstance(values, pd.DataFrame):
        return pd.Series(result, index=values.columns, dtype=float)
    if isinstance(values, pd.Series) or np.ndim(values) == 1:
        return float(result[0])
    return result


def per_column(
    values: ReturnsLike, func: Callable[[FloatArray], float], name: str = "returns"
) -> Any:
    """Apply ``func`` to each column after removing that column's NaN values."""
    array = as_columns(values, name)
    out = np.empty(array.shape[1])
    for j in range(array.shape[1]):
        column = array[:, j]
        out[j] = func(column[~np.isnan(column)])
    return wrap(values, out)


def risk_free_columns(returns: ReturnsLike, risk_free: float | pd.Series) -> FloatArray:
    """Per-period risk-free returns broadcast to the shape of ``returns``."""
    array = as_columns(returns)
    if isinstance(risk_free, pd.Series):
        if not isinstance(returns, pd.Series | pd.DataFrame):
            raise ValueError(
                "risk_free given as a Series needs returns with a date index "
                "to align on; pass a float or a pandas object."
            )
        aligned = risk_free.reindex(returns.index).to_numpy(dtype=float)
        return np.broadcast_to(aligned[:, None], array.shape)
    rate = float(risk_free)
    if not np.isfinite(rate):
        raise ValueError(f"risk_free must be finite (got {risk_free!r}).")
    return np.full(array.shape, rate)
