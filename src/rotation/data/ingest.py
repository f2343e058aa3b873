"""Ingest files and the bundled dataset into a store.

:func:`ingest_path` recognises the file layouts we support (price CSV or
Parquet, FRED/EIA-style date/value CSV, Kenneth French Data Library CSV, FOMC
dot plot, fundamental snapshots) and routes them to the store's transactional upserts.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from rotation.data._bundle_load import is_shipped_bundle, load_trusted_table
from rotation.data.bundled import (
    BUNDLED_TABLES,
    bundled_dir,
    bundled_manifest,
    load_bundled_frames,
)
from rotation.data.sources._text import is_parquet, read_text
from rotation.data.sources.files import (
    read_dot_plot,
    read_fama_french,
    read_observations_csv,
    read_price_csv,
    read_price_parquet,
)
from rotation.data.sources.snapshots import looks_like_snapshot, read_snapshot_csv
from rotation.data.store import IngestReport, Store
from rotation.exceptions import RowProblem, ValidationError

__all__ = [
    "BUNDLED_STATE_KEY",
    "FileKind",
    "bundled_build_id",
    "detect_kind",
    "ensure_bundled",
    "ensure_bundled_on_open",
    "ingest_path",
    "load_bundled",
]

FileKind = Literal["prices", "observations", "famafrench", "dots", "snapshots"]


def detect_kind(path: Path) -> FileKind:
    """Guess a file's layout from its name, magic bytes and header line."""
    if is_parquet(path):
        return "prices"
    head = read_text(path)[:4096].lower()
    first = head.splitlines()[0] if head else ""
    if "fama" in head or "french" in head or "crsp" in head:
        return "famafrench"
    if "midpoint" in first:
        return "dots"
    cols = [c.strip() for c in first.split(",")]
    if looks_like_snapshot(cols):
        return "snapshots"
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
    date_format: str | None = None,
    as_of: str | None = None,
) -> IngestReport:
    """Read one file and upsert it into the store, all or nothing.

    Parameters
    ----------
    store : Store
    path : str or Path
    kind : {"prices", "observations", "famafrench", "dots", "snapshots"}, optional
        Detected from the file when omitted.
    symbol, series_id : str, optional
        For single-instrument files without a symbol/series column (defaults
        to the file stem, upper-cased).
    replace : bool, default False
        Overwrite conflicting stored values instead of rejecting the batch.
    source : str, optional
        Recorded as the rows' source (default: the file name).
    date_format : str, optional
        ``strftime`` format of the dates when they are not ISO 8601
        (``"%d/%m/%Y"``); day/month order is never guessed.
    as_of : str, optional
        The date of a snapshot file that has no date column nor a
        ``YYYY-MM-DD`` in its name.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValidationError
        The file cannot be read, or any row breaks a rule; nothing is written.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    kind = kind or detect_kind(path)
    src = source or path.name
    if kind == "prices":
        name = symbol.upper() if symbol else _stem(path).upper()
        if is_parquet(path):
            frame = read_price_parquet(
                path, source=src, symbol=symbol, date_format=date_format
            )
        else:
            frame = read_price_csv(
                path, symbol=name, source=src, date_format=date_format
            )
        return store.ingest_prices(frame, file=str(path), replace=replace)
    if kind == "observations":
        frame = read_observations_csv(
            path, series_id=series_id, source=src, date_format=date_format
        )
        return store.ingest_observations(frame, file=str(path), replace=replace)
    if kind == "famafrench":
        return store.ingest_observations(
            read_fama_french(path), file=str(path), replace=replace
        )
    if kind == "dots":
        return store.ingest_dots(
            read_dot_plot(path, source=src), file=str(path), replace=replace
        )
    if kind == "snapshots":
        frame = read_snapshot_csv(
            path, as_of=as_of, source=src, date_format=date_format
        )
        return store.ingest_snapshots(frame, file=str(path), replace=replace)
    raise ValidationError(
        [RowProblem(str(path), None, "-", str(kind), "unknown file kind")]
    )


#: Store-state key recording which bundled build was loaded, written in the
#: same transaction as the data: present means the load completed.
BUNDLED_STATE_KEY = "bundled_build"
#: The steps :func:`load_bundled` reports to its ``progress`` callback.
BUNDLED_STEPS = BUNDLED_TABLES


def bundled_build_id(base: Path | None = None) -> str:
    """Identify the bundled build (first 16 hex digits of the manifest's SHA-256)."""
    manifest = (base or bundled_dir()) / "manifest.json"
    return hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]


