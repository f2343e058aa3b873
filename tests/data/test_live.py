"""Live sources against recorded responses (never the network).

The fixtures in tests/resources hold each API's documented response shape
filled with real values from the bundled dataset (this machine has no network
to record a fresh response): an ALFRED observations payload with two vintages
and a "." gap, and a yfinance ``history(auto_adjust=False)`` frame.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from rotation.data.sources.live import (
    FredSource,
    YahooSource,
    chart_history,
    retry,
    update_from_live,
)
from rotation.exceptions import SourceError

RESOURCES = Path(__file__).parents[1] / "resources"


class RecordedResponse:
    def __init__(self, status_code: int, payload: dict):
        self.status_code = status_code
        self._payload = payload

    def json(self) -> dict:
        return self._payload


class RecordedSession:
    """Replays recorded responses in order; records the requests made."""

    def __init__(self, responses: list[RecordedResponse]):
        self.responses = list(responses)
        self.requests: list[dict] = []

    def get(self, url, params, timeout):
        self.requests.append({"url": url, **params})
        return self.responses.pop(0)


def alfred_payload() -> dict:
    return json.loads((RESOURCES / "fred_CPIAUCSL_alfred.json").read_text())


def yahoo_history(symbol, start):
    frame = pd.read_csv(RESOURCES / "yfinance_SPY_history.csv", index_col=0)
    frame.index = pd.to_datetime(frame.index, utc=True).tz_convert("America/New_York")
    return frame


class TestFred:
    def test_vintages_reach_the_store_point_in_time(self, empty_store):
        session = RecordedSession([RecordedResponse(200, alfred_payload())])
        fred = FredSource("key", session=session, sleep=lambda s: None)
        update_from_live(empty_store, "fred", ["CPIAUCSL"], fred=fred)
        assert session.requests[0]["realtime_start"] == "1776-07-04"
        first = empty_store.series("CPIAUCSL", as_of="2025-10-20")
        later = empty_store.series("CPIAUCSL", as_of="2025-12-20")
        assert first.loc["2025-09-01"] == pytest.approx(
            later.loc["2025-09-01"] - 0.1, abs=1e-9
        )
        assert pd.Timestamp("2025-10-01") not in later.index  # "." is a gap, not a zero

    def test_retries_then_succeeds(self, empty_store):
        sleeps: list[float] = []
        session = RecordedSession(
            [
                RecordedResponse(503, {}),
                RecordedResponse(429, {}),
                RecordedResponse(200, alfred_payload()),
            ]
        )
        fred = FredSource("key", session=session, sleep=sleeps.append)
        update_from_live(empty_store, "fred", ["CPIAUCSL"], fred=fred)
        assert sleeps == [1.0, 2.0]

    def test_partial_download_never_reaches_the_store(self, empty_store):
        before = empty_store.fingerprint()
        session = RecordedSession(
            [RecordedResponse(200, alfred_payload())] + [RecordedResponse(500, {})] * 4
        )
        fred = FredSource("key", session=session, sleep=lambda s: None)
        with pytest.raises(SourceError, match="FRED UNRATE failed after 4 attempts"):
            update_from_live(empty_store, "fred", ["CPIAUCSL", "UNRATE"], fred=fred)
        assert empty_store.fingerprint() == before

    def test_missing_key_is_a_clear_error(self, monkeypatch):
        monkeypatch.delenv("FRED_API_KEY", raising=False)
        with pytest.raises(SourceError, match="FRED_API_KEY"):
            FredSource(session=RecordedSession([]))


class TestYahoo:
    def test_history_is_normalised_and_ingested(self, empty_store):
        yahoo = YahooSource(fetch=yahoo_history, sleep=lambda s: None)
        report = update_from_live(empty_store, "yfinance", ["SPY"], yahoo=yahoo)[0]
        assert report.inserted == 25
        stored = empty_store.prices("SPY", field="adj_close")["SPY"]
        assert stored.index[0] == pd.Timestamp(
            "2026-05-01"
        )  # New York session date, tz dropped
        recorded = yahoo_history("SPY", None)["Adj Close"]
        assert stored.iloc[0] == pytest.approx(recorded.iloc[0], rel=1e-12)

    def test_flaky_fetch_is_retried(self):
        calls = {"n": 0}

        def flaky(symbol, start):
            calls["n"] += 1
            if calls["n"] < 3:
                raise ConnectionError("reset by peer")
            return yahoo_history(symbol, start)

        frame = YahooSource(fetch=flaky, sleep=lambda s: None).prices("SPY")
        assert calls["n"] == 3 and len(frame) == 25

    def test_retry_gives_up_with_the_cause(self):
        with pytest.raises(SourceError, match="failed after 2 attempts: boom"):
            retry(
                lambda: (_ for _ in ()).throw(OSError("boom")),
                attempts=2,
                sleep=lambda s: None,
            )


def chart(name: str) -> dict:
    return json.loads((RESOURCES / name).read_text())


class TestRecordedShapes:
    """Fixtures in the services' real shapes (FRED error body, Yahoo chart JSON)."""

    def test_fred_dot_is_a_gap_in_the_fixture(self):
        rows = alfred_payload()["observations"]
        assert {"realtime_start", "realtime_end", "date", "value"} == set(rows[0])
        assert any(r["value"] == "." for r in rows)

    def test_fred_bad_series_error_body(self, empty_store):
        before = empty_store.fingerprint()
        session = RecordedSession(
            [RecordedResponse(400, chart("fred_error_bad_series.json"))]
        )
        fred = FredSource("key", session=session, sleep=lambda s: None)
        with pytest.raises(SourceError, match="The series does not exist"):
            update_from_live(empty_store, "fred", ["NOSUCH"], fred=fred)
        assert len(session.requests) == 1  # a 400 is not retried
        assert empty_store.fingerprint() == before

    def test_yahoo_chart_json_reaches_the_store(self, empty_store):
        payload = chart("yahoo_chart_SPY.json")
        yahoo = YahooSource(
            fetch=lambda s, start: chart_history(payload, s), sleep=lambda s: None
        )
        report = update_from_live(empty_store, "yfinance", ["SPY"], yahoo=yahoo)[0]
        assert report.inserted == 24  # the all-null bar is not a price
        stored = empty_store.prices("SPY")["SPY"]
        recorded = yahoo_history("SPY", None)["Adj Close"]
        assert stored.index[0] == pd.Timestamp("2026-05-01")
        assert stored.iloc[0] == pytest.approx(recorded.iloc[0], rel=1e-6)

    def test_yahoo_chart_error_never_reaches_the_store(self, empty_store):
        before = empty_store.fingerprint()
        payload = chart("yahoo_chart_error_not_found.json")
        yahoo = YahooSource(
            fetch=lambda s, start: chart_history(payload, s), sleep=lambda s: None
        )
        with pytest.raises(SourceError, match="Not Found: No data found"):
            update_from_live(empty_store, "yfinance", ["NOPE"], yahoo=yahoo)
        assert empty_store.fingerprint() == before
