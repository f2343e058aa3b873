"""The result objects of the backtests part (frozen, JSON-encodable)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rotation.backtest import BacktestResult

__all__ = [
    "Backtests",
    "BookSignal",
    "Curves",
    "StrategyBacktest",
    "SweepHeatmap",
    "SweepRobustness",
    "TearSheet",
    "WalkForwardChoice",
    "make_curves",
    "make_strategy",
]

SOURCES = ("Yahoo Finance adjusted closes", "FRED DFF (cash)")


@dataclass(frozen=True)
class TearSheet:
    """Performance of one strategy over the backtest period.

    Ratios are annualised with the sessions per year of the dates; Sharpe and
    Sortino use returns in excess of cash; ``alpha`` is Jensen's alpha against
    the universe benchmark compounded to a year; ``turnover`` is one-way per
    year; ``costs_paid`` is in units of the starting equity. Benchmark
    statistics are None for the benchmark itself and without a universe.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    total_return: float
    cagr: float
    volatility: float
    sharpe: float
    sortino: float
    max_drawdown: float
    drawdown_peak: pd.Timestamp | None
    drawdown_trough: pd.Timestamp | None
    drawdown_recovery: pd.Timestamp | None
    calmar: float
    hit_rate: float
    turnover: float
    costs_paid: float
    final_equity: float
    beta: float | None = None
    alpha: float | None = None
    information_ratio: float | None = None


@dataclass(frozen=True)
class StrategyBacktest:
    """One strategy: what it does, its tear sheet and its (weekly) curves.

    Attributes
    ----------
    name : str
        Public strategy name (one of :data:`STRATEGY_NAMES`).
    label : str
        Display label, from the thesis's basket names.
    rule : str
        The strategy in one sentence.
    params : dict
        The settings that produced it.
    tear_sheet : TearSheet
    result : BacktestResult
        The daily backtest (not encoded to JSON; the charts read
        :attr:`Backtests.curves`).
    """

    name: str
    label: str
    rule: str
    params: dict[str, Any]
    tear_sheet: TearSheet
    result: BacktestResult = field(repr=False)


@dataclass(frozen=True)
class Curves:
    """Equity and drawdown of every strategy on one weekly date axis.

    Attributes
    ----------
    dates : tuple of Timestamp
        The last session of each week of the period (never a later date).
    equity : dict of str to tuple of float
        Growth of 1 per strategy name, rounded to 4 decimals.
    drawdown : dict of str to tuple of float
        Drawdown from the running peak (fraction, <= 0), rounded to 4 decimals.
    """

    dates: tuple[pd.Timestamp, ...]
    equity: dict[str, tuple[float, ...]]
    drawdown: dict[str, tuple[float, ...]]


@dataclass(frozen=True)
class BookSignal:
    """The book's signal: when ``thesis_tilt`` holds the long leg alone.

    Attributes
    ----------
    kind : {"health", "core_spread", "regime"}
        ``thesis.book.signal``.
    description : str
        The rule in words, naming the thesis's baskets.
    threshold : float
        The level of the underlying quantity (health level, 0 for the core
        spread's relative return, 0.5 for the regime probability).
    on_now : bool or None
        The signal at the last session (None: no value yet).
    share_on : float
        Share of the period's sessions on which the signal was on.
    series : Series
        Daily 1.0 (on), 0.0 (off) or NaN (no value), known at each close (not
        encoded to JSON).
    """

    kind: str
    description: str
    threshold: float
    on_now: bool | None
    share_on: float
    series: pd.Series = field(repr=False)


@dataclass(frozen=True)
class SweepHeatmap:
    """Full-period Sharpe ratio of each (lookback, top-k) at one skip and cost."""

    skip: int
    cost_bps: float
    lookback: tuple[int, ...]
    top_k: tuple[int, ...]
    sharpe: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class SweepRobustness:
    """The momentum sweep and how much of its best variant to believe.

    ``deflated_sharpe`` is P[true Sharpe > 0] of the best variant counting
    every variant as a trial (Bailey & López de Prado 2014); ``pbo`` is the
    CSCV probability of backtest overfitting (Bailey et al. 2015) over
    ``n_combinations`` splits in ``pbo_splits`` blocks;
    ``probability_of_loss`` the share of splits where the in-sample best loses
    out of sample.
    """

    lookback: tuple[int, ...]
    top_k: tuple[int, ...]
    skip: tuple[int, ...]
    cost_bps: float
    rebalance: str
    n_variants: int
    heatmap: SweepHeatmap
    best_variant: str
    best_sharpe: float
    deflated_sharpe: float
    pbo: float
    pbo_splits: int
    n_combinations: int
    probability_of_loss: float
    metrics: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class WalkForwardChoice:
    """The variant walk-forward momentum picked at one refit date."""

    date: pd.Timestamp
    lookback: int
    skip: int
    top_k: int
    train_sharpe: float


