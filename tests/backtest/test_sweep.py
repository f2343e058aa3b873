from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import (
    SweepGrid,
    backtest,
    load_grid,
    prepare_sweep,
    relative_momentum,
    sweep,
)
from rotation.backtest._kernels import (
    _simulate_top_k,
    _simulate_top_k_py,
)
from rotation.backtest._ranking import momentum_orders

GRID = SweepGrid(
    lookback=(20, 45, 90),
    top_k=(1, 2, 3, 6),
    skip=(0, 5),
    cost_bps=(0.0, 10.0, 40.0),
)
EXAMPLE = Path(__file__).parents[2] / "examples" / "sweep_grid.yaml"


@pytest.fixture(scope="module")
def swept(prices: pd.DataFrame, cash: pd.Series):
    return sweep(prices, GRID, cash_returns=cash, keep_returns=True)


class TestReference:
    def test_every_variant_equals_engine(
        self, prices: pd.DataFrame, cash: pd.Series, swept
    ) -> None:
        # Two implementations of one definition: the sweep kernel (units,
        # shared costs) and relative_momentum + backtest (drifting weights).
        for row in swept.metrics.itertuples():
            targets = relative_momentum(
                prices, lookback=row.lookback, top_k=row.top_k, skip=row.skip
            )
            res = backtest(prices, targets, cost_bps=row.cost_bps, cash_returns=cash)
            for name, value in res.metrics.items():
                np.testing.assert_allclose(
                    getattr(row, name), value, rtol=1e-9, atol=1e-12, err_msg=name
                )
            np.testing.assert_allclose(
                swept.returns[row.variant].to_numpy(),
                res.returns.to_numpy(),
                rtol=1e-9,
                atol=1e-13,
            )

    def test_numba_matches_python(self, prices: pd.DataFrame, cash: pd.Series) -> None:
        inputs = prepare_sweep(prices, GRID, cash_returns=cash)
        order, n_eligible = momentum_orders(inputs.prices, inputs.decide, 45, 5)
        costs = np.array([0.0, 0.001])
        outs = []
        for kernel in (_simulate_top_k, _simulate_top_k_py):
            metrics = np.full((2, 10), np.nan)
            rets = np.zeros((2, len(prices) - 1))
            kernel(
                inputs.prices,
                inputs.cash_index,
                inputs.decide,
                order,
                n_eligible,
                3,
                costs,
                252.0,
                metrics,
                rets,
                True,
            )
            outs.append((metrics, rets))
        np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-12)
        np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-12, atol=1e-15)

    def test_tidy_table(self, swept) -> None:
        table = swept.metrics
        assert len(table) == GRID.n_variants == 72
        assert list(table.columns[:5]) == [
            "lookback",
            "skip",
            "top_k",
            "cost_bps",
            "variant",
        ]
        assert table["variant"].is_unique
        heat = swept.heatmap("sharpe", skip=5, cost_bps=10.0)
        assert heat.shape == (3, 4)

    def test_costs_lower_returns(self, swept) -> None:
        table = swept.metrics.set_index(["lookback", "skip", "top_k", "cost_bps"])
        cheap = table.xs(0.0, level="cost_bps")["total_return"]
        dear = table.xs(40.0, level="cost_bps")["total_return"]
        assert (dear < cheap).all()

    def test_deflated_sharpe_in_unit_interval(self, swept) -> None:
        dsr = swept.deflated_sharpe()
        assert 0.0 <= dsr <= 1.0


class TestNoLookAhead:
    def test_returns_up_to_t_ignore_later_prices(
        self, prices: pd.DataFrame, cash: pd.Series, swept
    ) -> None:
        t = 500
        shocked = prices.copy()
        shocked.iloc[t + 1 :] *= 0.3
        again = sweep(shocked, GRID, cash_returns=cash, keep_returns=True)
        pd.testing.assert_frame_equal(again.returns.iloc[:t], swept.returns.iloc[:t])


class TestGrid:
    def test_example_grid(self) -> None:
        grid = load_grid(EXAMPLE.read_text())
        assert grid.n_variants == 11_600
        assert grid.lookback[0] == 20 and grid.lookback[-1] == 244
        assert grid.top_k == tuple(range(1, 11))
        assert len(grid.universe) == 11

    def test_errors(self) -> None:
        with pytest.raises(ValueError, match="unknown grid keys"):
            load_grid("lookback: [20]\ntop_k: [1]\nfoo: 1")
        with pytest.raises(ValueError, match="missing required"):
            load_grid("lookback: [20]")
        with pytest.raises(ValueError, match="top_k must be"):
            load_grid("lookback: [20]\ntop_k: [0]")
        with pytest.raises(ValueError, match="start, stop"):
            load_grid("lookback: {begin: 1}\ntop_k: [1]")

    def test_universe_must_exist(self, prices: pd.DataFrame) -> None:
        grid = SweepGrid(lookback=(20,), top_k=(1,), universe=("A", "XLK"))
        with pytest.raises(ValueError, match="universe"):
            sweep(prices, grid)


def test_serial_and_parallel_kernels_agree():
    from rotation.backtest._kernels import _sweep_momentum, _sweep_momentum_serial

    rng = np.random.default_rng(7)
    prices = 100 * np.cumprod(1 + rng.normal(0, 0.01, size=(400, 6)), axis=0)
    cash = np.cumprod(np.full(400, 1.0001))
    decide = np.zeros(400, dtype=np.bool_)
    decide[::21] = True
    args = (
        prices,
        cash,
        decide,
        *(
            np.stack(a)
            for a in zip(
                *(
                    momentum_orders(prices, decide, lb, sk)
                    for lb, sk in [(20, 0), (60, 5)]
                ),
                strict=True,
            )
        ),
        np.array([1, 2, 3]),
        np.array([0.0, 0.001]),
        252.0,
        True,
    )
    for a, b in zip(_sweep_momentum(*args), _sweep_momentum_serial(*args), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
