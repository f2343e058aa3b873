from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.risk import (
    factor_attribution,
    newey_west_lags,
    rolling_factor_exposures,
)


@pytest.fixture(scope="module")
def factors() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2018-01-01", periods=600, name="date")
    cols = ["Mkt-RF", "SMB", "HML", "RMW", "CMA", "Mom"]
    return pd.DataFrame(rng.normal(0, 0.008, (600, 6)), index=idx, columns=cols)


@pytest.fixture(scope="module")
def portfolio(factors) -> pd.Series:
    rng = np.random.default_rng(8)
    betas = np.array([0.9, 0.3, 0.6, -0.2, 0.1, -0.4])
    noise = rng.normal(0, 0.004, len(factors))
    noise[1:] += 0.4 * noise[:-1]  # autocorrelated residuals: HAC matters
    return pd.Series(0.0002 + factors.to_numpy() @ betas + noise, index=factors.index)


def _newey_west(X: np.ndarray, u: np.ndarray, lags: int) -> np.ndarray:
    # Textbook Newey-West (Bartlett weights 1 - l/(L+1)), no small-sample
    # correction, which is what statsmodels' cov_type="HAC" computes.
    n = len(u)
    xu = X * u[:, None]
    S = xu.T @ xu
    for lag in range(1, lags + 1):
        g = xu[lag:].T @ xu[: n - lag]
        S += (1 - lag / (lags + 1)) * (g + g.T)
    bread = np.linalg.inv(X.T @ X)
    return np.sqrt(np.diag(bread @ S @ bread))


class TestReference:
    def test_betas_match_plain_ols(self, portfolio, factors):
        res = factor_attribution(portfolio, factors)
        X = np.column_stack([np.ones(len(factors)), factors.to_numpy()])
        coef = np.linalg.lstsq(X, portfolio.to_numpy(), rcond=None)[0]
        np.testing.assert_allclose(
            res.table["coef"].to_numpy(), coef, rtol=1e-10, atol=1e-14
        )
        assert list(res.betas.index) == list(factors.columns)
        resid = portfolio.to_numpy() - X @ coef
        r2 = 1 - resid @ resid / ((portfolio - portfolio.mean()) ** 2).sum()
        np.testing.assert_allclose(res.r_squared, r2, rtol=1e-10)

    def test_hac_standard_errors_match_newey_west(self, portfolio, factors):
        res = factor_attribution(portfolio, factors, hac_lags=5)
        X = np.column_stack([np.ones(len(factors)), factors.to_numpy()])
        coef = np.linalg.lstsq(X, portfolio.to_numpy(), rcond=None)[0]
        se = _newey_west(X, portfolio.to_numpy() - X @ coef, 5)
        np.testing.assert_allclose(res.table["std_err"].to_numpy(), se, rtol=1e-10)
        np.testing.assert_allclose(
            res.table["t_value"].to_numpy(), coef / se, rtol=1e-9
        )

    def test_default_lags_rule(self):
        assert newey_west_lags(100) == 4
        assert newey_west_lags(600) == int(np.floor(4 * 6 ** (2 / 9)))

    def test_contributions(self, portfolio, factors):
        res = factor_attribution(portfolio, factors, periods_per_year=252)
        expected = res.betas * factors.mean() * 252
        np.testing.assert_allclose(
            res.table["contribution"].drop("alpha"), expected, rtol=1e-12
        )
        np.testing.assert_allclose(
            res.table.loc["alpha", "contribution"], res.alpha * 252, rtol=1e-12
        )

    def test_risk_free_and_weights(self, factors):
        rng = np.random.default_rng(1)
        assets = pd.DataFrame(
            rng.normal(0, 0.01, (600, 2)), index=factors.index, columns=["X", "Y"]
        )
        rf = pd.Series(0.0001, index=factors.index)
        res = factor_attribution(assets, factors, {"X": 0.7, "Y": 0.3}, risk_free=rf)
        y = 0.7 * assets["X"] + 0.3 * assets["Y"] - 0.0001
        X = np.column_stack([np.ones(600), factors.to_numpy()])
        coef = np.linalg.lstsq(X, y.to_numpy(), rcond=None)[0]
        np.testing.assert_allclose(
            res.table["coef"].to_numpy(), coef, rtol=1e-9, atol=1e-14
        )

    def test_rolling_matches_loop(self, portfolio, factors):
        roll = rolling_factor_exposures(portfolio, factors, window=120)
        assert roll.iloc[:119].isna().all().all()
        for t in (119, 300, 599):
            y = portfolio.iloc[t - 119 : t + 1].to_numpy()
            X = np.column_stack(
                [np.ones(120), factors.iloc[t - 119 : t + 1].to_numpy()]
            )
            coef = np.linalg.lstsq(X, y, rcond=None)[0]
            np.testing.assert_allclose(
                roll.iloc[t].to_numpy(), coef, rtol=1e-8, atol=1e-12
            )


class TestProperties:
    def test_recovers_known_betas(self, portfolio, factors):
        res = factor_attribution(portfolio, factors)
        truth = np.array([0.9, 0.3, 0.6, -0.2, 0.1, -0.4])
        np.testing.assert_allclose(res.betas.to_numpy(), truth, atol=0.08)

    def test_inner_join_and_nan_rows(self, portfolio, factors):
        holed = portfolio.copy()
        holed.iloc[[10, 20]] = np.nan
        res = factor_attribution(holed.iloc[5:], factors)
        assert res.n_observations == 600 - 5 - 2
        roll = rolling_factor_exposures(holed, factors, window=100)
        assert roll.iloc[[10, 20]].isna().all().all()

    def test_to_dict_is_json_serialisable(self, portfolio, factors):
        import json

        json.dumps(factor_attribution(portfolio, factors).to_dict())


class TestNoLookAhead:
    def test_as_of_and_window(self, portfolio, factors):
        t = factors.index[400]
        a = factor_attribution(portfolio, factors, as_of=t, window=250)
        b = factor_attribution(portfolio.loc[:t], factors.loc[:t], window=250)
        pd.testing.assert_frame_equal(a.table, b.table, rtol=1e-12)
        changed = portfolio.copy()
        changed.iloc[401:] = 1.0
        c = factor_attribution(changed, factors, as_of=t, window=250)
        pd.testing.assert_frame_equal(a.table, c.table, rtol=1e-12)
        assert a.end == t.date().isoformat()

    def test_rolling_prefix_invariance(self, portfolio, factors):
        full = rolling_factor_exposures(portfolio, factors, window=100)
        for t in (150, 420):
            prefix = rolling_factor_exposures(portfolio.iloc[:t], factors, window=100)
            pd.testing.assert_frame_equal(prefix, full.iloc[:t], rtol=1e-12)
            changed = portfolio.copy()
            changed.iloc[t:] = -1.0
            again = rolling_factor_exposures(changed, factors, window=100)
            pd.testing.assert_frame_equal(again.iloc[:t], full.iloc[:t], rtol=1e-12)


class TestErrors:
    def test_messages(self, portfolio, factors):
        with pytest.raises(TypeError, match="factors must be a DataFrame"):
            factor_attribution(portfolio, factors["SMB"])  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="complete observations"):
            factor_attribution(portfolio.iloc[:5], factors)
        with pytest.raises(ValueError, match="window must be an integer >= 3"):
            rolling_factor_exposures(portfolio, factors, window=2)
