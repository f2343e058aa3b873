from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from rotation.risk import (
    EWMACovariance,
    cornish_fisher_quantile,
    historical_var_cvar,
    portfolio_returns,
    value_at_risk,
    var_table,
)


def _direct_sort(x: np.ndarray, level: float) -> tuple[float, float]:
    # Independent reference: full sort, k-th worst, mean of the k worst.
    ordered = np.sort(x)
    k = max(1, int(round(len(x) * (1 - level), 9) + 0.999999999))
    return -ordered[k - 1], -ordered[:k].mean()


@dataclass(frozen=True)
class FakeBacktest:
    returns: pd.Series


class TestReference:
    @pytest.mark.parametrize("level", [0.9, 0.95, 0.975, 0.99, 0.999])
    @pytest.mark.parametrize("n", [100, 257, 1000, 2520])
    def test_historical_matches_direct_sort(self, level, n):
        x = np.random.default_rng(n).standard_t(3, n) * 0.01
        np.testing.assert_allclose(
            historical_var_cvar(x, level=level), _direct_sort(x, level), rtol=1e-12
        )

    def test_historical_matches_numpy_inverted_cdf(self):
        x = np.random.default_rng(1).normal(size=1234)
        var, _ = historical_var_cvar(x, level=0.97)
        expected = -np.quantile(x, 0.03, method="inverted_cdf")
        np.testing.assert_allclose(var, expected, rtol=1e-12)

    def test_hand_example(self):
        # 10 returns, 80 %: k = 2 worst -> VaR 0.04, CVaR mean(0.05, 0.04).
        x = [0.01, -0.05, 0.02, -0.04, 0.0, 0.03, -0.01, 0.015, -0.02, 0.005]
        var, cvar = historical_var_cvar(x, level=0.8)
        np.testing.assert_allclose([var, cvar], [0.04, 0.045], rtol=1e-12)

    def test_portfolio_weights(self, asset_returns, weights):
        w = pd.Series(weights)
        port = (asset_returns[w.index] * w).sum(axis=1).to_numpy()
        est = value_at_risk(asset_returns, weights, level=0.99)
        np.testing.assert_allclose(
            (est.var, est.cvar), _direct_sort(port, 0.99), rtol=1e-12
        )

    def test_historical_horizon_compounds_overlapping_windows(self):
        x = np.random.default_rng(2).normal(0.0005, 0.01, 300)
        h = 10
        paths = np.array([np.prod(1 + x[i : i + h]) - 1 for i in range(len(x) - h + 1)])
        est = value_at_risk(pd.Series(x), level=0.95, horizon=h)
        np.testing.assert_allclose(
            (est.var, est.cvar), _direct_sort(paths, 0.95), rtol=1e-10
        )

    @pytest.mark.parametrize("horizon", [1, 10])
    def test_normal_closed_form(self, horizon):
        x = np.random.default_rng(3).normal(0.001, 0.02, 500)
        mu, sigma = x.mean(), x.std(ddof=1)
        dist = stats.norm(loc=horizon * mu, scale=sigma * math.sqrt(horizon))
        var_ref = -dist.ppf(0.01)
        # CVaR as the tail mean of the normal, by numerical integration.
        cvar_ref = -integrate.quad(lambda q: dist.ppf(q), 0, 0.01)[0] / 0.01
        est = value_at_risk(pd.Series(x), level=0.99, horizon=horizon, method="normal")
        np.testing.assert_allclose(est.var, var_ref, rtol=1e-10)
        np.testing.assert_allclose(est.cvar, cvar_ref, rtol=1e-7)  # quad accuracy

    @pytest.mark.parametrize("horizon", [1, 10])
    def test_ewma_normal_vs_weighted_loop_and_estimator(self, horizon):
        x = np.random.default_rng(10).normal(0, 0.01, 300)
        lam = 0.5 ** (1 / 11.2)
        num = sum(lam ** (299 - t) * x[t] ** 2 for t in range(300))
        den = sum(lam ** (299 - t) for t in range(300))
        sigma = math.sqrt(num / den * horizon)
        z = stats.norm.ppf(0.01)
        est = value_at_risk(
            pd.Series(x), level=0.99, horizon=horizon, method="ewma_normal"
        )
        np.testing.assert_allclose(est.var, -sigma * z, rtol=1e-10)
        np.testing.assert_allclose(
            est.cvar, sigma * stats.norm.pdf(z) / 0.01, rtol=1e-10
        )
        # Same variance as the centred EWMA covariance estimator (1e-10).
        cov = EWMACovariance(half_life=11.2, assume_centered=True).fit(x[:, None])
        np.testing.assert_allclose(
            sigma**2 / horizon, cov.covariance_[0, 0], rtol=1e-10
        )

    def test_cornish_fisher_published_formula(self):
        # Expansion as in Favre & Galeano (2002), eq. for z_cf; z from scipy.
        z = stats.norm.ppf(0.01)
        s, k = -0.8, 3.0
        expected = (
            z
            + (z**2 - 1) * s / 6
            + (z**3 - 3 * z) * k / 24
            - (2 * z**3 - 5 * z) * s**2 / 36
        )
        got = cornish_fisher_quantile(0.01, skewness=s, excess_kurtosis=k)
        np.testing.assert_allclose(got, expected, rtol=1e-14)
        assert cornish_fisher_quantile(0.05, skewness=0, excess_kurtosis=0) == (
            pytest.approx(stats.norm.ppf(0.05), rel=1e-14)
        )

    def test_cornish_fisher_var_and_cvar(self):
        x = np.random.default_rng(4).standard_t(5, 2000) * 0.01 - 0.0002
        mean, std = x.mean(), x.std(ddof=1)
        s = stats.skew(x, bias=False)
        k = stats.kurtosis(x, bias=False)  # excess, bias-corrected like pandas
        est = value_at_risk(pd.Series(x), level=0.99, method="cornish_fisher")

        def z_cf(p):
            return cornish_fisher_quantile(p, skewness=s, excess_kurtosis=k)

        np.testing.assert_allclose(est.var, -(mean + std * z_cf(0.01)), rtol=1e-10)
        # The closed-form tail mean vs numerical integration of the expanded
        # quantile function: 1e-7 (quad accuracy near the singular end).
        tail = integrate.quad(z_cf, 0, 0.01, limit=200)[0] / 0.01
        np.testing.assert_allclose(est.cvar, -(mean + std * tail), rtol=1e-7)

    def test_bootstrap_monte_carlo_is_resampling_of_history(self):
        x = pd.Series(np.random.default_rng(5).normal(0, 0.01, 400))
        est = value_at_risk(
            x, method="monte_carlo_bootstrap", horizon=5, n_paths=20_000, seed=7
        )
        # Reproduce the draw independently with the same generator.
        rng = np.random.default_rng(7)
        idx = rng.integers(0, 400, size=(20_000, 5))
        paths = np.prod(1 + x.to_numpy()[idx], axis=1) - 1
        np.testing.assert_allclose(
            (est.var, est.cvar), _direct_sort(paths, 0.99), rtol=1e-10
        )

    def test_normal_monte_carlo_converges_to_closed_form(self):
        x = pd.Series(np.random.default_rng(6).normal(0, 0.01, 1000))
        mc = value_at_risk(x, method="monte_carlo_normal", n_paths=400_000, seed=1)
        exact = value_at_risk(x, method="normal")
        # Monte Carlo error of a 1 % quantile with 4e5 paths is ~0.5 %.
        np.testing.assert_allclose(mc.var, exact.var, rtol=0.02)
        np.testing.assert_allclose(mc.cvar, exact.cvar, rtol=0.02)

    def test_covariance_method_uses_w_sigma_w(self, asset_returns, weights):
        w = pd.Series(weights)
        cov = asset_returns[w.index].cov().to_numpy()
        sigma = math.sqrt(w.to_numpy() @ cov @ w.to_numpy())
        port = portfolio_returns(asset_returns, weights)
        expected = -(port.mean() + sigma * stats.norm.ppf(0.05))
        est = value_at_risk(asset_returns, weights, level=0.95, method="normal")
        np.testing.assert_allclose(est.var, expected, rtol=1e-10)
        lw = value_at_risk(
            asset_returns,
            weights,
            level=0.95,
            method="normal",
            covariance_method="ledoit_wolf",
        )
        assert lw.var != pytest.approx(est.var, rel=1e-12)
        # A zero weight on an asset with gaps must not matter.
        holed = asset_returns.assign(A5=np.nan)
        again = value_at_risk(
            holed,
            {**weights, "A5": 0.0},
            level=0.95,
            method="normal",
            covariance_method="ledoit_wolf",
        )
        assert again == lw


