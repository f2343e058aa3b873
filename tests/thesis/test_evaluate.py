from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from rotation.thesis import (
    ExpressionError,
    ThesisError,
    compare_claims,
    diff,
    evaluate,
    history,
    load_thesis,
)


@pytest.fixture(scope="module")
def thesis(small_thesis_text):
    return load_thesis(small_thesis_text)


@pytest.fixture(scope="module")
def hist(thesis, small_market):
    return history(thesis, small_market)


def _observed(prices: pd.DataFrame, *groups: list[str]) -> pd.DataFrame:
    mask = np.ones(len(prices), dtype=bool)
    for group in groups:
        mask &= prices[group].notna().any(axis=1).to_numpy()
    return prices.loc[mask]


def _equal_weight_index(prices: pd.DataFrame) -> pd.Series:
    returns = prices.pct_change(fill_method=None).mean(axis=1)
    return (1.0 + returns.fillna(0.0)).cumprod()


class TestReference:
    """Pillar values against plain pandas/numpy written here."""

    def test_relative_return(self, hist, small_market):
        p = _observed(small_market.prices, ["XLI", "XLB", "XLE"], ["XLK"])
        a = _equal_weight_index(p[["XLI", "XLB", "XLE"]])
        b = p["XLK"]
        expected = (a / a.shift(21)) / (b / b.shift(21)) - 1.0
        got = hist.values["tangible_leads"].reindex(p.index)
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-10)

    def test_carried_across_unpriced_rows(self, hist, small_market):
        values = hist.values["tangible_leads"]
        # Rows 100, 101 and 300 have no prices at all: the value is carried.
        assert values.iloc[100] == values.iloc[99]
        assert values.iloc[101] == values.iloc[99]
        assert values.iloc[300] == values.iloc[299]

    def test_average_correlation_vs_corrcoef_loop(self, hist, small_market):
        p = _observed(small_market.prices, ["NVDA", "MSFT", "GOOGL"])
        r = p[["NVDA", "MSFT", "GOOGL"]].pct_change(fill_method=None)
        got = hist.values["ai_corr"].reindex(p.index).to_numpy()
        for t in range(45, len(r), 37):
            window = r.iloc[t - 41 : t + 1]
            full = window.columns[window.notna().all()]
            if len(full) < 2:
                assert math.isnan(got[t])
                continue
            c = np.corrcoef(window[full].to_numpy().T)
            expected = c[np.triu_indices(len(full), 1)].mean()
            np.testing.assert_allclose(got[t], expected, rtol=1e-10, atol=1e-12)

    def test_fed_mid(self, hist, small_market):
        up = small_market.series["DFEDTARU"]["value"]
        low = small_market.series["DFEDTARL"]["value"]
        np.testing.assert_allclose(
            hist.values["fed_range"].to_numpy(), ((up + low) / 2).to_numpy(), rtol=0
        )

    def test_inflation_known_at_each_date(self, hist, small_market):
        cpi = small_market.series["CPIAUCSL"]
        got = hist.values["inflation"]
        for date in got.index[::53]:
            known = cpi[cpi["known_from"] <= date]
            if len(known) < 13:
                assert math.isnan(got[date])
                continue
            latest = known.index.max()
            year_ago = latest - pd.DateOffset(years=1)
            expected = (
                100 * (cpi.loc[latest, "value"] / cpi.loc[year_ago, "value"] - 1) - 2
            )
            np.testing.assert_allclose(got[date], expected, rtol=1e-12)

    def test_momentum_spread(self, hist, small_market):
        p = small_market.prices
        iwm = p["IWM"].dropna()
        spy = p["SPY"].dropna()
        expected = (iwm / iwm.shift(63) - 1) - (spy / spy.shift(63) - 1)
        got = hist.values["small"].reindex(expected.index)
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-10)

    def test_health_by_hand(self, hist):
        row = hist.codes.iloc[-1]
        weights = {
            "tangible_leads": 1,
            "ai_corr": 1,
            "fed_range": 1,
            "inflation": 1,
            "small": 1,
            "regime": 0.5,
            "valuation": 1,
            "tech_rebound": 1,
        }
        num = den = 0.0
        for key, w in weights.items():
            if row[key] < 0:
                continue
            den += w
            good = row[key] == 0 if key == "tech_rebound" else row[key] == 1
            num += w * good
        assert hist.health.iloc[-1] == pytest.approx(num / den, rel=1e-12)


