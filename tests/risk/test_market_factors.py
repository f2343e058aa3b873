"""Factor series built from the bundled real data (the session ``market`` fixture)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.risk import (
    MARKET_FACTORS,
    HistoricalPeriod,
    Scenario,
    apply_scenario,
    equity_sessions,
    estimate_exposure,
    factor_attribution,
    fama_french_factors,
    historical_replay,
    portfolio_returns,
    scenario_factors,
    session_returns,
)


@pytest.fixture(scope="module")
def sessions(market) -> pd.DatetimeIndex:
    return equity_sessions(market)


#: Example baskets a thesis could name in its scenarios (members as a
#: sequence: equal weights; as a mapping: weights).
BASKETS = {
    "tangible": ("XLI", "XLB", "XLE"),
    "tech": ["XLK"],
    "tilted": {"XLI": 2.0, "XLE": 1.0},
}
#: A tangible-long / tech-short book, as a thesis's ``book:`` would give it.
BOOK = {"XLI": 1 / 3, "XLB": 1 / 3, "XLE": 1 / 3, "XLK": -1.0}


@pytest.fixture(scope="module")
def factors(market, sessions) -> pd.DataFrame:
    return scenario_factors(market, sessions=sessions, baskets=BASKETS)


@pytest.fixture(scope="module")
def etf_returns(market, sessions) -> pd.DataFrame:
    return session_returns(market.prices[["XLK", "XLI", "XLB", "XLE", "SPY"]], sessions)


class TestReference:
    def test_fama_french_are_fractions(self, market):
        # PROVENANCE known fact: Mkt-RF on 1987-10-19 was -17.44 percent.
        ff = fama_french_factors(market)
        np.testing.assert_allclose(ff.loc["1987-10-19", "Mkt-RF"], -0.1744, rtol=1e-9)
        assert list(ff.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA", "Mom"]

    def test_thanksgiving_is_not_a_session_and_returns_bridge(
        self, market, etf_returns
    ):
        assert pd.Timestamp("2023-11-23") not in equity_sessions(market)
        xlk = market.prices["XLK"].astype(float)
        expected = xlk.loc["2023-11-24"] / xlk.loc["2023-11-22"] - 1
        np.testing.assert_allclose(
            etf_returns.loc["2023-11-24", "XLK"], expected, rtol=1e-12
        )

    def test_factor_definitions(self, market, factors):
        px = market.prices.astype(float)
        # Copper: HG=F before 2015-03-02, CPER after (documented splice).
        for day, symbol in (("2012-06-05", "HG=F"), ("2019-06-05", "CPER")):
            series = px[symbol].dropna()
            pos = series.index.get_loc(pd.Timestamp(day))
            expected = series.iloc[pos] / series.iloc[pos - 1] - 1
            np.testing.assert_allclose(factors.loc[day, "copper"], expected, rtol=1e-12)
        day = pd.Timestamp("2024-03-14")
        prev = factors.index[factors.index.get_loc(day) - 1]
        r = px.loc[day] / px.loc[prev] - 1
        tangible = r[["XLI", "XLB", "XLE"]].mean()
        np.testing.assert_allclose(factors.loc[day, "tangible"], tangible, rtol=1e-12)
        np.testing.assert_allclose(factors.loc[day, "tech"], r["XLK"], rtol=1e-12)
        tilted = (2 * r["XLI"] + r["XLE"]) / 3
        np.testing.assert_allclose(factors.loc[day, "tilted"], tilted, rtol=1e-12)
        known = market.known("DGS2", factors.index)
        np.testing.assert_allclose(
            factors.loc[day, "DGS2"],
            100 * (known.loc[day] - known.loc[prev]),
            rtol=1e-12,
        )
        short = market.known("DGS3MO", factors.index)
        slope_change = (known.loc[day] - short.loc[day]) - (
            known.loc[prev] - short.loc[prev]
        )
        np.testing.assert_allclose(
            factors.loc[day, "fed_path"], 100 * slope_change, rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(factors.loc[day, "natgas"], r["UNG"], rtol=1e-12)
        np.testing.assert_allclose(factors.loc[day, "equity"], r["SPY"], rtol=1e-12)
        np.testing.assert_allclose(factors.loc[day, "oil"], r["USO"], rtol=1e-12)

    def test_one_asset_real_scenario_is_shock_times_beta(self, etf_returns, factors):
        # XLE alone, copper alone: beta from numpy polyfit on weekly sums.
        data = pd.concat([etf_returns["XLE"], factors["copper"]], axis=1).dropna()
        data = data.loc[:"2026-08-03"].iloc[-756:]
        n = len(data) - len(data) % 5
        blocks = data.iloc[len(data) - n :].to_numpy().reshape(-1, 5, 2).sum(axis=1)
        beta = np.polyfit(blocks[:, 1], blocks[:, 0], 1)[0]
        exposure = estimate_exposure(
            etf_returns["XLE"], factors, ["copper"], window=756
        )
        res = apply_scenario(Scenario("cu", "", {"copper": -0.2}), exposure)
        np.testing.assert_allclose(res.pnl, -0.2 * beta, rtol=1e-9)
        assert beta > 0  # energy equities move with copper

    def test_replay_of_spy_matches_price_ratio(self, market, etf_returns):
        # Compounded daily returns equal the adjusted-price ratio: peak close
        # 2020-02-19 to trough close 2020-03-23 (about -34 %).
        out = historical_replay(
            etf_returns,
            {"SPY": 1.0},
            [HistoricalPeriod("c", "", "2020-02-19", "2020-03-23")],
        )
        spy = market.prices["SPY"].astype(float)
        expected = spy.loc["2020-03-23"] / spy.loc["2020-02-19"] - 1
        np.testing.assert_allclose(out.iloc[0]["total_return"], expected, rtol=1e-10)
        assert -0.36 < expected < -0.32


class TestProperties:
    def test_xlk_market_beta_and_rotation_value_tilt(self, market, etf_returns):
        ff = fama_french_factors(market)
        rf = market.series["FF_RF"]["value"].astype(float)
        xlk = factor_attribution(
            etf_returns["XLK"],
            ff[["Mkt-RF", "SMB", "HML"]],
            risk_free=rf,
            as_of="2024-12-31",
            window=2520,
        )
        # Large-cap tech has a market beta a little above one.
        assert 1.0 < xlk.betas["Mkt-RF"] < 1.4
        book = portfolio_returns(etf_returns, BOOK)
        res = factor_attribution(book, ff, as_of="2024-12-31", window=2520)
        # Tangible long / tech short is a value bet: positive HML loading.
        assert res.betas["HML"] > 0.3

    def test_factor_frame_is_on_sessions(self, factors, sessions):
        assert factors.index.equals(sessions)
        assert list(factors.columns) == [*MARKET_FACTORS, *BASKETS]
        assert (
            factors.loc["2005":, ["DGS2", "DGS10", "tech", "tangible"]]
            .notna()
            .all()
            .all()
        )


class TestNoLookAhead:
    def test_truncated_market_gives_same_factors(self, market, factors):
        cut = pd.Timestamp("2021-06-30")
        early = scenario_factors(market.truncate(cut), baskets=BASKETS)
        pd.testing.assert_frame_equal(
            early, factors.loc[:cut], rtol=1e-12, check_freq=False
        )


class TestBaskets:
    def test_no_baskets_gives_the_market_factors_only(self, market):
        frame = scenario_factors(market.truncate("2010-12-31"))
        assert list(frame.columns) == list(MARKET_FACTORS)

    def test_members_listing_later_renormalise(self, market, sessions):
        # GEV lists in 2024: before, the basket is the other member alone.
        frame = scenario_factors(
            market, sessions=sessions, baskets={"gear": ("ETN", "GEV")}
        )
        r = session_returns(market.prices[["ETN", "GEV"]], sessions)
        np.testing.assert_allclose(
            frame.loc["2022-06-01", "gear"], r.loc["2022-06-01", "ETN"], rtol=1e-12
        )
        np.testing.assert_allclose(
            frame.loc["2025-06-02", "gear"],
            r.loc["2025-06-02"].mean(),
            rtol=1e-12,
        )

    def test_basket_without_prices_is_nan(self, market):
        frame = scenario_factors(
            market.truncate("2010-12-31"), baskets={"ghost": ("NOPE",)}
        )
        assert frame["ghost"].isna().all()


class TestErrors:
    def test_basket_named_like_a_market_factor(self, market):
        with pytest.raises(ValueError, match=r"\['copper'\] clash with market"):
            scenario_factors(market, baskets={"copper": ("CPER",)})

    def test_basket_without_members(self, market):
        with pytest.raises(ValueError, match="must list its members"):
            scenario_factors(market, baskets={"empty": ()})