class TestProperties:
    @settings(deadline=None, max_examples=30)
    @given(
        seed=st.integers(0, 10_000),
        level=st.floats(0.8, 0.995),
        shift=st.floats(-0.01, 0.01),
        scale=st.floats(0.1, 10.0),
    )
    def test_translation_scale_and_ordering(self, seed, level, shift, scale):
        x = np.random.default_rng(seed).standard_t(4, 300) * 0.01
        base = historical_var_cvar(x, level=level)
        assert base[1] >= base[0] - 1e-15
        moved = historical_var_cvar(x + shift, level=level)
        np.testing.assert_allclose(moved, np.array(base) - shift, rtol=1e-9, atol=1e-12)
        scaled = historical_var_cvar(x * scale, level=level)
        np.testing.assert_allclose(
            scaled, np.array(base) * scale, rtol=1e-9, atol=1e-15
        )
        for method in ("normal", "cornish_fisher"):
            a = value_at_risk(pd.Series(x), level=level, method=method)
            b = value_at_risk(pd.Series(x + shift), level=level, method=method)
            np.testing.assert_allclose(b.var, a.var - shift, rtol=1e-9, atol=1e-12)
            assert a.cvar >= a.var - 1e-12

    def test_monotone_in_level(self):
        x = pd.Series(np.random.default_rng(8).standard_t(4, 1000) * 0.01)
        for method in ("historical", "normal", "cornish_fisher"):
            vars_ = [
                value_at_risk(x, level=lv, method=method).var
                for lv in (0.9, 0.95, 0.99)
            ]
            assert vars_ == sorted(vars_)

    def test_series_frame_and_backtest_result_agree(self, asset_returns, weights):
        port = portfolio_returns(asset_returns, weights)
        a = value_at_risk(asset_returns, weights, method="cornish_fisher")
        b = value_at_risk(port, method="cornish_fisher")
        c = value_at_risk(FakeBacktest(port), method="cornish_fisher")
        assert a == b == c

    def test_seeded_monte_carlo_is_reproducible(self):
        x = pd.Series(np.random.default_rng(9).normal(0, 0.01, 300))
        a = value_at_risk(x, method="monte_carlo_bootstrap", horizon=10, seed=3)
        b = value_at_risk(x, method="monte_carlo_bootstrap", horizon=10, seed=3)
        assert a == b

    def test_var_table_shape(self, asset_returns, weights):
        table = var_table(asset_returns, weights, n_paths=2000)
        assert len(table) == 4 * 2 * 2
        assert (table["cvar"] >= table["var"] - 1e-12).all()