def _stem(path: Path) -> str:
    # "spy.csv.gz" names SPY, "BRK.B.csv" names BRK.B.
    name = path.name[: -len(".gz")] if path.name.lower().endswith(".gz") else path.name
    return Path(name).stem


def load_bundled(
    store: Store,
    *,
    progress: Callable[[str], None] | None = None,
    validate: bool = False,
) -> list[IngestReport]:
    """Load the bundled dataset and its quarantine list, all or nothing.

    Prices, series, the dot plot, the fundamental snapshots, their
    ingest-log entries, the quarantine
    rows and the "bundled build loaded" marker are written in one DuckDB
    transaction: a load that fails or is killed leaves the store as it was,
    and the missing marker makes the next :func:`ensure_bundled` load again.
    Loading twice changes nothing (idempotent).

    The shipped bundle is trusted: when every Parquet file matches the
    SHA-256 recorded in ``manifest.json`` at build time, DuckDB inserts the
    files directly, without the user-file validation (the test suite
    validates the shipped bundle in full). A bundle whose files differ, or
    whose manifest records no digests, is validated like any user file.
    Both paths leave identical stores and return identical reports.

    Parameters
    ----------
    store : Store
    progress : callable, optional
        Called with each step's name (``BUNDLED_STEPS``) before it runs.
    validate : bool, default False
        Validate the bundle in full even when it is the shipped one.

    Returns
    -------
    list of IngestReport
        One per step.

    Raises
    ------
    ValidationError
        Only on the validated path: a modified bundle breaks a rule.
    """
    base = bundled_dir()
    manifest = bundled_manifest(base)
    step: Callable[[str], IngestReport]
    if not validate and is_shipped_bundle(base, manifest):

        def step(name: str) -> IngestReport:
            return load_trusted_table(store, name, base=base, manifest=manifest)

    else:
        frames = load_bundled_frames(base)
        ingest: dict[str, Callable[..., IngestReport]] = {
            "prices": store.ingest_prices,
            "series": store.ingest_observations,
            "dots": store.ingest_dots,
            "snapshots": store.ingest_snapshots,
        }

        def step(name: str) -> IngestReport:
            return ingest[name](frames[name], file=f"bundled:{name}.parquet")

    reports = []
    with store.transaction():
        for name in BUNDLED_STEPS:
            if progress:
                progress(name)
            reports.append(step(name))
        _quarantine_bundled(store, manifest)
        store.set_state(BUNDLED_STATE_KEY, bundled_build_id(base))
    return reports


def _quarantine_bundled(store: Store, manifest: dict[str, Any]) -> None:
    known = store.quarantined()
    done = set(zip(known["symbol"], pd.to_datetime(known["date"]), strict=True))
    for item in manifest["quarantine"]:
        if (item["symbol"], pd.Timestamp(item["date"])) not in done:
            store.quarantine(item["symbol"], item["date"], item["reason"])


def ensure_bundled(
    store: Store, *, progress: Callable[[str], None] | None = None
) -> bool:
    """Load the bundled dataset unless a completed load is recorded.

    The marker is written in the load's own transaction, so a store that a
    killed load left behind (including one from a version whose loads were
    not atomic) has no marker and is loaded again, which repairs it.

    Returns
    -------
    bool
        True when it was loaded now; False when it already was, or the store
        is read-only.
    """
    if store.read_only or store.state(BUNDLED_STATE_KEY) is not None:
        return False
    load_bundled(store, progress=progress)
    return True


def ensure_bundled_on_open(store: Store) -> bool:
    """Load the bundled dataset into a new, empty or half-loaded store.

    A store holding only the user's own files (no bundled load ever
    started) is left alone. A rich progress bar is shown when stderr is a
    terminal.

    Returns
    -------
    bool
        True when the bundled dataset was loaded now.
    """
    if store.read_only or store.state(BUNDLED_STATE_KEY) is not None:
        return False
    if not store.is_empty() and not _bundled_load_started(store):
        return False
    with _terminal_progress() as progress:
        load_bundled(store, progress=progress)
    return True


def _bundled_load_started(store: Store) -> bool:
    # Stores written before loads were atomic log each bundled step on its own.
    frame = store._query(
        "SELECT count(*) AS n FROM ingest_log WHERE file LIKE 'bundled:%'"
    )
    return int(frame["n"].iloc[0]) > 0


@contextlib.contextmanager
def _terminal_progress() -> Iterator[Callable[[str], None] | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("loading the bundled data", total=len(BUNDLED_STEPS))

        def advance(step: str) -> None:
            bar.update(
                task,
                completed=BUNDLED_STEPS.index(step),
                description=f"loading bundled {step}",
            )

        yield advance
