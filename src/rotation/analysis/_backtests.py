"""The backtests part: the thesis's book, its signal, momentum and benchmarks.

One definition of each strategy, driven by the thesis and
:class:`~rotation.analysis.BacktestConfig`; the report section, ``rotation
backtest``, ``rotation thesis backtest`` and ``/api/backtest`` all render this
one result, so a strategy's CAGR, Sharpe ratio and drawdown have one value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from rotation.analysis._backtest_results import (
    Backtests,
    BookSignal,
    Curves,
    StrategyBacktest,
    SweepHeatmap,
    SweepRobustness,
    TearSheet,
    WalkForwardChoice,
    make_curves,
    make_strategy,
)
from rotation.analysis._config import BacktestConfig, ConfigError
from rotation.analysis._omitted import Omitted
from rotation.backtest import (
    BacktestResult,
    SweepGrid,
    backtest,
    basket_book,
    buy_and_hold,
    cash_returns,
    equal_weight,
    load_grid,
    probability_of_backtest_overfitting,
    relative_momentum,
    sweep,
    walk_forward,
)
from rotation.indicators import relative_return
from rotation.market import MarketData
from rotation.thesis import Thesis

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = [
    "STRATEGY_NAMES",
    "Backtests",
    "BookSignal",
    "Curves",
    "StrategyBacktest",
    "SweepHeatmap",
    "SweepRobustness",
    "TearSheet",
    "WalkForwardChoice",
    "compute_backtests",
    "load_grid",
    "sweep_inputs",
]

#: Every strategy the part may hold, in display order (the public names the
#: CLI argument and ``/api/backtest?strategy=`` take).
STRATEGY_NAMES: tuple[str, ...] = (
    "thesis_tilt",
    "book",
    "relative_momentum",
    "walk_forward",
    "equal_weight",
    "buy_and_hold",
)
PERIOD_RULE = (
    "From the first session on which every traded leg (the universe, the "
    "book's long and short baskets) has a priced member, to the as-of date; a "
    "strategy holds cash until its own signal has a full window."
)
CASH = "FRED DFF, ACT/360, rate known at the previous close"


#: What a strategy builder returns: label, rule, daily result, parameters.
_Made = tuple[str, str, BacktestResult, dict[str, Any]]


# -- inputs -------------------------------------------------------------------


@dataclass(frozen=True)
class _Legs:
    """Symbols of each traded group that have prices, and what is missing."""

    universe: tuple[str, ...]
    long: dict[str, float]
    short: dict[str, float] | None
    notes: tuple[str, ...]


def _leg(
    thesis: Thesis, basket: str, columns: pd.Index, notes: list[str]
) -> dict[str, float]:
    spec = thesis.baskets[basket]
    weights = spec.weight_map() or dict.fromkeys(spec.members, 1.0)
    live = {m: w for m, w in weights.items() if m in columns}
    lost = [m for m in spec.members if m not in columns]
    if lost:
        notes.append(f"basket {basket!r}: no prices for {', '.join(lost)}")
    return live


def _legs(thesis: Thesis, columns: pd.Index) -> _Legs:
    notes: list[str] = []
    universe: tuple[str, ...] = ()
    if thesis.universe is None:
        notes.append(
            "the thesis names no universe: no relative momentum, sweep, "
            "walk-forward, equal-weight or benchmark (add universe: {members: "
            "[...], benchmark: ...})"
        )
    else:
        universe = tuple(m for m in thesis.universe.members if m in columns)
        lost = [m for m in thesis.universe.members if m not in columns]
        if lost:
            notes.append(f"universe: no prices for {', '.join(lost)}")
    long: dict[str, float] = {}
    short: dict[str, float] | None = None
    book = thesis.book
    if book is None:
        notes.append(
            "the thesis names no book: no thesis_tilt or book strategy (add "
            "book: {long: <basket>, short: <basket>})"
        )
    else:
        long = _leg(thesis, book.long, columns, notes)
        if book.short is not None:
            short = _leg(thesis, book.short, columns, notes)
    return _Legs(universe, long, short, tuple(notes))


def _period(prices: pd.DataFrame, legs: _Legs) -> pd.DataFrame:
    """Return the panel of traded assets over the period (:data:`PERIOD_RULE`)."""
    groups = [g for g in (legs.universe, tuple(legs.long)) if g]
    if legs.short:
        groups.append(tuple(legs.short))
    symbols = list(dict.fromkeys(s for g in groups for s in g))
    panel = prices[symbols].dropna(how="all")
    firsts = [panel[list(g)].dropna(how="all").index.min() for g in groups]
    if any(pd.isna(f) for f in firsts):
        return panel.iloc[:0]
    return panel.loc[max(firsts) :]


# -- signals ------------------------------------------------------------------


def _signal(analysis: Analysis, index: pd.DatetimeIndex) -> BookSignal | str:
    """Return the book's daily on/off signal, or why it has no value."""
    thesis, cfg = analysis.thesis, analysis.config.backtest
    assert thesis.book is not None
    kind = thesis.book.signal
    if kind == "core_spread":
        core = thesis.core_spread
        assert core is not None  # the thesis schema requires it
        columns = analysis.market.prices.columns
        notes: list[str] = []
        long = _leg(thesis, core.long, columns, notes)
        short = _leg(thesis, core.short, columns, notes)
        if not long or not short:
            return f"the core spread {core.long} vs {core.short} has no prices"
        prices = analysis.market.prices
        rel = relative_return(
            prices[list(long)],
            prices[list(short)],
            core.window,
            weights_a=long,
            weights_b=short,
        )
        level, threshold = rel.reindex(index), 0.0
        on = (level > threshold).astype(float).where(level.notna())
        text = f"{core.long} vs {core.short} {core.window}-session relative return > 0"
    elif kind == "regime":
        fit = analysis.regime_fit
        if fit is None or fit.model is None:
            return "the regime model has no fit" + (f" ({fit.reason})" if fit else "")
        # the last label is the regime with the highest mean spread: long leads
        prob = fit.model.filtered_probabilities_[fit.model.labels_[-1]]
        level = prob.reindex(prob.index.union(index)).ffill().reindex(index)
        threshold = 0.5
        on = (level > threshold).astype(float).where(level.notna())
        core = thesis.core_spread
        assert core is not None
        text = (
            f"P({core.long_label}) > 0.5 (regime model on {core.long} vs {core.short})"
        )
    else:
        check = analysis.thesis_check
        if isinstance(check, Omitted):
            return f"no thesis health ({check.reason})"
        health = check.health_history
        threshold = (
            cfg.signal_level
            if cfg.signal_level is not None
            else thesis.event_study.level
        )
        level = health.reindex(index)
        on = (level >= threshold).astype(float).where(level.notna())
        text = f"thesis health >= {threshold:g}"
    known = on.dropna()
    return BookSignal(
        kind=kind,
        description=text,
        threshold=float(threshold),
        on_now=None if pd.isna(on.iloc[-1]) else bool(on.iloc[-1] > 0.5),
        share_on=float(known.mean()) if len(known) else float("nan"),
        series=on.rename("signal"),
    )