class TestNoLookAhead:
    @pytest.mark.parametrize(
        "method",
        [
            "historical",
            "normal",
            "cornish_fisher",
            "monte_carlo_bootstrap",
            "ewma_normal",
        ],
    )
    def test_as_of_ignores_later_rows(self, asset_returns, weights, method):
        t = asset_returns.index[400]
        base = value_at_risk(
            asset_returns, weights, method=method, as_of=t, window=250, n_paths=5000
        )
        cut = value_at_risk(
            asset_returns.loc[:t], weights, method=method, window=250, n_paths=5000
        )
        assert base == cut
        changed = asset_returns.copy()
        changed.iloc[401:] = -0.2
        assert (
            value_at_risk(
                changed, weights, method=method, as_of=t, window=250, n_paths=5000
            )
            == base
        )
        assert base.end == t.date().isoformat()


class TestErrors:
    def test_messages(self, asset_returns, weights):
        x = pd.Series(np.random.default_rng(0).normal(size=50))
        with pytest.raises(ValueError, match="level must be a confidence level"):
            value_at_risk(x, level=99)
        with pytest.raises(ValueError, match="method must be one of"):
            value_at_risk(x, method="garch")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="horizon must be an integer >= 1"):
            value_at_risk(x, horizon=0)
        with pytest.raises(ValueError, match="weights is required"):
            value_at_risk(asset_returns)
        with pytest.raises(KeyError, match="not columns of returns"):
            value_at_risk(asset_returns, {"ZZZ": 1.0})
        with pytest.raises(ValueError, match="need at least 11 non-NaN returns"):
            value_at_risk(x.iloc[:8], horizon=10)
        with pytest.raises(ValueError, match="finite"):
            historical_var_cvar([0.1, np.nan])
        with pytest.raises(ValueError, match="half_life must be positive"):
            value_at_risk(x, method="ewma_normal", half_life=0)
        with pytest.raises(ValueError, match="weights must be None"):
            value_at_risk(x, {"a": 1.0})

    def test_nan_rows_are_dropped_and_counted(self):
        x = pd.Series(np.random.default_rng(0).normal(size=100))
        holed = x.copy()
        holed.iloc[[3, 50]] = np.nan
        est = value_at_risk(holed)
        assert est.n_observations == 98
        assert est == value_at_risk(x.drop(x.index[[3, 50]]))


class TestBacktestResultInput:
    def test_real_backtest_result_is_accepted(self, asset_returns):
        # The backtest engine's immutable result carries .returns: the risk
        # functions take it as is (duck-typed through HasReturns).
        from rotation.backtest import run_backtest
        from rotation.risk import var_backtest

        prices = (1 + asset_returns.iloc[:, :3]).cumprod() * 100
        result = run_backtest("equal_weight", prices, cost_bps=0.0)
        direct = value_at_risk(result.returns, level=0.95)
        assert value_at_risk(result, level=0.95) == direct
        assert var_backtest(result, window=250, level=0.95).kupiec.n_observations > 0