@dataclass(frozen=True)
class Backtests:
    """Backtests of the thesis: its book, its signal, momentum, benchmarks.

    Attributes
    ----------
    as_of, start, end : Timestamp
        The analysis date and the backtest period (see ``period_rule``).
    period_rule : str
        How the period is chosen (the same for every strategy).
    universe : tuple of str
        Universe members with prices (empty without a universe).
    benchmark : str or None
        The universe's benchmark.
    book_long, book_short : tuple of str
        Members of the book's legs with prices.
    signal : BookSignal or None
        The book's signal (None without a book or when it has no value).
    cost_bps : float
        Costs of every strategy, basis points of traded value.
    cash : str
        What uninvested cash earns.
    strategies : dict of str to StrategyBacktest
        By public name, in :data:`STRATEGY_NAMES` order.
    curves : Curves
        Weekly equity and drawdown of each strategy (the charts).
    sweep : SweepRobustness or None
        None without a universe.
    walk_forward : tuple of WalkForwardChoice
        Variants walk-forward momentum chose.
    notes : tuple of str
        What is left out for this thesis and why.
    sources : tuple of str
    """

    as_of: pd.Timestamp
    start: pd.Timestamp
    end: pd.Timestamp
    period_rule: str
    universe: tuple[str, ...]
    benchmark: str | None
    book_long: tuple[str, ...]
    book_short: tuple[str, ...]
    signal: BookSignal | None
    cost_bps: float
    cash: str
    strategies: dict[str, StrategyBacktest]
    curves: Curves
    sweep: SweepRobustness | None
    walk_forward: tuple[WalkForwardChoice, ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...] = SOURCES

    def select(self, name: str) -> Backtests:
        """Return this result with strategy ``name`` only (what ``?strategy=`` shows).

        Raises
        ------
        KeyError
            Naming the strategies this thesis has (see :attr:`notes` for why
            others are missing).
        """
        if name not in self.strategies:
            raise KeyError(
                f"strategy {name!r} is not backtested for this thesis; available: "
                f"{', '.join(self.strategies) or 'none'}"
                + (f" ({'; '.join(self.notes)})" if self.notes else "")
            )
        curves = Curves(
            self.curves.dates,
            {name: self.curves.equity[name]},
            {name: self.curves.drawdown[name]},
        )
        return dataclasses.replace(
            self, strategies={name: self.strategies[name]}, curves=curves
        )


# -- building results --------------------------------------------------------


def make_curves(results: Mapping[str, BacktestResult]) -> Curves:
    """Weekly samples: the last session of each week, labelled by that session."""
    first = next(iter(results.values())).equity
    weeks = pd.Series(np.arange(len(first)), index=first.index)
    rows = weeks.groupby(pd.Grouper(freq="W-FRI")).tail(1).to_numpy()

    def sample(series: pd.Series) -> tuple[float, ...]:
        values = series.to_numpy(dtype=float)[rows]
        return tuple(float(v) for v in np.round(values, 4))

    return Curves(
        dates=tuple(first.index[rows]),
        equity={k: sample(r.equity) for k, r in results.items()},
        # drawdown starts at the second session; 0 at the first (the peak)
        drawdown={
            k: sample(r.drawdown.reindex(first.index).fillna(0.0))
            for k, r in results.items()
        },
    )


def _tear_sheet(result: BacktestResult, benchmark: BacktestResult | None) -> TearSheet:
    s = result.summary(benchmark)

    def num(key: str) -> float | None:
        value = s.get(key)
        return None if value is None or pd.isna(value) else float(value)

    def day(key: str) -> pd.Timestamp | None:
        value = s.get(key)
        return None if value is None or pd.isna(value) else pd.Timestamp(value)

    core = {k: num(k) for k in ("total_return", "cagr", "volatility", "sharpe")}
    more = {k: num(k) for k in ("sortino", "max_drawdown", "calmar", "hit_rate")}
    return TearSheet(
        start=result.equity.index[0],
        end=result.equity.index[-1],
        **{k: float("nan") if v is None else v for k, v in {**core, **more}.items()},
        drawdown_peak=day("drawdown_peak"),
        drawdown_trough=day("drawdown_trough"),
        drawdown_recovery=day("drawdown_recovery"),
        turnover=float(s["turnover"]),
        costs_paid=float(s["costs_paid"]),
        final_equity=float(result.equity.iloc[-1]),
        beta=num("beta"),
        alpha=num("alpha"),
        information_ratio=num("information_ratio"),
    )


def make_strategy(
    name: str,
    label: str,
    rule: str,
    result: BacktestResult,
    benchmark: BacktestResult | None,
    params: Mapping[str, Any],
) -> StrategyBacktest:
    return StrategyBacktest(
        name=name,
        label=label,
        rule=rule,
        params=dict(params),
        tear_sheet=_tear_sheet(result, benchmark),
        result=result,
    )
