"""The store: known facts, point in time, idempotency, reject-whole, atomicity, locking."""

from __future__ import annotations

import multiprocessing as mp
import os

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

from rotation import open_store
from rotation.data.store import Store
from rotation.data.store import open_store as store_open
from rotation.exceptions import ConflictError, StoreBusyError, ValidationError
from rotation.indicators import dot_plot_medians


def prices_batch(symbol: str, dates: list[str], closes: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "symbol": symbol,
            "date": pd.to_datetime(dates),
            "adj_close": closes,
            "source": "test",
        }
    )
    for col in ("open", "high", "low", "close", "volume"):
        frame[col] = np.nan
    return frame


class TestKnownFacts:
    """Values verified in PROVENANCE.md, read back through the public API."""

    def test_spy_adjusted_close(self, loaded_store):
        np.testing.assert_allclose(
            loaded_store.prices("SPY").loc["2023-12-29", "SPY"], 461.39, atol=0.01
        )

    def test_fed_target_upper_bound(self, loaded_store):
        upper = loaded_store.series("DFEDTARU")
        assert upper.loc["2024-01-02"] == pytest.approx(5.50, abs=1e-12)
        assert upper.loc["2026-08-03"] == pytest.approx(3.75, abs=1e-12)
        assert upper.loc["2023-07-27":"2024-09-18"].eq(5.5).all()

    def test_wti_negative_print_is_kept(self, loaded_store):
        assert loaded_store.series("EIA_WTI").loc["2020-04-20"] == pytest.approx(
            -36.98, abs=1e-9
        )

    def test_fama_french_in_fractions(self, loaded_store):
        assert loaded_store.series("FF_MKT_RF").loc["1987-10-19"] == pytest.approx(
            -0.1744, abs=1e-12
        )

    def test_dot_plot_median(self, loaded_store):
        medians = dot_plot_medians(loaded_store.dots())
        assert medians.loc["2026-06-17", "2026"] == pytest.approx(3.75, abs=1e-12)
        assert medians.loc["2026-06-17", "2027"] == pytest.approx(3.625, abs=1e-12)
        assert medians.loc["2026-03-18", "2026"] == pytest.approx(3.375, abs=1e-12)

    def test_other_facts(self, loaded_store):
        assert loaded_store.series("DFF").loc["2023-12-29"] == pytest.approx(
            5.33, abs=1e-9
        )
        assert loaded_store.series("EIA_BRENT").loc["2022-03-08"] == pytest.approx(
            133.18, abs=1e-9
        )
        assert loaded_store.series("EIA_HENRY_HUB").loc["2023-12-29"] == pytest.approx(
            2.58, abs=1e-9
        )
        hg = loaded_store.prices("HG=F")["HG=F"]
        # "record 5.20 on 2024-05-20" is that day's intraday high, the highest up to
        # then (July 2025 went higher); the close was 5.0875.
        high = loaded_store.prices("HG=F", field="high")["HG=F"]
        assert high.loc[:"2024-05-20"].idxmax() == pd.Timestamp("2024-05-20")
        np.testing.assert_allclose(high.loc["2024-05-20"], 5.20, atol=0.01)
        np.testing.assert_allclose(hg.loc["2025-07-31"], 4.35, atol=0.05)

    def test_bundled_market_data_equals_store(self, loaded_store, market):
        from_store = loaded_store.market_data()
        pd.testing.assert_frame_equal(
            from_store.prices[market.prices.columns],
            market.prices,
            check_freq=False,
            check_names=False,
        )
        for sid in ("CPIAUCSL", "DGS2", "FF_HML"):
            pd.testing.assert_frame_equal(
                from_store.series[sid],
                market.series[sid],
                check_names=False,
                check_freq=False,
            )


class TestPointInTime:
    def test_may_cpi_not_known_on_may_31(self, loaded_store):
        as_of_may = loaded_store.series("CPIAUCSL", as_of="2026-05-31")
        assert pd.Timestamp("2026-05-01") not in as_of_may.index
        assert as_of_may.index.max() == pd.Timestamp("2026-04-01")
        mid_june = loaded_store.series("CPIAUCSL", as_of="2026-06-16")
        assert mid_june.index.max() == pd.Timestamp("2026-05-01")

    def test_dots_known_on_meeting_day(self, loaded_store):
        assert loaded_store.dots(as_of="2026-06-16")[
            "meeting_date"
        ].max() == pd.Timestamp("2026-03-18")
        assert loaded_store.dots(as_of="2026-06-17")[
            "meeting_date"
        ].max() == pd.Timestamp("2026-06-17")

    def test_market_data_as_of_hides_later_data(self, loaded_store, market):
        md = loaded_store.market_data("2024-01-02")
        assert md.prices.index.max() == pd.Timestamp("2024-01-02")
        # GEV listed in 2024-04: its column is there, empty, as in the bundled view.
        assert md.prices["GEV"].isna().all()
        truncated = market.truncate("2024-01-02")
        pd.testing.assert_frame_equal(
            md.prices[truncated.prices.columns],
            truncated.prices,
            check_freq=False,
            check_names=False,
        )
        assert all(
            (f["known_from"] <= pd.Timestamp("2024-01-02")).all()
            for f in md.series.values()
        )

    def test_vintages_are_respected(self, empty_store):
        obs = pd.DataFrame(
            {
                "series_id": "GDPX",
                "date": pd.to_datetime(["2026-01-01", "2026-01-01"]),
                "value": [100.0, 101.5],
                "source": "alfred",
                "realtime_start": pd.to_datetime(["2026-02-27", "2026-03-27"]),
                "realtime_end": pd.to_datetime(["2026-03-27", None]),
            }
        )
        empty_store.ingest_observations(obs, file="vintages.csv")
        assert empty_store.series("GDPX", as_of="2026-02-26").empty
        assert empty_store.series("GDPX", as_of="2026-03-01").iloc[0] == 100.0
        assert empty_store.series("GDPX", as_of="2026-04-01").iloc[0] == 101.5


