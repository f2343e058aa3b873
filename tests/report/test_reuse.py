"""Rendered sections read back from the results cache, and figures as plain data."""

from __future__ import annotations

import base64
import copy
import json
import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from typer.testing import CliRunner

from rotation.analysis import to_jsonable
from rotation.cli import app
from rotation.report.builder import SECTION_IDS, build_report
from rotation.report.fragments import RenderedSection, escape_json, render_section
from rotation.report.model import FigureBlock, Section, TextBlock
from rotation.report.plotting import dates, figure, hline, numbers, vrect
from rotation.report.render import render_html, render_json, render_markdown
from rotation.report.reuse import SectionCache

runner = CliRunner()
PREVIOUS = {
    "as_of": "2026-07-01",
    "headline": {"numbers": {"health": {"label": "Thesis health", "unit": "share",
                                        "value": 0.5}}},
}  # fmt: skip


def _stable_html(html: str) -> str:
    """The page without its generation time (the one line that may change)."""
    return re.sub(r"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", "generated -", html)


def _stable_json(text: str) -> str:
    """The JSON without the timings (measured anew by each run)."""
    return re.sub(r'"timings_s": \{[^}]*\}', '"timings_s": {}', text)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """A store whose parts and sections were computed by one `rotation report`."""
    path = tmp_path_factory.mktemp("reuse") / "rotation.duckdb"
    out = tmp_path_factory.mktemp("out") / "report.html"
    result = runner.invoke(app, ["report", "--store", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def analysis(store_path):
    from rotation.data.store import open_store
    from rotation.thesis_files import load_thesis_file
    from rotation.workspace import analysis_of

    return analysis_of(open_store(store_path), load_thesis_file(None), None)


@pytest.fixture(scope="module")
def reports(analysis):
    """A full rebuild, then two builds reading the sections back."""
    full = build_report(analysis, previous=PREVIOUS)
    first = build_report(analysis, previous=PREVIOUS, reuse=True)
    again = build_report(analysis, previous=PREVIOUS, reuse=True)
    return full, first, again


class TestReuse:
    def test_every_section_is_read_back(self, reports):
        full, _, again = reports
        assert full.reused == ()
        assert again.reused == SECTION_IDS
        assert not full.failures and not again.failures
        kinds = {type(s) for s in again.sections[1:]}
        assert kinds == {RenderedSection}
        # the summary compares with the previous report: always rendered
        assert isinstance(again.sections[0], Section)

    def test_same_bytes_as_a_full_rebuild(self, reports):
        full, first, again = reports
        for kept in (first, again):
            assert render_markdown(kept) == render_markdown(full)
            assert _stable_html(render_html(kept)) == _stable_html(render_html(full))
            kept_json = render_json(kept, meta={"store": "x"})
            assert _stable_json(kept_json) == _stable_json(
                render_json(full, meta={"store": "x"})
            )

    def test_json_is_the_documents_dump(self, reports):
        # assembled from fragments, the text is json.dumps of the whole document
        full = reports[0]
        text = render_json(full, meta={"store": "x"})
        payload = json.loads(text)
        expected = {
            "meta": payload["meta"],
            "sections": {s.id: {"title": s.title, **s.data} for s in full.sections},
        }
        dumped = json.dumps(to_jsonable(expected), indent=1, allow_nan=False)
        assert text == escape_json(dumped)

    def test_a_different_previous_report_changes_only_the_summary(self, analysis):
        before = build_report(analysis, previous=None, reuse=True)
        after = build_report(analysis, previous=PREVIOUS, reuse=True)
        assert after.reused == SECTION_IDS
        assert before.rendered[1:] == after.rendered[1:]
        assert before.rendered[0] != after.rendered[0]
        assert "first report" not in after.rendered[0].html

    def test_entries_are_bounded_one_per_section(self, analysis):
        build_report(analysis, previous=None, reuse=True)
        folder = analysis.results.folder
        kept = sorted(p.name for p in folder.glob("report-section-*.pkl"))
        assert kept == sorted(f"report-section-{sid}.pkl" for sid in SECTION_IDS)
        assert not list(folder.glob("*.tmp"))


class _Memory:
    def __init__(self) -> None:
        self.entries: dict[str, object] = {}

    def get(self, name: str) -> object:
        return self.entries[name]

    def put(self, name: str, value: object) -> None:
        self.entries[name] = value


def boom(analysis) -> Section:
    raise RuntimeError("broken renderer")


def plain(analysis) -> Section:
    return Section("plain", "Plain", (TextBlock("text"),), {"value": 1})


class TestSectionCache:
    def test_a_failed_section_is_not_kept(self):
        results = _Memory()
        fake = SimpleNamespace(results=results)
        targets = [("boom", f"{__name__}:boom"), ("plain", f"{__name__}:plain")]
        report = build_report(
            fake, sections=targets, only=["boom", "plain"], reuse=True
        )
        assert [f.id for f in report.failures] == ["boom"]
        assert set(results.entries) == {"report-section-plain"}
        again = build_report(fake, sections=targets, only=["boom", "plain"], reuse=True)
        assert again.reused == ("plain",)

    def test_another_renderer_or_a_bad_entry_is_a_miss(self):
        results = _Memory()
        cache = SectionCache(results)
        rendered = render_section(plain(None))
        cache.put(rendered, "a:b")
        assert cache.get("plain", "a:b") == rendered
        assert cache.get("plain", "a:c") is None
        results.entries["report-section-plain"] = {"key": "junk"}
        assert cache.get("plain", "a:b") is None
        results.entries["report-section-plain"] = ["not", "a", "dict"]
        assert cache.get("plain", "a:b") is None

    def test_no_results_cache_no_reuse(self):
        fake = SimpleNamespace(results=None)
        targets = [("plain", f"{__name__}:plain")]
        report = build_report(fake, sections=targets, only=["plain"], reuse=True)
        assert report.reused == () and isinstance(report.sections[0], Section)


# -- figures as plain data ------------------------------------------------------
_TYPES = {"f8": np.float64, "f4": np.float32, "i1": np.int8, "i2": np.int16,
          "i4": np.int32, "u1": np.uint8, "u2": np.uint16, "u4": np.uint32}  # fmt: skip


def _plain(value):
    """Figure JSON with typed arrays decoded and numbers as floats (NaN: None)."""
    if isinstance(value, dict):
        if {"dtype", "bdata"} <= set(value):
            array = np.frombuffer(
                base64.b64decode(value["bdata"]), dtype=_TYPES[value["dtype"]]
            ).astype(float)
            if "shape" in value:
                array = array.reshape([int(n) for n in value["shape"].split(",")])
            return _plain(array.tolist())
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float | np.number):
        return None if math.isnan(float(value)) else float(value)
    return value


def _figures(report) -> list[FigureBlock]:
    return [
        block
        for section in report.sections
        if isinstance(section, Section)
        for block in section.blocks
        if isinstance(block, FigureBlock)
    ]


class TestFigures:
    def test_plotly_validation_changes_nothing(self, reports):
        # every figure is already what plotly's validation would make of it
        figures = _figures(reports[0])
        assert len(figures) >= 20
        for block in figures:
            # a copy: plotly pops each trace's type from the dicts it is given,
            # and these blocks are rendered again by other tests of the module
            validated = go.Figure(copy.deepcopy(dict(block.spec))).to_dict()
            assert _plain(validated) == _plain(block.spec), block.title

    def test_hline_is_add_hline(self):
        line = {"dash": "dash", "width": 1.2, "color": "#888"}
        for position in ("top left", "top right"):
            expected = go.Figure()
            expected.add_hline(
                y=1.5, line=line, annotation_text="a", annotation_position=position
            )
            shape, note = hline(
                1.5, line=line, annotation_text="a", annotation_position=position
            )
            layout = expected.to_dict()["layout"]
            assert layout["shapes"] == [shape] and layout["annotations"] == [note]
        assert hline(0.0, line={"dash": "dot"})[1] is None

    def test_vrect_is_add_vrect(self):
        start, end = pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-10")
        expected = go.Figure()
        expected.add_vrect(
            x0=start, x1=end, fillcolor="#d62728", opacity=0.12, line_width=0
        )
        shape = expected.to_dict()["layout"]["shapes"][0]
        ours = vrect(start, end, fillcolor="#d62728", opacity=0.12)
        assert pd.Timestamp(ours.pop("x0")) == pd.Timestamp(shape.pop("x0"))
        assert pd.Timestamp(ours.pop("x1")) == pd.Timestamp(shape.pop("x1"))
        assert ours == shape

    def test_arrays_as_plotly_writes_them(self):
        index = pd.DatetimeIndex(["2024-01-02", "2024-01-03"])
        series = pd.Series([1.0, np.nan], index=index)
        spec = figure([{"type": "scatter", "x": dates(index), "y": numbers(series)}],
                      {"template": "plotly_white"})  # fmt: skip
        reference = go.Figure(
            go.Scatter(x=index, y=series), layout={"template": "plotly_white"}
        ).to_dict()
        assert spec["data"][0]["y"] == reference["data"][0]["y"]  # same typed array
        assert spec["layout"] == reference["layout"]
        assert dates(index) == ["2024-01-02", "2024-01-03"]
        assert dates([pd.Timestamp("2024-01-02 15:30")])[0].startswith(
            "2024-01-02T15:30"
        )
        assert numbers(np.array([1, 300])) == {
            "dtype": "i2",
            "bdata": base64.b64encode(np.array([1, 300], np.int16)).decode(),
        }
        assert numbers([]) == []

    def test_the_same_figure_renders_the_same_bytes(self, analysis):
        from rotation.report.sections.indicators import build_rrg_section

        first, second = (render_section(build_rrg_section(analysis)) for _ in "ab")
        assert first.html == second.html
        ids = re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', first.html)
        assert ids and all(i.startswith("rrg-") for i in ids)
