from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import cash_returns, prices_to_returns
from rotation.market import MarketData


class TestReference:
    def test_dff_known_value(self, market: MarketData) -> None:
        # PROVENANCE: DFF 2023-12-29 = 5.33%; held over the New Year weekend
        # to 2024-01-02 it earns 4 days at ACT/360.
        index = pd.DatetimeIndex(["2023-12-29", "2024-01-02"])
        out = cash_returns(market.known("DFF", index=index), index=index)
        np.testing.assert_allclose(out.iloc[1], 0.0533 * 4 / 360, rtol=1e-12)

    def test_act_365(self) -> None:
        index = pd.DatetimeIndex(["2024-01-05", "2024-01-08"])
        out = cash_returns(pd.Series([3.65, 1.0], index=index), day_count=365)
        np.testing.assert_allclose(out.to_numpy(), [0.0, 0.0365 * 3 / 365])

    def test_prices_to_returns_gap(self) -> None:
        index = pd.bdate_range("2024-01-01", periods=4)
        px = pd.DataFrame({"A": [np.nan, 100.0, np.nan, 110.0]}, index=index)
        out = prices_to_returns(px)["A"].to_numpy()
        assert np.isnan(out[0]) and np.isnan(out[1]) and np.isnan(out[2])
        np.testing.assert_allclose(out[3], 0.1)


class TestNoLookAhead:
    def test_uses_previous_rate(self) -> None:
        index = pd.bdate_range("2024-01-01", periods=5)
        rate = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=index)
        changed = rate.copy()
        changed.iloc[3:] = 50.0
        a, b = cash_returns(rate), cash_returns(changed)
        np.testing.assert_allclose(a.iloc[:4].to_numpy(), b.iloc[:4].to_numpy())


class TestErrors:
    def test_day_count(self) -> None:
        with pytest.raises(ValueError, match="day_count"):
            cash_returns(
                pd.Series([1.0], index=pd.bdate_range("2024-01-01", periods=1)),
                day_count=0,
            )