# -- strategies ---------------------------------------------------------------


def _title(basket: str) -> str:
    return basket.replace("_", " ").capitalize()


def _book_strategies(
    analysis: Analysis,
    prices: pd.DataFrame,
    legs: _Legs,
    cash: pd.Series,
    signal: BookSignal | None,
) -> dict[str, _Made]:
    """``thesis_tilt`` (when the signal has a value) and ``book``."""
    book = analysis.thesis.book
    assert book is not None
    cost = analysis.config.backtest.cost_bps
    out: dict[str, _Made] = {}
    short = legs.short or None
    long_only = short is None
    if signal is not None:
        targets = basket_book(
            prices,
            long=legs.long,
            short=short,
            exposure_on=(1.0, 0.0),
            exposure_off=(0.0, 0.0) if long_only else (0.5, 0.5),
            signal=signal.series,
            rebalance=book.rebalance,
        )
        otherwise = (
            "otherwise cash"
            if long_only
            else f"otherwise half {book.long} and half {book.short}"
        )
        rule = (
            f"Holds {book.long} while {signal.description}, {otherwise}; re-decided "
            f"at each {book.rebalance.replace('_', ' ')} close and when the signal "
            "flips."
        )
        result = backtest(
            prices, targets, cost_bps=cost, cash_returns=cash, name="thesis_tilt"
        )
        params: dict[str, Any] = {"signal": signal.kind, "rebalance": book.rebalance}
        out["thesis_tilt"] = (f"{_title(book.long)} tilt", rule, result, params)
    weight = 0.0 if long_only else book.short_weight
    targets = basket_book(
        prices,
        long=legs.long,
        short=short,
        exposure_on=(1.0, -weight),
        rebalance=book.rebalance,
    )
    result = backtest(
        prices,
        targets,
        cost_bps=cost,
        cash_returns=cash,
        allow_short=not long_only,
        max_gross=1.0 + weight,
        name="book",
    )
    legs_text = f"long {book.long}" + (
        "" if long_only else f", short {weight:g} x {book.short}"
    )
    rule = (
        f"Holds the thesis book always ({legs_text}), rebalanced to its basket "
        f"weights at each {book.rebalance.replace('_', ' ')} close; cash and "
        "short proceeds earn the cash rate."
    )
    params = {"short_weight": weight, "rebalance": str(book.rebalance)}
    out["book"] = (f"Book: {legs_text}", rule, result, params)
    return out


