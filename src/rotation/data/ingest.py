"""Ingest files and the bundled dataset into a store.

:func:`ingest_path` recognises the file layouts we support (price CSV or
Parquet, FRED/EIA-style date/value CSV, Kenneth French Data Library CSV, FOMC
dot plot) and routes them to the store's transactional upserts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pandas as pd

from rotation.data.bundled import bundled_manifest, load_bundled_frames
from rotation.data.sources.files import (
    read_dot_plot,
    read_fama_french,
    read_observations_csv,
    read_price_csv,
    read_price_parquet,
)
from rotation.data.store import IngestReport, Store
from rotation.exceptions import RowProblem, ValidationError

__all__ = ["FileKind", "detect_kind", "ensure_bundled", "ingest_path", "load_bundled"]

FileKind = Literal["prices", "observations", "famafrench", "dots"]


def detect_kind(path: Path) -> FileKind:
    """Guess a file's layout from its name and header line."""
    if path.suffix.lower() == ".parquet":
        return "prices"
    head = path.read_bytes()[:4096].decode("utf-8", errors="replace").lower()
    first = head.splitlines()[0] if head else ""
    if "fama" in head or "french" in head or "crsp" in head:
        return "famafrench"
    if "midpoint" in first:
        return "dots"
    cols = [c.strip() for c in first.split(",")]
    if any(c in {"open", "close", "adj close", "adjclose", "adj_close"} for c in cols):
        return "prices"
    return "observations"


def ingest_path(
    store: Store,
    path: str | Path,
    *,
    kind: FileKind | None = None,
    symbol: str | None = None,
    series_id: str | None = None,
    replace: bool = False,
    source: str | None = None,
) -> IngestReport:
    """Read one file and upsert it into the store, all or nothing.

    Parameters
    ----------
    store : Store
    path : str or Path
    kind : {"prices", "observations", "famafrench", "dots"}, optional
        Detected from the file when omitted.
    symbol, series_id : str, optional
        For single-instrument files without a symbol/series column (defaults
        to the file stem, upper-cased).
    replace : bool, default False
        Overwrite conflicting stored values instead of rejecting the batch.
    source : str, optional
        Recorded as the rows' source (default: the file name).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    kind = kind or detect_kind(path)
    src = source or path.name
    if kind == "prices":
        if path.suffix.lower() == ".parquet":
            frame = read_price_parquet(path, source=src)
        else:
            frame = read_price_csv(path, symbol=symbol or path.stem.upper(), source=src)
        return store.ingest_prices(frame, file=str(path), replace=replace)
    if kind == "observations":
        frame = read_observations_csv(path, series_id=series_id, source=src)
        return store.ingest_observations(frame, file=str(path), replace=replace)
    if kind == "famafrench":
        return store.ingest_observations(
            read_fama_french(path), file=str(path), replace=replace
        )
    if kind == "dots":
        return store.ingest_dots(
            read_dot_plot(path, source=src), file=str(path), replace=replace
        )
    raise ValidationError(
        [RowProblem(str(path), None, "-", str(kind), "unknown file kind")]
    )


def load_bundled(
    store: Store, *, progress: Callable[[str], None] | None = None
) -> list[IngestReport]:
    """Load the bundled dataset and its quarantine list (idempotent)."""
    frames = load_bundled_frames()
    reports = []
    steps: list[tuple[str, Callable[[], IngestReport]]] = [
        (
            "prices",
            lambda: store.ingest_prices(
                frames["prices"], file="bundled:prices.parquet"
            ),
        ),
        (
            "series",
            lambda: store.ingest_observations(
                frames["series"], file="bundled:series.parquet"
            ),
        ),
        (
            "dots",
            lambda: store.ingest_dots(frames["dots"], file="bundled:dots.parquet"),
        ),
    ]
    for name, step in steps:
        if progress:
            progress(name)
        reports.append(step())
    known = store.quarantined()
    done = set(zip(known["symbol"], pd.to_datetime(known["date"]), strict=True))
    for item in bundled_manifest()["quarantine"]:
        if (item["symbol"], pd.Timestamp(item["date"])) not in done:
            store.quarantine(item["symbol"], item["date"], item["reason"])
    return reports


def ensure_bundled(
    store: Store, *, progress: Callable[[str], None] | None = None
) -> bool:
    """Load the bundled dataset if the store has never received it.

    Returns True when it was loaded now. Checking the ingest log keeps the
    second and later runs of ``rotation report`` instant.
    """
    done = store._query(
        "SELECT count(*) AS n FROM ingest_log WHERE file LIKE 'bundled:%'"
    )["n"].iloc[0]
    if done >= 3:
        return False
    load_bundled(store, progress=progress)
    return True
