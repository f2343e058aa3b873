"""Boundary checks shared by the public indicator functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from rotation._typing import FloatArray

PandasT = TypeVar("PandasT", pd.Series, pd.DataFrame)


def check_window(window: Any, name: str = "window", *, minimum: int = 1) -> int:
    """Return ``window`` as an int, or raise if it is not an integer >= minimum."""
    if isinstance(window, bool) or not isinstance(window, int | np.integer):
        raise TypeError(
            f"{name} must be an integer number of observations "
            f"(got {window!r} of type {type(window).__name__})."
        )
    if window < minimum:
        raise ValueError(
            f"{name} must be >= {minimum} observations (got {window}). "
            "Typical values: 5-252 observations."
        )
    return int(window)


def check_frame_or_series(values: Any, name: str) -> pd.Series | pd.DataFrame:
    """Raise unless ``values`` is a pandas Series or DataFrame."""
    if not isinstance(values, pd.Series | pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas Series or DataFrame "
            f"(got {type(values).__name__})."
        )
    return values


def check_frame(values: Any, name: str) -> pd.DataFrame:
    """Raise unless ``values`` is a pandas DataFrame."""
    if not isinstance(values, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame of shape (n_observations, n_assets) "
            f"(got {type(values).__name__})."
        )
    return values


def weight_vector(
    columns: pd.Index, weights: Mapping[str, float] | None, name: str = "weights"
) -> tuple[list[Any], FloatArray]:
    """Members and their non-negative raw weights (not yet normalised).

    ``None`` means equal weights over every column. A mapping selects its keys,
    which must all be columns.
    """
    if weights is None:
        return list(columns), np.ones(len(columns), dtype=np.float64)
    if not isinstance(weights, Mapping):
        raise TypeError(
            f"{name} must be a mapping of column -> weight or None "
            f"(got {type(weights).__name__})."
        )
    missing = [key for key in weights if key not in columns]
    if missing:
        raise ValueError(
            f"{name} names columns that are not in the data: {missing}; "
            f"available columns: {list(columns)}."
        )
    members = list(weights)
    values = np.array([float(weights[key]) for key in members], dtype=np.float64)
    bad = [
        (key, weights[key])
        for key, value in zip(members, values, strict=True)
        if not np.isfinite(value) or value < 0.0
    ]
    if bad:
        raise ValueError(
            f"{name} must be finite and >= 0 (got {bad}); use a separate basket "
            "for short legs."
        )
    if members and values.sum() <= 0.0:
        raise ValueError(f"{name} must have a positive sum (got {dict(weights)}).")
    return members, values


def _present(values: pd.Series | pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Non-NaN mask as a numpy array (``pd.NA`` counts as NaN)."""
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(~np.isnan(array), dtype=np.bool_)


def observed_rows(values: pd.Series | pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows holding at least one non-NaN value (the observations of ``values``)."""
    present = _present(values)
    return present if present.ndim == 1 else np.asarray(present.any(axis=1))


def on_observed_rows(
    values: PandasT,
    compute: Callable[[PandasT], PandasT],
    rows: npt.NDArray[np.bool_] | None = None,
) -> PandasT:
    """Apply ``compute`` to the rows with data only and put NaN on the others.

    A row where every column is NaN (e.g. a holiday of these assets that other
    columns of a wider panel trade on) is not an observation: it must neither
    count in a window nor break one. ``rows`` passes a precomputed mask.
    """
    mask = observed_rows(values) if rows is None else rows
    if mask.all():
        return compute(values)
    result: pd.Series | pd.DataFrame = compute(values[mask])
    # Scatter back by position (cheaper than an index-based reindex).
    full = np.full((len(values), *result.shape[1:]), np.nan)
    full[mask] = result.to_numpy(dtype=np.float64, na_value=np.nan)
    if isinstance(result, pd.Series):
        return cast(PandasT, pd.Series(full, index=values.index, name=result.name))
    return cast(PandasT, pd.DataFrame(full, index=values.index, columns=result.columns))


def per_column_observations(
    values: PandasT, compute: Callable[[PandasT], PandasT]
) -> PandasT:
    """Apply ``compute`` to each column's own non-NaN observations.

    For univariate indicators a NaN is not an observation of that column: it
    neither counts in a window nor breaks one, and the output is NaN there.
    ``compute`` must treat columns independently and map leading NaN to NaN
    (true of rolling windows, shifts and EMAs), so columns whose only NaN
    are leading or trailing, or shared by every column, go in one call.
    """
    if isinstance(values, pd.Series):
        return on_observed_rows(values, compute)
    present_all = _present(values)
    if present_all.all():
        return compute(values)
    rows = np.asarray(present_all.any(axis=1), dtype=np.bool_)
    present = present_all[rows]
    n_rows = present.shape[0]
    counts = present.sum(axis=0)
    first = np.argmax(present, axis=0)
    last = n_rows - 1 - np.argmax(present[::-1], axis=0)
    interior_nan = np.where(counts > 0, (last - first + 1) - counts, 0)
    if not interior_nan.any():
        return on_observed_rows(values, compute, rows)
    clean = np.flatnonzero(interior_nan == 0)
    parts = []
    if clean.size:
        parts.append(on_observed_rows(values.iloc[:, clean], compute))
    for position in np.flatnonzero(interior_nan):
        parts.append(on_observed_rows(values.iloc[:, [int(position)]], compute))
    order = np.concatenate([clean, np.flatnonzero(interior_nan)])
    out = pd.concat(parts, axis=1)
    out = out.iloc[:, np.argsort(order, kind="stable")]
    out.columns = values.columns
    return out