def _momentum_grid(cfg: BacktestConfig, n_assets: int) -> SweepGrid:
    return SweepGrid(
        lookback=cfg.sweep_lookback,
        top_k=tuple(k for k in cfg.sweep_top_k if k <= n_assets) or (n_assets,),
        skip=cfg.sweep_skip,
        cost_bps=(cfg.cost_bps,),
        rebalance=cfg.rebalance,
    )


def _universe_strategies(
    analysis: Analysis, prices: pd.DataFrame, cash: pd.Series
) -> tuple[
    dict[str, _Made],
    tuple[WalkForwardChoice, ...],
]:
    """Relative momentum, walk-forward momentum and equal weight."""
    cfg = analysis.config.backtest
    cost, n = cfg.cost_bps, prices.shape[1]
    params = {"lookback": cfg.lookback, "top_k": cfg.top_k, "skip": cfg.skip}
    targets = relative_momentum(prices, **params, rebalance=cfg.rebalance)
    momentum = backtest(
        prices, targets, cost_bps=cost, cash_returns=cash, name="relative_momentum"
    )
    when = cfg.rebalance.replace("_", " ")
    out = {
        "relative_momentum": (
            f"Relative momentum (top {cfg.top_k})",
            f"Holds the top {cfg.top_k} of the {n} universe members by "
            f"{cfg.lookback}-session return (skipping the last {cfg.skip}), "
            f"decided at each {when} close; a member is eligible once it has a "
            "full lookback.",
            momentum,
            {**params, "rebalance": cfg.rebalance},
        )
    }
    grid = _momentum_grid(cfg, n)
    choices: tuple[WalkForwardChoice, ...] = ()
    if len(prices) > cfg.train_sessions:
        wf = walk_forward(
            prices,
            grid,
            cash_returns=cash,
            train_sessions=cfg.train_sessions,
            refit=cfg.walk_forward_refit,
        )
        choices = tuple(
            WalkForwardChoice(
                pd.Timestamp(day),
                int(r["lookback"]),
                int(r["skip"]),
                int(r["top_k"]),
                float(r["score"]),
            )
            for day, r in zip(
                wf.choices.index, wf.choices.to_dict("records"), strict=True
            )
        )
        out["walk_forward"] = (
            "Walk-forward momentum",
            f"Re-picks lookback, top-k and skip at each "
            f"{cfg.walk_forward_refit.replace('_', ' ')} from the "
            f"{grid.n_variants}-variant grid by the Sharpe ratio of the previous "
            f"{cfg.train_sessions} sessions only.",
            wf.result,
            {"train_sessions": cfg.train_sessions, "refit": cfg.walk_forward_refit},
        )
    equal = backtest(
        prices,
        equal_weight(prices, rebalance=cfg.rebalance),
        cost_bps=cost,
        cash_returns=cash,
        name="equal_weight",
    )
    out["equal_weight"] = (
        "Equal-weight universe",
        f"Equal weight on every priced universe member, rebalanced at each {when} "
        "close.",
        equal,
        {"rebalance": cfg.rebalance},
    )
    return out, choices


