"""Boundary checks shared by the public regime functions and estimators."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rotation._typing import FloatArray

__all__ = ["check_positive_int", "check_probability", "check_returns_series"]


def check_positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"{name} must be an integer (got {value!r} of type {type(value).__name__})."
        )
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum} (got {value}).")
    return int(value)


def check_probability(value: Any, name: str, *, open_interval: bool = True) -> float:
    """Return ``value`` as a float in (0, 1) (or [0, 1]), or raise."""
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be a number in (0, 1) (got {value!r})."
        ) from error
    low_ok = number > 0.0 if open_interval else number >= 0.0
    high_ok = number < 1.0 if open_interval else number <= 1.0
    if not (low_ok and high_ok and np.isfinite(number)):
        bounds = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must be in {bounds} (got {value!r}).")
    return number


def check_returns_series(values: Any, name: str) -> tuple[pd.Series, FloatArray, int]:
    """Validate a daily return series; return it, its values and first valid row.

    Leading NaNs (before the series starts) are allowed; a NaN after the first
    valid value is an error, because a gap inside a return series would be
    silently treated as a zero return otherwise.
    """
    if not isinstance(values, pd.Series):
        raise TypeError(
            f"{name} must be a pandas Series of returns indexed by session date "
            f"(got {type(values).__name__})."
        )
    if not isinstance(values.index, pd.DatetimeIndex):
        raise TypeError(
            f"{name} must be indexed by a DatetimeIndex of sessions "
            f"(got {type(values.index).__name__})."
        )
    if not values.index.is_monotonic_increasing or values.index.has_duplicates:
        raise ValueError(f"{name} index must be strictly increasing session dates.")
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(array)
    if not finite.any():
        raise ValueError(f"{name} has no finite value (length {len(values)}).")
    first = int(np.argmax(finite))
    bad = ~finite[first:]
    if bad.any():
        where = values.index[first + int(np.argmax(bad))]
        raise ValueError(
            f"{name} has a missing or non-finite value at {where.date()} after its "
            "first valid observation; drop or fill the gap explicitly before "
            "fitting (a gap is not a zero return)."
        )
    return values, array, first
