"""Series metadata and publication lags (``catalog.yaml``)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from rotation.market import SeriesInfo

__all__ = ["lag_offset", "negative_allowed", "series_catalog"]

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


def lag_offset(duration: str) -> pd.DateOffset:
    """Turn an ISO-8601 ``PnMnD`` duration into a DateOffset.

    >>> pd.Timestamp("2026-05-01") + lag_offset("P1M15D")
    Timestamp('2026-06-16 00:00:00')
    """
    match = _DURATION.match(duration)
    if not match or duration == "P":
        raise ValueError(
            f"publication_lag must look like 'P1M15D', 'P7D' or 'P0D' (got {duration!r})."
        )
    return pd.DateOffset(months=int(match["months"] or 0), days=int(match["days"] or 0))


def _license(source: str) -> str:
    if "French" in source:
        return "Kenneth R. French Data Library, free for research; cite it"
    if source.startswith("EIA"):
        return "EIA, US public domain"
    if "IMF" in source:
        return "IMF data via FRED"
    return "FRED; US public-domain source data"
