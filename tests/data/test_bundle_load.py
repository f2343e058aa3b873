"""The bundled load: the shipped build is trusted, and the trust is earned here.

The fast path skips validation only while every bundled file matches the
SHA-256 recorded in the manifest. These tests check that (1) the shipped
bundle passes the full user-file validation, (2) the fast path and the
validated path leave identical stores and reports, on a fresh store, on a
reload and on a store holding the user's own rows, and (3) a bundle that is
not the shipped one is validated in full.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import rotation.data.ingest as ingest
import rotation.data.store as store_module
from rotation.data._bundle_load import file_sha256, is_shipped_bundle
from rotation.data.bundled import (
    BUNDLED_TABLES,
    bundled_dir,
    bundled_manifest,
    load_bundled_frames,
)
from rotation.data.catalog import (
    lag_months_days,
    lag_offset,
    negative_allowed,
    series_catalog,
)
from rotation.data.ingest import BUNDLED_STATE_KEY, load_bundled
from rotation.data.schemas import (
    validate_dots,
    validate_observations,
    validate_prices,
    validate_snapshots,
)
from rotation.data.store import IngestReport, Store
from rotation.exceptions import ConflictError, ValidationError

#: Every table of the store, and the columns left out of the comparison: the
#: times at which rows were written.
TABLES = {
    "prices": (),
    "observations": (),
    "series_meta": (),
    "dots": (),
    "snapshots": (),
    "quarantine": ("created_at",),
    "ingest_log": ("ingested_at",),
    "store_state": ("updated_at",),
    "report_runs": (),
    "watch_runs": (),
}
VALIDATORS = (
    "validate_prices",
    "validate_observations",
    "validate_dots",
    "validate_snapshots",
)


def contents(store: Store) -> dict[str, pd.DataFrame]:
    """Every table, sorted by all its columns, without write times."""
    out = {}
    for table, times in TABLES.items():
        frame = store._query(f"SELECT * FROM {table} ORDER BY ALL")
        out[table] = frame.drop(columns=list(times))
    return out


def assert_same_store(left: Store, right: Store) -> None:
    # Exact: both paths must store the same values bit for bit (the
    # fingerprint hashes them), not merely close ones.
    theirs = contents(right)
    for table, frame in contents(left).items():
        pd.testing.assert_frame_equal(frame, theirs[table], check_exact=True)
    assert left.fingerprint() == right.fingerprint()


def assert_same_reports(left: list[IngestReport], right: list[IngestReport]) -> None:
    assert left == right  # every count; flags are compared on their own
    for ours, theirs in zip(left, right, strict=True):
        pd.testing.assert_frame_equal(ours.flags, theirs.flags, check_exact=True)


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> tuple[Store, list[IngestReport]]:
    store = Store(tmp_path_factory.mktemp("validated") / "validated.duckdb")
    return store, load_bundled(store, validate=True)


@pytest.fixture(scope="module")
def trusted(tmp_path_factory) -> tuple[Store, list[IngestReport]]:
    store = Store(tmp_path_factory.mktemp("trusted") / "trusted.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        # The fast path must not validate at all: any call fails the load.
        for name in VALIDATORS:
            patch.setattr(store_module, name, _refuse)
        reports = load_bundled(store)
    return store, reports


def _refuse(*args, **kwargs):
    raise AssertionError("the shipped bundle was validated on the fast path")


@pytest.fixture
def bundle_copy(tmp_path, monkeypatch) -> Iterator[Path]:
    """A copy of the shipped bundle that ``load_bundled`` reads instead."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundled_dir(), copy)
    monkeypatch.setattr(ingest, "bundled_dir", lambda: copy)
    yield copy