class TestIngest:
    def test_idempotent(self, empty_store):
        batch = prices_batch("AAA", ["2024-01-02", "2024-01-03"], [10.0, 10.5])
        first = empty_store.ingest_prices(batch, file="a.csv")
        before = empty_store.fingerprint()
        again = empty_store.ingest_prices(batch, file="a.csv")
        assert (first.inserted, again.inserted, again.unchanged) == (2, 0, 2)
        assert not again.changed
        assert empty_store.fingerprint() == before

    def test_reject_whole_batch_listing_every_bad_row(self, empty_store):
        empty_store.ingest_prices(
            prices_batch("AAA", ["2024-01-02"], [10.0]), file="seed.csv"
        )
        before = empty_store.fingerprint()
        bad = prices_batch(
            "BBB",
            ["2024-01-02", "2024-01-03", "2024-01-04", "2027-01-04", "2024-01-02"],
            [5.0, -1.0, 5.0, 5.0, 6.0],
        )
        bad.loc[2, "date"] = pd.NaT
        bad["_raw_date"] = [
            "2024-01-02",
            "2024-01-03",
            "04/31/2024x",
            "2027-01-04",
            "2024-01-02",
        ]
        bad["_row"] = [2, 3, 4, 5, 6]
        with pytest.raises(ValidationError) as info:
            empty_store.ingest_prices(bad, file="bad.csv")
        problems = {
            (
                p.row,
                p.column,
                p.rule.split(" (first")[0].split(" (after")[0].split(" (expected")[0],
            )
            for p in info.value.problems
        }
        assert problems == {
            (3, "adj_close", "price must be positive"),
            (4, "date", "date does not parse"),
            (5, "date", "date is in the future"),
            (
                6,
                "date",
                "duplicate key ('BBB',)",
            ),  # rule text up to "(first seen at row 2)"
        }
        message = str(info.value)
        assert (
            "bad.csv: row 3, column 'adj_close', value '-1.0': price must be positive"
            in message
        )
        assert "nothing was written" in message
        assert empty_store.fingerprint() == before

    def test_negative_allowed_only_where_real(self, empty_store):
        empty_store.ingest_prices(
            prices_batch("CL=F", ["2020-04-20"], [-37.63]), file="cl.csv"
        )
        with pytest.raises(ValidationError, match="price must be positive"):
            empty_store.ingest_prices(
                prices_batch("SPY", ["2020-04-20"], [-1.0]), file="spy.csv"
            )

    def test_conflicts_reported_then_replace(self, empty_store):
        empty_store.ingest_prices(
            prices_batch("AAA", ["2024-01-02", "2024-01-03"], [10.0, 11.0]),
            file="a.csv",
        )
        before = empty_store.fingerprint()
        newer = prices_batch("AAA", ["2024-01-03", "2024-01-04"], [11.5, 12.0])
        with pytest.raises(ConflictError, match="conflicts with stored value 11.0"):
            empty_store.ingest_prices(newer, file="b.csv")
        assert empty_store.fingerprint() == before
        report = empty_store.ingest_prices(newer, file="b.csv", replace=True)
        assert (report.replaced, report.inserted) == (1, 1)
        assert empty_store.prices("AAA")["AAA"].tolist() == [10.0, 11.5, 12.0]

    def test_overlapping_files_merge(self, empty_store):
        old = pd.DataFrame(
            {
                "series_id": "DGS2",
                "date": pd.to_datetime(["2026-03-02", "2026-03-03"]),
                "value": [3.5, 3.6],
                "source": "fred-long",
            }
        )
        new = pd.DataFrame(
            {
                "series_id": "DGS2",
                "date": pd.to_datetime(["2026-03-03", "2026-03-04"]),
                "value": [3.6, 3.7],
                "source": "fred-recent",
            }
        )
        empty_store.ingest_observations(old, file="long.csv")
        report = empty_store.ingest_observations(new, file="recent.csv")
        assert (report.inserted, report.unchanged) == (1, 1)
        assert empty_store.series("DGS2").tolist() == [3.5, 3.6, 3.7]

    def test_failure_mid_transaction_leaves_store_unchanged(
        self, empty_store, monkeypatch
    ):
        empty_store.ingest_prices(
            prices_batch("AAA", ["2024-01-02"], [10.0]), file="seed.csv"
        )
        before = empty_store.fingerprint()

        def boom(*args, **kwargs):
            raise RuntimeError("disk full (injected)")

        monkeypatch.setattr(Store, "_record_ingest", boom)
        with pytest.raises(RuntimeError, match="injected"):
            empty_store.ingest_prices(
                prices_batch("AAA", ["2024-01-03", "2024-01-04"], [1.0, 2.0]),
                file="late.csv",
            )
        monkeypatch.undo()
        assert empty_store.fingerprint() == before


