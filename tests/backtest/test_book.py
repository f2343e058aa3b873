from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import basket_book, thesis_tilt

from .conftest import make_prices


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return make_prices()


@pytest.fixture(scope="module")
def signal(prices) -> pd.Series:
    rng = np.random.default_rng(7)
    values = (rng.random(len(prices)) > 0.5).astype(float)
    values[:30] = np.nan
    # slow flips: hold each draw for 20 sessions
    return pd.Series(np.repeat(values[::20], 20)[: len(prices)], index=prices.index)


class TestReference:
    def test_equal_weights_match_thesis_tilt(self, prices, signal) -> None:
        # thesis_tilt(tilt=1) is the older, separate implementation of the rule
        ref = thesis_tilt(
            prices, signal, tangible=["A", "B", "E"], tech=["C"], tilt=1.0,
            rebalance="month_end",
        )  # fmt: skip
        got = basket_book(
            prices,
            long=dict.fromkeys(["A", "B", "E"], 1.0),
            short={"C": 1.0},
            exposure_on=(1.0, 0.0),
            exposure_off=(0.5, 0.5),
            signal=signal,
        )
        pd.testing.assert_frame_equal(got, ref, rtol=1e-12)

    def test_basket_weights_among_priced_members(self, prices) -> None:
        got = basket_book(
            prices, long={"A": 3.0, "E": 1.0}, short={"B": 1.0},
            exposure_on=(1.0, -0.5),
        )  # fmt: skip
        rows = got.dropna(how="all")
        before = rows.loc[rows.index < prices["E"].first_valid_index()].iloc[0]
        after = rows.iloc[-1]
        # E not listed yet: A carries the whole long leg
        np.testing.assert_allclose(before[["A", "E", "B"]], [1.0, 0.0, -0.5])
        np.testing.assert_allclose(after[["A", "E", "B"]], [0.75, 0.25, -0.5])


class TestProperties:
    def test_off_is_cash_for_a_long_only_book(self, prices, signal) -> None:
        got = basket_book(prices, long={"A": 1.0}, signal=signal)
        decided = got.dropna(how="all")
        state = signal.reindex(decided.index).fillna(0.0) >= 0.5
        assert (decided.loc[~state].abs().sum(axis=1) == 0).all()
        np.testing.assert_allclose(decided.loc[state, "A"], 1.0)

    def test_flips_are_decisions(self, prices, signal) -> None:
        got = basket_book(prices, long={"A": 1.0}, signal=signal)
        on = (signal.fillna(0.0) >= 0.5).to_numpy()
        flips = np.flatnonzero(on[1:] != on[:-1]) + 1
        assert got.iloc[flips].notna().all(axis=1).all()

    def test_prefix_invariance(self, prices, signal) -> None:
        full = basket_book(prices, long={"A": 1.0}, short={"C": 1.0}, signal=signal)
        cut = 500
        part = basket_book(
            prices.iloc[:cut], long={"A": 1.0}, short={"C": 1.0},
            signal=signal.iloc[:cut],
        )  # fmt: skip
        # the last row of the prefix may differ only by the period-end rule
        pd.testing.assert_frame_equal(part.iloc[:-1], full.iloc[: cut - 1])


class TestErrors:
    def test_unknown_member(self, prices) -> None:
        with pytest.raises(ValueError, match="missing"):
            basket_book(prices, long={"ZZZ": 1.0})

    def test_non_positive_weight(self, prices) -> None:
        with pytest.raises(ValueError, match="positive"):
            basket_book(prices, long={"A": 0.0})
