"""A second run on unchanged data, thesis, settings and code reads its parts back."""

from __future__ import annotations

import pytest

from rotation.analysis import PARTS, AnalysisConfig, to_jsonable
from rotation.thesis_files import load_thesis_file
from rotation.workspace import DiskResults, analysis_of, results_key

PART_NAMES = ("thesis_check", "regimes", "risk", "backtests", "headline")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    import rotation

    return rotation.open_store(tmp_path_factory.mktemp("results") / "r.duckdb")


def test_second_analysis_reads_every_part_back(store, monkeypatch):
    thesis = load_thesis_file(None)
    first = analysis_of(store, thesis, None, "2021-12-31")
    computed = {name: to_jsonable(getattr(first, name)) for name in PART_NAMES}

    import rotation.analysis._analysis as module

    for name in PART_NAMES:
        monkeypatch.setitem(
            module.PARTS, name, "tests.analysis.test_results_cache:refuse"
        )
    monkeypatch.setattr("rotation.analysis._regime_fit.fit_core_spread_regimes", refuse)
    second = analysis_of(store, thesis, None, "2021-12-31")
    assert {name: to_jsonable(getattr(second, name)) for name in PART_NAMES} == computed
    assert "market" not in second.snapshot.__dict__  # prices never read


def refuse(_analysis):  # the PARTS target of the test above
    raise AssertionError("a cached part was recomputed")


def test_key_changes_with_data_thesis_settings_and_date(store):
    thesis = load_thesis_file(None)
    a = analysis_of(store, thesis, None, "2021-12-31")
    b = analysis_of(
        store,
        thesis,
        AnalysisConfig().with_overrides({"risk.var_window": 500}),
        "2021-12-31",
    )
    c = analysis_of(store, thesis, None, "2021-12-30")
    keys = {x.results.folder.name for x in (a, b, c)}
    assert len(keys) == 3
    other = load_thesis_file(None).model_copy(update={"panels": ()})
    assert results_key(a.snapshot, other, a.config) != a.results.folder.name


def test_an_unreadable_entry_is_a_miss(tmp_path):
    cache = DiskResults(tmp_path / "k")
    cache.put("x", {"a": 1})
    assert cache.get("x") == {"a": 1}
    (tmp_path / "k" / "x.pkl").write_bytes(b"not a pickle")
    with pytest.raises(KeyError):
        cache.get("x")
    with pytest.raises(KeyError):
        cache.get("never")


def test_every_part_is_picklable(analysis):
    import pickle

    for name in PARTS:
        value = getattr(analysis, name)
        assert to_jsonable(pickle.loads(pickle.dumps(value))) == to_jsonable(value), (
            name
        )
