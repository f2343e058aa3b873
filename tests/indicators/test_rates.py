from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.indicators import (
    dot_plot_medians,
    fed_funds_midpoint,
    rates_path,
    year_over_year,
)
from rotation.market import MarketData


@pytest.fixture(scope="module")
def path(market) -> pd.DataFrame:
    return rates_path(market)


class TestReference:
    def test_dot_medians_match_published_facts(self, market):
        medians = dot_plot_medians(market.dots)
        # PROVENANCE.md known facts (Fed SEP tables; FRED FEDTARMD rounds them)
        np.testing.assert_allclose(
            medians.loc["2026-06-17", ["2026", "2027", "2028"]].to_numpy(dtype=float),
            [3.75, 3.625, 3.375],
            atol=1e-12,
        )
        np.testing.assert_allclose(
            medians.loc["2026-03-18", ["2026", "2027", "2028"]].to_numpy(dtype=float),
            [3.375, 3.125, 3.125],
            atol=1e-12,
        )
        assert medians.columns[-1] == "longer_run"

    def test_dot_medians_vs_expanded_np_median(self, market):
        medians = dot_plot_medians(market.dots)
        dots = market.dots
        checked = 0
        for (meeting, horizon), group in dots.groupby(["meeting_date", "horizon"]):
            expanded = np.repeat(
                group["midpoint"].to_numpy(dtype=float),
                group["participants"].to_numpy(),
            )
            if expanded.size == 0:
                continue
            np.testing.assert_allclose(
                medians.loc[meeting, horizon], np.median(expanded), atol=1e-12
            )
            checked += 1
        assert checked > 100

    def test_fed_mid_known_facts(self, path):
        # PROVENANCE.md: DFEDTARU 5.50 from 2023-07-27 to 2024-09-18, 5.00 from
        # 2024-09-19, 3.75 from 2025-12-11 through 2026-08-21 (ranges are 25bp wide)
        mid = path["fed_mid"]
        np.testing.assert_allclose(
            mid.loc["2023-07-27":"2024-09-18"], 5.375, atol=1e-12
        )
        np.testing.assert_allclose(mid.loc["2024-09-19"], 4.875, atol=1e-12)
        np.testing.assert_allclose(
            mid.loc["2025-12-11":"2026-08-03"], 3.625, atol=1e-12
        )
        assert mid.loc["2025-12-10"] > 3.7

    def test_dots_by_date(self, path):
        np.testing.assert_allclose(path.loc["2026-06-16", "dots_current_year"], 3.375)
        np.testing.assert_allclose(path.loc["2026-06-17", "dots_current_year"], 3.75)
        np.testing.assert_allclose(path.loc["2026-07-01", "dots_terminal"], 3.375)
        np.testing.assert_allclose(path.loc["2026-05-01", "dots_terminal"], 3.125)
        np.testing.assert_allclose(path.loc["2026-07-01", "median_path_change"], 0.375)
        np.testing.assert_allclose(
            path.loc["2026-07-01", "fed_mid_minus_dots_current"], -0.125
        )
        np.testing.assert_allclose(
            path.loc["2026-07-01", "fed_mid_minus_terminal"], 0.25
        )
        # January 2026 uses the December 2025 SEP's 2026 median
        np.testing.assert_allclose(path.loc["2026-01-05", "dots_current_year"], 3.375)

    @pytest.mark.parametrize(
        ("column", "series_id"),
        [("cpi_yoy_gap", "CPIAUCSL"), ("core_pce_yoy_gap", "PCEPILFE")],
    )
    def test_inflation_gap_vs_calendar_loop(self, market, path, column, series_id):
        obs = market.series[series_id]
        values = obs["value"].astype(float)
        for date in pd.to_datetime(
            ["2008-09-15", "2020-04-30", "2022-06-30", "2026-07-31"]
        ):
            known = obs[obs["known_from"] <= date]
            latest = known.index.max()
            year_ago = latest - pd.DateOffset(years=1)
            expected = 100.0 * (values.loc[latest] / values.loc[year_ago] - 1.0) - 2.0
            np.testing.assert_allclose(path.loc[date, column], expected, rtol=1e-12)

    def test_dgs2_minus_mid_vs_direct(self, market, path):
        expected = market.known("DGS2").astype(float) - path["fed_mid"]
        np.testing.assert_allclose(
            path["dgs2_minus_mid"].to_numpy(), expected.to_numpy(), rtol=0, atol=1e-12
        )
        np.testing.assert_allclose(
            path.loc["2026-07-01", "dgs2_minus_mid"],
            float(market.known("DGS2").loc["2026-07-01"]) - 3.625,
            atol=1e-12,
        )

    def test_year_over_year_vs_loop(self, market):
        cpi = market.series["CPIAUCSL"]["value"].astype(float)
        x = cpi.to_numpy()
        expected = np.full(len(x), np.nan)
        for t in range(12, len(x)):
            expected[t] = 100.0 * (x[t] / x[t - 12] - 1.0)
        np.testing.assert_allclose(year_over_year(cpi).to_numpy(), expected, rtol=1e-12)