@pytest.fixture
def validator_calls(monkeypatch) -> list[str]:
    """Names of the validators called, in order (they still run)."""
    calls: list[str] = []
    for name in VALIDATORS:
        original = getattr(store_module, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(store_module, name, spy)
    return calls


def own_prices(symbol: str, dates: list[str], adj_close: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "symbol": symbol,
            "date": pd.to_datetime(dates),
            "adj_close": adj_close,
            "source": "own.csv",
        }
    ).assign(open=np.nan, high=np.nan, low=np.nan, close=np.nan, volume=np.nan)


class TestShippedBundleIsValid:
    """The trust is earned: the shipped files pass every rule a user file must."""

    def test_files_match_the_recorded_digests(self):
        manifest = bundled_manifest()
        assert is_shipped_bundle(bundled_dir(), manifest)
        assert set(manifest["batch_sha256"]) == set(BUNDLED_TABLES)

    def test_every_table_passes_the_full_validation(self):
        frames = {
            name: frame.assign(_row=np.arange(1, len(frame) + 1))
            for name, frame in load_bundled_frames().items()
        }
        # The clock the store validates against (Store.today).
        today = pd.Timestamp.today().normalize()
        catalog = series_catalog()

        def price_like(series_id: str) -> bool:
            # As Store.ingest_observations decides it.
            unit = catalog[series_id].unit if series_id in catalog else ""
            return unit.startswith(("USD", "index"))

        file = "bundled"
        assert (
            validate_prices(
                frames["prices"],
                file=file,
                today=today,
                negative_allowed=negative_allowed,
            )
            == []
        )
        assert (
            validate_observations(
                frames["series"],
                file=file,
                today=today,
                negative_allowed=negative_allowed,
                price_like=price_like,
            )
            == []
        )
        assert validate_dots(frames["dots"], file=file, today=today) == []
        assert validate_snapshots(frames["snapshots"], file=file, today=today) == []

    def test_recorded_batch_digests_are_the_validated_ingests(self, validated):
        store, _ = validated
        log = store._query("SELECT file, batch_sha256 FROM ingest_log")
        logged = dict(zip(log["file"], log["batch_sha256"], strict=True))
        recorded = {
            f"bundled:{name}.parquet": digest
            for name, digest in bundled_manifest()["batch_sha256"].items()
        }
        # Stale after a change to how a batch is digested: rerun
        # `python scripts/build_bundled.py --digests-only`.
        assert logged == recorded


class TestSameStoreEitherWay:
    def test_fresh_store(self, trusted, validated):
        assert_same_store(trusted[0], validated[0])
        assert trusted[0].state(BUNDLED_STATE_KEY) is not None

    def test_same_reports_and_flags(self, trusted, validated):
        assert_same_reports(trusted[1], validated[1])
        assert len(trusted[1][0].flags) > 0  # the CPER bad ticks at least

    def test_reload_changes_nothing(self, trusted, validated):
        before = trusted[0].fingerprint()
        again = load_bundled(trusted[0])
        assert_same_reports(again, load_bundled(validated[0], validate=True))
        assert [r.inserted for r in again] == [0, 0, 0, 0]
        assert [r.unchanged for r in again] == [r.rows for r in again]
        assert trusted[0].fingerprint() == before
        assert_same_store(trusted[0], validated[0])

    def test_store_with_own_rows(self, tmp_path):
        # A store that already holds the user's rows takes the comparing
        # path: the same counts, the same store.
        stores, reports = [], []
        for validate in (False, True):
            store = Store(tmp_path / f"own-{validate}.duckdb")
            store.ingest_prices(
                own_prices("AAA", ["2024-01-02", "2024-01-03"], [1.0, 1.1]),
                file="own.csv",
            )
            reports.append(load_bundled(store, validate=validate))
            stores.append(store)
        assert_same_reports(*reports)
        assert_same_store(*stores)

    def test_conflict_with_own_rows_is_refused_the_same(self, tmp_path):
        errors, fingerprints = [], []
        for validate in (False, True):
            store = Store(tmp_path / f"conflict-{validate}.duckdb")
            store.ingest_prices(
                own_prices("SPY", ["2020-01-02"], [1.0]), file="own.csv"
            )
            before = store.fingerprint()
            with pytest.raises(ConflictError) as info:
                load_bundled(store, validate=validate)
            assert store.fingerprint() == before
            assert store.state(BUNDLED_STATE_KEY) is None
            errors.append(info.value.problems)
            fingerprints.append(before)
        assert errors[0] == errors[1]
        assert errors[0][0].column == "adj_close"
        assert "conflicts with stored value 1.0" in errors[0][0].rule


