from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from rotation.risk import (
    FACTOR_UNITS,
    MARKET_FACTORS,
    Scenario,
    apply_scenario,
    estimate_exposure,
    run_scenarios,
    shock_unit,
)


@pytest.fixture(scope="module")
def factor_changes() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    idx = pd.bdate_range("2019-01-01", periods=900, name="date")
    return pd.DataFrame(
        {
            "DGS2": rng.normal(0, 5, 900),  # bp
            "copper": rng.normal(0, 0.015, 900),
            "ai_infra": rng.normal(0, 0.02, 900),
        },
        index=idx,
    )


@pytest.fixture(scope="module")
def asset(factor_changes) -> pd.Series:
    rng = np.random.default_rng(22)
    beta_rate, beta_cu = -0.0008, 0.4
    r = (
        beta_rate * factor_changes["DGS2"]
        + beta_cu * factor_changes["copper"]
        + rng.normal(0, 0.006, 900)
    )
    return r.rename("ASSET")


def _weekly_sums(frame: pd.DataFrame, period: int) -> pd.DataFrame:
    # Reference blocks computed with a loop, newest block ending on the last row.
    rows, index = [], []
    end = len(frame)
    while end - period >= 0:
        rows.append(frame.iloc[end - period : end].sum().to_numpy())
        index.append(frame.index[end - 1])
        end -= period
    return pd.DataFrame(rows[::-1], index=index[::-1], columns=frame.columns)


class TestReference:
    def test_one_asset_scenario_is_shock_times_beta(self, asset, factor_changes):
        # The "must show": one asset, one factor -> P&L = shock x beta,
        # with beta from an independent fit (numpy polyfit on weekly sums).
        assets = asset.to_frame()
        exposure = estimate_exposure(
            assets,
            factor_changes,
            ["DGS2"],
            {"ASSET": 1.0},
            window=600,
            sampling_period=5,
        )
        data = pd.concat([asset, factor_changes["DGS2"]], axis=1).iloc[-600:]
        blocks = _weekly_sums(data, 5)
        beta = np.polyfit(blocks["DGS2"], blocks["ASSET"], 1)[0]
        np.testing.assert_allclose(exposure.betas["DGS2"], beta, rtol=1e-9)
        result = apply_scenario(Scenario("up", "2y +75bp", {"DGS2": 75.0}), exposure)
        np.testing.assert_allclose(result.pnl, 75.0 * beta, rtol=1e-9)
        assert exposure.n_observations == 120

    def test_daily_sampling_and_multi_factor(self, asset, factor_changes):
        exposure = estimate_exposure(
            asset, factor_changes, ["DGS2", "copper"], window=900, sampling_period=1
        )
        X = np.column_stack([np.ones(900), factor_changes[["DGS2", "copper"]]])
        coef = np.linalg.lstsq(X, asset.to_numpy(), rcond=None)[0]
        np.testing.assert_allclose(exposure.betas.to_numpy(), coef[1:], rtol=1e-9)
        scen = Scenario("mix", "", {"DGS2": 50.0, "copper": -0.2})
        res = apply_scenario(scen, exposure)
        np.testing.assert_allclose(
            res.contributions.to_numpy(), coef[1:] * np.array([50.0, -0.2]), rtol=1e-9
        )
        np.testing.assert_allclose(res.pnl, coef[1] * 50 - coef[2] * 0.2, rtol=1e-9)

    def test_exact_linear_book_recovers_exact_pnl(self):
        # A book that is exactly one basket minus another has betas +1/-1 to
        # them, so shocking them +15 % / -5 % costs exactly 20 %.
        rng = np.random.default_rng(3)
        idx = pd.bdate_range("2020-01-01", periods=400)
        fac = pd.DataFrame(
            {"tech": rng.normal(0, 0.01, 400), "tangible": rng.normal(0, 0.01, 400)},
            index=idx,
        )
        book = fac["tangible"] - fac["tech"]
        rebound = Scenario("rebound", "", {"tech": 0.15, "tangible": -0.05})
        (res,) = run_scenarios(book, fac, [rebound])
        np.testing.assert_allclose(res.pnl, -0.20, rtol=1e-9)
        np.testing.assert_allclose(res.exposure.r_squared, 1.0, rtol=1e-12)


