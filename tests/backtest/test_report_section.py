from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rotation.analysis import to_jsonable
from rotation.market import MarketData
from rotation.report.model import FigureBlock, TableBlock, TextBlock
from rotation.report.sections.backtest import build_backtest_section
from tests.conftest import make_analysis


@pytest.fixture(scope="module")
def section(analysis):
    return build_backtest_section(analysis)


def test_blocks_and_json(section, analysis) -> None:
    assert section.id == "backtest"
    figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
    tables = [b for b in section.blocks if isinstance(b, TableBlock)]
    assert len(figures) == 3 and len(tables) == 2
    for fig in figures:
        assert fig.figure.layout.template.layout.to_plotly_json()  # plotly_white set
        assert fig.caption
    text = json.dumps(section.data, allow_nan=False)
    assert "NaN" not in text
    # the section's data is the part, exactly as the CLI and the API print it
    assert section.data == json.loads(json.dumps(to_jsonable(analysis.backtests)))


def test_tear_sheet_shows_the_part(section, analysis) -> None:
    part = analysis.backtests
    tear = next(b for b in section.blocks if isinstance(b, TableBlock)).frame
    labels = [s.label for s in part.strategies.values()]
    assert list(tear.columns) == ["measure", *labels]
    row = tear.set_index("measure").loc["CAGR"]
    momentum = part.strategies["relative_momentum"]
    assert row[momentum.label] == f"{momentum.tear_sheet.cagr:.1%}"
    assert "Beta vs SPY" in set(tear["measure"])


def test_heatmap_and_robustness(section) -> None:
    sweep = section.data["sweep"]
    values = np.array(sweep["heatmap"]["sharpe"], dtype=float)
    assert values.shape == (len(sweep["lookback"]), len(sweep["top_k"]))
    assert 0.0 <= sweep["deflated_sharpe"] <= 1.0
    assert 0.0 <= sweep["pbo"] <= 1.0


def test_text_names_the_thesis_baskets(section) -> None:
    text = " ".join(next(b for b in section.blocks if isinstance(b, TextBlock)).text)
    assert "tangible" in text and "126-session" in text


def test_respects_as_of(market: MarketData) -> None:
    cut = pd.Timestamp("2019-12-31")
    sec = build_backtest_section(make_analysis(market, as_of=cut))
    assert sec.data["end"] <= "2019-12-31"
    assert max(sec.data["curves"]["dates"]) <= "2019-12-31"
    choices = sec.data["walk_forward"]
    assert choices and choices[-1]["date"] <= "2019-12-31"


def test_semis_has_no_sweep_blocks(custom_analyses) -> None:
    sec = build_backtest_section(custom_analyses["semis_capex"])
    tables = [b for b in sec.blocks if isinstance(b, TableBlock)]
    assert len(tables) == 1  # the tear sheet; no sweep without a universe
    assert sec.data["sweep"] is None
    text = " ".join(next(b for b in sec.blocks if isinstance(b, TextBlock)).text)
    assert "no universe" in text and "chip_stocks" in text