class TestNoLookAhead:
    @pytest.mark.parametrize("t", [30, 150, 299, 450])
    def test_prefix_invariance(self, thesis, small_market, hist, t):
        cut = small_market.sessions[t]
        part = history(thesis, small_market.truncate(cut))
        pd.testing.assert_frame_equal(part.values, hist.values.iloc[: t + 1])
        pd.testing.assert_frame_equal(part.codes, hist.codes.iloc[: t + 1])
        pd.testing.assert_series_equal(part.health, hist.health.iloc[: t + 1])

    @pytest.mark.parametrize("t", [120, 400])
    def test_changing_the_future_changes_nothing_before(
        self, thesis, small_market, hist, t
    ):
        prices = small_market.prices.copy()
        prices.iloc[t + 1 :] = prices.iloc[t + 1 :] * 1.7
        series = dict(small_market.series)
        cut = small_market.sessions[t]
        future = series["CPIAUCSL"].copy()
        future.loc[future["known_from"] > cut, "value"] *= 3.0
        series["CPIAUCSL"] = future
        other = replace(small_market, prices=prices, series=series)
        again = history(thesis, other)
        pd.testing.assert_frame_equal(
            again.values.iloc[: t + 1], hist.values.iloc[: t + 1]
        )
        pd.testing.assert_frame_equal(
            again.codes.iloc[: t + 1], hist.codes.iloc[: t + 1]
        )

    @pytest.mark.parametrize("t", [60, 101, 250, 599])
    def test_history_equals_as_of(self, thesis, small_market, hist, t):
        date = small_market.sessions[t]
        ev = evaluate(thesis, small_market, date)
        assert ev.as_of == date
        for p in ev.pillars:
            np.testing.assert_allclose(p.value, hist.values[p.id].iloc[t], rtol=0)
            assert p.status == hist.status[p.id].iloc[t]
            if p.since is not None:
                assert p.since == hist.since[p.id].iloc[t]
        np.testing.assert_allclose(ev.health, hist.health.iloc[t], rtol=0)

    def test_as_of_between_sessions_uses_previous_session(self, thesis, small_market):
        saturday = pd.Timestamp("2019-06-08")
        ev = evaluate(thesis, small_market, saturday)
        assert ev.as_of == pd.Timestamp("2019-06-07")


class TestBehaviour:
    def test_regime_prob_missing_is_no_data_with_reason(self, thesis, small_market):
        ev = evaluate(thesis, small_market)
        p = ev.pillar("regime")
        assert p.status == "no_data"
        assert "regime_prob:rotation" in p.reason

    def test_regime_prob_supplied(self, thesis, small_market):
        prob = pd.Series(
            np.linspace(0, 1, len(small_market.sessions)), index=small_market.sessions
        )
        ev = evaluate(thesis, small_market, extra={"regime_prob:rotation": prob})
        p = ev.pillar("regime")
        assert p.value == pytest.approx(1.0)
        assert p.status == "holds"
        # as-of evaluation truncates the extra series too
        early = evaluate(
            thesis,
            small_market,
            small_market.sessions[10],
            extra={"regime_prob:rotation": prob},
        )
        assert early.pillar("regime").value == pytest.approx(prob.iloc[10])

    def test_no_data_pillar_reason_and_health_excludes_it(self, thesis, small_market):
        ev = evaluate(thesis, small_market)
        v = ev.pillar("valuation")
        assert v.status == "no_data" and v.reason == "needs forward P/E history"
        assert "valuation" in ev.to_frame().index
        assert v in ev.no_data

    def test_reason_names_missing_input(self, thesis, small_market):
        ev = evaluate(thesis, small_market, small_market.sessions[5])
        p = ev.pillar("tangible_leads")
        assert p.status == "no_data"
        assert "rel_return(tangible, tech, 21)" in p.reason

    def test_distance(self, thesis, small_market):
        ev = evaluate(thesis, small_market)
        p = ev.pillar("fed_range")
        assert p.value == pytest.approx(1.375)
        assert p.distance == pytest.approx(0.375)

    def test_diff_matches_history(self, thesis, small_market, hist):
        d1, d2 = small_market.sessions[200], small_market.sessions[-1]
        changes = diff(thesis, small_market, d1, d2)
        expected = {
            c
            for c in hist.codes.columns
            if hist.codes[c].iloc[200] != hist.codes[c].iloc[-1]
        }
        assert {f.id for f in changes.flips} == expected
        for f in changes.flips:
            assert f.value_after == hist.values[f.id].iloc[-1] or (
                math.isnan(f.value_after) and math.isnan(hist.values[f.id].iloc[-1])
            )
        assert "->" in changes.summary()

    def test_diff_reports_the_crossing_values(self, small_market):
        # The target range steps from 1.75-2.00 to 1.25-1.50 half-way.
        text = """
meta: {title: t}
pillars:
  - {id: fed_high, claim: c, expr: fed_mid, rule: "> 1.5"}
"""
        changes = diff(load_thesis(text), small_market, small_market.sessions[100])
        (flip,) = changes.flips
        assert (flip.id, flip.before, flip.after) == ("fed_high", "holds", "fails")
        assert flip.value_before == pytest.approx(1.875)
        assert flip.value_after == pytest.approx(1.375)
        assert flip.flipped_on == small_market.sessions[300]
        assert changes.health_before == 1.0 and changes.health_after == 0.0

    def test_compare_claims(self, thesis, small_market, hist):
        frame = compare_claims(thesis, small_market)
        pos = (
            small_market.sessions.searchsorted(pd.Timestamp("2021-06-01"), "right") - 1
        )
        np.testing.assert_allclose(
            frame.loc["tangible_leads", "measured_at_claim"],
            hist.values["tangible_leads"].iloc[pos],
            rtol=0,
        )
        assert frame.loc["tangible_leads", "claimed_value"] == 0.0
        assert frame.loc["valuation", "status_now"] == "no_data"

    def test_signal_and_summaries(self, hist, thesis, small_market):
        sig = hist.signal(0.5)
        assert sig.dtype == bool and len(sig) == len(hist.health)
        assert "health" in evaluate(thesis, small_market).summary()
        assert "sessions" in hist.summary()
        flips = hist.flips()
        assert set(flips.columns) == {"date", "id", "before", "after", "value"}

    def test_results_are_immutable(self, thesis, small_market):
        ev = evaluate(thesis, small_market)
        with pytest.raises(AttributeError):
            ev.health = 1.0  # type: ignore[misc]