class TestProperties:
    def test_units_cover_the_market_factors_and_baskets_are_returns(self):
        assert tuple(FACTOR_UNITS) == MARKET_FACTORS
        assert shock_unit("DGS2") == "bp" and shock_unit("fed_path") == "bp"
        assert shock_unit("copper") == "return"
        # Any other key names a basket: its shock is a return.
        assert shock_unit("chip_stocks") == "return"

    def test_scenario_is_immutable_and_from_dict(self):
        s = Scenario.from_dict(
            {"name": "x", "description": "d", "shocks": {"copper": -0.1}}
        )
        with pytest.raises(TypeError):
            s.shocks["copper"] = 0.5  # type: ignore[index]
        with pytest.raises(dataclasses.FrozenInstanceError):
            s.name = "y"  # type: ignore[misc]
        assert s == Scenario("x", "d", {"copper": -0.1})

    def test_pnl_linear_in_shock(self, asset, factor_changes):
        exposure = estimate_exposure(asset, factor_changes, ["copper"])
        one = apply_scenario(Scenario("a", "", {"copper": -0.1}), exposure).pnl
        two = apply_scenario(Scenario("b", "", {"copper": -0.2}), exposure).pnl
        np.testing.assert_allclose(two, 2 * one, rtol=1e-12)

    def test_result_json(self, asset, factor_changes):
        (res,) = run_scenarios(
            asset,
            factor_changes,
            [Scenario("c", "", {"copper": -0.2, "ai_infra": -0.3})],
        )
        json.dumps(res.to_dict())
        assert res.to_dict()["units"] == {"copper": "return", "ai_infra": "return"}

    def test_there_is_no_default_scenario_set(self, asset, factor_changes):
        with pytest.raises(TypeError):
            run_scenarios(asset, factor_changes)  # type: ignore[call-arg]


class TestNoLookAhead:
    def test_as_of_ignores_later_rows(self, asset, factor_changes):
        t = factor_changes.index[700]
        a = estimate_exposure(
            asset, factor_changes, ["DGS2", "copper"], as_of=t, window=500
        )
        b = estimate_exposure(
            asset.loc[:t], factor_changes.loc[:t], ["DGS2", "copper"], window=500
        )
        pd.testing.assert_series_equal(a.betas, b.betas, rtol=1e-12)
        changed = asset.copy()
        changed.iloc[701:] = 0.3
        c = estimate_exposure(
            changed, factor_changes, ["DGS2", "copper"], as_of=t, window=500
        )
        pd.testing.assert_series_equal(a.betas, c.betas, rtol=1e-12)
        assert a.end == t.date().isoformat()


class TestErrors:
    def test_messages(self, asset, factor_changes):
        with pytest.raises(ValueError, match="needs at least one shock"):
            Scenario("empty", "", {})
        with pytest.raises(ValueError, match="finite number"):
            Scenario("bad", "", {"copper": float("nan")})
        with pytest.raises(ValueError, match="non-empty"):
            Scenario("", "", {"copper": 0.1})
        with pytest.raises(KeyError, match="not columns of factor_changes"):
            estimate_exposure(asset, factor_changes, ["oil"])
        exposure = estimate_exposure(asset, factor_changes, ["copper"])
        with pytest.raises(KeyError, match="estimate the exposure"):
            apply_scenario(Scenario("x", "", {"DGS2": 10.0}), exposure)
        with pytest.raises(ValueError, match="too few observations"):
            estimate_exposure(asset.iloc[:20], factor_changes, ["copper"], window=10)
