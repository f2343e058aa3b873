"""Point-in-time fundamental snapshots: store table, bundled cross-section, readers.

Reference values come straight from the shared CSV read with plain pandas
(never through rotation's readers), so the store, the bundle and the
MarketData view are checked against an independent computation.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rotation.data.bundled import load_bundled_frames, load_market_data
from rotation.data.ingest import detect_kind, ingest_path
from rotation.data.sources.live import YahooSource, update_from_live
from rotation.data.sources.snapshots import read_snapshot_csv
from rotation.exceptions import ConflictError, SourceError, ValidationError
from rotation.market import FUNDAMENTAL_COLUMNS, MarketData

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
FUNDAMENTALS = SHARED / "fundamentals" / "Stock_Info_2025-06-15.csv"
RESOURCES = Path(__file__).parents[1] / "resources"
#: The file's 503 S&P 500 members come first; 32 non-members are appended.
N_MEMBERS = 503

needs_shared = pytest.mark.skipif(
    not FUNDAMENTALS.exists(), reason="../shared/data is not on this machine"
)


def harmonic_pe(frame: pd.DataFrame, pe: str) -> float:
    """Cap-weighted harmonic P/E: total market cap over total implied earnings."""
    ok = frame.dropna(subset=[pe, "marketCap"])
    return float(ok["marketCap"].sum() / (ok["marketCap"] / ok[pe]).sum())


def wide(fundamentals: pd.DataFrame) -> pd.DataFrame:
    numbers = fundamentals[fundamentals["value"].notna()]
    return numbers.pivot(index="symbol", columns="field", values="value")


@pytest.fixture(scope="module")
def shared_members() -> pd.DataFrame:
    return pd.read_csv(FUNDAMENTALS).iloc[:N_MEMBERS]


def small_snapshot(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


class TestReference:
    @needs_shared
    def test_forward_pe_from_the_csv_is_the_issue_number(self, shared_members):
        # The issue's independent number: 21.3x over the members of 2025-06-15.
        assert harmonic_pe(shared_members, "forwardPE") == pytest.approx(21.3, abs=0.1)

    @needs_shared
    def test_store_gives_the_same_forward_and_trailing_pe(
        self, loaded_store, shared_members
    ):
        view = wide(loaded_store.market_data("2025-06-16").fundamentals)
        for pe in ("forwardPE", "trailingPE"):
            np.testing.assert_allclose(
                harmonic_pe(view, pe), harmonic_pe(shared_members, pe), rtol=1e-12
            )
        assert harmonic_pe(view, "forwardPE") == pytest.approx(21.3, abs=0.1)

    @needs_shared
    def test_every_member_value_equals_the_file(self, loaded_store, shared_members):
        view = wide(loaded_store.snapshots())
        expected = shared_members.set_index("ticker")[["marketCap", "forwardPE"]]
        expected = expected.dropna(how="all")
        got = view.loc[expected.index, ["marketCap", "forwardPE"]]
        np.testing.assert_allclose(
            got.to_numpy(dtype="float64"),
            expected.to_numpy(dtype="float64"),
            rtol=1e-12,
        )

    def test_only_members_are_bundled(self, loaded_store):
        symbols = set(loaded_store.snapshots()["symbol"])
        assert len(symbols) == N_MEMBERS - 2  # BRK.B and BF.B have no data
        assert not symbols & {"SPY", "QQQ", "TLT", "YPF", "TQQQ"}

    def test_sector_is_text(self, loaded_store):
        frame = loaded_store.snapshots(symbols=["NVDA", "XOM"], fields=["sector"])
        assert dict(zip(frame["symbol"], frame["text"], strict=True)) == {
            "NVDA": "Technology",
            "XOM": "Energy",
        }
        assert frame["value"].isna().all()


class TestPointInTime:
    def test_not_known_before_its_date(self, loaded_store):
        # 2025-06-15 is a Sunday: the Friday before does not know it.
        assert loaded_store.market_data("2025-06-13").fundamentals.empty
        assert len(loaded_store.market_data("2025-06-16").fundamentals) > 7000

    def test_truncate_removes_later_snapshots(self):
        market = load_market_data("2025-12-31")
        assert len(market.fundamentals) > 7000
        assert market.truncate("2025-06-13").fundamentals.empty
        assert len(market.truncate("2025-06-15").fundamentals) == len(
            market.fundamentals
        )

    def test_bundle_without_store_equals_store(self, loaded_store):
        pd.testing.assert_frame_equal(
            load_market_data("2025-06-16").fundamentals,
            loaded_store.market_data("2025-06-16").fundamentals,
        )

    def test_columns_and_empty_default(self):
        market = MarketData(
            prices=pd.DataFrame(), series={}, dots=pd.DataFrame({"meeting_date": []})
        )
        assert tuple(market.fundamentals.columns) == FUNDAMENTAL_COLUMNS
        assert market.fundamentals.empty
        assert tuple(load_bundled_frames()["snapshots"].columns) == FUNDAMENTAL_COLUMNS


class TestIngest:
    def test_wide_csv_takes_its_date_from_the_name(self, empty_store, tmp_path):
        path = small_snapshot(
            tmp_path,
            "info_2025-09-15.csv",
            "ticker,marketCap,forwardPE,sector\nNVDA,4.3e12,38.5,Technology\n"
            "XOM,4.8e11,,Energy\n",
        )
        assert detect_kind(path) == "snapshots"
        report = ingest_path(empty_store, path)
        assert (report.kind, report.inserted, report.skipped_missing) == (
            "snapshots",
            5,
            1,
        )
        frame = empty_store.snapshots()
        assert set(frame["as_of"]) == {pd.Timestamp("2025-09-15")}
        assert ingest_path(empty_store, path).changed is False  # idempotent

    def test_long_csv(self, empty_store, tmp_path):
        path = small_snapshot(
            tmp_path,
            "long.csv",
            "symbol,as_of,field,value\nnvda,2025-09-15,forwardPE,38.5\n"
            "NVDA,2025-09-15,sector,Technology\n",
        )
        ingest_path(empty_store, path)
        frame = empty_store.snapshots()
        assert list(frame["symbol"]) == ["NVDA", "NVDA"]
        assert frame.set_index("field").loc["sector", "text"] == "Technology"

    def test_a_new_snapshot_adds_history(self, empty_store, tmp_path):
        for day, pe in (("2025-06-15", 30.0), ("2025-09-15", 38.5)):
            ingest_path(
                empty_store,
                small_snapshot(
                    tmp_path, f"s_{day}.csv", f"ticker,forwardPE\nNVDA,{pe}\n"
                ),
            )
        assert list(empty_store.snapshots()["value"]) == [30.0, 38.5]
        assert list(empty_store.snapshots(as_of="2025-07-01")["value"]) == [30.0]

    def test_conflict_and_replace(self, empty_store, tmp_path):
        first = small_snapshot(
            tmp_path, "a_2025-06-15.csv", "ticker,forwardPE,sector\nNVDA,30,Tech\n"
        )
        ingest_path(empty_store, first)
        second = small_snapshot(
            tmp_path, "b_2025-06-15.csv", "ticker,forwardPE,sector\nNVDA,31,Chips\n"
        )
        before = empty_store.fingerprint()
        with pytest.raises(ConflictError) as info:
            ingest_path(empty_store, second)
        assert {p.column for p in info.value.problems} == {"value", "text"}
        assert empty_store.fingerprint() == before
        ingest_path(empty_store, second, replace=True)
        frame = empty_store.snapshots().set_index("field")
        assert frame.loc["forwardPE", "value"] == 31.0
        assert frame.loc["sector", "text"] == "Chips"


class TestErrors:
    def test_every_bad_row_is_named_and_nothing_is_written(self, empty_store, tmp_path):
        path = small_snapshot(
            tmp_path,
            "bad_2025-06-15.csv",
            "ticker,marketCap,forwardPE\nNVDA,-5,abc\n<SCRIPT>,1e9,10\nNVDA,1e9,11\n",
        )
        with pytest.raises(ValidationError) as info:
            ingest_path(empty_store, path)
        found = {(p.row, p.column, p.rule.split(" (")[0]) for p in info.value.problems}
        assert (2, "value", "marketCap must be positive") in found
        assert (2, "value", "value is not a number") in found
        assert any(row == 3 and col == "symbol" for row, col, _ in found)
        assert any("duplicate key" in rule and row == 4 for row, _, rule in found)
        assert empty_store.is_empty()

    def test_future_snapshot_is_refused(self, empty_store, tmp_path):
        path = small_snapshot(tmp_path, "f_2030-01-02.csv", "ticker,forwardPE\nA,10\n")
        with pytest.raises(ValidationError, match="in the future"):
            ingest_path(empty_store, path)

    def test_no_date_anywhere(self, tmp_path):
        path = small_snapshot(tmp_path, "nodate.csv", "ticker,forwardPE\nA,10\n")
        with pytest.raises(ValidationError, match="no snapshot date"):
            read_snapshot_csv(path)
        assert len(read_snapshot_csv(path, as_of="2025-06-15")) == 1


def recorded_info(symbol: str) -> dict:
    return json.loads((RESOURCES / f"yfinance_{symbol}_info.json").read_text())


class TestYahoo:
    """yfinance ``Ticker.info`` answers recorded in the library's shape.

    The values are the 2025-06-15 cross-section's own (no network here to record
    a fresh answer); the store's ``today`` dates the new snapshot.
    """

    def test_appends_a_snapshot_dated_today(self, empty_store):
        yahoo = YahooSource(fetch_info=recorded_info, sleep=lambda s: None)
        update_from_live(
            empty_store, "yfinance", ["NVDA", "XOM"], yahoo=yahoo, fundamentals=True
        )
        frame = empty_store.snapshots()
        assert set(frame["as_of"]) == {empty_store.today}
        nvda = frame[frame["symbol"] == "NVDA"].set_index("field")
        assert nvda.loc["forwardPE", "value"] == pytest.approx(34.45874, rel=1e-12)
        assert nvda.loc["sector", "text"] == "Technology"
        assert "quoteType" not in nvda.index

    def test_a_failed_symbol_writes_nothing(self, empty_store):
        def fetch(symbol):
            if symbol == "XOM":
                raise ConnectionError("HTTP 503")
            return recorded_info(symbol)

        yahoo = YahooSource(fetch_info=fetch, sleep=lambda s: None)
        with pytest.raises(SourceError, match="Yahoo info XOM failed"):
            update_from_live(
                empty_store, "yfinance", ["NVDA", "XOM"], yahoo=yahoo, fundamentals=True
            )
        assert empty_store.is_empty()

    def test_an_answer_without_fields(self, empty_store):
        yahoo = YahooSource(
            fetch_info=lambda s: {"trailingPegRatio": None}, sleep=lambda s: None
        )
        with pytest.raises(SourceError, match="none of the snapshot fields"):
            update_from_live(
                empty_store, "yfinance", ["NVDA"], yahoo=yahoo, fundamentals=True
            )
