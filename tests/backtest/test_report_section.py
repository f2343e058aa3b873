from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import backtest, cash_returns, relative_momentum
from rotation.market import MarketData
from rotation.report.model import FigureBlock, ReportContext, TableBlock
from rotation.report.sections.backtest import REPORT_GRID, build_backtest_section


@pytest.fixture(scope="module")
def section(market: MarketData):
    as_of = market.prices.index[-1]
    return build_backtest_section(
        ReportContext(market=market, as_of=as_of, coverage=pd.DataFrame())
    )


def test_blocks_and_json(section) -> None:
    assert section.id == "backtest"
    figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
    tables = [b for b in section.blocks if isinstance(b, TableBlock)]
    assert len(figures) == 3 and len(tables) == 2
    for fig in figures:
        assert fig.figure.layout.template.layout.to_plotly_json()  # plotly_white set
        assert fig.caption
    text = json.dumps(section.data)
    assert "NaN" not in text


def test_numbers_match_an_independent_run(section, market: MarketData) -> None:
    sectors = market.prices[section.data["universe"]].dropna(how="all")
    cash = cash_returns(market.known("DFF", index=sectors.index), index=sectors.index)
    res = backtest(
        sectors,
        relative_momentum(sectors, lookback=126, top_k=3),
        cost_bps=10.0,
        cash_returns=cash,
    )
    np.testing.assert_allclose(
        section.data["final_equity"]["Sector momentum"], res.equity.iloc[-1], rtol=1e-12
    )
    np.testing.assert_allclose(
        section.data["tear_sheet"]["Sector momentum"]["sharpe"],
        res.metrics["sharpe"],
        rtol=1e-12,
    )


def test_heatmap_and_robustness(section) -> None:
    sweep = section.data["sweep"]
    values = np.array(sweep["heatmap_sharpe"]["values"], dtype=float)
    assert values.shape == (len(REPORT_GRID.lookback), len(REPORT_GRID.top_k))
    assert 0.0 <= sweep["deflated_sharpe"] <= 1.0
    assert 0.0 <= sweep["pbo"] <= 1.0


def test_respects_as_of(market: MarketData) -> None:
    cut = pd.Timestamp("2019-12-31")
    small = market.truncate(cut)
    sec = build_backtest_section(
        ReportContext(market=small, as_of=cut, coverage=pd.DataFrame())
    )
    assert sec.data["period"]["end"] <= "2019-12-31"
    choices = sec.data["walk_forward"]["choices"]
    assert choices and choices[-1]["date"] <= "2019-12-31"
