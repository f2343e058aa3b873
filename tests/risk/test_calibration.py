from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rotation.risk import (
    christoffersen_test,
    historical_var_cvar,
    kupiec_test,
    rolling_value_at_risk,
    value_at_risk,
    var_backtest,
)


def _kupiec_published(n: int, x: int, p: float) -> float:
    # Kupiec (1995), eq. for LR_POF, written out with plain logs:
    # -2 ln[(1-p)^(n-x) p^x] + 2 ln[(1-x/n)^(n-x) (x/n)^x].
    def xlog(a: float, b: float) -> float:
        return 0.0 if a == 0 else a * math.log(b)

    return -2 * (xlog(n - x, 1 - p) + xlog(x, p)) + 2 * (
        xlog(n - x, 1 - x / n) + xlog(x, x / n)
    )


class TestReference:
    @pytest.mark.parametrize(
        ("n", "x", "p"),
        [
            (250, 5, 0.01),
            (250, 0, 0.01),
            (1000, 17, 0.01),
            (500, 40, 0.05),
            (100, 100, 0.01),
            (255, 2, 0.01),
        ],
    )
    def test_kupiec_matches_published_formula(self, n, x, p):
        hits = np.zeros(n, dtype=bool)
        hits[:x] = True
        res = kupiec_test(hits, level=1 - p)
        lr = _kupiec_published(n, x, p)
        np.testing.assert_allclose(res.lr_statistic, lr, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res.p_value, stats.chi2.sf(lr, 1), rtol=1e-10)
        assert res.n_exceedances == x and res.n_observations == n

    @pytest.mark.parametrize(
        ("n", "low", "high"),
        # Non-rejection regions of the POF test at 95 % test confidence for a
        # 99 % VaR: Jorion, "Value at Risk" (3rd ed.), Table 6-3, after Kupiec
        # (1995): T=510 -> 1 < N < 11, T=1000 -> 4 < N < 17.
        [(510, 1, 11), (1000, 4, 17)],
    )
    def test_kupiec_non_rejection_region_published(self, n, low, high):
        for x in range(0, high + 3):
            hits = np.zeros(n, dtype=bool)
            hits[:x] = True
            inside = low < x < high
            assert kupiec_test(hits, level=0.99).rejected(0.05) is (not inside), x

    def test_rolling_matches_value_at_risk_on_each_window(self):
        r = pd.Series(
            np.random.default_rng(0).standard_t(4, 260) * 0.01,
            index=pd.bdate_range("2020-01-01", periods=260),
        )
        for method in ("historical", "normal", "cornish_fisher", "ewma_normal"):
            roll = rolling_value_at_risk(r, window=100, level=0.95, method=method)
            assert roll.iloc[:99].isna().all().all()
            for t in (99, 150, 259):
                est = value_at_risk(r.iloc[t - 99 : t + 1], level=0.95, method=method)
                np.testing.assert_allclose(
                    roll.iloc[t].to_numpy(), [est.var, est.cvar], rtol=1e-10
                )

    def test_backtest_exceedances_use_previous_forecast(self):
        r = pd.Series(
            np.random.default_rng(1).normal(0, 0.01, 400),
            index=pd.bdate_range("2020-01-01", periods=400),
        )
        bt = var_backtest(r, window=250, level=0.95)
        assert len(bt.frame) == 150
        for day in (0, 77, 149):
            pos = 250 + day
            forecast, _ = historical_var_cvar(r.iloc[pos - 250 : pos], level=0.95)
            row = bt.frame.iloc[day]
            assert row.name == r.index[pos]
            np.testing.assert_allclose(row["var"], forecast, rtol=1e-12)
            assert row["exceedance"] == (-r.iloc[pos] > forecast)
        assert bt.kupiec.n_exceedances == int(bt.frame["exceedance"].sum())


class TestChristoffersen:
    @staticmethod
    def _reference(hits: list[bool], p: float) -> tuple[float, float]:
        # Christoffersen (1998), eqs. for LR_ind and LR_cc, with a plain loop
        # over consecutive days and 0 ln 0 = 0.
        n = {(0, 0): 0, (0, 1): 0, (1, 0): 0, (1, 1): 0}
        for a, b in zip(hits[:-1], hits[1:], strict=True):
            n[(int(a), int(b))] += 1

        def xlog(a: float, b: float) -> float:
            return 0.0 if a == 0 else a * math.log(b)

        n00, n01, n10, n11 = n[(0, 0)], n[(0, 1)], n[(1, 0)], n[(1, 1)]
        pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
        pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
        pi = (n01 + n11) / (n00 + n01 + n10 + n11)
        lr_ind = -2 * (xlog(n00 + n10, 1 - pi) + xlog(n01 + n11, pi)) + 2 * (
            xlog(n00, 1 - pi01)
            + xlog(n01, pi01)
            + xlog(n10, 1 - pi11)
            + xlog(n11, pi11)
        )
        x = sum(hits)
        return lr_ind, lr_ind + _kupiec_published(len(hits), x, p)

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_matches_published_formula(self, seed):
        rng = np.random.default_rng(seed)
        hits = list(rng.random(700) < 0.03)
        hits[100:104] = [True] * 4  # a cluster
        res = christoffersen_test(np.array(hits), level=0.99)
        lr_ind, lr_cc = self._reference(hits, 0.01)
        np.testing.assert_allclose(res.lr_independence, lr_ind, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res.lr_conditional_coverage, lr_cc, rtol=1e-10)
        np.testing.assert_allclose(
            res.p_value_conditional_coverage, stats.chi2.sf(lr_cc, 2), rtol=1e-10
        )
        assert sum(res.transitions) == 699

    def test_clustered_exceedances_reject_independence(self):
        hits = np.zeros(1000, dtype=bool)
        hits[500:510] = True  # ten in a row: the right count, all at once
        res = christoffersen_test(hits, level=0.99)
        assert not kupiec_test(hits, level=0.99).rejected()
        assert res.p_value_independence < 0.01
        spread = np.zeros(1000, dtype=bool)
        spread[::100] = True
        assert christoffersen_test(spread, level=0.99).p_value_independence > 0.05

    def test_backtest_summary_has_both(self):
        r = pd.Series(
            np.random.default_rng(5).normal(0, 0.01, 700),
            index=pd.bdate_range("2020-01-01", periods=700),
        )
        summary = var_backtest(r, window=250).summary()
        assert {
            "p_value",
            "p_value_independence",
            "p_value_conditional_coverage",
        } <= set(summary)


