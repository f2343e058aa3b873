"""The default thesis shows the S&P 500's forward P/E from the bundled snapshot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import make_analysis

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "fundamentals"


def _independent_forward_pe() -> float:
    """Cap-weighted harmonic forward P/E straight from the shared CSV (pandas)."""
    path = SHARED / "Stock_Info_2025-06-15.csv"
    if not path.is_file():
        pytest.skip(f"{path} is not beside this checkout")
    frame = pd.read_csv(path)
    ok = (frame["forwardPE"] > 0) & (frame["marketCap"] > 0)
    caps, pe = frame.loc[ok, "marketCap"], frame.loc[ok, "forwardPE"]
    return float(caps.sum() / (caps / pe).sum())


def test_large_cap_valuation_matches_the_shared_file(market):
    check = make_analysis(market, as_of="2025-12-31").thesis_check
    pillar = {p.id: p for p in check.pillars}["large_cap_valuation"]
    assert pillar.status == "holds"
    assert pillar.value == pytest.approx(_independent_forward_pe(), abs=0.1)
    assert pillar.value == pytest.approx(21.3, abs=0.1)


def test_valuation_is_stale_after_the_limit_and_does_not_move_health(market):
    check = make_analysis(market).thesis_check  # 2026-08-03: 414 days later
    pillars = {p.id: p for p in check.pillars}
    for pid in ("large_cap_valuation", "tech_valuation_premium"):
        assert pillars[pid].status == "no_data"
        assert "stale" in pillars[pid].reason
    assert pillars["small_cap_valuation_gap"].status == "no_data"  # its own reason
    assert check.health == pytest.approx(0.59375)  # watch-only pillars (weight 0)


def test_tech_trades_at_a_premium_to_tangible_value(market):
    check = make_analysis(market, as_of="2025-12-31").thesis_check
    premium = {p.id: p for p in check.pillars}["tech_valuation_premium"]
    assert premium.status == "holds" and premium.value == pytest.approx(8.2, abs=0.1)
