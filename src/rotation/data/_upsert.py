"""The store's upsert, in SQL: compare a staged batch with a table, then write.

A batch is first staged as the temporary table ``s`` (from a pandas frame of
a validated user file, or straight from SQL for the bundled build); the merge
then counts what is new, what fills an empty field, what is unchanged and
what conflicts, and writes, all on the caller's transaction connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from rotation.exceptions import ConflictError, RowProblem
from rotation.market import SeriesInfo

__all__ = [
    "META_FIELDS",
    "Counts",
    "Target",
    "insert_metas",
    "merge_staged",
    "stage_frame",
]

#: Relative tolerance under which two stored numbers count as the same value.
SAME = 1e-9
#: Columns a batch carries as datetime64 that the tables store as DATE.
_DATE_COLUMNS = ("date", "meeting_date", "realtime_start", "realtime_end", "as_of")
#: The columns of ``series_meta``, in order.
META_FIELDS = (
    "id",
    "name",
    "unit",
    "frequency",
    "source",
    "license",
    "publication_lag",
    "notes",
)


@dataclass(frozen=True)
class Target:
    """A table and the roles of its columns in an upsert.

    Attributes
    ----------
    table : str
    keys : tuple of str
        The primary key.
    values : tuple of str
        Numbers compared with a relative tolerance of :data:`SAME`.
    texts : tuple of str
        Texts compared exactly.
    """

    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    texts: tuple[str, ...] = ()

    @property
    def columns(self) -> str:
        """The columns an insert writes, comma-separated."""
        extra = ["realtime_end"] if self.table == "observations" else []
        return ", ".join([*self.keys, *self.values, *self.texts, *extra, "source"])


@dataclass(frozen=True)
class Counts:
    """What a merge did: new keys, filled fields, overwritten and unchanged rows."""

    inserted: int
    filled: int
    replaced: int
    unchanged: int


def stage_frame(con: duckdb.DuckDBPyConnection, batch: pd.DataFrame) -> None:
    """Stage a pandas batch as the temporary table ``s`` (dates become DATE)."""
    con.register("batch_df", batch)
    try:
        # Dates travel as datetime64 (fast) and become DATE here.
        casts = ", ".join(
            f"CAST({c} AS DATE) AS {c}" for c in _DATE_COLUMNS if c in batch
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE s AS SELECT * REPLACE ({casts}) FROM batch_df"
        )
    finally:
        con.unregister("batch_df")


def merge_staged(
    con: duckdb.DuckDBPyConnection,
    target: Target,
    *,
    file: str,
    replace: bool,
) -> Counts:
    """Upsert the staged table ``s`` (with its ``_row`` column) into ``target``.

    Raises
    ------
    ConflictError
        A stored value differs for the same key and ``replace`` is False;
        nothing is written.
    """
    table, keys, values, texts = (
        target.table,
        target.keys,
        target.values,
        target.texts,
    )
    on = " AND ".join(f"s.{k} = t.{k}" for k in keys)
    differs = " OR ".join(
        [
            f"(s.{v} IS NOT NULL AND t.{v} IS NOT NULL AND abs(s.{v} - t.{v}) > "
            f"{SAME} * greatest(1, abs(t.{v})))"
            for v in values
        ]
        + [
            f"(s.{v} IS NOT NULL AND t.{v} IS NOT NULL AND s.{v} <> t.{v})"
            for v in texts
        ]
    )
    fills = " OR ".join(
        f"(t.{v} IS NULL AND s.{v} IS NOT NULL)" for v in (*values, *texts)
    )
    conflicts = con.execute(
        f"SELECT s._row, {', '.join(f's.{v} AS new_{v}, t.{v} AS old_{v}' for v in (*values, *texts))},"
        f" t.source AS old_source FROM s JOIN {table} t ON {on} WHERE {differs} ORDER BY s._row"
    ).df()
    if len(conflicts) and not replace:
        raise ConflictError(_conflict_problems(conflicts, values, file, texts))
    n_fill = _count(
        con,
        f"SELECT count(*) FROM s JOIN {table} t ON {on} WHERE ({fills}) AND NOT ({differs})",
    )
    n_same = _count(
        con,
        f"SELECT count(*) FROM s JOIN {table} t ON {on} WHERE NOT ({differs}) AND NOT ({fills})",
    )
    sets = ", ".join(
        f"{v} = CASE WHEN {'true' if replace else 'false'} THEN coalesce(s.{v}, t.{v}) ELSE coalesce(t.{v}, s.{v}) END"
        for v in (*values, *texts)
    )
    con.execute(
        f"UPDATE {table} AS t SET {sets} FROM s WHERE {on} AND (({fills}) OR ({differs}))"
    )
    cols = target.columns
    n_ins = _count(
        con,
        f"INSERT INTO {table} ({cols}) SELECT {cols} FROM s WHERE NOT EXISTS "
        f"(SELECT 1 FROM {table} t WHERE {on})",
    )
    return Counts(
        inserted=n_ins,
        filled=n_fill,
        replaced=len(conflicts) if replace else 0,
        unchanged=n_same,
    )


def insert_metas(con: duckdb.DuckDBPyConnection, metas: Sequence[SeriesInfo]) -> None:
    """Record series metadata; a series already described keeps its row."""
    if not metas:
        return
    # One statement: an INSERT per series costs milliseconds each next to a
    # large uncommitted batch.
    rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(metas))
    con.execute(
        f"INSERT INTO series_meta VALUES {rows} ON CONFLICT (id) DO NOTHING",
        [getattr(meta, field) for meta in metas for field in META_FIELDS],
    )


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _conflict_problems(
    conflicts: pd.DataFrame,
    values: Sequence[str],
    file: str,
    texts: Sequence[str] = (),
) -> list[RowProblem]:
    out = []
    for r in conflicts.itertuples():
        for v in texts:
            new, old = getattr(r, f"new_{v}"), getattr(r, f"old_{v}")
            if pd.notna(new) and pd.notna(old) and new != old:
                out.append(
                    RowProblem(
                        file,
                        int(r[1]),
                        v,
                        str(new),
                        f"conflicts with stored text {old!r} (source "
                        f"{r.old_source}); use --replace to overwrite",
                    )
                )
        for v in values:
            new, old = getattr(r, f"new_{v}"), getattr(r, f"old_{v}")
            if (
                pd.notna(new)
                and pd.notna(old)
                and abs(new - old) > SAME * max(1, abs(old))
            ):
                out.append(
                    RowProblem(
                        file,
                        int(r[1]),
                        v,
                        repr(float(new)),
                        f"conflicts with stored value {old!r} (source {r.old_source}); "
                        "use --replace to overwrite",
                    )
                )
    return out
