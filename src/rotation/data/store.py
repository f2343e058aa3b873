"""The point-in-time market-data store, on DuckDB.

Tables
------
``prices(symbol, date, open, high, low, close, adj_close, volume, source)``
    Daily prices, key (symbol, date); prices are as of their date.
``observations(series_id, date, value, realtime_start, realtime_end, source)``
    Macro, rates and factor observations, key (series_id, date,
    realtime_start). ``realtime_start`` is the first day the value was known:
    from the source's vintages (ALFRED) where there are any, otherwise the
    observation date plus the series' documented publication lag
    (``catalog.yaml``). ``realtime_end`` is NULL for the vintage in force.
``series_meta(id, name, unit, frequency, source, license, publication_lag, notes)``
``dots(meeting_date, horizon, midpoint, participants, source)``
    The FOMC dot plot, every dot, known on its meeting date.
``quarantine(symbol, date, reason, created_at)``
    Price points excluded from analytics (never deleted from ``prices``).
``snapshots(symbol, as_of, field, value, text, source)``
    Point-in-time fundamental cross-sections, key (symbol, as_of, field):
    one number (``value``) or one text (``text``: sector, industry) per
    symbol and field, known from its ``as_of`` date on.
``ingest_log`` and ``report_runs``
    What was ingested when, and the pillar statuses of past reports.
``watch_runs(run_at, thesis, path, as_of, payload)``
    What ``rotation thesis watch`` saw at each run: item statuses and values
    and the flips since the run before (JSON), read by the dashboard.

Writes are transactional and idempotent: a batch is validated whole, compared
with what is stored (identical rows are skipped, conflicting values are
reported unless ``replace=True``; the SQL is in :mod:`rotation.data._upsert`)
and written in one transaction, so a failure at any point leaves the store as
it was. The shipped bundled build alone skips the validation, once its files
match the digests recorded at build time
(:func:`rotation.data.ingest.load_bundled`). DuckDB allows one writer process; a
file lock next to the store serialises writers and a clear
:class:`~rotation.exceptions.StoreBusyError` says when another process holds it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rotation.data._connect import (
    WriterLock,
    access_error,
    connect,
    damage_detail,
    damaged_error,
)
from rotation.data._upsert import (
    META_FIELDS,
    Counts,
    Target,
    insert_metas,
    merge_staged,
    stage_frame,
)
from rotation.data.catalog import (
    describe_series,
    lag_offset,
    negative_allowed,
    series_catalog,
)
from rotation.data.quality import flag_price_moves
from rotation.data.schemas import (
    validate_dots,
    validate_observations,
    validate_prices,
    validate_snapshots,
)
from rotation.exceptions import (
    UnknownSymbolError,
    ValidationError,
)
from rotation.market import (
    FUNDAMENTAL_COLUMNS,
    MarketData,
    SeriesInfo,
    empty_fundamentals,
)

__all__ = ["IngestReport", "Store", "default_store_path", "open_store"]

PriceField = Literal["open", "high", "low", "close", "adj_close", "volume"]
_PRICE_VALUES = ("open", "high", "low", "close", "adj_close", "volume")
#: What to tell a user whose store lacks a symbol or series.
LOAD_HINT = (
    "Load data with `rotation data update` (bundled, offline), "
    "`rotation data update --source yfinance --symbol SYMBOL`, or "
    "`rotation data ingest PATH`; `rotation data list` shows what is stored."
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS prices (
    symbol VARCHAR NOT NULL, date DATE NOT NULL,
    open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, adj_close DOUBLE, volume DOUBLE,
    source VARCHAR NOT NULL, PRIMARY KEY (symbol, date));
CREATE TABLE IF NOT EXISTS observations (
    series_id VARCHAR NOT NULL, date DATE NOT NULL, value DOUBLE NOT NULL,
    realtime_start DATE NOT NULL, realtime_end DATE, source VARCHAR NOT NULL,
    PRIMARY KEY (series_id, date, realtime_start));
CREATE TABLE IF NOT EXISTS series_meta (
    id VARCHAR PRIMARY KEY, name VARCHAR, unit VARCHAR, frequency VARCHAR,
    source VARCHAR, license VARCHAR, publication_lag VARCHAR, notes VARCHAR);
CREATE TABLE IF NOT EXISTS dots (
    meeting_date DATE NOT NULL, horizon VARCHAR NOT NULL, midpoint DOUBLE NOT NULL,
    participants INTEGER NOT NULL, source VARCHAR NOT NULL,
    PRIMARY KEY (meeting_date, horizon, midpoint));
CREATE TABLE IF NOT EXISTS quarantine (
    symbol VARCHAR NOT NULL, date DATE NOT NULL, reason VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL, PRIMARY KEY (symbol, date));
CREATE TABLE IF NOT EXISTS ingest_log (
    batch_sha256 VARCHAR NOT NULL, file VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    rows BIGINT, inserted BIGINT, filled BIGINT, replaced BIGINT, unchanged BIGINT,
    skipped_missing BIGINT, ingested_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS store_state (
    key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS report_runs (
    run_at TIMESTAMP NOT NULL, as_of DATE NOT NULL, thesis VARCHAR NOT NULL,
    payload VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    symbol VARCHAR NOT NULL, as_of DATE NOT NULL, field VARCHAR NOT NULL,
    value DOUBLE, text VARCHAR, source VARCHAR NOT NULL,
    PRIMARY KEY (symbol, as_of, field));
CREATE TABLE IF NOT EXISTS watch_runs (
    run_at TIMESTAMP NOT NULL, thesis VARCHAR NOT NULL, path VARCHAR NOT NULL,
    as_of DATE NOT NULL, payload VARCHAR NOT NULL);
"""


