"""Store reliability: first use, killed loads, damaged, busy and unwritable stores.

The kill tests run the real loader in a child process and SIGKILL it at named
points of the bundled load (and after a delay), then reopen the store the way a
user would and compare it with a clean load.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

import rotation
from rotation.data.bundled import bundled_manifest
from rotation.data.ingest import BUNDLED_STATE_KEY, ensure_bundled
from rotation.data.store import LOAD_HINT, Store
from rotation.data.store import open_store as store_open
from rotation.exceptions import (
    RotationError,
    StoreAccessError,
    StoreBusyError,
    StoreDamagedError,
    UnknownSymbolError,
)

# The child loads the bundle and kills itself at a named point: a progress step
# ("series", "dots"), the second quarantine row, or just before the completion
# marker (the last write before COMMIT). "delay" only loads; the parent kills it.
# A third argument "validated" takes the validated path instead of the fast one.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from rotation.data.store import Store
    from rotation.data.ingest import load_bundled

    path, point, how = sys.argv[1], sys.argv[2], sys.argv[3]

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    def wrap(name, at_call):
        original = getattr(Store, name)
        calls = [0]
        def wrapper(self, *args, **kwargs):
            calls[0] += 1
            if calls[0] == at_call:
                die()
            return original(self, *args, **kwargs)
        setattr(Store, name, wrapper)

    if point == "quarantine-2":
        wrap("quarantine", 2)
    if point == "before-commit":
        wrap("set_state", 1)
    store = Store(path)
    print("ready", flush=True)
    load_bundled(
        store,
        progress=lambda step: die() if step == point else None,
        validate=how == "validated",
    )
    print("finished", flush=True)
    """
)


