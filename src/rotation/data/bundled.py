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

__all__ = [
    "BUNDLED_TABLES",
    "bundled_dir",
    "bundled_manifest",
    "load_bundled_frames",
    "load_market_data",
    "read_bundled_table",
]


def bundled_dir() -> Path:
    """Directory of the bundled Parquet files."""
    return Path(str(resources.files("rotation") / "_bundled"))


#: The bundled tables, in load order, each in ``<name>.parquet``.
BUNDLED_TABLES = ("prices", "series", "dots", "snapshots")
#: The date column of each bundled table.
_DATE_COLUMN = {
    "prices": "date",
    "series": "date",
    "dots": "meeting_date",
    "snapshots": "as_of",
}


def bundled_manifest(base: Path | None = None) -> dict[str, Any]:
    """Return the build manifest (inputs, row counts, quarantine list, digests, build log).

    Parameters
    ----------
    base : Path, optional
        Directory of the bundle (default :func:`bundled_dir`).
    """
    return _read_manifest(base or bundled_dir())


@cache
def _read_manifest(base: Path) -> dict[str, Any]:
    return dict(json.loads((base / "manifest.json").read_text()))


def read_bundled_table(name: str, base: Path | None = None) -> pd.DataFrame:
    """Read one bundled long table (``prices``, ``series``, ``dots`` or ``snapshots``).

    Dates come as ``datetime64[ns]``, numbers as ``float64`` (NaN where
    missing) and snapshot texts as objects (None where missing): the frames
    the readers of user files produce.
    """
    frame = pd.read_parquet((base or bundled_dir()) / f"{name}.parquet")
    col = _DATE_COLUMN[name]
    frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    if name == "snapshots":
        frame["text"] = frame["text"].astype(object)
        frame["text"] = frame["text"].where(frame["text"].notna(), None)
    for col in frame.columns:
        if str(frame[col].dtype) == "Float64":
            frame[col] = frame[col].astype("float64")
    return frame


def load_bundled_frames(base: Path | None = None) -> dict[str, pd.DataFrame]:
    """Read the bundled long tables: ``prices``, ``series``, ``dots``, ``snapshots``.

    Parameters
    ----------
    base : Path, optional
        Directory of the bundle (default :func:`bundled_dir`).
    """
    return {name: read_bundled_table(name, base) for name in BUNDLED_TABLES}


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
