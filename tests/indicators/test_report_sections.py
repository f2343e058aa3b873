"""The indicator and data sections render their Analysis part, and nothing else."""

from __future__ import annotations

import json

import pytest

from rotation.analysis import to_jsonable
from rotation.report.model import FigureBlock, Section, TableBlock
from rotation.report.sections.data import (
    build_coverage_section,
    build_fed_section,
    build_price_panels_section,
)
from rotation.report.sections.indicators import (
    build_copper_section,
    build_correlation_section,
    build_rates_section,
    build_rrg_section,
    build_spreads_section,
)
from tests.conftest import make_analysis

BUILDERS = {
    "correlation": (build_correlation_section, "correlation"),
    "rrg": (build_rrg_section, "rrg"),
    "spreads": (build_spreads_section, "spreads"),
    "copper": (build_copper_section, "copper"),
    "rates": (build_rates_section, "rates"),
    "fed": (build_fed_section, "fed"),
    "prices": (build_price_panels_section, "prices"),
    "coverage": (build_coverage_section, "coverage"),
}


@pytest.fixture(scope="module")
def sections(analysis) -> dict[str, Section]:
    return {key: build(analysis) for key, (build, _) in BUILDERS.items()}


class TestSections:
    @pytest.mark.parametrize("key", list(BUILDERS))
    def test_data_is_the_part(self, sections, analysis, key):
        section = sections[key]
        assert section.id == key
        part = getattr(analysis, BUILDERS[key][1])
        assert section.data == to_jsonable(part)
        json.dumps(section.data, allow_nan=False)
        for block in section.blocks:
            if isinstance(block, FigureBlock):
                assert block.caption and block.sources
                assert block.figure.layout.title.text

    def test_correlation_lines_come_from_the_pillar(self, sections):
        figure = next(
            b for b in sections["correlation"].blocks if isinstance(b, FigureBlock)
        )
        levels = sorted(shape.y0 for shape in figure.figure.layout.shapes)
        assert levels == pytest.approx([0.2, 0.4])  # claimed 0.2, rule "< 0.4"

    def test_rrg_table_has_the_universe(self, sections, analysis):
        table = next(b for b in sections["rrg"].blocks if isinstance(b, TableBlock))
        assert list(table.frame["symbol"]) == list(analysis.thesis.universe.members)

    def test_rates_thesis_text_from_pillars(self, sections):
        text = sections["rates"].blocks[0].text
        assert "terminal_rate_support" in text and "3.4%" in text


@pytest.mark.parametrize("key", list(BUILDERS))
def test_omitted_or_shown_for_semis(custom_analyses, key):
    section = BUILDERS[key][0](custom_analyses["semis_capex"])
    if key in ("rrg", "copper", "rates", "fed"):
        assert "omitted" in section.data and len(section.blocks) == 1
    else:
        assert "omitted" not in section.data


@pytest.fixture(scope="module")
def early(market):
    return make_analysis(market, as_of="2022-06-30")


@pytest.mark.parametrize("key", list(BUILDERS))
def test_earlier_as_of_states_no_later_date(early, key):
    section = BUILDERS[key][0](early)
    texts = [json.dumps(section.data, allow_nan=False)]
    texts += [
        b.caption for b in section.blocks if isinstance(b, FigureBlock | TableBlock)
    ]
    texts += [str(b.text) for b in section.blocks if hasattr(b, "text")]
    for text in texts:
        assert "2022-07" not in text and "2023-" not in text and "2026-" not in text
