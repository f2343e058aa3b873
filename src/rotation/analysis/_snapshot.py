"""The point-in-time snapshot an Analysis is built from, and its coverage."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import pandas as pd

from rotation.market import MarketData

__all__ = ["Snapshot", "point_in_time_coverage"]

_COLUMNS = ["kind", "id", "name", "first", "last", "rows", "unit", "source"]


class Snapshot:
    """Everything known at the close of ``as_of``, and where it came from.

    The market data is loaded on first use (``loader``), so an Analysis whose
    parts all come from a results cache never reads the store's prices.

    Parameters
    ----------
    as_of : Timestamp
        The date the snapshot is valid for.
    loader : callable
        Returns the point-in-time :class:`MarketData` as of ``as_of``.
    metadata : DataFrame
        The store's coverage table; only its names, units and sources are
        used (its dates may lie after ``as_of``).
    data_end : Timestamp, optional
        The last price date of the whole store (for "data age" lines; it may
        be after ``as_of``, and no analysis number reads it).
    fingerprint : str, default ""
        The store's data fingerprint (changes with any ingest); a cache key.

    Attributes
    ----------
    market : MarketData
        Prices, series and dots truncated to ``as_of`` (loaded once).
    coverage : DataFrame
        One row per symbol or series: first and last date and row count *as
        known on* ``as_of`` (see :func:`point_in_time_coverage`).
    """

    def __init__(
        self,
        as_of: pd.Timestamp,
        loader: Callable[[], MarketData],
        metadata: pd.DataFrame,
        *,
        data_end: pd.Timestamp | None = None,
        fingerprint: str = "",
    ) -> None:
        self.as_of = pd.Timestamp(as_of)
        self.data_end = pd.Timestamp(data_end) if data_end is not None else self.as_of
        self.fingerprint = fingerprint
        self._loader = loader
        self._metadata = metadata

    def __repr__(self) -> str:
        return f"Snapshot(as_of={self.as_of.date()}, data_end={self.data_end.date()})"

    @cached_property
    def market(self) -> MarketData:
        """The point-in-time market data (loaded on first use)."""
        return self._loader()

    @cached_property
    def coverage(self) -> pd.DataFrame:
        """Coverage as known on the as-of date (:func:`point_in_time_coverage`)."""
        return point_in_time_coverage(self.market, self._metadata)

    @classmethod
    def build(
        cls,
        market: MarketData,
        metadata: pd.DataFrame,
        *,
        data_end: pd.Timestamp | None = None,
        fingerprint: str = "",
    ) -> Snapshot:
        """Snapshot of an already loaded ``market``."""
        return cls(
            market.as_of,
            lambda: market,
            metadata,
            data_end=data_end,
            fingerprint=fingerprint,
        )


def point_in_time_coverage(market: MarketData, metadata: pd.DataFrame) -> pd.DataFrame:
    """Coverage as known on ``market.as_of``: nothing later is stated.

    Parameters
    ----------
    market : MarketData
        The point-in-time view.
    metadata : DataFrame
        Columns ``kind``, ``id`` and optionally ``name``, ``unit``, ``source``.

    Returns
    -------
    DataFrame
        Columns kind, id, name, first, last, rows, unit, source: dates are the
        first and last observation of each symbol (prices up to as-of) or
        series (values published by as-of). Symbols and series with nothing
        known yet are left out.
    """
    meta = metadata.set_index(["kind", "id"]) if len(metadata) else None
    rows = []
    for symbol in market.prices.columns:
        observed = market.prices[symbol].dropna()
        if len(observed):
            rows.append(_row(meta, "price", symbol, pd.DatetimeIndex(observed.index)))
    for series_id, frame in market.series.items():
        known = frame.dropna(subset=["value"])
        if len(known):
            rows.append(_row(meta, "series", series_id, pd.DatetimeIndex(known.index)))
    if len(market.dots):
        meetings = pd.DatetimeIndex(market.dots["meeting_date"].unique())
        rows.append(_row(meta, "dots", "FOMC_DOTS", meetings))
    return pd.DataFrame(rows, columns=_COLUMNS)


def _row(
    meta: pd.DataFrame | None, kind: str, key: str, dates: pd.DatetimeIndex
) -> dict[str, object]:
    info: dict[str, object] = {}
    if meta is not None and (kind, key) in meta.index:
        found = meta.loc[(kind, key)]
        if isinstance(found, pd.Series):
            info = {str(k): v for k, v in found.items()}
    return {
        "kind": kind,
        "id": key,
        "name": info.get("name", ""),
        "first": pd.Timestamp(dates.min()).date().isoformat(),
        "last": pd.Timestamp(dates.max()).date().isoformat(),
        "rows": len(dates),
        "unit": info.get("unit", ""),
        "source": info.get("source", ""),
    }