def run_child(
    path: Path, point: str, delay: float | None = None, how: str = "fast"
) -> str:
    """Run the loader child; return "killed" or "finished"."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), point, how],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    if delay is not None:
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=120)
    if proc.returncode == -signal.SIGKILL:
        return "killed"
    assert proc.returncode == 0, out
    return "finished"


def counts(store: Store) -> dict[str, int]:
    frame = store._query(
        "SELECT (SELECT count(*) FROM prices) p, (SELECT count(*) FROM observations) o,"
        " (SELECT count(*) FROM dots) d, (SELECT count(*) FROM quarantine) q,"
        " (SELECT count(*) FROM snapshots) s"
    )
    return {k: int(v) for k, v in frame.iloc[0].items()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[str, dict[str, int]]:
    store = store_open(tmp_path_factory.mktemp("clean") / "clean.duckdb")
    return store.fingerprint(), counts(store)


class TestFirstUse:
    def test_readme_snippet_on_a_fresh_store(self, tmp_path, monkeypatch):
        # The README's notebook lines, verbatim, with $ROTATION_STORE at a new path.
        monkeypatch.setenv("ROTATION_STORE", str(tmp_path / "new" / "rotation.duckdb"))
        store = rotation.open_store()
        px = store.prices(["XLI", "XLB", "XLE", "XLK"], start="2020-01-01")
        cpi = store.series("CPIAUCSL", as_of="2026-05-31")
        market = store.market_data(as_of="2024-06-28")
        assert list(px.columns) == ["XLI", "XLB", "XLE", "XLK"]
        assert px.index.min() == pd.Timestamp("2020-01-02")  # first 2020 session
        assert cpi.index.max() == pd.Timestamp("2026-04-01")  # May CPI not out yet
        assert market.prices.index.max() == pd.Timestamp("2024-06-28")
        manifest = bundled_manifest()
        assert counts(store)["p"] == manifest["rows"]["prices"]
        assert counts(store)["q"] == len(manifest["quarantine"])
        assert counts(store)["s"] == manifest["rows"]["snapshots"]

    def test_second_open_does_not_reload(self, loaded_store):
        before = loaded_store._query("SELECT count(*) AS n FROM ingest_log")["n"][0]
        reopened = store_open(loaded_store.path)
        assert not ensure_bundled(reopened)
        after = reopened._query("SELECT count(*) AS n FROM ingest_log")["n"][0]
        assert after == before

    def test_a_store_of_own_files_is_left_alone(self, tmp_path):
        store = store_open(tmp_path / "own.duckdb", bundled=False)
        store.ingest_prices(
            pd.DataFrame(
                {
                    "symbol": "AAA",
                    "date": pd.to_datetime(["2024-01-02"]),
                    "adj_close": [1.0],
                    "source": "test",
                }
            ).assign(open=np.nan, high=np.nan, low=np.nan, close=np.nan, volume=np.nan),
            file="own.csv",
        )
        assert store_open(store.path).symbols() == ["AAA"]

    def test_unknown_symbol_says_how_to_load(self, empty_store):
        with pytest.raises(UnknownSymbolError) as info:
            empty_store.prices(["XLK"])
        message = str(info.value)
        assert message.startswith("unknown symbol(s) XLK")
        assert "rotation data update" in message
        assert "rotation data ingest PATH" in message
        with pytest.raises(UnknownSymbolError, match="rotation data ingest PATH"):
            empty_store.series("NOPE")
        with pytest.raises(UnknownSymbolError, match="is empty"):
            empty_store.market_data()
        assert "rotation data update" in LOAD_HINT


class TestKilledLoad:
    @pytest.mark.parametrize(
        ("point", "delay", "how"),
        [
            ("series", None, "fast"),
            ("snapshots", None, "fast"),
            ("quarantine-2", None, "fast"),
            ("before-commit", None, "fast"),
            # The fast load takes about a second on two cores: inside it.
            ("delay", 0.3, "fast"),
            ("delay", 0.6, "fast"),
            ("series", None, "validated"),
            ("before-commit", None, "validated"),
            ("delay", 1.0, "validated"),
        ],
    )
    def test_reopen_repairs_to_a_clean_load(self, tmp_path, clean, point, delay, how):
        path = tmp_path / "killed.duckdb"
        outcome = run_child(path, point, delay, how)
        if delay is None:
            assert outcome == "killed"
        left = Store(path)
        if outcome == "killed" and left.state(BUNDLED_STATE_KEY) is None:
            # atomic: killed before its commit, nothing of the load is visible
            assert left.is_empty()
            assert counts(left)["q"] == 0
        elif outcome == "killed":
            # a kill after the commit (a slow machine) leaves the whole load
            assert counts(left) == clean[1]
        repaired = store_open(path)
        assert repaired.state(BUNDLED_STATE_KEY) is not None
        assert counts(repaired) == clean[1]
        assert repaired.fingerprint() == clean[0]

    def test_store_from_a_non_atomic_loader_is_repaired(self, tmp_path, clean):
        # What the issue measured: a killed pre-transaction load left the data and
        # the ingest log but 1 of the 2 quarantine rows. Rebuild that state.
        path = tmp_path / "legacy.duckdb"
        store = store_open(path)
        store.release("CPER", "2015-02-02")
        con = duckdb.connect(str(path))
        con.execute("DELETE FROM store_state")
        con.close()
        assert counts(Store(path))["q"] == 1
        repaired = store_open(path)
        assert counts(repaired) == clean[1]
        assert repaired.fingerprint() == clean[0]
        assert np.isnan(repaired.prices("CPER").loc["2015-02-02", "CPER"])


class TestDamagedStore:
    def test_garbage_file_is_damaged_not_busy(self, tmp_path):
        path = tmp_path / "damaged.duckdb"
        path.write_bytes(b"this is not a database" * 100)
        start = time.monotonic()
        with pytest.raises(StoreDamagedError) as info:
            Store(path, lock_timeout=30).symbols()
        assert time.monotonic() - start < 5  # no waiting for a lock that nobody holds
        message = str(info.value)
        assert message.startswith(f"store {path} is damaged")
        assert "rotation data update --source bundled" in message
        assert "Delete it" in message

    def test_truncated_file_is_damaged(self, tmp_path):
        path = tmp_path / "cut.duckdb"
        store = store_open(path, bundled=False)
        store.ingest_prices(
            pd.DataFrame(
                {
                    "symbol": "AAA",
                    "date": xcals.get_calendar(
                        "XNYS", start="2000-01-01"
                    ).sessions_window("2000-01-03", 5000),
                    "adj_close": np.linspace(1, 2, 5000),
                    "source": "test",
                }
            ).assign(open=np.nan, high=np.nan, low=np.nan, close=np.nan, volume=np.nan),
            file="big.csv",
        )
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(StoreDamagedError, match="is damaged"):
            Store(path).prices("AAA")


class TestBusyStore:
    def test_duckdb_holder_is_named(self, tmp_path):
        # Another process (not rotation) holds DuckDB's own file lock.
        path = tmp_path / "held.duckdb"
        store_open(path, bundled=False)
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
                " print('held', flush=True); time.sleep(60)",
                str(path),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            with pytest.raises(StoreBusyError) as info:
                Store(path, lock_timeout=0.3).symbols()
        finally:
            holder.kill()
            holder.wait()
        message = str(info.value)
        assert f"PID {holder.pid}" in message
        assert "waited" in message
        assert info.value.waited >= 0.3


class TestUnwritable:
    def test_parent_is_a_file(self, tmp_path):
        blocker = tmp_path / "file"
        blocker.write_text("x")
        with pytest.raises(StoreAccessError) as info:
            store_open(blocker / "rotation.duckdb")
        assert isinstance(info.value, RotationError)
        assert str(info.value).startswith("cannot write the store at")

    @pytest.mark.skipif(
        hasattr(os, "geteuid") and os.geteuid() == 0,
        reason="root ignores directory permissions",
    )
    def test_read_only_directory(self, tmp_path):
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        try:
            with pytest.raises(StoreAccessError, match="cannot write the store"):
                store_open(folder / "rotation.duckdb")
        finally:
            folder.chmod(0o755)
