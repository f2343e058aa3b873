"""The bundled real dataset that ships inside the package.

:func:`load_market_data` reads it straight from Parquet (no DuckDB) for tests
and quick notebook use; :func:`bundled_batches` yields it as ingest batches for
the store, which is what ``rotation report`` uses.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from rotation.data.catalog import lag_offset, series_catalog
from rotation.market import FUNDAMENTAL_COLUMNS, MarketData, SeriesInfo

__all__ = ["bundled_dir", "bundled_manifest", "load_bundled_frames", "load_market_data"]


def bundled_dir() -> Path:
    """Directory of the bundled Parquet files."""
    return Path(str(resources.files("rotation") / "_bundled"))


@cache
def bundled_manifest() -> dict[str, Any]:
    """Return the build manifest (inputs, row counts, quarantine list, build log)."""
    return dict(json.loads((bundled_dir() / "manifest.json").read_text()))


def load_bundled_frames() -> dict[str, pd.DataFrame]:
    """Read the bundled long tables: ``prices``, ``series``, ``dots``, ``snapshots``."""
    base = bundled_dir()
    frames = {
        name: pd.read_parquet(base / f"{name}.parquet")
        for name in ("prices", "series", "dots", "snapshots")
    }
    for name, col in (
        ("prices", "date"),
        ("series", "date"),
        ("dots", "meeting_date"),
        ("snapshots", "as_of"),
    ):
        frames[name][col] = pd.to_datetime(frames[name][col]).astype("datetime64[ns]")
    snapshots = frames["snapshots"]
    snapshots["text"] = snapshots["text"].astype(object)
    snapshots["text"] = snapshots["text"].where(snapshots["text"].notna(), None)
    for frame in frames.values():
        for col in frame.columns:
            if str(frame[col].dtype) == "Float64":
                frame[col] = frame[col].astype("float64")
    return frames


def load_market_data(as_of: str | pd.Timestamp | None = None) -> MarketData:
    """Build a :class:`MarketData` from the bundled files without a store.

    Applies the same publication lags and quarantine as the store, so the
    result equals ``open_store().market_data(as_of)`` on a freshly loaded store.
    """
    frames = load_bundled_frames()
    prices = frames["prices"]
    quarantine = pd.DataFrame(bundled_manifest()["quarantine"])
    if len(quarantine):
        bad = pd.MultiIndex.from_arrays(
            [quarantine["symbol"], pd.to_datetime(quarantine["date"])]
        )
        keys = pd.MultiIndex.from_arrays([prices["symbol"], prices["date"]])
        prices = prices[~keys.isin(bad)]
    wide = prices.pivot(index="date", columns="symbol", values="adj_close").sort_index()
    wide = wide.astype("float64")
    wide.index.name = "date"
    wide.columns.name = None
    catalog = series_catalog()
    series = {}
    for sid, grp in frames["series"].groupby("series_id", sort=True):
        obs = grp.set_index("date")[["value"]].sort_index()
        obs["known_from"] = pd.DatetimeIndex(obs.index) + lag_offset(
            catalog[str(sid)].publication_lag
        )
        series[str(sid)] = obs
    market = MarketData(
        prices=wide,
        series=series,
        dots=frames["dots"][["meeting_date", "horizon", "midpoint", "participants"]],
        info={sid: catalog[sid] for sid in series},
        as_of=pd.Timestamp(wide.index.max()),
        fundamentals=_fundamentals(frames["snapshots"]),
    )
    # The view ends at the last price session unless asked otherwise: series that
    # run further (FRED to 2026-08-21) must not leak past the report date.
    return market.truncate(market.as_of if as_of is None else as_of)


def _fundamentals(snapshots: pd.DataFrame) -> pd.DataFrame:
    # The store's snapshots() order and dtypes, so both paths give equal frames.
    frame = snapshots[list(FUNDAMENTAL_COLUMNS)].sort_values(
        ["as_of", "symbol", "field"], ignore_index=True
    )
    frame["value"] = frame["value"].astype("float64")
    return frame.astype({"symbol": object, "field": object, "source": object})


def info_for(series_id: str) -> SeriesInfo:
    """Catalog metadata of a bundled series."""
    return series_catalog()[series_id]
