from __future__ import annotations

import json

import pandas as pd
import pytest

from rotation.report.model import FigureBlock, ReportContext, TableBlock, TextBlock
from rotation.report.sections.thesis import build_thesis_section
from rotation.thesis import ThesisError, evaluate, load_thesis
from rotation.thesis_files import default_thesis_text


@pytest.fixture(scope="module")
def section(market):
    ctx = ReportContext(market=market, as_of=market.as_of, coverage=pd.DataFrame())
    return build_thesis_section(ctx)


class TestSection:
    def test_blocks(self, section):
        kinds = [type(b) for b in section.blocks]
        assert kinds[0] is TextBlock
        assert FigureBlock in kinds
        assert sum(k is TableBlock for k in kinds) >= 4
        fig = next(b for b in section.blocks if isinstance(b, FigureBlock))
        assert fig.sources

    def test_data_is_json_and_matches_evaluation(self, section, market):
        json.dumps(section.data, allow_nan=False)
        ev = evaluate(load_thesis(default_thesis_text()), market)
        assert section.data["health"] == pytest.approx(ev.health)
        by_id = {p["id"]: p for p in section.data["pillars"]}
        for p in ev.pillars:
            assert by_id[p.id]["status"] == p.status
            if p.status != "no_data":
                assert by_id[p.id]["value"] == pytest.approx(p.value)

    def test_changes_default_to_21_sessions(self, section, market):
        sessions = market.sessions
        assert section.data["changes"]["start"] == str(sessions[-22].date())

    def test_previous_as_of_option(self, market):
        ctx = ReportContext(
            market=market,
            as_of=market.as_of,
            coverage=pd.DataFrame(),
            options={"previous_as_of": "2026-01-02"},
        )
        section = build_thesis_section(ctx)
        assert section.data["changes"]["start"] == "2026-01-02"

    def test_thesis_path_option(self, market, tmp_path, small_thesis_text):
        path = tmp_path / "mine.yaml"
        path.write_text(
            small_thesis_text.replace(
                "rel_return(tangible, tech, 21)", "rel_return(tangible, tech, 63)"
            ).replace("horizons: [5, 21]", "horizons: [21]"),
            encoding="utf-8",
        )
        ctx = ReportContext(
            market=market.truncate("2025-12-31"),
            as_of=pd.Timestamp("2025-12-31"),
            coverage=pd.DataFrame(),
            options={"thesis_path": str(path)},
        )
        section = build_thesis_section(ctx)
        assert section.data["thesis"]["title"] == "Small test thesis"
        assert section.data["as_of"] <= "2025-12-31"

    def test_bad_thesis_path(self, market, tmp_path):
        path = tmp_path / "bad.yaml"
        path.write_bytes(b"meta: {title: \xff}\n")
        ctx = ReportContext(
            market=market,
            as_of=market.as_of,
            coverage=pd.DataFrame(),
            options={"thesis_path": str(path)},
        )
        with pytest.raises(ThesisError, match="UTF-8"):
            build_thesis_section(ctx)
