"""The report's thesis section renders the Analysis's thesis_check part."""

from __future__ import annotations

import json

import pytest

from rotation.analysis import to_jsonable
from rotation.report.model import FigureBlock, TableBlock, TextBlock
from rotation.report.sections.thesis import build_thesis_section
from rotation.thesis import evaluate, load_thesis
from rotation.thesis_files import default_thesis_text

from ..conftest import make_analysis


@pytest.fixture(scope="module")
def section(analysis):
    return build_thesis_section(analysis)


class TestSection:
    def test_blocks(self, section):
        kinds = [type(b) for b in section.blocks]
        assert kinds[0] is TextBlock
        assert FigureBlock in kinds
        assert sum(k is TableBlock for k in kinds) >= 4
        fig = next(b for b in section.blocks if isinstance(b, FigureBlock))
        assert fig.sources

    def test_headline_text(self, section):
        head, risks = section.blocks[0].text
        assert head == (
            "The Great 2026 Rotation: health 59% as of 2026-08-03 (11 of 18 pillars "
            "with data hold; 4 without data, shown apart)."
        )
        assert risks == "Risk triggers live: fed_reversal, sticky_inflation."

    def test_data_is_the_part_and_matches_the_engine(self, section, analysis, market):
        assert section.data == to_jsonable(analysis.thesis_check)
        json.dumps(section.data, allow_nan=False)
        # independent path: the thesis engine on the same data and regime series
        ev = evaluate(
            load_thesis(default_thesis_text()), market, extra=analysis.thesis_extra
        )
        assert section.data["health"] == pytest.approx(ev.health, rel=1e-12)
        by_id = {p["id"]: p for p in section.data["pillars"]}
        for p in ev.pillars:
            assert by_id[p.id]["status"] == p.status
            if p.status != "no_data":
                assert by_id[p.id]["value"] == pytest.approx(p.value, rel=1e-12)

    def test_changes_default_to_21_sessions(self, section, market):
        assert section.data["changes"]["start"] == str(market.sessions[-22].date())
        assert section.data["change_lookback"] == 21

    def test_change_lookback_setting(self, market):
        analysis = make_analysis(
            market, config={"thesis.change_lookback": 5}, as_of="2025-12-31"
        )
        data = build_thesis_section(analysis).data
        assert data["as_of"] == "2025-12-31"
        assert data["changes"]["start"] == str(
            market.truncate("2025-12-31").sessions[-6].date()
        )

    def test_custom_thesis(self, custom_analyses):
        analysis = custom_analyses["semis_capex"]
        data = build_thesis_section(analysis).data
        assert data["thesis"]["title"] == "Semis lead the AI capex cycle"
        assert [p["id"] for p in data["pillars"]] == [
            p.id for p in analysis.thesis.pillars
        ]
        # the thesis has no Fama-French proxy and one event-study pair at most
        assert not any(k.startswith("ff_") for k in data["event_study"]["studies"])
