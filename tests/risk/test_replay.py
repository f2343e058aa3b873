from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.risk import (
    HistoricalPeriod,
    default_historical_periods,
    historical_replay,
)


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    rng = np.random.default_rng(31)
    idx = pd.bdate_range("2019-12-02", periods=120, name="date")
    return pd.DataFrame(
        rng.normal(0, 0.02, (120, 3)), index=idx, columns=["A", "B", "C"]
    )


class TestReference:
    def test_total_return_and_drawdown_vs_loop(self, returns):
        w = {"A": 0.5, "B": 0.5, "C": -1.0}
        period = HistoricalPeriod("p", "", "2020-01-06", "2020-03-31")
        out = historical_replay(returns, w, [period]).iloc[0]
        chunk = returns.loc["2020-01-07":"2020-03-31"]  # from the 01-06 close
        value, peak, mdd, worst = 1.0, 1.0, 0.0, np.inf
        for _, row in chunk.iterrows():
            day = 0.5 * row["A"] + 0.5 * row["B"] - row["C"]
            value *= 1 + day
            peak = max(peak, value)
            mdd = min(mdd, value / peak - 1)
            worst = min(worst, day)
        np.testing.assert_allclose(out["total_return"], value - 1, rtol=1e-12)
        np.testing.assert_allclose(out["max_drawdown"], mdd, rtol=1e-12)
        np.testing.assert_allclose(out["worst_day"], worst, rtol=1e-12)
        assert out["start"] == "2020-01-06" and out["n_sessions"] == len(chunk)

    def test_open_end_runs_to_last_date(self, returns):
        out = historical_replay(
            returns, {"A": 1.0}, [HistoricalPeriod("now", "", "2020-05-01", None)]
        )
        assert out.iloc[0]["end"] == returns.index[-1].date().isoformat()


class TestProperties:
    def test_default_periods(self):
        names = [p.name for p in default_historical_periods()]
        assert names == [
            "dotcom_2000_2002",
            "gfc_2008",
            "covid_2020",
            "inflation_2022",
            "thesis_2026",
        ]
        assert default_historical_periods()[-1].end is None

    def test_missing_asset_gives_nan_and_names_it(self, returns):
        holed = returns.copy()
        holed.iloc[10, 1] = np.nan
        out = historical_replay(
            holed,
            {"A": 1.0, "B": 1.0},
            [HistoricalPeriod("p", "", "2019-12-02", "2020-01-31")],
        )
        assert np.isnan(out.iloc[0]["total_return"]) and out.iloc[0]["missing"] == "B"

    def test_rows_where_no_held_asset_trades_are_skipped(self, returns):
        holed = returns.copy()
        holed.iloc[10, :] = np.nan
        period = [HistoricalPeriod("p", "", "2019-12-02", "2020-01-31")]
        a = historical_replay(holed, {"A": 1.0}, period).iloc[0]
        b = historical_replay(returns.drop(returns.index[10]), {"A": 1.0}, period).iloc[
            0
        ]
        np.testing.assert_allclose(a["total_return"], b["total_return"], rtol=1e-12)


class TestNoLookAhead:
    def test_period_ignores_rows_after_its_end(self, returns):
        period = [HistoricalPeriod("p", "", "2019-12-02", "2020-02-28")]
        a = historical_replay(returns, {"A": 1.0, "C": 0.5}, period)
        changed = returns.copy()
        changed.loc["2020-03-02":] = 0.9
        pd.testing.assert_frame_equal(
            a, historical_replay(changed, {"A": 1.0, "C": 0.5}, period)
        )


class TestErrors:
    def test_messages(self, returns):
        with pytest.raises(ValueError, match="is before start"):
            HistoricalPeriod("x", "", "2020-02-01", "2020-01-01")
        with pytest.raises(KeyError, match="not columns of returns"):
            historical_replay(returns, {"Z": 1.0})