def _sweep(
    prices: pd.DataFrame, cash: pd.Series, cfg: BacktestConfig
) -> SweepRobustness:
    """Run the momentum sweep: its heat map, deflated Sharpe ratio and PBO."""
    grid = _momentum_grid(cfg, prices.shape[1])
    swept = sweep(prices, grid, cash_returns=cash, keep_returns=True)
    assert swept.returns is not None  # keep_returns=True
    # the heat map shows the longest skip of the grid (21 sessions by default)
    skip = max(grid.skip)
    heat = swept.heatmap("sharpe", skip=skip, cost_bps=cfg.cost_bps)
    pbo = probability_of_backtest_overfitting(swept.returns, n_splits=cfg.pbo_splits)
    best = swept.best
    return SweepRobustness(
        lookback=grid.lookback,
        top_k=grid.top_k,
        skip=grid.skip,
        cost_bps=cfg.cost_bps,
        rebalance=grid.rebalance,
        n_variants=grid.n_variants,
        heatmap=SweepHeatmap(
            skip=skip,
            cost_bps=cfg.cost_bps,
            lookback=tuple(int(v) for v in heat.index),
            top_k=tuple(int(v) for v in heat.columns),
            sharpe=tuple(tuple(float(v) for v in row) for row in heat.to_numpy()),
        ),
        best_variant=str(best["variant"]),
        best_sharpe=float(best["sharpe"]),
        deflated_sharpe=float(swept.deflated_sharpe()),
        pbo=float(pbo.pbo),
        pbo_splits=cfg.pbo_splits,
        n_combinations=int(pbo.n_combinations),
        probability_of_loss=float(pbo.probability_of_loss),
        metrics=swept.metrics,
    )


def _book_part(
    analysis: Analysis,
    prices: pd.DataFrame,
    legs: _Legs,
    cash: pd.Series,
    notes: list[str],
) -> tuple[dict[str, _Made], BookSignal | None]:
    """Build the book's signal and its strategies on the book's own columns."""
    made = _signal(analysis, pd.DatetimeIndex(prices.index))
    signal = None if isinstance(made, str) else made
    if isinstance(made, str):
        notes.append(f"no thesis_tilt: {made}")
    columns = list(dict.fromkeys([*legs.long, *(legs.short or {})]))
    return _book_strategies(analysis, prices[columns], legs, cash, signal), signal


def _sweep_part(
    prices: pd.DataFrame, cash: pd.Series, cfg: BacktestConfig, notes: list[str]
) -> SweepRobustness | None:
    """Run the sweep, or note why not (a period too short for PBO)."""
    if len(prices) - 1 >= 2 * cfg.pbo_splits:
        return _sweep(prices, cash, cfg)
    notes.append(
        f"no sweep: {len(prices)} sessions, too few for PBO in {cfg.pbo_splits} "
        f"blocks (need {2 * cfg.pbo_splits + 1})"
    )
    return None


def _benchmark(
    analysis: Analysis, index: pd.DatetimeIndex, cash: pd.Series
) -> tuple[str | None, BacktestResult | None]:
    universe = analysis.thesis.universe
    prices = analysis.market.prices
    if universe is None or universe.benchmark not in prices.columns:
        return None, None
    name = universe.benchmark
    frame = prices[[name]].reindex(index)
    if frame[name].isna().all():
        return name, None
    result = backtest(
        frame,
        buy_and_hold(frame),
        cost_bps=analysis.config.backtest.cost_bps,
        cash_returns=cash,
        name="buy_and_hold",
    )
    return name, result


