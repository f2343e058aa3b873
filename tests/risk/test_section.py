"""The report's risk section on the bundled real data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rotation.report.model import FigureBlock, ReportContext, Section, TableBlock
from rotation.report.sections.risk import build_risk_section
from rotation.risk import Scenario


@pytest.fixture(scope="module")
def section(market) -> Section:
    ctx = ReportContext(market=market, as_of=market.as_of, coverage=pd.DataFrame())
    return build_risk_section(ctx)


class TestSection:
    def test_blocks_and_json(self, section):
        assert section.id == "risk"
        json.dumps(section.data)
        tables = [b for b in section.blocks if isinstance(b, TableBlock)]
        figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
        assert len(figures) == 2
        for fig in figures:
            assert fig.figure.layout.title.text and fig.caption and fig.sources
        scenario_table = tables[0].frame
        assert list(scenario_table["Scenario"]) == [
            "fed_reversal",
            "sticky_inflation",
            "copper_cliff",
            "tech_rebound",
        ]
        assert len(tables[1].frame) == 5  # replays

    def test_numbers(self, section):
        data = section.data
        by_name = {s["name"]: s for s in data["scenarios"]}
        # The book is exactly tangible - tech: the rebound costs 15 % + 5 %.
        assert by_name["tech_rebound"]["pnl"] == pytest.approx(-0.20, abs=1e-9)
        assert all(s["exposure"]["end"] == "2026-08-03" for s in data["scenarios"])
        replays = {r["name"]: r for r in data["replays"]}
        assert replays["thesis_2026"]["end"] == "2026-08-03"
        assert all(r["total_return"] is not None for r in data["replays"])
        assert set(data["calibration"]) == {
            "historical",
            "normal",
            "cornish_fisher",
            "ewma_normal",
        }
        assert data["factors"]["attribution"]["table"]["HML"]["coef"] > 0
        # The words are written from the numbers.
        assert "tech_rebound hurts the book most (-20.0%)" in data["summary"]
        hist = next(
            r
            for r in data["var_table"]
            if r["method"] == "historical" and r["level"] == 0.99 and r["horizon"] == 1
        )
        assert f"VaR is {hist['var']:.1%}" in data["summary"]
        rows = data["var_table"]
        assert all(r["cvar"] >= r["var"] for r in rows)

    def test_user_scenarios_and_past_as_of(self, market):
        cut = pd.Timestamp("2022-06-30")
        ctx = ReportContext(
            market=market.truncate(cut),
            as_of=cut,
            coverage=pd.DataFrame(),
            options={
                "scenarios": [
                    {
                        "name": "oil_spike",
                        "description": "oil +30%",
                        "shocks": {"oil": 0.3},
                    },
                    Scenario("copper_up", "", {"copper": 0.1}),
                    Scenario("unknown", "", {"bitcoin": -0.5}),
                ]
            },
        )
        sec = build_risk_section(ctx)
        json.dumps(sec.data)
        names = [s["name"] for s in sec.data["scenarios"]]
        assert names == ["oil_spike", "copper_up", "unknown"]
        assert all(
            s["exposure"]["end"] <= "2022-06-30" for s in sec.data["scenarios"][:2]
        )
        assert "bitcoin" in sec.data["scenarios"][2]["error"]
        table = next(b for b in sec.blocks if isinstance(b, TableBlock)).frame
        assert table["Estimated P&L"].iloc[2] == "n/a"
        thesis = {r["name"]: r for r in sec.data["replays"]}["thesis_2026"]
        assert thesis["n_sessions"] == 0 and thesis["total_return"] is None
