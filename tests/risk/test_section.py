"""The report's risk section: a renderer of ``analysis.risk``."""

from __future__ import annotations

import json

import pytest

from rotation.analysis import to_jsonable
from rotation.report.model import FigureBlock, Section, TableBlock, TextBlock
from rotation.report.sections.risk import build_risk_section
from tests.conftest import make_analysis


@pytest.fixture(scope="module")
def section(analysis) -> Section:
    return build_risk_section(analysis)


def _tables(section: Section) -> list[TableBlock]:
    return [b for b in section.blocks if isinstance(b, TableBlock)]


class TestSection:
    def test_blocks(self, section):
        assert section.id == "risk"
        figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
        assert len(figures) == 2
        for fig in figures:
            assert fig.figure.layout.title.text and fig.caption and fig.sources
        tables = _tables(section)
        assert list(tables[0].frame["Scenario"]) == [
            "fed_reversal",
            "sticky_inflation",
            "copper_cliff",
            "tech_rebound",
        ]
        assert list(tables[0].frame["Estimated P&L"]) == [
            "-1.7%",
            "-1.4%",
            "+10.0%",
            "-20.0%",
        ]
        # The caption says what each shocked basket is, from the thesis.
        assert "tangible = equal-weight XLI XLB XLE" in tables[0].caption
        assert len(tables[1].frame) == 5  # replays

    def test_data_is_the_part_json(self, section, analysis):
        # report.json, `rotation risk --format json` and /api/risk: one encoding.
        assert section.data == to_jsonable(analysis.risk)
        json.dumps(section.data, allow_nan=False)
        assert "var_forecasts" not in section.data
        assert "rolling" not in section.data["factors"]

    def test_words_are_the_part_summary(self, section, analysis):
        texts = [b.text for b in section.blocks if isinstance(b, TextBlock)]
        assert analysis.risk.summary in texts
        assert "tech_rebound hurts the thesis's book" in analysis.risk.summary
        assert "(long tangible, short tech) most (-20.0%)" in analysis.risk.summary

    def test_custom_thesis_renders_its_own_risks(self, custom_analyses):
        sec = build_risk_section(custom_analyses["semis_capex"])
        table = _tables(sec)[0]
        assert list(table.frame["Scenario"]) == ["capex_digestion"]
        assert "chip_stocks = equal-weight NVDA AMD AVGO TSM" in table.caption
        assert "copper" not in table.caption

    def test_omitted_part_renders_one_line(self, market, analysis):
        thesis = analysis.thesis.model_copy(update={"book": None})
        sec = build_risk_section(make_analysis(market, thesis))
        assert len(sec.blocks) == 1 and "book" in sec.blocks[0].text
        assert set(sec.data) == {"omitted"}