def compute_backtests(analysis: Analysis) -> Backtests | Omitted:
    r"""Backtest the thesis's book, its signal, momentum and benchmarks.

    Strategies (costs ``config.backtest.cost_bps`` of traded value; a target
    decided at the close of t is traded at the close of t+1; cash earns FRED
    DFF):

    - ``thesis_tilt``: the book's long leg while the book's signal is on, half
      long leg and half short leg otherwise (cash for a long-only book);
      decided at ``book.rebalance`` closes and when the signal flips. Signal
      (``book.signal``): ``health`` = thesis health :math:`\ge`
      ``backtest.signal_level`` (default: the event-study level);
      ``core_spread`` = the core spread's ``window``-session relative return
      :math:`> 0`; ``regime`` = filtered P(long basket leads) :math:`> 0.5`.
    - ``book``: the book held always, long leg :math:`+1` and short leg
      :math:`-` ``short_weight``, each split by its basket weights.
    - ``relative_momentum``: top ``top_k`` universe members by
      ``lookback``-session return skipping ``skip``; ``walk_forward`` re-picks
      the variant yearly from the sweep grid; ``equal_weight`` the universe.
    - ``buy_and_hold``: the universe benchmark, also the benchmark of every
      tear sheet's beta, alpha and information ratio.

    Period: from the first session on which every traded leg (the universe,
    each book basket) has a priced member, to the as-of date; the same for
    every strategy, so their numbers compare. Strategies hold cash until their
    signal has a full window (an asset is eligible once it has a full
    lookback).

    Returns
    -------
    Backtests or Omitted
        Omitted when the thesis has neither a book nor a universe.

    Notes
    -----
    NaN handling: basket members without a price at a decision close are
    left out of their leg (the leg's share is split among the priced ones); a
    NaN signal counts as off; the sweep and walk-forward rank only members
    with a full lookback.
    """
    thesis, cfg = analysis.thesis, analysis.config.backtest
    if thesis.book is None and thesis.universe is None:
        return Omitted(
            "backtests",
            "the thesis names neither a book nor a universe; add book: {long: "
            "<basket>} or universe: {members: [...], benchmark: ...}",
        )
    market = analysis.market
    legs = _legs(thesis, market.prices.columns)
    notes = list(legs.notes)
    if thesis.book is not None and not legs.long:
        notes.append("the book's long basket has no prices: no book strategies")
    prices = _period(market.prices, legs)
    if len(prices) < 2:
        return Omitted("backtests", "the traded assets share fewer than 2 sessions")
    index = pd.DatetimeIndex(prices.index)
    cash = cash_returns(market.known("DFF", index=index), index=index)
    found: dict[str, _Made] = {}
    signal: BookSignal | None = None
    if thesis.book is not None and legs.long:
        made, signal = _book_part(analysis, prices, legs, cash, notes)
        found |= made
    swept: SweepRobustness | None = None
    choices: tuple[WalkForwardChoice, ...] = ()
    if legs.universe:
        universe_prices = prices[list(legs.universe)]
        made, choices = _universe_strategies(analysis, universe_prices, cash)
        found |= made
        swept = _sweep_part(universe_prices, cash, cfg, notes)
        if "walk_forward" not in made:
            notes.append(
                f"no walk-forward: fewer than {cfg.train_sessions} training sessions"
            )
    bench_name, bench = _benchmark(analysis, index, cash)
    if bench is not None:
        label = f"{bench_name} buy-and-hold"
        rule = f"Buys {bench_name}, the universe benchmark, once and holds it."
        found["buy_and_hold"] = (label, rule, bench, {"symbol": bench_name})
    strategies = {
        name: make_strategy(
            name, *found[name][:3], None if name == "buy_and_hold" else bench,
            found[name][3],
        )
        for name in STRATEGY_NAMES
        if name in found
    }  # fmt: skip
    return Backtests(
        as_of=analysis.as_of,
        start=index[0],
        end=index[-1],
        period_rule=PERIOD_RULE,
        universe=legs.universe,
        benchmark=bench_name,
        book_long=tuple(legs.long),
        book_short=tuple(legs.short or ()),
        signal=signal,
        cost_bps=cfg.cost_bps,
        cash=CASH,
        strategies=strategies,
        curves=make_curves({k: v.result for k, v in strategies.items()}),
        sweep=swept,
        walk_forward=choices,
        notes=tuple(notes),
    )


def sweep_inputs(
    market: MarketData, thesis: Thesis, universe: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.Series]:
    """Prices and cash returns of a momentum sweep (``rotation sweep``).

    Parameters
    ----------
    market : MarketData
        Point-in-time data.
    thesis : Thesis
        Its universe is swept when ``universe`` is empty.
    universe : tuple of str, default ()
        The grid's own universe, if it names one.

    Returns
    -------
    prices : DataFrame of shape (n_sessions, n_assets)
        Sessions on which any of the assets has a price.
    cash : Series of shape (n_sessions,)
        FRED DFF cash returns on those sessions, as in :func:`compute_backtests`.

    Raises
    ------
    ConfigError
        When neither names a universe, or an asset has no prices.
    """
    symbols = list(universe or (thesis.universe.members if thesis.universe else ()))
    if not symbols:
        raise ConfigError(
            "the thesis names no universe and the grid none: add universe: [...] "
            "to the grid or universe: {members: [...]} to the thesis"
        )
    unknown = sorted(set(symbols) - set(market.prices.columns))
    if unknown:
        raise ConfigError(f"no prices for {', '.join(unknown)}")
    prices = market.prices[symbols].dropna(how="all")
    index = pd.DatetimeIndex(prices.index)
    return prices, cash_returns(market.known("DFF", index=index), index=index)
