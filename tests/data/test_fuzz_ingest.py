"""Property tests: no generated price file ever produces a traceback or a
half-written store. Ingest either succeeds or raises a rotation error, and a
refused batch leaves the store's fingerprint unchanged."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotation.data.ingest import ingest_path
from rotation.data.store import Store
from rotation.exceptions import RotationError

COLUMNS = [
    "date",
    "Date",
    "close",
    "Close",
    "Adj Close",
    "open",
    "high",
    "low",
    "volume",
    "symbol",
    "Ticker",
    "value",
    "junk",
    "",
]
SESSIONS = pd.bdate_range("2023-01-02", periods=40)


def date_text(day: pd.Timestamp, style: int) -> str:
    return [
        f"{day:%Y-%m-%d}",
        f"{day:%Y%m%d}",
        f"{day:%d/%m/%Y}",
        f"{day:%m/%d/%Y}",
        f"{day:%Y-%m-%d} 00:00:00-05:00",
        f"{day:%Y-%m-%dT16:00:00Z}",
        f"{day:%d %b %Y}",
        f"{day:%Y-%m}",
    ][style]


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64).map(repr),
    st.floats(min_value=0.01, max_value=1e6).map(lambda v: f"{v:,.2f}"),
    st.floats(min_value=0.01, max_value=1e4).map(lambda v: f"{v:.4f}"),
    st.sampled_from(["", ".", "NA", "-", "1.005,5", "1e308", "0", "-3", "abc"]),
    st.text(max_size=6),
)
dates = st.one_of(
    st.builds(date_text, st.sampled_from(list(SESSIONS)), st.integers(0, 7)),
    st.sampled_from(
        [
            "1066-10-14",
            "2099-01-01",
            "2020-13-45",
            "20250102",
            "1735776000",
            "",
            "2024-01-06",
        ]
    ),
    st.text(max_size=12),
)
symbols = st.one_of(
    st.sampled_from(
        [
            "SPY",
            "XLK",
            "HG=F",
            "^TNX",
            "brk.b",
            "../../x",
            "<SCRIPT>",
            "=HYPERLINK(1)",
            "",
        ]
    ),
    st.text(max_size=8),
)


@st.composite
def price_tables(draw) -> list[list[str]]:
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6))
    n_rows = draw(st.integers(0, 8))
    rows = []
    for _ in range(n_rows):
        row = []
        for col in header:
            low = col.lower()
            if low == "date":
                row.append(draw(dates))
            elif low in {"symbol", "ticker"}:
                row.append(draw(symbols))
            else:
                row.append(draw(numbers))
        if draw(st.booleans()) and draw(st.booleans()):
            row = row[: draw(st.integers(0, len(row)))]  # short or ragged rows
        rows.append(row)
    return [header, *rows]


def as_csv(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode()


_STORE: dict[str, Store] = {}
_NAMES = itertools.count()


def shared_store(tmp: Path) -> Store:
    """One in-memory store for all examples: a DuckDB file fsyncs every commit,
    which would make the run slow; atomicity on disk is tested in
    test_reliability.py."""
    if "store" not in _STORE:
        _STORE["store"] = Store(":memory:", today=pd.Timestamp("2026-11-25"))
    return _STORE["store"]


def check_ingest(store: Store, path: Path, **kwargs) -> None:
    before = store.fingerprint()
    try:
        ingest_path(store, path, **kwargs)
    except RotationError:
        assert store.fingerprint() == before
    # Anything else (KeyError, ParserError, OutOfBoundsDatetime...) fails the test.


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    table=price_tables(),
    compress=st.booleans(),
    symbol=st.one_of(st.none(), symbols),
)
def test_generated_csv_never_raises_anything_else(tmp_path, table, compress, symbol):
    data = as_csv(table)
    path = tmp_path / f"f{next(_NAMES)}.csv{'.gz' if compress else ''}"
    path.write_bytes(gzip.compress(data) if compress else data)
    check_ingest(shared_store(tmp_path), path, kind="prices", symbol=symbol or None)


@FUZZ
@given(table=price_tables(), garbage=st.binary(max_size=40))
def test_generated_bytes_never_raise_anything_else(tmp_path, table, garbage):
    data = as_csv(table)
    cut = len(data) // 2
    path = tmp_path / f"g{next(_NAMES)}.csv"
    path.write_bytes(data[:cut] + garbage + data[cut:])
    check_ingest(shared_store(tmp_path), path, symbol="FUZZ")


@st.composite
def parquet_tables(draw) -> pa.Table:
    n = draw(st.integers(0, 6))
    kind = draw(st.sampled_from(["int", "text", "date", "ts", "tz", "float"]))
    day_ints = draw(
        st.lists(
            st.sampled_from(
                [20230103, 20230104, 20230107, 19000101, 1735776000, 10661014, 0, -1]
            ),
            min_size=n,
            max_size=n,
        )
    )
    texts = draw(st.lists(dates, min_size=n, max_size=n))
    if kind == "int":
        date_col = pa.array(day_ints, pa.int64())
    elif kind == "float":
        date_col = pa.array([float(v) for v in day_ints], pa.float64())
    elif kind == "text":
        date_col = pa.array(texts, pa.string())
    else:
        days = draw(st.lists(st.integers(-400_000, 120_000), min_size=n, max_size=n))
        base = pa.array(days, pa.int32()).cast(pa.date32())
        date_col = (
            base
            if kind == "date"
            else base.cast(pa.timestamp("s", "UTC" if kind == "tz" else None))
        )
    columns = {"date": date_col}
    if draw(st.booleans()):
        columns["symbol"] = pa.array(draw(st.lists(symbols, min_size=n, max_size=n)))
    for name in draw(
        st.lists(
            st.sampled_from(["close", "adj_close", "open", "volume"]),
            max_size=3,
            unique=True,
        )
    ):
        values = draw(
            st.lists(
                st.floats(allow_nan=True, allow_infinity=True), min_size=n, max_size=n
            )
        )
        columns[name] = pa.array(values, pa.float64())
    return pa.table(columns)


@FUZZ
@given(table=parquet_tables(), truncate=st.booleans())
def test_generated_parquet_never_raises_anything_else(tmp_path, table, truncate):
    path = tmp_path / f"p{next(_NAMES)}.parquet"
    pq.write_table(table, path)
    if truncate:
        path.write_bytes(path.read_bytes()[: max(5, path.stat().st_size // 2)])
    check_ingest(shared_store(tmp_path), path)
