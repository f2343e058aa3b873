"""``rotation thesis watch`` across runs, and the dashboard route that replays it.

Two runs on a temporary copy of the bundled store with a data change between
them: a small CSV adds one real-looking session of XLE that moves a one-day
momentum pillar across its rule, so the second run must report exactly that
flip, exit 4, and ``/api/thesis/watch`` must show the same flip.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rotation import open_store
from rotation.analysis._watch import (
    WATCH_FLIPPED_EXIT,
    WatchItem,
    WatchRun,
    compare_runs,
    previous_run,
    watch_from_record,
)
from rotation.cli import app
from rotation.data.store import Store
from rotation.web._api_common import ApiContext
from rotation.web._api_watch import WATCH_PATH, register
from rotation.web._service import DashboardService

runner = CliRunner()

#: One pillar on one symbol, flipping at once (no band, no persistence), and one
#: pillar that the new XLE session cannot move (its value is a Fed series).
PROBE = """\
version: 1
meta:
  title: Watch probe
  source: tests/test_watch.py
  date: 2026-01-02
  summary: XLE rose on the last session.
pillars:
  - id: xle_up_today
    claim: XLE closed higher than the session before.
    expr: momentum(XLE, 1)
    rule: "> 0"
  - id: fed_above_two
    claim: The Fed funds target's upper bound is above 2%.
    expr: value(DFEDTARU)
    rule: "> 2"