class TestNotTheShippedBundle:
    def test_changed_file_is_validated_and_refused(self, tmp_path, bundle_copy):
        prices = pq.read_table(bundle_copy / "prices.parquet").to_pandas()
        row = int(np.flatnonzero(prices["symbol"] == "SPY")[0])
        prices.loc[row, "adj_close"] = -1.0
        prices.to_parquet(bundle_copy / "prices.parquet", index=False)
        store = Store(tmp_path / "s.duckdb")
        with pytest.raises(ValidationError, match="price must be positive"):
            load_bundled(store)
        assert store.is_empty()
        assert store.state(BUNDLED_STATE_KEY) is None

    def test_rewritten_file_is_validated_to_the_same_store(
        self, tmp_path, bundle_copy, validator_calls, trusted
    ):
        # Same rows, other bytes (another compression): not verifiably the
        # shipped file, so validated in full, and it holds the same data.
        table = pq.read_table(bundle_copy / "prices.parquet")
        pq.write_table(table, bundle_copy / "prices.parquet", compression="snappy")
        assert not is_shipped_bundle(bundle_copy, bundled_manifest(bundle_copy))
        store = Store(tmp_path / "s.duckdb")
        load_bundled(store)
        assert validator_calls == list(VALIDATORS)
        assert store.fingerprint() == trusted[0].fingerprint()

    @pytest.mark.parametrize("key", ["files_sha256", "batch_sha256"])
    def test_manifest_without_digests_is_not_trusted(self, bundle_copy, key):
        path = bundle_copy / "manifest.json"
        manifest = json.loads(path.read_text())
        del manifest[key]
        path.write_text(json.dumps(manifest))
        assert not is_shipped_bundle(bundle_copy, bundled_manifest(bundle_copy))

    def test_missing_file_is_not_trusted(self, bundle_copy):
        (bundle_copy / "dots.parquet").unlink()
        assert not is_shipped_bundle(bundle_copy, bundled_manifest(bundle_copy))

    def test_digest_is_sha256_of_the_bytes(self, tmp_path):
        path = tmp_path / "x"
        path.write_bytes(b"abc")
        # FIPS 180-2, appendix B.1: SHA-256("abc").
        assert file_sha256(path) == (
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )


class TestPublicationLagInSql:
    """The fast path shifts dates by the publication lag in SQL; the validated
    path with pandas' DateOffset, the reference here."""

    def test_every_catalog_lag_on_month_ends(self):
        lags = sorted({info.publication_lag for info in series_catalog().values()})
        lags += ["P1M30D", "P12M", "P1M", "P31D"]
        days = pd.to_datetime(
            [
                "2019-01-31",
                "2020-01-29",
                "2020-01-30",
                "2020-01-31",
                "2020-02-28",
                "2020-02-29",
                "2020-03-31",
                "2020-12-31",
                "2021-02-28",
                "2024-07-15",
            ]
        )
        con = duckdb.connect()
        for lag in lags:
            months, extra = lag_months_days(lag)
            got = con.execute(
                "SELECT CAST(d + to_months(?) + to_days(?) AS DATE) "
                "FROM unnest(?::DATE[]) t(d)",
                [months, extra, [d.date() for d in days]],
            ).fetchall()
            expected = [(d + lag_offset(lag)).date() for d in days]
            assert [r[0] for r in got] == expected, lag
