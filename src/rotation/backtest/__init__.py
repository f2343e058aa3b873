"""Vectorized backtests of rotation strategies, sweeps and robustness statistics.

A strategy returns target weights decided at the close of each decision date
using data up to that close; :func:`backtest` trades them at the next close
(the only place where the one-session shift happens), charges costs and pays
cash interest, and returns an immutable :class:`BacktestResult`.
"""

from __future__ import annotations

from rotation.backtest._benchmarks import buy_and_hold, equal_weight
from rotation.backtest._calendar import Rebalance, rebalance_mask
from rotation.backtest._cash import cash_returns, prices_to_returns
from rotation.backtest._engine import backtest
from rotation.backtest._momentum import dual_momentum, momentum_scores, relative_momentum
from rotation.backtest._result import BacktestResult
from rotation.backtest._tilt import thesis_tilt

__all__ = [
    "BacktestResult",
    "Rebalance",
    "backtest",
    "buy_and_hold",
    "cash_returns",
    "dual_momentum",
    "equal_weight",
    "momentum_scores",
    "prices_to_returns",
    "rebalance_mask",
    "relative_momentum",
    "thesis_tilt",
]
