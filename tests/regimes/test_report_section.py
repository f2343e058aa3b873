"""The regimes section renders the Analysis's regimes part, and computes nothing."""

from __future__ import annotations

import json

import pytest

from rotation.report.model import FigureBlock, Section, TableBlock, TextBlock
from rotation.report.sections._common import part_data
from rotation.report.sections.regimes import build_regimes_section
from rotation.thesis import load_thesis
from tests.conftest import make_analysis

NO_CORE_SPREAD = """
meta: {title: no core spread}
baskets:
  small: {members: [IWM]}
  large: {members: [SPY]}
pillars:
  - id: small_leads_large
    claim: Small caps lead.
    expr: rel_return(small, large, 63)
    rule: "> 0"
"""


@pytest.fixture(scope="module")
def section(analysis) -> Section:
    return build_regimes_section(analysis)


def _text(section: Section) -> str:
    parts: list[str] = []
    for block in section.blocks:
        if isinstance(block, TextBlock):
            parts += [block.text] if isinstance(block.text, str) else list(block.text)
        elif isinstance(block, FigureBlock | TableBlock):
            parts.append(block.caption)
            if isinstance(block, FigureBlock):
                parts += [str(t.name) for t in block.figure.data]
                parts.append(str(block.figure.layout.title.text))
            else:
                parts += [str(c) for c in block.frame.columns]
                parts += block.frame.astype(str).to_numpy().ravel().tolist()
    return "\n".join(parts)


def test_blocks_and_figures(section: Section) -> None:
    assert section.id == "regimes"
    kinds = [type(block) for block in section.blocks]
    # timeline, hindsight phases, score components
    assert kinds.count(FigureBlock) == 3 and kinds.count(TableBlock) == 2
    assert isinstance(section.blocks[0], TextBlock)
    for block in section.blocks:
        if isinstance(block, FigureBlock):
            assert block.figure.layout.title.text
            assert block.sources and block.caption
            assert block.figure.layout.template.layout.paper_bgcolor is not None
            # Weekly downsampling keeps figures small.
            assert all(len(trace.x) < 2000 for trace in block.figure.data)


def test_data_is_the_part(section: Section, analysis) -> None:
    assert section.data == part_data(analysis.regimes)
    text = json.dumps(section.data, allow_nan=False)
    assert "NaN" not in text
    current = section.data["current"]
    assert current["state"] in ("rotation", "tech leadership")
    assert abs(sum(current["probabilities"].values()) - 1.0) < 1e-12
    score = section.data["score"]
    total = sum(c["contribution"] for c in score["components"])
    assert abs(total - score["score"]) < 1e-10
    assert section.data["model"]["method"] == "direction"
    assert section.data["hindsight"]["hindsight"] is True


def test_headline_says_since_when_and_how_sure(section: Section, analysis) -> None:
    headline = "\n".join(section.blocks[0].text)
    current = analysis.regimes.current
    assert f"{current.probability:.2f}" in headline
    assert f"the filtered phase is {current.state}" in headline
    assert f"since {current.since.date()} as known that day" in headline
    assert f"{100 * current.spread_since:+.1f}% since" in headline
    assert "Calibrated meaning" in headline
    assert current.evidence_note[1:] in headline
    assert "tangible (XLI+XLB+XLE) minus tech (XLK)" in headline


def test_hindsight_is_labelled_so(section: Section) -> None:
    figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
    hindsight = [f for f in figures if "Hindsight" in f.figure.layout.title.text]
    assert len(hindsight) == 1
    assert hindsight[0].caption.startswith("HINDSIGHT, not known at the time")
    others = [f for f in figures if f is not hindsight[0]]
    assert all("hindsight" not in f.caption.lower() for f in others)


def test_episode_table_marks_disagreement(section: Section, analysis) -> None:
    table = next(b for b in section.blocks if isinstance(b, TableBlock))
    assert "agrees" in table.frame.columns and "spread %" in table.frame.columns
    shown = analysis.regimes.episodes.tail(len(table.frame))
    expected = shown["agrees"].map({True: "yes", False: "no"}).tolist()
    assert table.frame["agrees"].tolist() == expected


@pytest.mark.parametrize("name", ["defensive_late_cycle", "semis_capex"])
def test_custom_thesis_shows_its_own_labels(custom_analyses, name) -> None:
    analysis = custom_analyses[name]
    section = build_regimes_section(analysis)
    text = _text(section)
    core = analysis.thesis.core_spread
    assert core.long_label in text and core.short_label in text
    for word in ("tech leadership", "tangible", "XLI+XLB+XLE", "rotation"):
        assert word not in text, word
    assert section.data == part_data(analysis.regimes)


def test_no_core_spread_is_one_line(market) -> None:
    section = build_regimes_section(make_analysis(market, load_thesis(NO_CORE_SPREAD)))
    assert len(section.blocks) == 1 and "core spread" in section.blocks[0].text
    assert "core spread" in section.data["omitted"]


def test_as_of_truncates(market) -> None:
    early = build_regimes_section(make_analysis(market, as_of="2022-06-30"))
    assert early.data["current"]["date"] <= "2022-06-30"
    assert early.data["probability_weekly"]["dates"][-1] <= "2022-06-30"
    assert early.data["as_of"] == "2022-06-30"