class TestProperties:
    @settings(deadline=None, max_examples=30)
    @given(n=st.integers(10, 3000), frac=st.floats(0, 1), level=st.floats(0.9, 0.999))
    def test_lr_non_negative_and_zero_at_expected_rate(self, n, frac, level):
        x = int(round(frac * n))
        hits = np.zeros(n, dtype=bool)
        hits[:x] = True
        res = kupiec_test(hits, level=level)
        assert res.lr_statistic >= 0 and 0 <= res.p_value <= 1
        assert (
            kupiec_test(np.random.default_rng(0).permutation(hits), level=level) == res
        )

    def test_calibrated_model_not_rejected_on_iid_normal(self):
        r = pd.Series(
            np.random.default_rng(11).normal(0, 0.01, 3000),
            index=pd.bdate_range("2010-01-01", periods=3000),
        )
        assert not var_backtest(r, window=500, method="normal").kupiec.rejected()

    def test_ewma_reacts_to_volatility_clustering(self):
        # Volatility regimes: calm, a storm, calm. A 500-day equal-weight VaR
        # misses the storm's onset in bunches; the EWMA VaR adapts.
        rng = np.random.default_rng(13)
        scale = np.r_[np.full(1500, 0.005), np.full(300, 0.03), np.full(1200, 0.005)]
        r = pd.Series(
            rng.normal(0, 1, 3000) * scale,
            index=pd.bdate_range("2010-01-01", periods=3000),
        )
        flat = var_backtest(r, window=500, level=0.99, method="normal")
        ewma = var_backtest(r, window=500, level=0.99, method="ewma_normal")
        assert flat.christoffersen.p_value_independence < 0.01
        assert ewma.kupiec.n_exceedances < flat.kupiec.n_exceedances

    def test_normal_var_rejected_on_fat_tails(self):
        r = pd.Series(
            np.random.default_rng(12).standard_t(2.5, 6000) * 0.01,
            index=pd.bdate_range("2000-01-01", periods=6000),
        )
        # Student-t(2.5) tails are far heavier than the normal's: too many
        # 99 % exceedances, which the test must catch.
        assert var_backtest(
            r, window=500, level=0.99, method="normal"
        ).kupiec.rejected()


class TestNoLookAhead:
    @pytest.mark.parametrize(
        "method", ["historical", "normal", "cornish_fisher", "ewma_normal"]
    )
    def test_prefix_invariance_and_future_changes(self, method):
        r = pd.Series(
            np.random.default_rng(2).standard_t(4, 400) * 0.01,
            index=pd.bdate_range("2020-01-01", periods=400),
        )
        full = rolling_value_at_risk(r, window=120, method=method)
        for t in (150, 300):
            prefix = rolling_value_at_risk(r.iloc[:t], window=120, method=method)
            pd.testing.assert_frame_equal(prefix, full.iloc[:t], rtol=1e-12)
            changed = r.copy()
            changed.iloc[t:] = 0.5
            again = rolling_value_at_risk(changed, window=120, method=method)
            pd.testing.assert_frame_equal(again.iloc[:t], full.iloc[:t], rtol=1e-12)

    def test_nan_rows_are_skipped_not_windowed(self):
        r = pd.Series(
            np.random.default_rng(3).normal(0, 0.01, 300),
            index=pd.bdate_range("2020-01-01", periods=300),
        )
        holed = r.copy()
        holed.iloc[200] = np.nan
        roll = rolling_value_at_risk(holed, window=50)
        assert np.isnan(roll["var"].iloc[200])
        dense = rolling_value_at_risk(r.drop(r.index[200]), window=50)
        pd.testing.assert_frame_equal(roll.drop(r.index[200]), dense, rtol=1e-12)


class TestErrors:
    def test_messages(self):
        with pytest.raises(TypeError, match="exceedances must be boolean"):
            kupiec_test([0, 1, 0])
        with pytest.raises(ValueError, match="empty"):
            kupiec_test(np.array([], dtype=bool))
        with pytest.raises(ValueError, match="level must be"):
            kupiec_test(np.array([True]), level=1.0)
        with pytest.raises(ValueError, match="at least 2 days"):
            christoffersen_test(np.array([True]))
        r = pd.Series(np.zeros(30), index=pd.bdate_range("2020-01-01", periods=30))
        with pytest.raises(ValueError, match="no day has both a forecast"):
            var_backtest(r, window=100)
        with pytest.raises(ValueError, match="rolling VaR"):
            rolling_value_at_risk(r, window=10, method="monte_carlo_bootstrap")  # type: ignore[arg-type]