class TestProperties:
    @settings(deadline=None, max_examples=40)
    @given(
        counts=st.lists(st.integers(1, 6), min_size=1, max_size=8),
        seed=st.integers(0, 1000),
    )
    def test_median_of_expanded_dots(self, counts, seed):
        rng = np.random.default_rng(seed)
        mids = np.sort(
            rng.choice(np.arange(0.125, 6.0, 0.125), size=len(counts), replace=False)
        )
        dots = pd.DataFrame(
            {
                "meeting_date": "2025-12-10",
                "horizon": "2026",
                "midpoint": mids,
                "participants": counts,
            }
        )
        np.testing.assert_allclose(
            dot_plot_medians(dots).iloc[0, 0],
            np.median(np.repeat(mids, counts)),
            atol=1e-12,
        )

    def test_midpoint_is_between_bounds(self):
        up = pd.Series([5.5, 3.75])
        low = pd.Series([5.25, 3.5])
        mid = fed_funds_midpoint(up, low)
        assert ((mid > low) & (mid < up)).all()


class TestNoLookAhead:
    def test_truncated_market_prefix_invariance(self, market, path, lookahead):
        for cut in ["2008-12-16", "2022-03-16", "2026-03-18", "2026-06-16"]:
            lookahead.equal(rates_path(market.truncate(cut)), path.loc[:cut])

    def test_changes_after_t_do_not_leak(self, market, path, lookahead):
        cut = pd.Timestamp("2024-06-28")
        series = {}
        for key, frame in market.series.items():
            late = frame["known_from"] > cut
            changed = frame.copy()
            changed.loc[late, "value"] = changed.loc[late, "value"] * 1.5 + 0.7
            series[key] = changed
        dots = market.dots.copy()
        dots.loc[dots["meeting_date"] > cut, "midpoint"] = dots["midpoint"] + 1.0
        prices = market.prices.copy()
        prices.loc[prices.index > cut] = prices.loc[prices.index > cut] * 2.0
        altered = MarketData(prices=prices, series=series, dots=dots, info=market.info)
        out = rates_path(altered)
        lookahead.equal(out.loc[:cut], path.loc[:cut])
        assert not np.allclose(
            out.loc["2025":, "cpi_yoy_gap"].to_numpy(dtype=float),
            path.loc["2025":, "cpi_yoy_gap"].to_numpy(dtype=float),
        )

    def test_year_over_year_and_midpoint(self, market, lookahead):
        cpi = market.series["CPIAUCSL"]["value"].astype(float)
        cuts = [20, 300, len(cpi) - 1]
        lookahead.prefix(year_over_year, cpi, cuts)
        lookahead.perturb(year_over_year, cpi, cuts)
        bounds = pd.DataFrame(
            {"up": market.known("DFEDTARU"), "low": market.known("DFEDTARL")}
        ).loc["2009":]

        def midpoint(frame):
            return fed_funds_midpoint(frame["up"], frame["low"])

        cuts = [100, 2000, len(bounds) - 5]
        lookahead.prefix(midpoint, bounds, cuts)
        lookahead.perturb(midpoint, bounds, cuts)

    def test_dot_medians_of_past_meetings_never_change(self, market):
        dots = market.dots
        full = dot_plot_medians(dots)
        for cut in ["2020-12-16", "2024-09-18"]:
            early = dot_plot_medians(dots[dots["meeting_date"] <= cut])
            expected = full.loc[:cut, early.columns]
            pd.testing.assert_frame_equal(early, expected, check_exact=True)


class TestErrors:
    def test_missing_columns(self):
        with pytest.raises(
            ValueError, match=r"dots is missing column\(s\) \['participants'\]"
        ):
            dot_plot_medians(
                pd.DataFrame({"meeting_date": [], "horizon": [], "midpoint": []})
            )

    def test_market_type(self):
        with pytest.raises(TypeError, match="market must be a MarketData"):
            rates_path(pd.DataFrame())

    def test_yoy_periods(self):
        with pytest.raises(ValueError, match=r"periods must be >= 1"):
            year_over_year(pd.Series([1.0]), 0)
