"""Indicator and macro parts of the Analysis: thesis-driven, stable, causal.

Reference values: /tmp/base_report_before/report.json, the report as of
2026-08-03 before the Analysis refactor, copied below (the code under test did
not produce them; the old code did, with its own wiring). Tolerances are the
rounding of that report (e.g. 0.005 for values it printed with 2 decimals).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rotation.analysis import Omitted, to_jsonable
from rotation.indicators import basket_average_correlation
from rotation.thesis import Thesis
from tests.conftest import make_analysis

INDICATOR_PARTS = ("rrg", "spreads", "correlation", "copper", "rates", "fed", "prices")
DEFAULT_BASKETS = {"tangible", "tech", "ai_large", "small", "large", "value_style"}


class TestReference:
    """The default thesis reproduces the pre-refactor report (2026-08-03)."""

    def test_correlation(self, analysis):
        entry = analysis.correlation.baskets[0]
        assert entry.basket == "ai_large" and entry.pillar == "ai_correlation_collapse"
        assert entry.date == pd.Timestamp("2026-08-03")
        np.testing.assert_allclose(entry.value, 0.290147, atol=5e-7)
        np.testing.assert_allclose(entry.dispersion, 0.084186, atol=5e-7)
        np.testing.assert_allclose(entry.past_year_high, 0.412987, atol=5e-7)
        np.testing.assert_allclose(entry.past_year_low, 0.210103, atol=5e-7)
        assert entry.past_year_high_date == pd.Timestamp("2026-04-15")
        assert entry.past_year_low_date == pd.Timestamp("2025-10-09")
        assert len(entry.avg_corr) == 524 and entry.members_with_data == 7
        # chart lines come from the pillar: rule "< 0.4", claimed 0.2
        assert entry.thresholds == (0.4,) and entry.claimed == pytest.approx(0.2)

    def test_spreads(self, analysis):
        expected = {  # rel 63d %, rel 252d %, ratio vs 2021-07-30 (2 decimals)
            "tangible_vs_tech": (-6.50, -6.10, 83.76),
            "small_vs_large": (0.93, 12.64, 77.20),
            "value_vs_growth": (9.99, 20.40, 98.93),
            "oil_vs_gas": (-9.17, 106.78, 1315.74),
            "copper_vs_gold": (24.17, 17.33, 65.93),
        }
        part = analysis.spreads
        assert part.start == pd.Timestamp("2021-07-30")
        got = {
            s.id: (
                100 * s.relative_return,
                100 * s.long_relative_return,
                s.ratio_vs_start,
            )
            for s in part.latest
        }
        assert list(got) == list(expected)
        np.testing.assert_allclose(
            np.array(list(got.values())), np.array(list(expected.values())), atol=0.005
        )
        assert {len(v) for v in part.relative_return.values()} == {263}
        tangible = part.latest[0]
        assert tangible.long_members == ("XLI", "XLB", "XLE")
        assert (tangible.long_members_priced, tangible.short_members_priced) == (3, 1)

    def test_rrg(self, analysis):
        part = analysis.rrg
        assert part.benchmark == "SPY" and len(part.members) == 11
        assert part.as_of == pd.Timestamp("2026-08-03") and len(part.tails) == 110
        xlk = part.current.set_index("symbol").loc["XLK"]
        assert xlk["quadrant"] == "weakening"
        assert xlk["since"] == pd.Timestamp("2026-05-29")
        np.testing.assert_allclose(
            [xlk["rs_ratio"], xlk["rs_momentum"], xlk["speed"]],
            [100.33, 99.46, 0.17],
            atol=0.005,
        )

    def test_copper(self, analysis):
        trend = analysis.copper.trend.set_index("series")
        expected = {  # mom_3m, mom_12m, ma_slope, dist_ma, drawdown_12m (percent)
            "HG=F": (-7.47, 7.40, 0.70, -3.71, -23.25),
            "CPER": (8.50, 43.21, 2.53, 10.20, -3.18),
            "COPX": (0.76, 89.36, 2.78, 3.52, -16.77),
            "PCOPPUSDM (IMF, monthly)": (1.02, 1.94, 0.92, 5.34, 0.0),
        }
        columns = ["mom_3m", "mom_12m", "ma_slope", "dist_ma", "drawdown_12m"]
        for series, values in expected.items():
            np.testing.assert_allclose(
                100 * trend.loc[series, columns].to_numpy(float), values, atol=0.005
            )
        assert analysis.copper.last_dates["HG=F"] == pd.Timestamp("2025-08-22")

    def test_rates_and_fed(self, analysis):
        latest = analysis.rates.latest
        np.testing.assert_allclose(
            [latest[k] for k in ("fed_mid", "dots_current_year", "dots_terminal")],
            [3.625, 3.75, 3.375],
            atol=1e-12,
        )
        np.testing.assert_allclose(latest["core_pce_yoy_gap"], 1.287, atol=5e-4)
        assert len(analysis.rates.levels["Fed funds midpoint"]) == 449
        # the thesis line comes from the pillars' claimed values, not a constant
        assert {c.pillar for c in analysis.rates.claimed} == {
            "terminal_rate_support",
            "fed_path_2026",
        }
        fed = analysis.fed
        assert (fed.fed_mid, fed.upper, fed.lower) == (3.625, 3.75, 3.5)
        assert fed.latest_sep == pd.Timestamp("2026-06-17")
        assert fed.latest_medians["2028"] == pytest.approx(3.375)

    def test_prices(self, analysis):
        part = analysis.prices
        universe = part.panels[0]
        assert universe.id == "universe" and universe.dashed == ("SPY",)
        np.testing.assert_allclose(universe.last["XLK"], 239.23, atol=0.005)
        np.testing.assert_allclose(universe.last["SPY"], 184.37, atol=0.005)
        pair = part.panels[1]
        assert pair.id == "tangible_vs_tech"
        np.testing.assert_allclose(
            [pair.last["tangible"], pair.last["tech"]], [200.37, 239.23], atol=0.005
        )


class TestOnePath:
    def test_pillar_value_is_the_correlation_part_value(self, analysis, market):
        from rotation.thesis._metrics import MetricEngine

        thesis = analysis.thesis
        engine = MetricEngine(market, thesis.baskets)
        for entry in analysis.correlation.baskets:
            pillar = thesis.pillar(entry.pillar)
            assert entry.is_pillar_value
            value = engine.values(pillar.tree)[-1]
            assert value == entry.value  # the same function: equal to the last bit

    def test_pillar_value_of_custom_thesis(self, custom_analyses, market):
        from rotation.thesis._metrics import MetricEngine

        for analysis in custom_analyses.values():
            engine = MetricEngine(market, analysis.thesis.baskets)
            for entry in analysis.correlation.baskets:
                pillar = analysis.thesis.pillar(entry.pillar)
                assert engine.values(pillar.tree)[-1] == entry.value

    def test_part_equals_core_function(self, analysis, market):
        entry = analysis.correlation.baskets[0]
        direct = basket_average_correlation(market.prices[list(entry.members)], 63)
        pd.testing.assert_series_equal(entry.daily, direct)


class TestCustomTheses:
    def test_own_baskets_only(self, custom_analyses):
        for name, analysis in custom_analyses.items():
            spreads = analysis.spreads
            baskets = {s.long for s in spreads.latest} | {
                s.short for s in spreads.latest
            }
            assert baskets <= set(analysis.thesis.baskets), name
            assert not baskets & DEFAULT_BASKETS
            corr = {e.basket for e in analysis.correlation.baskets}
            assert corr <= set(analysis.thesis.baskets) and not corr & DEFAULT_BASKETS

    def test_defensive_universe(self, custom_analyses):
        analysis = custom_analyses["defensive_late_cycle"]
        assert analysis.rrg.members == analysis.thesis.universe.members
        assert analysis.correlation.baskets[0].basket == "defensives"
        assert analysis.prices.panels[0].lines[-1] == "SPY"

    def test_semis_omits_rrg_and_macro(self, custom_analyses):
        analysis = custom_analyses["semis_capex"]
        for part in ("rrg", "copper", "rates", "fed"):
            result = getattr(analysis, part)
            assert isinstance(result, Omitted), part
            assert result.part == part and result.reason
        # the core spread is its one pair; the prices show its legs only
        assert [s.id for s in analysis.spreads.latest] == ["core"]
        assert [p.id for p in analysis.prices.panels] == ["core"]

    def test_no_default_names_in_json(self, custom_analyses):
        for analysis in custom_analyses.values():
            text = json.dumps(
                {p: to_jsonable(getattr(analysis, p)) for p in INDICATOR_PARTS}
            )
            for name in ("tangible", "ai_large", "XLK", "terminal_rate_support"):
                if name == "XLK" and analysis.thesis.universe is not None:
                    continue  # the defensive universe lists XLK itself
                assert name not in text

    def test_correlation_omitted_without_avg_corr(self, market, analysis):
        data = analysis.thesis.model_dump(mode="json")
        data["pillars"] = [
            p for p in data["pillars"] if "avg_corr" not in (p["expr"] or "")
        ]
        thesis = Thesis.model_validate(data)
        result = make_analysis(market, thesis).correlation
        assert isinstance(result, Omitted) and "avg_corr" in result.reason


CUT = pd.Timestamp("2022-06-30")


@pytest.fixture(scope="module")
def early(market):
    return make_analysis(market, as_of=CUT)


@pytest.fixture(scope="module")
def perturbed_market(market):
    """Prices after the cut scaled by noise: nothing up to the cut may move."""
    from dataclasses import replace

    rng = np.random.default_rng(3)
    prices = market.prices.copy()
    after = prices.index > CUT
    prices.loc[after] = prices.loc[after] * rng.uniform(
        0.7, 1.3, prices.loc[after].shape
    )
    return replace(market, prices=prices)


class TestPointInTime:
    def test_no_date_after_as_of(self, early):
        for part in INDICATOR_PARTS:
            text = json.dumps(to_jsonable(getattr(early, part)))
            assert "2022-07" not in text and "2023-" not in text and "2026-" not in text

    def test_truncated_equals_later_data_up_to_cut(self, early, perturbed_market):
        later = make_analysis(perturbed_market)
        for a, b in zip(
            early.correlation.baskets, later.correlation.baskets, strict=True
        ):
            pd.testing.assert_series_equal(a.daily, b.daily.loc[:CUT])
        assert (
            later.spreads.latest[0].relative_return
            != early.spreads.latest[0].relative_return
        )
        for pid, series in early.spreads.relative_return.items():
            other = later.spreads.relative_return[pid]
            # weekly points of the weeks finished before the cut are identical
            done = series.index[series.index < CUT - pd.Timedelta(days=7)]
            done = done.intersection(other.index)
            assert len(done) > 40  # the two charts share about a year of weeks
            np.testing.assert_allclose(series[done], other[done], rtol=0, atol=1e-12)

    def test_rrg_tails_unchanged_by_later_data(self, early, perturbed_market):
        later = make_analysis(perturbed_market, as_of=CUT + pd.Timedelta(weeks=5))
        both = early.rrg.tails.merge(
            later.rrg.tails, on=["symbol", "date"], suffixes=("", "_p")
        )
        assert len(both) >= 11 * 4  # the weeks both tails hold
        np.testing.assert_allclose(
            both["rs_ratio"], both["rs_ratio_p"], rtol=0, atol=1e-10
        )
        np.testing.assert_allclose(
            both["rs_momentum"], both["rs_momentum_p"], rtol=0, atol=1e-10
        )
        changed = later.rrg.current["rs_ratio"].to_numpy()
        assert not np.allclose(changed, early.rrg.current["rs_ratio"].to_numpy())
