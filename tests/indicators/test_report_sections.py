"""The issue-4 report sections build on real data and show the indicators' numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rotation.indicators import rates_path, rolling_average_correlation, simple_returns
from rotation.report.model import FigureBlock, ReportContext, Section, TableBlock
from rotation.report.sections.indicators import (
    build_ai_correlation_section,
    build_copper_section,
    build_rates_section,
    build_rrg_section,
    build_spreads_section,
)

BUILDERS = {
    "ai_correlation": build_ai_correlation_section,
    "rrg": build_rrg_section,
    "spreads": build_spreads_section,
    "copper": build_copper_section,
    "rates": build_rates_section,
}
AI_LARGE = ["NVDA", "MSFT", "GOOGL", "META", "AMZN", "AVGO", "ORCL"]


@pytest.fixture(scope="module")
def context(market) -> ReportContext:
    return ReportContext(market=market, as_of=market.as_of, coverage=pd.DataFrame())


@pytest.fixture(scope="module")
def sections(context) -> dict[str, Section]:
    return {key: build(context) for key, build in BUILDERS.items()}


class TestSections:
    @pytest.mark.parametrize("key", list(BUILDERS))
    def test_shape_and_json(self, sections, key):
        section = sections[key]
        assert section.id == key
        json.dumps(section.data, allow_nan=False)
        figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
        assert figures
        for block in figures:
            assert block.caption and block.sources
            assert block.figure.layout.title.text
            assert block.figure.layout.template.layout.paper_bgcolor is not None

    def test_ai_correlation_numbers_come_from_the_indicator(self, sections, market):
        returns = simple_returns(market.prices[AI_LARGE], skip_empty_rows=True)
        expected = rolling_average_correlation(returns, 63).dropna()
        data = sections["ai_correlation"].data
        assert data["latest"]["date"] == "2026-08-03"
        np.testing.assert_allclose(
            data["latest"]["avg_corr"], expected.iloc[-1], atol=1e-6
        )
        fig = sections["ai_correlation"].blocks[1].figure
        levels = sorted(shape.y0 for shape in fig.layout.shapes)
        np.testing.assert_allclose(levels, [0.2, 0.8])

    def test_rrg_table_has_all_sectors(self, sections):
        tables = [b for b in sections["rrg"].blocks if isinstance(b, TableBlock)]
        frame = tables[0].frame
        assert len(frame) == 11
        assert set(frame["quadrant"]) <= {
            "leading",
            "weakening",
            "lagging",
            "improving",
        }
        assert len(sections["rrg"].data["tails"]) == 11 * 10

    def test_rates_latest_matches_rates_path(self, sections, market):
        expected = rates_path(market).iloc[-1]
        latest = sections["rates"].data["latest"]
        np.testing.assert_allclose(latest["fed_mid"], 3.625)
        np.testing.assert_allclose(latest["dots_terminal"], expected["dots_terminal"])

    @pytest.mark.parametrize("key", list(BUILDERS))
    def test_earlier_as_of_uses_no_later_data(self, market, key):
        as_of = pd.Timestamp("2022-06-30")
        ctx = ReportContext(
            market=market.truncate(as_of), as_of=as_of, coverage=pd.DataFrame()
        )
        section = BUILDERS[key](ctx)
        text = json.dumps(section.data, allow_nan=False)
        assert "2022-07" not in text and "2023-" not in text and "2026-" not in text
