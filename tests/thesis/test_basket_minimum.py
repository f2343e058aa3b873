"""A basket never silently stands for fewer members than it names."""

from __future__ import annotations

import numpy as np
import pytest

from rotation.thesis import ThesisError, load_thesis
from tests.conftest import make_analysis

MIXED = """
meta: {{title: mixed}}
baskets:
  mix: {{members: [XLK, GEV]{extra}}}
pillars:
  - {{id: trend, claim: c, expr: "momentum(mix, 63)", rule: "> 0"}}
  - {{id: versus, claim: c, expr: "rel_return(mix, XLE, 63)", rule: "> 0"}}
"""


def _check(market, extra: str = "", as_of: str = "2020-06-30"):
    thesis = load_thesis(MIXED.format(extra=extra))
    return make_analysis(market, thesis, as_of=as_of).thesis_check


def test_a_member_not_yet_listed_makes_no_data_with_the_reason(market):
    for pillar in _check(market).pillars:
        assert pillar.status == "no_data" and np.isnan(pillar.value)
        assert pillar.reason == (
            "basket mix: 1 of 2 members priced by 2020-06-30, below its minimum "
            "of 2 (not yet priced: GEV)"
        )


def test_a_lower_minimum_lets_the_listed_members_stand(market):
    trend = _check(market, ", min_members: 1").pillar("trend")
    xlk = market.truncate("2020-06-30").prices["XLK"].dropna()
    assert trend.status != "no_data"
    assert trend.value == pytest.approx(xlk.iloc[-1] / xlk.iloc[-64] - 1, rel=1e-9)


def test_once_every_member_lists_the_basket_has_a_value(market):
    assert all(
        p.status != "no_data" for p in _check(market, as_of="2025-06-30").pillars
    )


def test_minimum_above_the_member_count_is_refused():
    with pytest.raises(ThesisError, match="min_members 3 is more than"):
        load_thesis(MIXED.format(extra=", min_members: 3"))


def test_the_default_thesis_in_1985_holds_nothing_from_a_partial_basket(market):
    check = make_analysis(market, as_of="1985-06-28").thesis_check
    partial = [p for p in check.pillars if "below its minimum" in p.reason]
    assert {p.id for p in partial} >= {
        "pharma_breakout",
        "ai_platform_infra_divergence",
    }
    assert all(p.status == "no_data" for p in partial)