class TestErrors:
    def test_unknown_symbol_lists_allowed(self, small_market):
        text = """
meta: {title: t}
baskets: {x: [XLI, NOPE]}
pillars:
  - {id: a, claim: c, expr: "momentum(x, 5)", rule: "> 0"}
"""
        with pytest.raises(ExpressionError, match="NOPE") as info:
            evaluate(load_thesis(text), small_market)
        assert "XLK" in info.value.allowed

    def test_unknown_series_lists_allowed(self, small_market):
        text = """
meta: {title: t}
pillars:
  - {id: a, claim: c, expr: "value(NOT_A_SERIES)", rule: "> 0"}
"""
        with pytest.raises(ExpressionError, match="unknown series") as info:
            evaluate(load_thesis(text), small_market)
        assert "CPIAUCSL" in info.value.allowed
        assert info.value.path == ("pillars", 0, "expr")

    def test_unknown_bare_name(self, small_market):
        text = """
meta: {title: t}
pillars:
  - {id: a, claim: c, expr: "os + 1", rule: "> 0"}
"""
        with pytest.raises(ExpressionError, match="unknown name 'os'") as info:
            evaluate(load_thesis(text), small_market)
        assert "fed_mid" in info.value.allowed

    def test_as_of_before_data(self, thesis, small_market):
        with pytest.raises(ThesisError, match="before the first session"):
            evaluate(thesis, small_market, "1990-01-01")

    def test_market_type(self, thesis):
        with pytest.raises(TypeError, match="MarketData"):
            evaluate(thesis, "market")  # type: ignore[arg-type]


class TestMissingInputs:
    def test_builtin_without_its_series_is_no_data(self, small_market):
        from dataclasses import replace

        series = {k: v for k, v in small_market.series.items() if k != "PCEPILFE"}
        market = replace(small_market, series=series)
        text = """
meta: {title: t}
pillars:
  - {id: gap, claim: c, expr: core_pce_yoy_gap, rule: "> 0"}
  - {id: mom, claim: c, expr: "momentum(SPY, 5)", rule: "> 0"}
"""
        ev = evaluate(load_thesis(text), market)
        gap = ev.pillar("gap")
        assert gap.status == "no_data"
        assert "PCEPILFE" in gap.reason
        assert ev.pillar("mom").status in ("holds", "fails")


def test_compare_claims_reuses_a_history(market):
    from rotation.thesis import compare_claims, history
    from rotation.thesis_files import load_thesis_file

    thesis = load_thesis_file()
    hist = history(thesis, market)
    pd.testing.assert_frame_equal(
        compare_claims(thesis, market, thesis_history=hist),
        compare_claims(thesis, market),
    )


def test_evaluate_with_history_is_one_pass_of_both(thesis, small_market, hist):
    from rotation.thesis import evaluate_with_history

    ev, one_pass = evaluate_with_history(thesis, small_market)
    assert repr(ev) == repr(evaluate(thesis, small_market))  # NaN != NaN in ==
    pd.testing.assert_series_equal(one_pass.health, hist.health)
    pd.testing.assert_frame_equal(one_pass.values, hist.values)
    pd.testing.assert_frame_equal(one_pass.codes, hist.codes)
