from __future__ import annotations

import json

import pandas as pd
import pytest

from rotation.market import MarketData
from rotation.report.model import (
    FigureBlock,
    ReportContext,
    Section,
    TableBlock,
    TextBlock,
)
from rotation.report.sections.regimes import build_regimes_section


@pytest.fixture(scope="module")
def section(market: MarketData) -> Section:
    ctx = ReportContext(
        market=market, as_of=market.sessions[-1], coverage=pd.DataFrame()
    )
    return build_regimes_section(ctx)


def test_blocks_and_figures(section: Section) -> None:
    assert section.id == "regimes"
    kinds = [type(block) for block in section.blocks]
    assert kinds.count(FigureBlock) == 2 and kinds.count(TableBlock) == 2
    assert isinstance(section.blocks[0], TextBlock)
    for block in section.blocks:
        if isinstance(block, FigureBlock):
            assert block.figure.layout.title.text
            assert block.sources and block.caption
            assert block.figure.layout.template.layout.paper_bgcolor is not None
            # Weekly downsampling keeps figures small.
            assert all(len(trace.x) < 2000 for trace in block.figure.data)


def test_data_is_json_and_consistent(section: Section) -> None:
    text = json.dumps(section.data)
    assert "NaN" not in text
    current = section.data["current"]
    assert current["regime"] in ("rotation", "tech_leadership")
    assert abs(sum(current["probabilities"].values()) - 1.0) < 1e-12
    contributions = section.data["score"]["contributions"]
    total = sum(v for v in contributions.values() if v is not None)
    assert abs(total - section.data["score"]["score"]) < 1e-10
    assert section.data["model"]["refit"] == "Q"


def test_as_of_truncates(market: MarketData) -> None:
    as_of = pd.Timestamp("2022-06-30")
    ctx = ReportContext(market=market, as_of=as_of, coverage=pd.DataFrame())
    early = build_regimes_section(ctx)
    assert early.data["current"]["date"] <= "2022-06-30"
    assert early.data["probability_weekly"]["dates"][-1] <= "2022-07-01"
