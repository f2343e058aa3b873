"""Validation of the files users really send: each bad input is refused whole,
with file, row, column, value and rule, and the store is left unchanged."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rotation.data.ingest import ingest_path
from rotation.data.store import Store
from rotation.exceptions import RotationError, ValidationError

SEED = "date,close\n2024-01-02,10.0\n2024-01-03,10.5\n"


@pytest.fixture
def store(tmp_path) -> Store:
    st = Store(tmp_path / "v.duckdb", today=pd.Timestamp("2026-11-25"))
    seed = tmp_path / "seed.csv"
    seed.write_text(SEED)
    ingest_path(st, seed, symbol="SEED")
    return st


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def refused(store: Store, path: Path, match: str, **kwargs) -> ValidationError:
    """Ingest ``path``; assert it is refused with ``match`` and nothing changed."""
    before = store.fingerprint()
    with pytest.raises(ValidationError, match=match) as info:
        ingest_path(store, path, **kwargs)
    assert store.fingerprint() == before
    message = str(info.value)
    assert not message.startswith("rejected")  # the CLI prefixes its own verb
    assert "nothing was written to the store" in message
    assert all(p.file == str(path) and p.rule for p in info.value.problems)
    return info.value


def rows_of(exc: ValidationError, column: str | None = None) -> list[int | None]:
    return [p.row for p in exc.problems if column is None or p.column == column]


class TestSymbols:
    @pytest.mark.parametrize(
        "bad", ["../../x", "<SCRIPT>", '"=HYPERLINK(""http://e.x"",""a"")"', "A B"]
    )
    def test_symbol_column_outside_the_pattern(self, store, tmp_path, bad):
        path = write(
            tmp_path,
            "p.csv",
            f"symbol,date,close\nSPY,2024-01-02,1\n{bad},2024-01-02,1\n",
        )
        exc = refused(store, path, r"symbol must match \^\[A-Z0-9\^\]")
        assert rows_of(exc) == [3]
        assert exc.problems[0].value == bad.strip('"').replace('""', '"').upper()

    def test_symbol_argument_outside_the_pattern(self, store, tmp_path):
        path = write(tmp_path, "p.csv", "date,close\n2024-01-02,1\n")
        refused(store, path, "'../../X'", symbol="../../x")

    def test_real_tickers_pass(self, store, tmp_path):
        path = write(
            tmp_path,
            "p.csv",
            "symbol,date,close\nBRK.B,2024-01-02,1\n^TNX,2024-01-02,4\nhg=f,2024-01-02,4\n",
        )
        assert ingest_path(store, path).inserted == 3
        assert {"BRK.B", "^TNX", "HG=F"} <= set(store.symbols())


class TestDates:
    def test_ambiguous_day_month_refused_with_rows(self, store, tmp_path):
        path = write(
            tmp_path, "d.csv", "date,close\n03/04/2020,1\n2020-04-06,1\n05/04/2020,1\n"
        )
        exc = refused(store, path, "ambiguous day/month order", symbol="AAA")
        assert rows_of(exc) == [2, 4]
        assert [p.value for p in exc.problems] == ["03/04/2020", "05/04/2020"]

    def test_unambiguous_but_not_iso_refused(self, store, tmp_path):
        path = write(tmp_path, "d.csv", "date,close\n13/04/2020,1\n")
        refused(store, path, "not ISO 8601", symbol="AAA")

    def test_a_given_format_is_used(self, store, tmp_path):
        path = write(tmp_path, "d.csv", "date,close\n03/04/2020,1\n13/04/2020,1.1\n")
        ingest_path(store, path, symbol="AAA", date_format="%d/%m/%Y")
        stored = store.prices("AAA")["AAA"]
        assert list(stored.index) == [
            pd.Timestamp("2020-04-03"),
            pd.Timestamp("2020-04-13"),
        ]

    def test_compact_text_dates_are_yyyymmdd(self, store, tmp_path):
        path = write(tmp_path, "d.csv", "date,close\n20250102,1\n")
        ingest_path(store, path, symbol="AAA")
        assert store.prices("AAA").index[0] == pd.Timestamp("2025-01-02")

    @pytest.mark.parametrize(
        ("text", "rule"),
        [
            ("1066-10-14", "before 1900-01-01"),
            ("1899-12-29", "before 1900-01-01"),
            ("2020-13-45", "not a calendar date"),
            ("2030-01-02", "in the future"),
            ("1735776000", "never guessed"),
            ("yesterday", "does not parse"),
        ],
    )
    def test_out_of_range_and_garbage(self, store, tmp_path, text, rule):
        path = write(tmp_path, "d.csv", f"date,close\n2024-01-02,1\n{text},1\n")
        exc = refused(store, path, rule, symbol="AAA")
        assert [(p.row, p.column) for p in exc.problems] == [(3, "date")]

    def test_saturday_refused_for_listed_symbols_only(self, store, tmp_path):
        path = write(tmp_path, "spy.csv", "date,close\n2024-01-05,1\n2024-01-06,1\n")
        exc = refused(store, path, "not an NYSE session")
        assert exc.problems[0].value == "2024-01-06 (Saturday)"
        assert rows_of(exc) == [3]
        futures = write(tmp_path, "hg.csv", "date,close\n2024-01-05,4\n2024-01-06,4\n")
        assert ingest_path(store, futures, symbol="HG=F").inserted == 2


class TestParquetDates:
    def parquet(self, tmp_path, dates: pa.Array, **extra) -> Path:
        table = pa.table(
            {
                "symbol": ["AAA"] * len(dates),
                "date": dates,
                "close": [1.0] * len(dates),
                **extra,
            }
        )
        path = tmp_path / "p.parquet"
        pq.write_table(table, path)
        return path

    def test_int64_yyyymmdd_is_not_epoch(self, store, tmp_path):
        path = self.parquet(tmp_path, pa.array([20250102, 20250103], pa.int64()))
        ingest_path(store, path)
        assert list(store.prices("AAA").index) == [
            pd.Timestamp("2025-01-02"),
            pd.Timestamp("2025-01-03"),
        ]

    def test_int64_epoch_refused(self, store, tmp_path):
        path = self.parquet(tmp_path, pa.array([1735776000], pa.int64()))
        refused(store, path, "never guessed")

    def test_date32_before_1900(self, store, tmp_path):
        import datetime as dt

        path = self.parquet(tmp_path, pa.array([dt.date(1066, 10, 14)], pa.date32()))
        exc = refused(store, path, "before 1900-01-01")
        assert exc.problems[0].value == "1066-10-14"

    def test_tz_aware_timestamps_are_new_york_sessions(self, store, tmp_path):
        stamps = pd.to_datetime(["2024-01-02 05:00", "2024-01-03 05:00"]).tz_localize(
            "UTC"
        )
        path = self.parquet(tmp_path, pa.array(stamps))
        ingest_path(store, path)
        assert list(store.prices("AAA").index) == [
            pd.Timestamp("2024-01-02"),
            pd.Timestamp("2024-01-03"),
        ]


class TestMagnitudes:
    @pytest.mark.parametrize(
        ("close", "rule"),
        [
            ("1e308", "price above 10,000,000"),
            ("inf", "infinite"),
            ("0", "positive"),
            ("-5", "positive"),
        ],
    )
    def test_bad_price(self, store, tmp_path, close, rule):
        path = write(
            tmp_path, "m.csv", f"date,close\n2024-01-02,10\n2024-01-03,{close}\n"
        )
        exc = refused(store, path, rule, symbol="AAA")
        assert rows_of(exc, "close") == [3]

    def test_jump_from_tiny_to_normal(self, store, tmp_path):
        path = write(
            tmp_path, "j.csv", "date,close\n2024-01-02,1e-300\n2024-01-03,100\n"
        )
        exc = refused(store, path, r"more than x50", symbol="AAA")
        assert rows_of(exc) == [3]
        assert exc.problems[0].value == "1e-300 -> 100.0"

    def test_jump_checked_in_date_order_per_symbol(self, store, tmp_path):
        # Newest-first file: the x60 move is between rows 4 and 3.
        path = write(
            tmp_path,
            "j.csv",
            "symbol,date,close\nBBB,2024-01-04,60\nAAA,2024-01-04,1\nBBB,2024-01-03,1\nAAA,2024-01-03,1\n",
        )
        exc = refused(store, path, r"more than x50")
        assert rows_of(exc) == [2]


class TestColumnsAndNumbers:
    def test_duplicate_close_columns(self, store, tmp_path):
        path = write(tmp_path, "c.csv", "Date,Close,Close\n2024-01-02,1,2\n")
        exc = refused(store, path, "duplicate column", symbol="AAA")
        assert exc.problems[0].value == "Close, Close"
        alias = write(tmp_path, "a.csv", "Date,Adj Close,adj_close\n2024-01-02,1,2\n")
        refused(store, alias, "2 columns mean 'adj_close'", symbol="AAA")

    def test_quoted_thousands_separator_is_read(self, store, tmp_path):
        path = write(tmp_path, "t.csv", 'date,close\n2024-01-02,"1,005.5"\n')
        ingest_path(store, path, symbol="AAA")
        np.testing.assert_allclose(
            store.prices("AAA", field="close")["AAA"], [1005.5], rtol=0, atol=0
        )

    def test_unquoted_thousands_separator_names_the_true_reason(self, store, tmp_path):
        path = write(tmp_path, "t.csv", "date,close\n2024-01-02,1,005.5\n")
        exc = refused(
            store, path, "row has 3 fields but the header has 2", symbol="AAA"
        )
        assert exc.problems[0].value == "2024-01-02,1,005.5"

    def test_european_decimal_reported_as_written(self, store, tmp_path):
        path = write(tmp_path, "t.csv", 'date,close\n2024-01-02,"1.005,5"\n')
        exc = refused(store, path, "not a number", symbol="AAA")
        assert (exc.problems[0].column, exc.problems[0].value) == ("close", "1.005,5")


class TestFiles:
    def test_gzip_is_read(self, store, tmp_path):
        path = tmp_path / "aaa.csv.gz"
        path.write_bytes(gzip.compress(b"date,close\n2024-01-02,3\n"))
        assert ingest_path(store, path).inserted == 1
        assert "AAA" in store.symbols()

    def test_broken_gzip_refused(self, store, tmp_path):
        path = tmp_path / "aaa.csv.gz"
        path.write_bytes(gzip.compress(b"date,close\n2024-01-02,3\n")[:15])
        refused(
            store, path, "gzip-compressed but cannot be decompressed", kind="prices"
        )

    @pytest.mark.parametrize(
        ("name", "content", "rule"),
        [
            ("empty.csv", b"", "file is empty"),
            ("head.csv", b"date,close\n", "header but no data rows"),
            ("five.parquet", b"PAR1x", "not a readable Parquet file"),
            ("nul.csv", b"date,close\n2024-01-02,\x00\n", "NUL bytes"),
            ("bin.csv", b"date,close\n\xff\xfe\n", "not valid UTF-8"),
            ("z.csv", b"PK\x03\x04rest", "zip archive"),
        ],
    )
    def test_unreadable_files(self, store, tmp_path, name, content, rule):
        path = tmp_path / name
        path.write_bytes(content)
        refused(store, path, rule, kind="prices", symbol="AAA")

    def test_parquet_without_symbol_column(self, store, tmp_path):
        path = tmp_path / "nosym.parquet"
        pq.write_table(pa.table({"date": ["2024-01-02"], "close": [1.0]}), path)
        refused(store, path, "no symbol column")
        assert ingest_path(store, path, symbol="AAA").inserted == 1

    def test_observation_file_problems(self, store, tmp_path):
        path = write(tmp_path, "x.csv", "date,value\n03/04/2020,1\n2024-01-02,abc\n")
        exc = refused(store, path, "ambiguous", series_id="../etc")
        rules = {(p.row, p.column) for p in exc.problems}
        assert {(2, "date"), (3, "value"), (2, "series_id")} <= rules

    def test_every_refusal_is_a_rotation_error(self, store, tmp_path):
        path = write(tmp_path, "d.csv", "date,close\n1066-10-14,1\n")
        with pytest.raises(RotationError):
            ingest_path(store, path, symbol="AAA")
