from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import rebalance_mask


def _dates(index: pd.DatetimeIndex, mask: np.ndarray) -> list[str]:
    return [str(d.date()) for d in index[mask]]


class TestReference:
    def test_month_end_with_holiday(self) -> None:
        # 2024-03-29 was Good Friday (NYSE closed): March's last session is 03-28.
        index = pd.bdate_range("2024-03-20", "2024-04-05").delete(
            [
                list(pd.bdate_range("2024-03-20", "2024-04-05")).index(
                    pd.Timestamp("2024-03-29")
                )
            ]
        )
        assert _dates(index, rebalance_mask(index, "month_end")) == ["2024-03-28"]

    def test_weekly_fridays(self) -> None:
        index = pd.bdate_range("2024-01-01", "2024-01-19")
        assert _dates(index, rebalance_mask(index, "weekly")) == [
            "2024-01-05",
            "2024-01-12",
            "2024-01-19",
        ]

    def test_quarter_and_year(self) -> None:
        index = pd.bdate_range("2023-09-25", "2024-01-10")
        assert _dates(index, rebalance_mask(index, "quarter_end")) == [
            "2023-09-29",
            "2023-12-29",
        ]
        assert _dates(index, rebalance_mask(index, "year_end")) == ["2023-12-29"]

    def test_custom_dates_snap_back_to_session(self) -> None:
        index = pd.bdate_range("2024-01-01", "2024-01-31")
        mask = rebalance_mask(index, ["2024-01-06", "2024-01-15"])  # Sat, Mon
        assert _dates(index, mask) == ["2024-01-05", "2024-01-15"]

    def test_daily(self) -> None:
        index = pd.bdate_range("2024-01-01", periods=5)
        assert rebalance_mask(index, "daily").all()


class TestNoLookAhead:
    @pytest.mark.parametrize("calendar", ["weekly", "month_end", "quarter_end"])
    def test_prefix_invariance(self, calendar: str) -> None:
        index = pd.bdate_range("2023-01-01", "2024-12-31")
        full = rebalance_mask(index, calendar)
        for t in range(200, len(index), 7):
            np.testing.assert_array_equal(rebalance_mask(index[:t], calendar), full[:t])


class TestErrors:
    def test_unknown_name(self) -> None:
        with pytest.raises(ValueError, match="rebalance must be"):
            rebalance_mask(pd.bdate_range("2024-01-01", periods=5), "monthly")  # type: ignore[arg-type]
