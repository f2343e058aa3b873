"""Series metadata and publication lags (``catalog.yaml``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from rotation.market import SeriesInfo

__all__ = [
    "describe_series",
    "lag_months_days",
    "lag_offset",
    "negative_allowed",
    "series_catalog",
]

_DURATION = re.compile(r"^P(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?$")


@cache
def _raw() -> dict:
    text = (resources.files("rotation") / "data" / "catalog.yaml").read_text()
    return dict(yaml.safe_load(text))


@cache
def series_catalog() -> dict[str, SeriesInfo]:
    """Metadata of every known series id."""
    out = {}
    for sid, meta in _raw()["series"].items():
        out[sid] = SeriesInfo(
            id=sid,
            name=meta["name"],
            unit=meta["unit"],
            frequency=meta["frequency"],
            source=meta["source"],
            license=meta.get("license", _license(meta["source"])),
            publication_lag=meta.get("publication_lag", "P0D"),
            notes=meta.get("notes", ""),
        )
    return out


def negative_allowed(key: str) -> bool:
    """Whether a symbol or series may legitimately hold negative values."""
    raw = _raw()
    if key in raw.get("negative_prices_allowed", []):
        return True
    meta = raw["series"].get(key, {})
    return bool(meta.get("allow_negative", False))


def describe_series(
    series_id: str, *, source: str, catalog: Mapping[str, SeriesInfo]
) -> SeriesInfo:
    """Metadata of ``series_id``: the catalog's, else "undocumented, no lag".

    A series the catalog does not know is assumed known on its date (lag
    ``P0D``), and its notes say so.
    """
    return catalog.get(series_id) or SeriesInfo(
        id=series_id,
        name=series_id,
        unit="unknown",
        frequency="unknown",
        source=source,
        publication_lag="P0D",
        notes="publication lag not documented: assumed known on its date",
    )


def lag_months_days(duration: str) -> tuple[int, int]:
    """Split an ISO-8601 ``PnMnD`` duration into (months, days).

    >>> lag_months_days("P1M15D")
    (1, 15)
    """
    match = _DURATION.match(duration)
    if not match or duration == "P":
        raise ValueError(
            f"publication_lag must look like 'P1M15D', 'P7D' or 'P0D' (got {duration!r})."
        )
    return int(match["months"] or 0), int(match["days"] or 0)


def lag_offset(duration: str) -> pd.DateOffset:
    """Turn an ISO-8601 ``PnMnD`` duration into a DateOffset.

    Months are added first (the day clipped to the month's length), then days.

    >>> pd.Timestamp("2026-05-01") + lag_offset("P1M15D")
    Timestamp('2026-06-16 00:00:00')
    """
    months, days = lag_months_days(duration)
    return pd.DateOffset(months=months, days=days)


def _license(source: str) -> str:
    if "French" in source:
        return "Kenneth R. French Data Library, free for research; cite it"
    if source.startswith("EIA"):
        return "EIA, US public domain"
    if "IMF" in source:
        return "IMF data via FRED"
    return "FRED; US public-domain source data"
