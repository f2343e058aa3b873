from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import SweepGrid, backtest, relative_momentum, walk_forward

GRID = SweepGrid(lookback=(20, 60), top_k=(1, 3), skip=(0,), cost_bps=(10.0,))


@pytest.fixture(scope="module")
def long_prices() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    index = pd.bdate_range("2010-01-01", periods=1300)
    steps = rng.normal(0.0003, 0.012, size=(1300, 5))
    return pd.DataFrame(
        100 * np.exp(np.cumsum(steps, axis=0)), index=index, columns=list("ABCDE")
    )


class TestReference:
    def test_choice_is_best_on_training_window(self, long_prices: pd.DataFrame) -> None:
        out = walk_forward(long_prices, GRID, train_sessions=250, refit="year_end")
        assert len(out.choices) >= 3
        index = long_prices.index
        for date, row in out.choices.iterrows():
            tau = index.get_loc(date)
            scores = {}
            for lb in GRID.lookback:
                for k in GRID.top_k:
                    res = backtest(
                        long_prices.iloc[: tau + 1],
                        relative_momentum(
                            long_prices.iloc[: tau + 1], lookback=lb, top_k=k
                        ),
                        cost_bps=10.0,
                    )
                    r = res.returns.iloc[-250:]
                    scores[(lb, k)] = r.mean() / r.std(ddof=1) * np.sqrt(252)
            best = max(scores, key=lambda key: scores[key])
            assert (row["lookback"], row["top_k"]) == best
            np.testing.assert_allclose(row["score"], scores[best], rtol=1e-8)

    def test_cash_before_first_refit(self, long_prices: pd.DataFrame) -> None:
        out = walk_forward(long_prices, GRID, train_sessions=250)
        first = out.choices.index[0]
        np.testing.assert_allclose(out.result.weights.loc[:first].to_numpy(), 0.0)


class TestNoLookAhead:
    def test_future_prices_leave_past(self, long_prices: pd.DataFrame) -> None:
        base = walk_forward(long_prices, GRID, train_sessions=250)
        t = 900
        shocked = long_prices.copy()
        shocked.iloc[t + 1 :] *= np.linspace(0.2, 3.0, 5)
        again = walk_forward(shocked, GRID, train_sessions=250)
        pd.testing.assert_frame_equal(
            again.result.weights.iloc[: t + 1], base.result.weights.iloc[: t + 1]
        )
        np.testing.assert_allclose(
            again.result.equity.iloc[: t + 1], base.result.equity.iloc[: t + 1]
        )
        cut = long_prices.index[t]
        pd.testing.assert_frame_equal(again.choices.loc[:cut], base.choices.loc[:cut])


class TestErrors:
    def test_needs_one_cost(self, long_prices: pd.DataFrame) -> None:
        grid = SweepGrid(lookback=(20,), top_k=(1,), cost_bps=(0.0, 10.0))
        with pytest.raises(ValueError, match="one cost level"):
            walk_forward(long_prices, grid)
