from __future__ import annotations

import pandas as pd
import pytest

from rotation.measures import periods_per_year


class TestReference:
    @pytest.mark.parametrize(
        ("index", "expected"),
        [
            (pd.bdate_range("2020-01-01", periods=300), 252.0),
            (pd.date_range("2020-01-01", periods=300, freq="D"), 365.0),
            (pd.date_range("2020-01-03", periods=100, freq="W-FRI"), 52.0),
            (pd.date_range("2020-01-31", periods=60, freq="ME"), 12.0),
            (pd.date_range("2020-03-31", periods=20, freq="QE"), 4.0),
            (pd.date_range("2000-12-31", periods=20, freq="YE"), 1.0),
        ],
    )
    def test_buckets(self, index: pd.DatetimeIndex, expected: float) -> None:
        assert periods_per_year(index) == expected

    def test_holidays_do_not_change_daily(self) -> None:
        index = pd.bdate_range("2020-01-01", periods=300).delete([5, 40, 41, 100])
        assert periods_per_year(index) == 252.0

    def test_series_uses_its_index(self) -> None:
        s = pd.Series(
            range(24), index=pd.date_range("2020-01-31", periods=24, freq="ME")
        )
        assert periods_per_year(s) == 12.0


class TestErrors:
    def test_not_datetime(self) -> None:
        with pytest.raises(ValueError, match="DatetimeIndex"):
            periods_per_year(pd.RangeIndex(10))

    def test_too_short(self) -> None:
        with pytest.raises(ValueError, match="at least 2"):
            periods_per_year(pd.DatetimeIndex(["2020-01-01"]))