"""
NEXT_SESSION = "2026-08-04"  # the NYSE session after the bundle's last (2026-08-03)


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("watch") / "base.duckdb"
    open_store(path)
    return path


@pytest.fixture
def store_copy(bundled_store, tmp_path) -> Path:
    path = tmp_path / "rotation.duckdb"
    shutil.copy(bundled_store, path)
    return path


@pytest.fixture
def probe(tmp_path) -> Path:
    path = tmp_path / "watch_probe.yaml"
    path.write_text(PROBE)
    return path


def watch(store: Path, *args: str):
    return runner.invoke(
        app, ["thesis", "watch", *args, "--store", str(store)], catch_exceptions=False
    )


def move_xle(store: Path, tmp_path: Path) -> str:
    """Ingest one XLE session that reverses the sign of its last one-day return."""
    prices = Store(store).prices(["XLE"]).dropna()
    last, before = float(prices["XLE"].iloc[-1]), float(prices["XLE"].iloc[-2])
    was_up = last > before
    new = last * (0.97 if was_up else 1.03)
    csv = tmp_path / "xle_next.csv"
    csv.write_text(
        f"symbol,date,close,adj_close\nXLE,{NEXT_SESSION},{new:.4f},{new:.4f}\n"
    )
    result = runner.invoke(app, ["data", "ingest", str(csv), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return "fails" if was_up else "holds"


class TestCompare:
    def run(self, status: str, value: float, *, extra: bool = False) -> WatchRun:
        items = [WatchItem("pillar", "p", status, value, pd.Timestamp("2026-08-03"))]
        if extra:
            items.append(WatchItem("risk", "r", "quiet", math.nan, None))
        return WatchRun("t", pd.Timestamp("2026-08-03"), 1.0, tuple(items))

    def test_first_run_reports_nothing(self):
        result = compare_runs(None, self.run("holds", 1.0))
        assert result.first_run and not result.flipped

    def test_same_status_is_not_a_flip_even_if_the_value_moved(self):
        assert not compare_runs(self.run("holds", 1.0), self.run("holds", 3.0)).flips

    def test_status_change_and_new_item(self):
        result = compare_runs(
            self.run("holds", 1.0), self.run("fails", -1.0, extra=True)
        )
        flips = {(f.id, f.from_status, f.to_status) for f in result.flips}
        assert flips == {("p", "holds", "fails"), ("r", "absent", "quiet")}

    def test_record_round_trip(self):
        result = compare_runs(
            self.run("no_data", math.nan), self.run("fails", -1.0, extra=True)
        )
        record = json.loads(json.dumps(result.record(), allow_nan=False))
        again = watch_from_record(record)
        assert again.flips == result.flips
        before = previous_run(record)
        assert before is not None
        assert [(i.id, i.status) for i in before.items] == [
            (i.id, i.status) for i in result.run.items
        ]


class TestTwoRuns:
    def test_a_data_change_flips_a_pillar(self, store_copy, probe, tmp_path):
        first = watch(store_copy, str(probe))
        assert first.exit_code == 0, first.output
        assert "first watch, as of 2026-08-03" in first.output
        expected = move_xle(store_copy, tmp_path)
        second = watch(store_copy, str(probe), "--format", "json")
        assert second.exit_code == WATCH_FLIPPED_EXIT, second.output
        body = json.loads(second.stdout)
        assert body["flipped"] is True and body["exit_code"] == WATCH_FLIPPED_EXIT
        (entry,) = body["theses"]
        assert entry["as_of"] == NEXT_SESSION
        assert entry["previous_as_of"] == "2026-08-03"
        (flip,) = entry["flips"]
        assert flip["id"] == "xle_up_today" and flip["to_status"] == expected
        assert flip["date"] == NEXT_SESSION
        # The CSV rounds the new close to 4 decimals: 1e-5 on a ~90 USD price.
        expected_move = -0.03 if expected == "fails" else 0.03
        assert flip["value"] == pytest.approx(expected_move, abs=1e-5)
        third = watch(store_copy, str(probe))
        assert third.exit_code == 0, third.output
        assert "nothing flipped since the run as of 2026-08-04" in third.output

    def test_table_names_the_flip(self, store_copy, probe, tmp_path):
        watch(store_copy, str(probe))
        move_xle(store_copy, tmp_path)
        result = watch(store_copy, str(probe))
        assert result.exit_code == WATCH_FLIPPED_EXIT
        assert "1 flipped since the run as of 2026-08-03" in result.output
        assert "xle_up_today" in result.output and NEXT_SESSION in result.output

    def test_no_record_leaves_the_store_alone(self, store_copy, probe):
        result = watch(store_copy, str(probe), "--no-record")
        assert result.exit_code == 0
        assert Store(store_copy).watch_runs() == []

    def test_a_bad_thesis_records_nothing(self, store_copy, probe, tmp_path):
        bad = tmp_path / "bad.yaml"
        bad.write_text("version: 1\npillars: []\n")
        result = runner.invoke(
            app, ["thesis", "watch", str(probe), str(bad), "--store", str(store_copy)]
        )
        assert result.exit_code == 2
        assert Store(store_copy).watch_runs() == []


class TestDashboard:
    def client(self, store: Path) -> TestClient:
        web = FastAPI()
        register(web, ApiContext(DashboardService(store)))
        return TestClient(web)

    def test_route_shows_the_flips_the_cli_printed(self, store_copy, probe, tmp_path):
        watch(store_copy, str(probe))
        move_xle(store_copy, tmp_path)
        printed = json.loads(watch(store_copy, str(probe), "--format", "json").stdout)
        answer = self.client(store_copy).get(WATCH_PATH)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["flipped"] is True
        (entry,) = body["theses"]
        assert entry["thesis"] == "watch_probe"
        assert entry["flips"] == printed["theses"][0]["flips"]
        assert entry["as_of"] == NEXT_SESSION

    def test_unknown_thesis_lists_the_recorded_ones(self, store_copy, probe):
        watch(store_copy, str(probe))
        from rotation.web._errors import ApiError

        with pytest.raises(ApiError, match="recorded: watch_probe"):
            self.client(store_copy).get(WATCH_PATH, params={"thesis": "other"})


class TestOlderStores:
    def test_a_store_without_the_new_tables_reads_read_only(self, store_copy):
        con = duckdb.connect(str(store_copy))
        con.execute("DROP TABLE snapshots")
        con.execute("DROP TABLE watch_runs")
        con.close()
        store = Store(store_copy, read_only=True)
        assert store.market_data("2025-06-16").fundamentals.empty
        assert store.watch_runs() == []
        assert "snapshot" not in set(store.coverage()["kind"])
        assert store.fingerprint()


#: A band so wide that a holding pillar never fails again: on a day XLE fell
#: it still holds, and ``thesis check`` must say the rule is not met.
BANDED = PROBE.replace('    rule: "> 0"\n', '    rule: "> 0"\n    hysteresis: 1.0\n', 1)


class TestHysteresisNote:
    def test_holding_against_the_rule_is_shown(self, bundled_store, tmp_path):
        from rotation.cli._thesis import _status_text
        from rotation.workspace import open_analysis

        thesis = tmp_path / "banded.yaml"
        thesis.write_text(BANDED)
        closes = Store(bundled_store, read_only=True).prices(["XLE"])["XLE"].dropna()
        moves = closes.pct_change().loc["2026-01-01":]
        day = str(moves[moves < 0].index[-1].date())
        store = Store(bundled_store, read_only=True)
        pillar = open_analysis(day, thesis, store=store).thesis_check.pillar(
            "xle_up_today"
        )
        assert pillar.status == "holds" and pillar.value < 0
        assert _status_text(pillar) == "holds (inside hysteresis band)"
        result = runner.invoke(
            app,
            [
                "thesis",
                "check",
                str(thesis),
                "--as-of",
                day,
                "--store",
                str(bundled_store),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "inside" in result.stdout  # the table cell (it wraps at 80 columns)
