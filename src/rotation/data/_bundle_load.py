"""The bundled build's fast path: DuckDB reads the shipped Parquet files itself.

The bundle ships inside the package and never changes after it is built.
``scripts/build_bundled.py`` records in ``manifest.json`` the SHA-256 of each
Parquet file (``files_sha256``) and the digest the validated ingest logs for
each batch (``batch_sha256``). When every file matches its digest, the load
skips the user-file validation (the test suite runs that validation on the
shipped bundle: ``tests/data/test_bundle_load.py``) and inserts the files with
``INSERT ... SELECT FROM read_parquet(...)``, with no row-wise pandas work.
:func:`rotation.data.ingest.load_bundled` takes the validated path whenever
this module says the files are not the shipped ones. The digests guard
against a damaged, partly installed or hand-edited bundle; whoever can write
the package directory can change its code as well, so they are no defence
against that.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rotation.data._upsert import Target
from rotation.data.bundled import BUNDLED_TABLES, read_bundled_table
from rotation.data.catalog import describe_series, lag_months_days, series_catalog
from rotation.data.store import IngestReport, Store, price_flags
from rotation.market import SeriesInfo

__all__ = ["file_sha256", "is_shipped_bundle", "load_trusted_table"]

_TARGETS = {
    "prices": Target(
        "prices",
        ("symbol", "date"),
        ("open", "high", "low", "close", "adj_close", "volume"),
    ),
    "series": Target(
        "observations", ("series_id", "date", "realtime_start"), ("value",)
    ),
    "dots": Target("dots", ("meeting_date", "horizon", "midpoint"), ("participants",)),
    "snapshots": Target(
        "snapshots", ("symbol", "as_of", "field"), ("value",), texts=("text",)
    ),
}
_KINDS = {
    "prices": "prices",
    "series": "observations",
    "dots": "dots",
    "snapshots": "snapshots",
}
#: Rows the ingest skips as missing values (counted, not stored).
_MISSING = {
    "prices": "FALSE",
    "series": "value IS NULL",
    "dots": "FALSE",
    "snapshots": "value IS NULL AND text IS NULL",
}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_shipped_bundle(base: Path, manifest: Mapping[str, Any]) -> bool:
    """Whether every bundled file is byte for byte the one the manifest describes.

    False when the manifest records no digests (a bundle built before they
    were recorded) or any file differs: such a bundle is validated in full.
    """
    files = manifest.get("files_sha256")
    batches = manifest.get("batch_sha256")
    if not isinstance(files, dict) or not isinstance(batches, dict):
        return False
    return all(
        name in batches
        and (base / f"{name}.parquet").is_file()
        and files.get(f"{name}.parquet") == file_sha256(base / f"{name}.parquet")
        for name in BUNDLED_TABLES
    )


def load_trusted_table(
    store: Store, name: str, *, base: Path, manifest: Mapping[str, Any]
) -> IngestReport:
    """Insert one shipped bundled table; the report equals the validated ingest's.

    Call only when :func:`is_shipped_bundle` is True. Joins the store's
    transaction in progress. Price flags are computed when first read (see
    :attr:`IngestReport.flags`), from the same file.
    """
    path = base / f"{name}.parquet"
    source = f"read_parquet({_text(str(path))}, file_row_number = true)"
    missing = _MISSING[name]
    metas: list[SeriesInfo] = []
    with store.transaction():
        # Inside the transaction: its connection is the only one opened.
        if name == "series":
            metas, skipped = _series_metas(store, source)
            select = _series_select(source, metas)
        else:
            skipped = (
                _scalar(store, f"SELECT count(*) FILTER ({missing}) FROM {source}")
                if missing != "FALSE"
                else 0
            )
            select = (
                f"SELECT * EXCLUDE (file_row_number) REPLACE ({_dates(name)}), "
                f"file_row_number + 1 AS _row FROM {source} WHERE NOT ({missing})"
            )
        report = store._ingest_trusted(
            select,
            _TARGETS[name],
            file=f"bundled:{name}.parquet",
            kind=_KINDS[name],
            digest=str(manifest["batch_sha256"][name]),
            skipped=skipped,
            metas=metas,
        )
    if name == "prices":
        return dataclasses.replace(
            report,
            flags_source=lambda: price_flags(read_bundled_table("prices", base)),
        )
    return report


def _dates(name: str) -> str:
    column = {"dots": "meeting_date", "snapshots": "as_of"}.get(name, "date")
    return f"CAST({column} AS DATE) AS {column}"


def _series_metas(store: Store, source: str) -> tuple[list[SeriesInfo], int]:
    # The validated ingest's order: series by first stored row, the source of
    # that row (used only for a series the catalog lacks); and the number of
    # missing values, in the same scan.
    con = store._tx
    assert con is not None
    rows = con.execute(
        "SELECT series_id, "
        "arg_min(source, file_row_number) FILTER (WHERE value IS NOT NULL), "
        "min(file_row_number) FILTER (WHERE value IS NOT NULL) AS first, "
        "count(*) FILTER (WHERE value IS NULL) "
        f"FROM {source} GROUP BY series_id ORDER BY first"
    ).fetchall()
    catalog = series_catalog()
    metas = [
        describe_series(str(sid), source=str(src), catalog=catalog)
        for sid, src, first, _ in rows
        if first is not None
    ]
    return metas, sum(int(row[3]) for row in rows)


def _series_select(source: str, metas: list[SeriesInfo]) -> str:
    # realtime_start = date + the series' publication lag: months first (the
    # day clipped to the month's length), then days, as pandas' DateOffset in
    # the validated path (tests/data/test_bundle_load.py checks month ends).
    lags = (
        ", ".join(
            "({}, {}, {})".format(_text(m.id), *lag_months_days(m.publication_lag))
            for m in metas
        )
        or "(NULL, 0, 0)"
    )  # no series: a row that joins nothing
    return (
        "SELECT b.series_id, CAST(b.date AS DATE) AS date, b.value, "
        "CAST(CAST(b.date AS DATE) + to_months(l.months) + to_days(l.days) AS DATE)"
        " AS realtime_start, CAST(NULL AS DATE) AS realtime_end, b.source, "
        f"b.file_row_number + 1 AS _row FROM {source} b "
        f"JOIN (VALUES {lags}) l(series_id, months, days) USING (series_id) "
        "WHERE b.value IS NOT NULL"
    )


def _scalar(store: Store, sql: str) -> int:
    con = store._tx
    assert con is not None
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _text(value: str) -> str:
    # A SQL string literal.
    return "'" + value.replace("'", "''") + "'"
