from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.indicators import (
    basket_index,
    basket_returns,
    relative_return,
    simple_returns,
)

TANGIBLE = ["XLI", "XLB", "XLE"]


def _loop_returns(prices: np.ndarray) -> np.ndarray:
    out = np.full(prices.shape, np.nan)
    for t in range(1, prices.shape[0]):
        out[t] = prices[t] / prices[t - 1] - 1.0
    return out


def _loop_basket(returns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    out = np.full(returns.shape[0], np.nan)
    for t in range(returns.shape[0]):
        total, wsum = 0.0, 0.0
        for i in range(returns.shape[1]):
            if not np.isnan(returns[t, i]):
                total += weights[i] * returns[t, i]
                wsum += weights[i]
        if wsum > 0:
            out[t] = total / wsum
    return out


class TestReference:
    def test_simple_returns_vs_loop_on_real_prices(self, market):
        prices = market.prices[["SPY", "XLK", "HG=F", "CPER"]]
        # same formula, two implementations: rounding-level agreement
        np.testing.assert_allclose(
            simple_returns(prices).to_numpy(dtype=float),
            _loop_returns(prices.to_numpy(dtype=float)),
            rtol=1e-12,
            atol=0,
        )

    def test_known_fact_spy_adjusted_close(self, market):
        # PROVENANCE.md: SPY adjusted close 2023-12-29 = 461.39
        np.testing.assert_allclose(
            market.prices.loc["2023-12-29", "SPY"], 461.39, atol=0.01
        )

    def test_basket_returns_weighted_vs_loop(self, market):
        prices = market.prices[TANGIBLE + ["XLK"]].loc["1998-12":]
        returns = simple_returns(prices)
        weights = {"XLI": 0.5, "XLB": 0.2, "XLE": 0.3}
        expected = _loop_basket(
            returns[TANGIBLE].to_numpy(dtype=float), np.array([0.5, 0.2, 0.3])
        )
        np.testing.assert_allclose(
            basket_returns(returns, weights).to_numpy(dtype=float),
            expected,
            rtol=1e-12,
            atol=1e-15,
        )

    def test_basket_index_vs_loop(self, market):
        prices = market.prices[TANGIBLE].loc["1998-12":]
        rows = prices.dropna(how="all")
        rets = _loop_basket(_loop_returns(rows.to_numpy(dtype=float)), np.ones(3))
        level = [100.0]
        for r in rets[1:]:
            level.append(level[-1] * (1.0 + (0.0 if np.isnan(r) else r)))
        out = basket_index(prices)
        np.testing.assert_allclose(
            out.loc[rows.index].to_numpy(dtype=float), level, rtol=1e-10
        )
        assert out.loc[~prices.notna().any(axis=1)].isna().all()

    def test_relative_return_single_assets_vs_direct_arithmetic(self, market):
        both = market.prices[["IWM", "SPY"]].dropna()
        w = 63
        a, b = both["IWM"].to_numpy(dtype=float), both["SPY"].to_numpy(dtype=float)
        expected = np.full(len(both), np.nan)
        expected[w:] = (a[w:] / a[:-w]) / (b[w:] / b[:-w]) - 1.0
        out = relative_return(both["IWM"], both["SPY"], w)
        # index-level ratios vs raw price ratios: same maths, different rounding path
        np.testing.assert_allclose(
            out.to_numpy(dtype=float), expected, rtol=1e-10, atol=1e-12
        )

    def test_relative_return_baskets_compound_daily_returns(self, market):
        prices = market.prices[TANGIBLE + ["XLK"]].loc["1999":].dropna()
        w = 63
        basket = _loop_basket(
            _loop_returns(prices[TANGIBLE].to_numpy(dtype=float)), np.ones(3)
        )
        tech = _loop_returns(prices[["XLK"]].to_numpy(dtype=float))[:, 0]
        expected = np.full(len(prices), np.nan)
        for t in range(w, len(prices)):
            ga = np.prod(1.0 + basket[t - w + 1 : t + 1])
            gb = np.prod(1.0 + tech[t - w + 1 : t + 1])
            expected[t] = ga / gb - 1.0
        out = relative_return(prices[TANGIBLE], prices["XLK"], w)
        np.testing.assert_allclose(
            out.to_numpy(dtype=float), expected, rtol=1e-9, atol=1e-12
        )

    def test_hand_computed_basket(self):
        r = pd.DataFrame({"A": [0.10, np.nan, np.nan], "B": [0.00, 0.02, np.nan]})
        out = basket_returns(r, {"A": 1.0, "B": 3.0})
        np.testing.assert_allclose(
            out.to_numpy(dtype=float), [0.025, 0.02, np.nan], rtol=1e-15
        )


class TestProperties:
    @settings(deadline=None, max_examples=25)
    @given(scale=st.floats(0.01, 100.0), seed=st.integers(0, 1000))
    def test_weights_are_normalised(self, scale, seed, make_prices):
        returns = simple_returns(make_prices(60, 4, seed=seed))
        returns.iloc[5:9, 1] = np.nan
        w = {"S0": 1.0, "S1": 2.0, "S2": 3.0}
        scaled = {k: v * scale for k, v in w.items()}
        np.testing.assert_allclose(
            basket_returns(returns, w).to_numpy(dtype=float),
            basket_returns(returns, scaled).to_numpy(dtype=float),
            rtol=1e-12,
        )

    @settings(deadline=None, max_examples=25)
    @given(seed=st.integers(0, 1000))
    def test_identical_members_give_member_return(self, seed, make_prices):
        one = simple_returns(make_prices(50, 1, seed=seed))["S0"]
        frame = pd.DataFrame({"A": one, "B": one, "C": one})
        frame.iloc[10:20, 0] = np.nan
        out = basket_returns(frame, {"A": 0.7, "B": 0.2, "C": 0.1})
        np.testing.assert_allclose(
            out.to_numpy(dtype=float), one.to_numpy(dtype=float), rtol=1e-12
        )

    def test_series_and_frame_agree(self, make_prices):
        prices = make_prices(100, 3)
        np.testing.assert_allclose(
            simple_returns(prices["S1"]).to_numpy(dtype=float),
            simple_returns(prices)["S1"].to_numpy(dtype=float),
            rtol=0,
        )

    def test_skip_empty_rows_keeps_return_across_holiday(self):
        prices = pd.DataFrame({"A": [100.0, np.nan, 110.0], "B": [50.0, np.nan, 55.0]})
        out = simple_returns(prices, skip_empty_rows=True)
        assert out.iloc[1].isna().all()
        np.testing.assert_allclose(
            out.iloc[2].to_numpy(dtype=float), [0.1, 0.1], rtol=1e-12
        )
        assert simple_returns(prices).iloc[2].isna().all()

    def test_none_available_is_nan(self):
        r = pd.DataFrame({"A": [np.nan, 0.01], "B": [np.nan, 0.03]})
        out = basket_returns(r)
        assert np.isnan(out.iloc[0])
        np.testing.assert_allclose(out.iloc[1], 0.02, rtol=1e-12)


class TestNoLookAhead:
    @pytest.mark.parametrize(
        "fn",
        [
            lambda p: simple_returns(p),
            lambda p: simple_returns(p, skip_empty_rows=True),
            lambda p: basket_returns(
                simple_returns(p), {"XLI": 2.0, "XLB": 1.0, "XLE": 1.0}
            ),
            lambda p: basket_index(p),
            lambda p: relative_return(p[TANGIBLE], p["XLK"], 63),
            lambda p: relative_return(p["XLI"], p["XLK"], 21),
        ],
        ids=["returns", "returns_skip", "basket", "index", "rel_basket", "rel_single"],
    )
    def test_prefix_and_perturb(self, fn, market, lookahead):
        prices = market.prices[TANGIBLE + ["XLK"]].loc["2019":"2024"]
        cuts = [70, 400, 1000, len(prices) - 3]
        lookahead.prefix(fn, prices, cuts)
        lookahead.perturb(fn, prices, cuts)


class TestErrors:
    def test_unknown_weight_key(self):
        r = pd.DataFrame({"A": [0.1]})
        with pytest.raises(ValueError, match=r"weights names columns.*\['Z'\]"):
            basket_returns(r, {"Z": 1.0})

    def test_negative_weight(self):
        r = pd.DataFrame({"A": [0.1], "B": [0.2]})
        with pytest.raises(ValueError, match="weights must be finite and >= 0"):
            basket_returns(r, {"A": -1.0, "B": 2.0})

    def test_window_must_be_positive(self):
        s = pd.Series([1.0, 2.0])
        with pytest.raises(
            ValueError, match=r"window must be >= 1 observations \(got 0\)"
        ):
            relative_return(s, s, 0)

    def test_series_with_weights(self):
        s = pd.Series([1.0, 2.0])
        with pytest.raises(ValueError, match="weights_a must be None"):
            relative_return(s, s, 1, weights_a={"x": 1.0})

    def test_not_pandas(self):
        with pytest.raises(
            TypeError, match="prices must be a pandas Series or DataFrame"
        ):
            simple_returns(np.array([1.0, 2.0]))


class TestBasketRule:
    """One basket rule: renormalise over members present, NaN below min_members."""

    def test_member_count_and_min_members(self):
        nan = float("nan")
        r = pd.DataFrame(
            {"A": [0.01, nan, nan], "B": [0.03, 0.02, nan], "C": [nan, 0.04, nan]}
        )
        from rotation.indicators import basket_member_count

        assert basket_member_count(r).tolist() == [2, 2, 0]
        assert basket_member_count(r, {"A": 1.0, "B": 0.0}).tolist() == [1, 0, 0]
        # hand-computed: mean of the members present
        np.testing.assert_allclose(
            basket_returns(r).to_numpy(), [0.02, 0.03, nan], rtol=0, atol=1e-15
        )
        np.testing.assert_allclose(
            basket_returns(r, min_members=3).to_numpy(), [nan, nan, nan]
        )

    def test_spread_legs_use_the_basket_rule(self, market):
        from rotation.indicators import basket_returns as rule
        from rotation.regimes import basket_spread_returns

        prices = market.prices
        spread = basket_spread_returns(prices, ("XLI", "XLB", "XLE"), ("XLK",))
        # slow reference: rows where all four trade, plain means of returns
        rows = prices[["XLI", "XLB", "XLE", "XLK"]].dropna()
        rets = rows / rows.shift(1) - 1.0
        expected = rets[["XLI", "XLB", "XLE"]].mean(axis=1) - rets["XLK"]
        np.testing.assert_allclose(
            spread.to_numpy(), expected.iloc[1:].to_numpy(), rtol=1e-12
        )
        weighted = basket_spread_returns(
            prices, ("XLI", "XLB"), ("XLK",), long_weights={"XLI": 3.0, "XLB": 1.0}
        )
        legs = prices[["XLI", "XLB", "XLK"]].dropna()
        r = legs / legs.shift(1) - 1.0
        manual = 0.75 * r["XLI"] + 0.25 * r["XLB"] - r["XLK"]
        np.testing.assert_allclose(
            weighted.to_numpy(), manual.iloc[1:].to_numpy(), rtol=1e-12
        )
        assert rule is basket_returns
