"""The default thesis on the bundled real data, checked by independent code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.thesis import evaluate, history, load_thesis
from rotation.thesis_files import default_thesis_text

AS_OF = pd.Timestamp("2026-08-03")
CLAIM = pd.Timestamp("2026-01-02")


@pytest.fixture(scope="module")
def thesis():
    return load_thesis(default_thesis_text())


@pytest.fixture(scope="module")
def hist(thesis, market):
    return history(thesis, market)


@pytest.fixture(scope="module")
def now(thesis, market):
    return evaluate(thesis, market, AS_OF)


def _rows(prices, *groups):
    mask = np.ones(len(prices), dtype=bool)
    for g in groups:
        mask &= prices[g].notna().any(axis=1).to_numpy()
    return prices.loc[mask]


def _ew_index(frame):
    r = frame.pct_change(fill_method=None).mean(axis=1)
    return (1 + r.fillna(0.0)).cumprod()


def _rel_return(prices, a, b, window, date):
    p = _rows(prices.loc[:date], a, b)
    ia, ib = _ew_index(p[a]), _ew_index(p[b])
    return float(
        ia.iloc[-1] / ia.iloc[-1 - window] / (ib.iloc[-1] / ib.iloc[-1 - window]) - 1
    )


def _known(market, sid, date):
    frame = market.series[sid]
    frame = frame[frame["known_from"] <= date].dropna(subset=["value"])
    return frame


def _median_of_dots(dots, meeting, horizon):
    rows = dots[(dots["meeting_date"] == meeting) & (dots["horizon"] == horizon)]
    expanded = np.repeat(
        rows["midpoint"].to_numpy(float), rows["participants"].to_numpy(int)
    )
    return float(np.median(expanded))


class TestReference:
    @pytest.mark.parametrize("date", [AS_OF, CLAIM])
    def test_relative_return_pillars(self, thesis, market, hist, date):
        pos = hist.values.index.searchsorted(date, "right") - 1
        cases = {
            "tangible_leads_tech": (["XLI", "XLB", "XLE"], ["XLK"], 63),
            "small_leads_large": (["IWM"], ["SPY"], 63),
            "value_over_growth": (["IWD"], ["IWF"], 63),
            "infrastructure_boom": (
                ["CAT", "ETN", "GE", "GEV", "VRT", "PWR"],
                ["SPY"],
                126,
            ),
            "gas_over_oil_producers": (["EQT", "RRC"], ["OXY"], 126),
        }
        for pid, (a, b, w) in cases.items():
            expected = _rel_return(market.prices, a, b, w, date)
            np.testing.assert_allclose(
                hist.values[pid].iloc[pos], expected, rtol=1e-10, err_msg=pid
            )

    def test_ai_correlation_vs_corrcoef(self, now, market):
        members = ["NVDA", "MSFT", "GOOGL", "META", "AMZN", "AVGO", "ORCL"]
        p = _rows(market.prices.loc[:AS_OF], members)[members]
        window = p.pct_change(fill_method=None).iloc[-63:]
        c = np.corrcoef(window.to_numpy().T)
        expected = c[np.triu_indices(len(members), 1)].mean()
        got = now.pillar("ai_correlation_collapse")
        np.testing.assert_allclose(got.value, expected, rtol=1e-10)
        # The article's claim: collapsed to ~0.2 from ~0.8 a year earlier.
        assert got.status == "holds" and got.value < 0.4

    def test_fed_range_and_dots(self, now, market):
        up = _known(market, "DFEDTARU", AS_OF)["value"].iloc[-1]
        low = _known(market, "DFEDTARL", AS_OF)["value"].iloc[-1]
        assert now.pillar("fed_funds_range").value == pytest.approx((up + low) / 2)
        assert now.pillar("fed_funds_range").value == pytest.approx(3.625)
        # Published medians of the 2026-06-17 SEP (PROVENANCE.md): 2026 3.75,
        # 2028 (the longest calendar year) 3.375.
        assert now.pillar("fed_path_2026").value == pytest.approx(3.75)
        assert now.pillar("terminal_rate_support").value == pytest.approx(3.375)
        meeting = pd.Timestamp("2026-06-17")
        assert _median_of_dots(market.dots, meeting, "2028") == pytest.approx(3.375)

    def test_claim_date_dots(self, thesis, market):
        at_claim = evaluate(thesis, market, CLAIM)
        # The December 2025 SEP: 2026 median 3.375 (the article's "3.4%").
        meeting = market.dots["meeting_date"][
            market.dots["meeting_date"] <= CLAIM
        ].max()
        expected = _median_of_dots(market.dots, meeting, "2026")
        assert at_claim.pillar("fed_path_2026").value == pytest.approx(expected)
        assert expected == pytest.approx(3.375)

    def test_core_pce_gap(self, now, market):
        known = _known(market, "PCEPILFE", AS_OF)
        first = known.sort_values("known_from").groupby(level=0).head(1).sort_index()
        latest = first.index.max()
        year_ago = latest - pd.DateOffset(years=1)
        expected = (
            100 * (first.loc[latest, "value"] / first.loc[year_ago, "value"] - 1) - 2
        )
        np.testing.assert_allclose(
            now.pillar("inflation_above_target").value, expected, rtol=1e-12
        )

    def test_copper_and_oil_momentum(self, now, market):
        for pid, sym in (("copper_trajectory", "CPER"), ("oil_glut", "USO")):
            s = market.prices[sym].loc[:AS_OF].dropna()
            expected = s.iloc[-1] / s.iloc[-1 - 126] - 1
            np.testing.assert_allclose(now.pillar(pid).value, expected, rtol=1e-10)

    def test_no_data_pillars(self, now):
        for pid in ("small_cap_valuation_gap", "small_cap_earnings_growth"):
            p = now.pillar(pid)
            assert p.status == "no_data"
            assert "needs" in p.reason
        assert "2025-06-15" in now.pillar("small_cap_valuation_gap").reason

    def test_health_in_range(self, now):
        assert 0.0 <= now.health <= 1.0
        assert len([p for p in now.pillars if p.status != "no_data"]) >= 15


class TestNoLookAhead:
    @pytest.mark.parametrize(
        "date", ["2000-03-10", "2008-10-10", "2020-03-23", "2026-01-02"]
    )
    def test_history_equals_as_of(self, thesis, market, hist, date):
        ev = evaluate(thesis, market, date)
        pos = hist.values.index.get_loc(ev.as_of)
        for p in ev.pillars:
            np.testing.assert_allclose(
                p.value, hist.values[p.id].iloc[pos], rtol=0, err_msg=p.id
            )
            assert p.status == hist.status[p.id].iloc[pos], p.id
        for r in ev.risks:
            assert r.status == hist.status[r.id].iloc[pos], r.id
        np.testing.assert_allclose(ev.health, hist.health.iloc[pos], rtol=0)

    def test_future_data_does_not_leak(self, thesis, market):
        from dataclasses import replace

        date = pd.Timestamp("2025-06-30")
        prices = market.prices.copy()
        prices.loc[prices.index > date] *= 0.5
        dots = market.dots.copy()
        dots.loc[dots["meeting_date"] > date, "midpoint"] += 2.0
        series = {
            k: v.assign(
                value=np.where(v["known_from"] > date, v["value"] * 2, v["value"])
            )
            for k, v in market.series.items()
        }
        other = replace(market, prices=prices, dots=dots, series=series)
        a = evaluate(thesis, market, date).to_frame()
        b = evaluate(thesis, other, date).to_frame()
        pd.testing.assert_frame_equal(a, b)

    def test_full_history_does_not_leak(self, thesis, market, hist):
        from dataclasses import replace

        date = pd.Timestamp("2024-06-28")
        prices = market.prices.copy()
        prices.loc[prices.index > date] *= 1.5
        dots = market.dots.copy()
        dots.loc[dots["meeting_date"] > date, "midpoint"] += 1.0
        series = {
            k: v.assign(
                value=np.where(v["known_from"] > date, v["value"] * 2, v["value"])
            )
            for k, v in market.series.items()
        }
        other = history(
            thesis, replace(market, prices=prices, dots=dots, series=series)
        )
        pd.testing.assert_frame_equal(other.values.loc[:date], hist.values.loc[:date])
        pd.testing.assert_frame_equal(other.codes.loc[:date], hist.codes.loc[:date])
        # ...and the change is visible after the date, so the test can fail.
        assert (
            not other.values.loc[date:].iloc[1:].equals(hist.values.loc[date:].iloc[1:])
        )