def _writer(
    path: str, symbol: str, start: str, queue
) -> None:  # runs in a child process
    store = store_open(path, lock_timeout=60, bundled=False)
    # NYSE sessions: the store refuses a listed symbol's price on a holiday.
    dates = xcals.get_calendar("XNYS").sessions_window(start, 300)
    frame = prices_batch(
        symbol, [str(d.date()) for d in dates], list(np.linspace(10, 20, 300))
    )
    for chunk in range(0, 300, 50):
        store.ingest_prices(
            frame.iloc[chunk : chunk + 50], file=f"{symbol}-{chunk}.csv"
        )
    queue.put(symbol)


class TestConcurrency:
    def test_two_writers_serialise_without_corruption(self, tmp_path):
        path = str(tmp_path / "shared.duckdb")
        store_open(path, bundled=False)
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        procs = [
            ctx.Process(target=_writer, args=(path, sym, "2020-01-02", queue))
            for sym in ("AAA", "BBB")
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        assert all(p.exitcode == 0 for p in procs)
        assert sorted(queue.get(timeout=5) for _ in procs) == ["AAA", "BBB"]
        panel = open_store(path).prices()
        assert panel.count().to_dict() == {"AAA": 300, "BBB": 300}

    def test_busy_store_says_so(self, tmp_path):
        path = tmp_path / "busy.duckdb"
        holder = store_open(path, bundled=False)
        assert holder._lock is not None
        holder._lock.acquire(1.0)
        try:
            other = Store(path, lock_timeout=0.2)
            with pytest.raises(
                StoreBusyError, match="is busy: another process is writing"
            ) as info:
                other.ingest_prices(
                    prices_batch("AAA", ["2024-01-02"], [1.0]), file="x.csv"
                )
        finally:
            holder._lock.release()
        assert f"pid {os.getpid()}" in str(info.value)
        assert "waited 0." in str(info.value)
        assert info.value.waited >= 0.2


class TestQuality:
    def test_cper_bad_ticks_flagged_and_quarantined(self, loaded_store):
        flags = loaded_store.check()
        cper = flags[flags["symbol"] == "CPER"].set_index("date")
        for reported in (
            "2014-12-05",
            "2015-02-03",
        ):  # PROVENANCE.md's dates (the reversals)
            assert cper.loc[reported, "kind"] == "spike"
            assert bool(cper.loc[reported, "quarantined"])
        assert (
            cper.loc["2025-07-30", "kind"] == "large_move"
        )  # real: the copper tariff news
        assert not bool(cper.loc["2025-07-30", "quarantined"])
        panel = loaded_store.prices("CPER")["CPER"]
        assert np.isnan(panel.loc["2014-12-04"])
        raw = loaded_store.prices("CPER", include_quarantined=True)["CPER"]
        assert raw.loc["2014-12-04"] > 0  # never deleted

    def test_release_restores(self, empty_store):
        empty_store.ingest_prices(
            prices_batch("AAA", ["2024-01-02", "2024-01-03"], [10.0, 1.0]), file="a.csv"
        )
        empty_store.quarantine("AAA", "2024-01-03", "test")
        assert np.isnan(empty_store.prices("AAA").loc["2024-01-03", "AAA"])
        empty_store.release("AAA", "2024-01-03")
        assert empty_store.prices("AAA").loc["2024-01-03", "AAA"] == 1.0


def test_market_data_reads_on_one_connection_per_thread(tmp_path, monkeypatch):
    import threading

    import rotation.data.store as store_module

    st = open_store(tmp_path / "one.duckdb")
    expected = st.market_data()
    opened: list[int] = []
    real = store_module.connect

    def counting(*args, **kwargs):
        opened.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(store_module, "connect", counting)
    got = st.market_data()
    assert len(opened) == 1  # one connect for the whole point-in-time read
    pd.testing.assert_frame_equal(got.prices, expected.prices)
    assert got.series.keys() == expected.series.keys()
    # each thread reads on its own connection (a DuckDB connection is not
    # shared between threads)
    opened.clear()
    threads = [threading.Thread(target=st.market_data) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 2 and len(set(opened)) == 2
