"""Vectorized backtests of rotation strategies, sweeps and robustness statistics.

A strategy returns target weights decided at the close of each decision date
using data up to that close; :func:`backtest` trades them at the next close
(the only place where the one-session shift happens), charges costs and pays
cash interest, and returns an immutable :class:`BacktestResult`.
:func:`sweep` runs thousands of top-k momentum variants in one process;
:func:`probability_of_backtest_overfitting`, the deflated Sharpe ratio
(:meth:`SweepResult.deflated_sharpe`) and :func:`walk_forward` say how much of
the best variant's performance to believe.
"""

from __future__ import annotations

from rotation.backtest._benchmarks import buy_and_hold, equal_weight
from rotation.backtest._book import basket_book
from rotation.backtest._calendar import Rebalance, rebalance_mask
from rotation.backtest._cash import cash_returns, prices_to_returns
from rotation.backtest._engine import backtest
from rotation.backtest._grid import SweepGrid, load_grid
from rotation.backtest._momentum import (
    dual_momentum,
    momentum_scores,
    relative_momentum,
)
from rotation.backtest._overfitting import (
    OverfittingResult,
    probability_of_backtest_overfitting,
)
from rotation.backtest._result import BacktestResult
from rotation.backtest._run import STRATEGIES, run_backtest
from rotation.backtest._sweep import (
    SweepInputs,
    SweepResult,
    assemble_sweep,
    prepare_sweep,
    sweep,
    sweep_chunk,
)
from rotation.backtest._tilt import thesis_tilt
from rotation.backtest._walk_forward import WalkForwardResult, walk_forward

__all__ = [
    "STRATEGIES",
    "BacktestResult",
    "OverfittingResult",
    "Rebalance",
    "SweepGrid",
    "SweepInputs",
    "SweepResult",
    "WalkForwardResult",
    "assemble_sweep",
    "backtest",
    "basket_book",
    "buy_and_hold",
    "cash_returns",
    "dual_momentum",
    "equal_weight",
    "load_grid",
    "momentum_scores",
    "prepare_sweep",
    "prices_to_returns",
    "probability_of_backtest_overfitting",
    "rebalance_mask",
    "relative_momentum",
    "run_backtest",
    "sweep",
    "sweep_chunk",
    "thesis_tilt",
    "walk_forward",
]
