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


def test_parts_computed_in_a_fork_equal_parts_computed_here(store, tmp_path):
    from rotation.workspace import compute_in_background

    thesis = load_thesis_file(None)
    here = analysis_of(store, thesis, None, "2020-06-30")
    expected = {n: to_jsonable(getattr(here, n)) for n in ("regimes", "risk")}
    forked = analysis_of(store, thesis, None, "2020-06-30")
    forked.results.folder = tmp_path / "fresh"  # nothing stored yet
    assert compute_in_background(forked, ["regimes", "risk"], shared=("regime_fit",))
    pid = forked.results.pending["risk"]
    forked.results.wait_all()
    assert forked.results.exit_status[pid] == 0
    assert not forked.results.pending
    # stored by the child: the parent computed neither
    assert {p.name for p in (tmp_path / "fresh").iterdir()} >= {
        "regimes.pkl",
        "risk.pkl",
    }
    assert "regimes" not in forked._cache and "risk" not in forked._cache
    got = {n: to_jsonable(getattr(forked, n)) for n in ("regimes", "risk")}
    assert got == expected
    # everything stored: no second child
    assert not compute_in_background(forked, ["regimes", "risk"])


def test_a_part_the_child_failed_to_store_is_computed_here(store, tmp_path):
    import os

    thesis = load_thesis_file(None)
    analysis = analysis_of(store, thesis, None, "2020-06-30")
    analysis.results.folder = tmp_path / "empty"
    pid = os.fork()
    if pid == 0:  # a child that dies without storing anything
        os._exit(1)
    analysis.results.pending["spreads"] = pid
    expected = to_jsonable(analysis_of(store, thesis, None, "2020-06-30").spreads)
    assert to_jsonable(analysis.spreads) == expected
    assert not analysis.results.pending
    assert analysis.results.exit_status[pid] != 0


def test_a_stuck_child_is_stopped_and_the_part_computed_here(
    store, tmp_path, monkeypatch
):
    import os
    import time

    import rotation.workspace as workspace

    monkeypatch.setattr(workspace, "CHILD_PATIENCE_S", 0.5)
    analysis = analysis_of(store, load_thesis_file(None), None, "2020-06-30")
    analysis.results.folder = tmp_path / "stuck"
    pid = os.fork()
    if pid == 0:  # a child that never stores anything
        time.sleep(60)
        os._exit(0)
    analysis.results.pending["copper"] = pid
    start = time.monotonic()
    expected = to_jsonable(
        analysis_of(store, load_thesis_file(None), None, "2020-06-30").copper
    )
    assert to_jsonable(analysis.copper) == expected
    assert time.monotonic() - start < 30
    assert not analysis.results.pending


def test_the_switch_keeps_every_part_here(store, tmp_path, monkeypatch):
    from rotation.workspace import PARALLEL_SWITCH, compute_in_background

    monkeypatch.setenv(PARALLEL_SWITCH, "0")
    analysis = analysis_of(store, load_thesis_file(None), None, "2020-06-30")
    analysis.results.folder = tmp_path / "off"
    assert not compute_in_background(analysis, ["risk"])
    assert not analysis.results.pending
