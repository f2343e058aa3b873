"""One JSON encoding of analysis results, shared by every surface."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["series_points", "to_jsonable"]


def series_points(series: pd.Series, digits: int | None = 6) -> dict[str, list[Any]]:
    """Encode a dated series as ``{"dates": [...], "values": [...]}`` (NaN -> null)."""
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    if digits is not None:
        values = np.round(values, digits)
    days = pd.DatetimeIndex(series.index).to_numpy().astype("datetime64[D]")
    finite = np.isfinite(values)
    return {
        "dates": np.datetime_as_string(days).tolist(),
        "values": np.where(finite, values.astype(object), np.array(None)).tolist(),
    }


def to_jsonable(value: Any) -> Any:
    """Convert analysis results to plain JSON types.

    Dataclasses become dicts of their fields (fields whose name starts with
    ``_`` are left out), DataFrames lists of records, Series
    ``{"dates", "values"}`` when date-indexed (a plain mapping otherwise),
    timestamps ISO dates, and NaN or infinite floats ``null``.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_") and f.repr
        }
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        frame = value if isinstance(value.index, pd.RangeIndex) else value.reset_index()
        return to_jsonable(frame.to_dict(orient="records"))
    if isinstance(value, pd.Series):
        if isinstance(value.index, pd.DatetimeIndex):
            return series_points(value, None)
        return to_jsonable({str(k): v for k, v in value.items()})
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