def default_store_path() -> Path:
    """``$ROTATION_STORE`` or ``~/.local/share/rotation/rotation.duckdb``."""
    env = os.environ.get("ROTATION_STORE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "rotation" / "rotation.duckdb"


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did.

    Attributes
    ----------
    file : str
    kind : {"prices", "observations", "dots", "snapshots"}
    rows : int
        Rows in the batch.
    inserted, filled, replaced, unchanged : int
        New keys; stored rows whose empty fields were filled; conflicting rows
        overwritten (only with ``replace=True``); rows identical to the store.
    skipped_missing : int
        Rows carrying a missing-value marker (``"."``, blank): not stored.
    flags_source : DataFrame or callable, optional
        The batch's flags, or a function computing them on first use of
        :attr:`flags` (the bundled load defers them: nothing on the way to
        a first report reads them).
    """

    file: str
    kind: str
    rows: int
    inserted: int = 0
    filled: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped_missing: int = 0
    flags_source: pd.DataFrame | Callable[[], pd.DataFrame] = field(
        default_factory=pd.DataFrame, repr=False, compare=False
    )

    @property
    def changed(self) -> bool:
        """Whether the store changed."""
        return bool(self.inserted or self.filled or self.replaced)

    @cached_property
    def flags(self) -> pd.DataFrame:
        """Suspicious moves found in the batch (flagged, not dropped)."""
        source = self.flags_source
        return source if isinstance(source, pd.DataFrame) else source()


def open_store(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    lock_timeout: float = 30.0,
    bundled: bool = True,
) -> Store:
    """Open the store at ``path``, loading the bundled dataset on first use.

    Parameters
    ----------
    path : str or Path, optional
        Database file (default :func:`default_store_path`).
    read_only : bool, default False
        Open without the write lock; nothing is loaded.
    lock_timeout : float, default 30.0
        Seconds to wait for another writer before raising StoreBusyError.
    bundled : bool, default True
        Load the bundled dataset into a new or empty store, and repair a store
        whose bundled load was interrupted (see
        :func:`rotation.data.ingest.ensure_bundled`). A rich progress bar is
        shown when stderr is a terminal.

    Returns
    -------
    Store
    """
    store = Store(path, read_only=read_only, lock_timeout=lock_timeout)
    if bundled and not read_only and not store.memory:
        # Local import: ingest imports this module.
        from rotation.data.ingest import ensure_bundled_on_open

        ensure_bundled_on_open(store)
    return store


class Store:
    """A DuckDB-backed, point-in-time store of prices and series.

    Parameters
    ----------
    path : str or Path, optional
        Database file, ``":memory:"`` for a throw-away store. Defaults to
        :func:`default_store_path`.
    read_only : bool, default False
        Refuse writes.
    lock_timeout : float, default 30.0
        Seconds to wait for another writer before raising StoreBusyError.
    today : Timestamp, optional
        The date after which data counts as "in the future" (defaults to the
        clock; tests pin it).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        read_only: bool = False,
        lock_timeout: float = 30.0,
        today: pd.Timestamp | None = None,
    ):
        self.memory = str(path) == ":memory:"
        self.path = (
            Path(":memory:") if self.memory else Path(path or default_store_path())
        )
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self.today = (
            pd.Timestamp(today)
            if today is not None
            else pd.Timestamp.today().normalize()
        )
        self._memory_con: duckdb.DuckDBPyConnection | None = None
        #: The connection of the transaction in progress (see :meth:`transaction`).
        self._tx: duckdb.DuckDBPyConnection | None = None
        #: Per thread: the read connection of a :meth:`_one_read` block.
        self._reads = threading.local()
        #: Tables known to exist. Tables are never dropped, so a name found
        #: once needs no second look (see :meth:`_has_table`).
        self._tables: frozenset[str] = frozenset()
        self._lock = None if self.memory else WriterLock(self.path)
        if self.memory:
            self._memory_con = duckdb.connect(":memory:")
            self._memory_con.execute(_SCHEMA)
            self._tables = _SCHEMA_TABLES
        elif not self.path.exists():
            if read_only:
                raise FileNotFoundError(
                    f"no store at {self.path}; run `rotation data update` first"
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise access_error(self.path, exc) from exc
            with self._connect(write=True) as con:
                con.execute(_SCHEMA)
        elif not read_only and self._missing_tables():
            # A store written by an older version lacks tables this one reads
            # (store_state, snapshots...): a write connection creates them.
            with self._connect(write=True):
                pass

    def _missing_tables(self) -> bool:
        """Whether the file lacks any table of the current schema."""
        return bool(_SCHEMA_TABLES - self._list_tables())

    def _list_tables(self) -> frozenset[str]:
        have = self._query("SELECT table_name FROM information_schema.tables")
        self._tables = self._tables | frozenset(have["table_name"])
        return self._tables

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, read_only={self.read_only})"

    # -- connections --------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if write and self.read_only:
            raise PermissionError(f"store {self.path} was opened read-only")
        if self._tx is not None:  # reads and writes inside a transaction see it
            yield self._tx
            return
        reading = getattr(self._reads, "con", None)
        if reading is not None and not write:
            yield reading
            return
        if self._memory_con is not None:
            yield self._memory_con
            return
        assert self._lock is not None
        deadline = time.monotonic() + self.lock_timeout
        if write:
            self._lock.acquire(self.lock_timeout)
        try:
            con = connect(
                self.path,
                read_only=not write,
                deadline=deadline,
                holder=self._lock.holder(),
            )
            try:
                if write:  # creates tables an older store lacks; a no-op otherwise
                    con.execute(_SCHEMA)
                    self._tables = self._tables | _SCHEMA_TABLES
                yield con
            except duckdb.Error as exc:
                detail = damage_detail(exc)
                if detail is None:
                    raise
                raise damaged_error(self.path, detail) from exc
            finally:
                con.close()
        finally:
            if write:
                self._lock.release()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run every write inside the block as one all-or-nothing transaction.

        Ingests, quarantines and state changes made inside the block commit
        together when it ends, or not at all if it raises (or the process is
        killed). Reads inside the block see the uncommitted writes. Nested
        blocks join the outer transaction.

        Examples
        --------
        >>> store = Store(":memory:")
        >>> with store.transaction():
        ...     store.set_state("example", "1")
        >>> store.state("example")
        '1'
        """
        if self._tx is not None:
            yield
            return
        with self._connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            self._tx = con
            try:
                yield
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                self._tx = None

    def state(self, key: str) -> str | None:
        """Return a store-state value (e.g. which bundled build is loaded), or None."""
        frame = self._query("SELECT value FROM store_state WHERE key = ?", [key])
        return None if frame.empty else str(frame["value"].iloc[0])

    def set_state(self, key: str, value: str) -> None:
        """Record a store-state value (joins the transaction in progress, if any)."""
        with self._connect(write=True) as con:
            con.execute(
                "INSERT OR REPLACE INTO store_state VALUES (?, ?, now())", [key, value]
            )

    def is_empty(self) -> bool:
        """Whether no prices, observations, dots or snapshots are stored."""
        snapshots = (
            " + (SELECT count(*) FROM snapshots)"
            if self._has_table("snapshots")
            else ""
        )
        frame = self._query(
            "SELECT (SELECT count(*) FROM prices) + (SELECT count(*) FROM observations)"
            f" + (SELECT count(*) FROM dots){snapshots} AS n"
        )
        return int(frame["n"].iloc[0]) == 0

    @contextlib.contextmanager
    def _one_read(self) -> Iterator[None]:
        """Run this thread's reads in the block on one connection.

        One connect instead of one per query (~13 ms each), and one view of
        the file for the whole block.
        """
        if getattr(self._reads, "con", None) is not None or self._tx is not None:
            yield
            return
        with self._connect() as con:
            self._reads.con = con
            try:
                yield
            finally:
                self._reads.con = None

    def _query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute(sql, params or []).df()

    def _has_table(self, name: str) -> bool:
        # A store written by an older version, opened read-only, lacks the
        # tables added since (only a writer creates them). Looked up again
        # only while missing: another process may have upgraded the file.
        return name in self._tables or name in self._list_tables()

    # -- ingest -------------------------------------------------------------
    def ingest_prices(
        self, frame: pd.DataFrame, *, file: str, replace: bool = False
    ) -> IngestReport:
        """Validate and upsert a normalised price batch (see ``sources.files``).

        Raises
        ------
        ValidationError
            Any row breaks a rule; every bad row is listed and nothing is written.
        ConflictError
            A stored value differs for the same key and ``replace`` is False.
        """
        frame = _with_rows(frame)
        problems = validate_prices(
            frame, file=file, today=self.today, negative_allowed=negative_allowed
        )
        if problems:
            raise ValidationError(problems)
        batch = frame[["symbol", "date", *_PRICE_VALUES, "source", "_row"]]
        report = self._upsert(
            batch,
            table="prices",
            keys=("symbol", "date"),
            values=_PRICE_VALUES,
            file=file,
            replace=replace,
            kind="prices",
            skipped=0,
        )
        return dataclasses.replace(report, flags_source=price_flags(frame))

    def ingest_observations(
        self,
        frame: pd.DataFrame,
        *,
        file: str,
        replace: bool = False,
        info: Iterable[SeriesInfo] = (),
    ) -> IngestReport:
        """Validate and upsert a normalised observation batch.

        ``realtime_start`` comes from the batch when it carries vintages, else
        from the series' publication lag (catalog, or ``info``; series without
        documented lag are assumed known on their date, and the metadata says so).
        """
        frame = _with_rows(frame)
        extra = {i.id: i for i in info}
        catalog = {**series_catalog(), **extra}

        def price_like(sid: str) -> bool:
            return sid in catalog and catalog[sid].unit.startswith(("USD", "index"))

        problems = validate_observations(
            frame,
            file=file,
            today=self.today,
            negative_allowed=negative_allowed,
            price_like=price_like,
        )
        if problems:
            raise ValidationError(problems)
        missing = frame["value"].isna()
        batch = frame.loc[~missing].copy()
        firsts = batch.drop_duplicates("series_id")
        metas = [
            describe_series(str(sid), source=str(source), catalog=catalog)
            for sid, source in zip(firsts["series_id"], firsts["source"], strict=True)
        ]
        if "realtime_start" not in batch or batch["realtime_start"].isna().all():
            # One vectorised shift per distinct lag (a handful), not per series.
            lag_of = batch["series_id"].map({m.id: m.publication_lag for m in metas})
            starts = np.full(len(batch), np.datetime64("NaT"), dtype="datetime64[ns]")
            for lag, rows in batch.groupby(lag_of, sort=False).indices.items():
                shifted = batch["date"].iloc[rows] + lag_offset(str(lag))
                starts[rows] = shifted.to_numpy(dtype="datetime64[ns]")
            batch["realtime_start"] = starts
            batch["realtime_end"] = pd.NaT
        batch = batch[
            [
                "series_id",
                "date",
                "value",
                "realtime_start",
                "realtime_end",
                "source",
                "_row",
            ]
        ]
        for col in ("date", "realtime_start", "realtime_end"):
            batch[col] = pd.to_datetime(batch[col]).astype("datetime64[ns]")
        return self._upsert(
            batch,
            table="observations",
            keys=("series_id", "date", "realtime_start"),
            values=("value",),
            file=file,
            replace=replace,
            kind="observations",
            skipped=int(missing.sum()),
            metas=metas,
        )

    def ingest_dots(
        self, frame: pd.DataFrame, *, file: str, replace: bool = False
    ) -> IngestReport:
        """Validate and upsert an FOMC dot-plot batch (``sources.files.read_dot_plot``)."""
        frame = _with_rows(frame)
        problems = validate_dots(frame, file=file, today=self.today)
        if problems:
            raise ValidationError(problems)
        batch = frame[
            ["meeting_date", "horizon", "midpoint", "participants", "source", "_row"]
        ].copy()
        batch["participants"] = batch["participants"].astype("int64")
        return self._upsert(
            batch,
            table="dots",
            keys=("meeting_date", "horizon", "midpoint"),
            values=("participants",),
            file=file,
            replace=replace,
            kind="dots",
            skipped=0,
        )

    def ingest_snapshots(
        self, frame: pd.DataFrame, *, file: str, replace: bool = False
    ) -> IngestReport:
        """Validate and upsert a fundamental-snapshot batch.

        ``frame`` has columns ``symbol, as_of, field, value`` and optionally
        ``text`` and ``source`` (see :mod:`rotation.data.sources.snapshots`).
        Rows with neither a number nor a text are missing values: skipped and
        counted. Re-ingesting the same snapshot changes nothing; a different
        number or text for a stored (symbol, as_of, field) is a conflict
        unless ``replace`` is True.

        Raises
        ------
        ValidationError
            Any row breaks a rule (:func:`~rotation.data.schemas.validate_snapshots`).
        ConflictError
            A stored value differs and ``replace`` is False.
        """
        frame = _with_rows(frame)
        if "text" not in frame:
            frame = frame.assign(text=None)
        if "source" not in frame:
            frame = frame.assign(source=file)
        problems = validate_snapshots(frame, file=file, today=self.today)
        if problems:
            raise ValidationError(problems)
        text = frame["text"].astype(object).where(frame["text"].notna(), None)
        frame = frame.assign(text=text)
        missing = frame["value"].isna() & frame["text"].isna()
        batch = frame.loc[~missing, [*FUNDAMENTAL_COLUMNS, "_row"]].copy()
        batch["as_of"] = pd.to_datetime(batch["as_of"]).astype("datetime64[ns]")
        batch["value"] = batch["value"].astype("float64")
        batch = batch.astype({"symbol": object, "field": object, "source": object})
        return self._upsert(
            batch,
            table="snapshots",
            keys=("symbol", "as_of", "field"),
            values=("value",),
            texts=("text",),
            file=file,
            replace=replace,
            kind="snapshots",
            skipped=int(missing.sum()),
        )

    def _upsert(
        self,
        batch: pd.DataFrame,
        *,
        table: str,
        keys: tuple[str, ...],
        values: tuple[str, ...],
        file: str,
        replace: bool,
        kind: str,
        skipped: int,
        metas: Sequence[SeriesInfo] = (),
        texts: tuple[str, ...] = (),
    ) -> IngestReport:
        digest = _digest(batch.drop(columns="_row"))
        with self.transaction():
            con = self._tx
            assert con is not None
            stage_frame(con, batch)
            counts = merge_staged(
                con, Target(table, keys, values, texts), file=file, replace=replace
            )
            insert_metas(con, metas)
            report = IngestReport(
                file=file,
                kind=kind,
                rows=len(batch),
                skipped_missing=skipped,
                **dataclasses.asdict(counts),
            )
            self._record_ingest(con, report, digest)
        return report

    def _ingest_trusted(
        self,
        select: str,
        target: Target,
        *,
        file: str,
        kind: str,
        digest: str,
        skipped: int = 0,
        metas: Sequence[SeriesInfo] = (),
    ) -> IngestReport:
        """Upsert the rows of a query whose validity is established elsewhere.

        Only the bundled build comes this way (:mod:`rotation.data._bundle_load`):
        its files match the digests recorded when it was built, and the test
        suite validates it in full. ``select`` yields the table's columns and
        ``_row`` (the row's number in its file); ``digest`` is what the
        validated ingest of the same batch would log. An empty table takes
        the rows in one ``INSERT``; otherwise they are compared with the
        stored ones exactly as a validated batch is (so a conflict with the
        user's own rows is refused the same way), never replacing.
        """
        with self.transaction():
            con = self._tx
            assert con is not None
            stored = con.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {target.table} LIMIT 1)"
            ).fetchone()
            if stored is not None and stored[0] == 0:
                cols = target.columns
                row = con.execute(
                    f"INSERT INTO {target.table} ({cols}) SELECT {cols} FROM ({select})"
                ).fetchone()
                rows = int(row[0]) if row else 0
                counts = Counts(inserted=rows, filled=0, replaced=0, unchanged=0)
            else:
                con.execute(f"CREATE OR REPLACE TEMP TABLE s AS {select}")
                row = con.execute("SELECT count(*) FROM s").fetchone()
                rows = int(row[0]) if row else 0
                counts = merge_staged(con, target, file=file, replace=False)
            insert_metas(con, metas)
            report = IngestReport(
                file=file,
                kind=kind,
                rows=rows,
                skipped_missing=skipped,
                **dataclasses.asdict(counts),
            )
            self._record_ingest(con, report, digest)
        return report

    def _record_ingest(
        self, con: duckdb.DuckDBPyConnection, report: IngestReport, digest: str
    ) -> None:
        # Idempotency: a batch that changed nothing leaves no trace either.
        if report.changed:
            con.execute(
                "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
                [
                    digest,
                    report.file,
                    report.kind,
                    report.rows,
                    report.inserted,
                    report.filled,
                    report.replaced,
                    report.unchanged,
                    report.skipped_missing,
                ],
            )

    # -- quarantine -----------------------------------------------------------
    def quarantine(self, symbol: str, date: Any, reason: str) -> None:
        """Exclude one price point from analytics (kept in ``prices``)."""
        with self._connect(write=True) as con:
            found = con.execute(
                "SELECT count(*) FROM prices WHERE symbol = ? AND date = ?",
                [symbol, pd.Timestamp(date).date()],
            ).fetchone()
            if not found or not found[0]:
                raise UnknownSymbolError(
                    f"no price for {symbol} on {pd.Timestamp(date).date()}"
                )
            con.execute(
                "INSERT INTO quarantine VALUES (?, ?, ?, now()) ON CONFLICT DO NOTHING",
                [symbol, pd.Timestamp(date).date(), reason],
            )

    def release(self, symbol: str, date: Any) -> None:
        """Undo :meth:`quarantine` for one point."""
        with self._connect(write=True) as con:
            con.execute(
                "DELETE FROM quarantine WHERE symbol = ? AND date = ?",
                [symbol, pd.Timestamp(date).date()],
            )

    def quarantined(self) -> pd.DataFrame:
        """Return the quarantined points with their reasons."""
        return self._query(
            "SELECT symbol, date, reason, created_at FROM quarantine ORDER BY symbol, date"
        )

    # -- reads --------------------------------------------------------------
    def symbols(self) -> list[str]:
        """Symbols with stored prices."""
        return list(
            self._query("SELECT DISTINCT symbol FROM prices ORDER BY symbol")["symbol"]
        )

    def series_ids(self) -> list[str]:
        """Series with stored observations."""
        return list(
            self._query("SELECT DISTINCT series_id FROM observations ORDER BY 1")[
                "series_id"
            ]
        )

    def prices(
        self,
        symbols: str | Sequence[str] | None = None,
        start: Any = None,
        end: Any = None,
        field: PriceField = "adj_close",
        *,
        include_quarantined: bool = False,
    ) -> pd.DataFrame:
        """Wide panel of one price field: session dates x symbols.

        Parameters
        ----------
        symbols : str or sequence of str, optional
            Defaults to every stored symbol.
        start, end : date-like, optional
            Inclusive bounds.
        field : {"adj_close", "close", "open", "high", "low", "volume"}
        include_quarantined : bool, default False
            Quarantined points are NaN unless this is True.

        Returns
        -------
        DataFrame of shape (n_dates, n_symbols)
            NaN where a symbol has no price on a date.
        """
        if field not in _PRICE_VALUES:
            raise ValueError(
                f"field must be one of {', '.join(_PRICE_VALUES)} (got {field!r})."
            )
        names = (
            [symbols]
            if isinstance(symbols, str)
            else list(symbols)
            if symbols is not None
            else None
        )
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if names is not None:
            unknown = sorted(set(names) - set(self.symbols()))
            if unknown:
                raise UnknownSymbolError(
                    f"unknown symbol(s) {', '.join(unknown)}: not in store {self.path}. "
                    f"{LOAD_HINT}"
                )
            where.append("p.symbol IN (SELECT unnest(?))")
            params.append(names)
        if start is not None:
            where.append("p.date >= ?")
            params.append(pd.Timestamp(start).date())
        if end is not None:
            where.append("p.date <= ?")
            params.append(pd.Timestamp(end).date())
        value = (
            f"p.{field}"
            if include_quarantined
            else f"CASE WHEN q.symbol IS NULL THEN p.{field} END"
        )
        sql = (
            f"SELECT p.symbol, (p.date - DATE '1970-01-01')::INTEGER AS day, {value} AS v "
            "FROM prices p LEFT JOIN quarantine q ON p.symbol = q.symbol AND "
            f"p.date = q.date WHERE {' AND '.join(where)}"
        )
        with self._connect() as con:
            table = con.sql(sql, params=params).to_arrow_table()
        return _to_wide(table, names)

    def series(
        self, series_id: str, as_of: Any = None, start: Any = None, end: Any = None
    ) -> pd.Series:
        """Observations of one series as known at the close of ``as_of``.

        Parameters
        ----------
        series_id : str
        as_of : date-like, optional
            Only values published by this date (vintage in force then, or the
            publication lag) are returned; default: everything stored.
        start, end : date-like, optional
            Bounds on the observation date.

        Returns
        -------
        Series
            Indexed by observation date.
        """
        frame = self._series_frame([series_id], as_of)
        if frame.empty and series_id not in self.series_ids():
            raise UnknownSymbolError(
                f"unknown series {series_id!r}: not in store {self.path}. {LOAD_HINT}"
            )
        out = frame.set_index("date")["value"].rename(series_id)
        out.index = pd.DatetimeIndex(out.index, name="date")
        return out.loc[start:end] if (start is not None or end is not None) else out

    def _series_frame(self, ids: Sequence[str] | None, as_of: Any) -> pd.DataFrame:
        cut = (
            pd.Timestamp(as_of).date() if as_of is not None else pd.Timestamp.max.date()
        )
        where = "realtime_start <= ? AND (realtime_end IS NULL OR realtime_end > ?) AND date <= ?"
        params: list[Any] = [cut, cut, cut]
        if ids is not None:
            where += " AND series_id IN (SELECT unnest(?))"
            params.append(list(ids))
        sql = (
            f"SELECT series_id, date, value, realtime_start AS known_from FROM ("
            f" SELECT *, row_number() OVER (PARTITION BY series_id, date ORDER BY realtime_start DESC) rn"
            f" FROM observations WHERE {where}) WHERE rn = 1 ORDER BY series_id, date"
        )
        frame = self._query(sql, params)
        for col in ("date", "known_from"):
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
        return frame

    def dots(self, as_of: Any = None) -> pd.DataFrame:
        """Return the dot plot (every dot) of meetings up to ``as_of``."""
        cut = (
            pd.Timestamp(as_of).date() if as_of is not None else pd.Timestamp.max.date()
        )
        frame = self._query(
            "SELECT meeting_date, horizon, midpoint, participants FROM dots WHERE meeting_date <= ? "
            "ORDER BY meeting_date, horizon, midpoint",
            [cut],
        )
        frame["meeting_date"] = pd.to_datetime(frame["meeting_date"]).astype(
            "datetime64[ns]"
        )
        return frame

    def series_info(self) -> dict[str, SeriesInfo]:
        """Metadata of every stored series."""
        frame = self._query("SELECT * FROM series_meta")
        return {
            str(row["id"]): SeriesInfo(
                **{k: "" if row[k] is None else str(row[k]) for k in META_FIELDS}
            )
            for row in frame.to_dict(orient="records")
        }

    def last_date(self) -> pd.Timestamp | None:
        """Last price date in the store (the default report date)."""
        value = self._query("SELECT max(date) AS d FROM prices")["d"].iloc[0]
        return None if pd.isna(value) else pd.Timestamp(value)

    def market_data(
        self, as_of: Any = None, symbols: Sequence[str] | None = None
    ) -> MarketData:
        """Build a point-in-time :class:`MarketData` as of ``as_of`` (default: last price date)."""
        with self._one_read():
            return self._market_data(as_of, symbols)

    def _market_data(self, as_of: Any, symbols: Sequence[str] | None) -> MarketData:
        cut = pd.Timestamp(as_of) if as_of is not None else self.last_date()
        if cut is None:
            raise UnknownSymbolError(f"the store {self.path} is empty. {LOAD_HINT}")
        # Every stored symbol keeps its column (NaN before it lists), so a basket
        # member that has not listed yet is absent, not unknown.
        prices = self.prices(symbols, end=cut).reindex(
            columns=list(symbols) if symbols is not None else self.symbols()
        )
        frame = self._series_frame(None, cut)
        series = {
            str(sid): grp.set_index("date")[["value", "known_from"]]
            for sid, grp in frame.groupby("series_id", sort=True)
        }
        info = self.series_info()
        return MarketData(
            prices=prices,
            series=series,
            dots=self.dots(cut),
            info={k: v for k, v in info.items() if k in series},
            as_of=cut,
            fundamentals=self.snapshots(as_of=cut),
        )

    def snapshots(
        self,
        as_of: Any = None,
        *,
        symbols: Sequence[str] | None = None,
        fields: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Fundamental snapshots known at the close of ``as_of`` (long format).

        Parameters
        ----------
        as_of : date-like, optional
            Only snapshots dated on or before it; default: every snapshot.
        symbols, fields : sequence of str, optional
            Restrict to these symbols or fields.

        Returns
        -------
        DataFrame
            Columns ``symbol, as_of, field, value, text, source``
            (:data:`rotation.market.FUNDAMENTAL_COLUMNS`), sorted by as_of,
            symbol, field; ``value`` is NaN for text fields and ``text`` None
            for numbers.
        """
        if not self._has_table("snapshots"):
            return empty_fundamentals()
        cut = (
            pd.Timestamp(as_of).date() if as_of is not None else pd.Timestamp.max.date()
        )
        where: list[str] = ["as_of <= ?"]
        params: list[Any] = [cut]
        for column, names in (("symbol", symbols), ("field", fields)):
            if names is not None:
                where.append(f"{column} IN (SELECT unnest(?))")
                params.append(list(names))
        frame = self._query(
            f"SELECT {', '.join(FUNDAMENTAL_COLUMNS)} FROM snapshots "
            f"WHERE {' AND '.join(where)} ORDER BY as_of, symbol, field",
            params,
        )
        frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[ns]")
        frame["value"] = frame["value"].astype("float64")
        frame["text"] = frame["text"].astype(object).where(frame["text"].notna(), None)
        return frame.astype({"symbol": object, "field": object, "source": object})

    def coverage(self) -> pd.DataFrame:
        """One row per symbol, series and the dot plot: first/last date, rows, source, unit."""
        frame = self._query(
            """
            SELECT 'price' AS kind, symbol AS id, min(date) AS first, max(date) AS last,
                   count(*) AS rows, string_agg(DISTINCT source, '; ' ORDER BY source) AS source,
                   'USD (adjusted)' AS unit, '' AS name
            FROM prices GROUP BY symbol
            UNION ALL
            SELECT 'series', o.series_id, min(o.date), max(o.date), count(*),
                   any_value(m.source), any_value(m.unit), any_value(m.name)
            FROM observations o LEFT JOIN series_meta m ON m.id = o.series_id GROUP BY o.series_id
            UNION ALL
            SELECT 'dot plot', 'FOMC_DOTS', min(meeting_date), max(meeting_date), count(*),
                   any_value(source), 'percent', 'FOMC SEP dot plot (every dot)'
            FROM dots HAVING count(*) > 0"""
            + (_SNAPSHOT_COVERAGE if self._has_table("snapshots") else "")
            + """
            ORDER BY 1, 2"""
        )
        for col in ("first", "last"):
            frame[col] = pd.to_datetime(frame[col]).dt.date
        return frame

    def check(self) -> pd.DataFrame:
        """Data-quality table: flagged moves per symbol with their quarantine state."""
        long = self._query(
            "SELECT symbol, date, adj_close FROM prices WHERE adj_close IS NOT NULL"
        )
        long["date"] = pd.to_datetime(long["date"])
        flags = flag_price_moves(long)
        quarantined = self.quarantined()
        keys = set(
            zip(quarantined["symbol"], pd.to_datetime(quarantined["date"]), strict=True)
        )
        flags["quarantined"] = [
            (s, pd.Timestamp(d)) in keys
            for s, d in zip(flags["symbol"], flags["suspect_date"], strict=True)
        ]
        return flags

    def fingerprint(self) -> str:
        """Hash the stored data (tests use it to prove nothing changed).

        Covers every row of ``prices``, ``observations``, ``series_meta``,
        ``dots``, ``snapshots`` and ``quarantine`` (without its ``created_at`` time, so two
        loads of the same data agree). Each table contributes its row count
        and the sum of DuckDB's 64-bit row hashes, which does not depend on
        row order: one statement on one connection, about 40 ms for the
        million rows of the bundled dataset.
        """
        if not _FINGERPRINT_COLUMNS.keys() <= self._tables:
            self._list_tables()
        tables = [t for t in _FINGERPRINT_COLUMNS if t in self._tables]
        # One statement, one connection: each table's (count, hash sum) row.
        sql = " UNION ALL ".join(
            f"SELECT {i} AS i, count(*), "
            f"coalesce(sum(hash({_FINGERPRINT_COLUMNS[t]})::HUGEINT), 0) FROM {t}"
            for i, t in enumerate(tables)
        )
        with self._connect() as con:
            rows = {int(r[0]): (r[1], r[2]) for r in con.execute(sql).fetchall()}
        parts = [f"{t}:{rows[i]}" for i, t in enumerate(tables)]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    # -- report history -----------------------------------------------------------
    def record_report(self, as_of: Any, thesis: str, payload: str) -> None:
        """Remember a report's headline numbers for "what changed since last run"."""
        with self._connect(write=True) as con:
            con.execute(
                "INSERT INTO report_runs VALUES (now(), ?, ?, ?)",
                [pd.Timestamp(as_of).date(), thesis, payload],
            )

    def previous_report(
        self, thesis: str, *, as_of: Any = None
    ) -> dict[str, Any] | None:
        """Return the latest recorded report of ``thesis`` dated on or before ``as_of``.

        Returns a mapping with ``run_at``, ``as_of`` and the decoded ``payload``,
        or None if there is none.
        """
        cut = (
            pd.Timestamp(as_of).date() if as_of is not None else pd.Timestamp.max.date()
        )
        frame = self._query(
            "SELECT run_at, as_of, payload FROM report_runs WHERE thesis = ? AND as_of <= ? "
            "ORDER BY run_at DESC LIMIT 1",
            [thesis, cut],
        )
        if frame.empty:
            return None
        row = frame.iloc[0]
        return {
            "run_at": str(row["run_at"]),
            "as_of": str(pd.Timestamp(row["as_of"]).date()),
            "payload": json.loads(str(row["payload"])),
        }

    # -- thesis watch -------------------------------------------------------------
    def record_watch_run(
        self, thesis: str, as_of: Any, payload: str, *, path: str = ""
    ) -> None:
        """Remember what ``rotation thesis watch`` saw for ``thesis`` (JSON payload)."""
        with self._connect(write=True) as con:
            con.execute(
                "INSERT INTO watch_runs VALUES (now(), ?, ?, ?, ?)",
                [thesis, path, pd.Timestamp(as_of).date(), payload],
            )

    def watch_runs(
        self, thesis: str | None = None, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Return the recorded watch runs, newest first.

        Parameters
        ----------
        thesis : str, optional
            Only runs of this thesis (its label, e.g. the file stem).
        limit : int, optional
            At most this many runs.

        Returns
        -------
        list of dict
            ``run_at`` (ISO text), ``thesis``, ``path``, ``as_of`` (ISO date)
            and the decoded ``payload``.
        """
        if not self._has_table("watch_runs"):
            return []
        where, params = (
            ("WHERE thesis = ?", [thesis]) if thesis is not None else ("", [])
        )
        sql = (
            "SELECT run_at, thesis, path, as_of, payload FROM watch_runs "
            f"{where} ORDER BY run_at DESC, rowid DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        frame = self._query(sql, params)
        return [
            {
                "run_at": pd.Timestamp(row["run_at"]).isoformat(),
                "thesis": str(row["thesis"]),
                "path": str(row["path"]),
                "as_of": str(pd.Timestamp(row["as_of"]).date()),
                "payload": json.loads(str(row["payload"])),
            }
            for row in frame.to_dict(orient="records")
        ]


_SNAPSHOT_COVERAGE = """
            UNION ALL
            SELECT 'snapshot', field, min(as_of), max(as_of), count(*),
                   string_agg(DISTINCT source, '; ' ORDER BY source),
                   CASE WHEN count(value) > 0 THEN 'number' ELSE 'text' END,
                   'fundamental snapshot field'
            FROM snapshots GROUP BY field"""

_SCHEMA_TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", _SCHEMA))

_FINGERPRINT_COLUMNS = {
    "prices": "symbol, date, open, high, low, close, adj_close, volume, source",
    "observations": "series_id, date, value, realtime_start, realtime_end, source",
    "series_meta": "id, name, unit, frequency, source, license, publication_lag, notes",
    "dots": "meeting_date, horizon, midpoint, participants, source",
    "quarantine": "symbol, date, reason",
    "snapshots": "symbol, as_of, field, value, text, source",
}


def price_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Flag suspicious moves in a price batch, on ``adj_close`` else ``close``."""
    return flag_price_moves(
        frame.assign(adj_close=frame["adj_close"].fillna(frame["close"]))
    )


def _with_rows(frame: pd.DataFrame) -> pd.DataFrame:
    if "_row" in frame:
        return frame
    return frame.assign(_row=np.arange(1, len(frame) + 1))


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    ).hexdigest()


def _to_wide(table: pa.Table, order: Sequence[str] | None) -> pd.DataFrame:
    """Scatter a long (symbol, day, value) Arrow table into a wide panel.

    Rows come out of DuckDB clustered by symbol, so the symbol column is
    run-length encoded instead of hashing millions of strings; the result does
    not depend on that order, only the speed does (0.3 s for 4.4M rows).
    """
    symbols = pc.run_end_encode(table["symbol"].combine_chunks())
    run_values = symbols.values.to_pylist()
    lengths = np.diff(np.concatenate([[0], symbols.run_ends.to_numpy()]))
    names = sorted(set(run_values))
    lookup = {name: i for i, name in enumerate(names)}
    sym_codes = np.repeat(
        np.array([lookup[v] for v in run_values], dtype=np.int64), lengths
    )
    days = table["day"].combine_chunks().to_numpy(zero_copy_only=False)
    if len(days) == 0:
        return pd.DataFrame(
            index=pd.DatetimeIndex([], name="date"), columns=list(order or [])
        )
    # Day numbers are dense over a few tens of thousands of calendar days: map
    # them to row codes in O(n) instead of sorting millions of values.
    first = int(days.min())
    present = np.zeros(int(days.max()) - first + 1, dtype=bool)
    present[days - first] = True
    row_of_day = np.cumsum(present) - 1
    day_codes = row_of_day[days - first]
    unique_days = np.flatnonzero(present) + first
    values = np.full((len(unique_days), len(names)), np.nan)
    values[day_codes, sym_codes] = (
        table["v"].combine_chunks().to_numpy(zero_copy_only=False).astype("float64")
    )
    index = pd.DatetimeIndex(
        unique_days.astype("datetime64[D]").astype("datetime64[ns]"), name="date"
    )
    wide = pd.DataFrame(values, index=index, columns=pd.Index(names))
    if order is not None:
        wide = wide.reindex(columns=list(order))
    return wide
