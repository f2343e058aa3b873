"""``rotation backtest`` and ``rotation thesis backtest``: render ``analysis.backtests``.

Both print the part the report's backtest section and ``/api/backtest`` show,
so a strategy's CAGR, Sharpe ratio and drawdown are the same on every surface.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from rotation.cli._common import (
    AsOfOpt,
    FormatOpt,
    OutputFormat,
    SettingOpt,
    StoreOpt,
    ThesisArg,
    ThesisOpt,
    _fail,
    _frame_table,
    app,
    console,
    emit_json,
    load_analysis,
    parse_settings,
    thesis_app,
)
from rotation.exceptions import RotationError

if TYPE_CHECKING:
    from rotation.analysis import Analysis, Backtests


class Strategy(StrEnum):
    """Strategies of the backtests part (``rotation.analysis`` STRATEGY_NAMES)."""

    thesis_tilt = "thesis_tilt"
    book = "book"
    relative_momentum = "relative_momentum"
    walk_forward = "walk_forward"
    equal_weight = "equal_weight"
    buy_and_hold = "buy_and_hold"


_MEASURES = (
    ("cagr", "CAGR", "pct"),
    ("volatility", "volatility", "pct"),
    ("sharpe", "Sharpe", "num"),
    ("sortino", "Sortino", "num"),
    ("max_drawdown", "max drawdown", "pct"),
    ("drawdown_trough", "drawdown trough", "date"),
    ("calmar", "Calmar", "num"),
    ("hit_rate", "hit rate", "pct"),
    ("turnover", "turnover / year", "num"),
    ("costs_paid", "costs paid", "num"),
    ("final_equity", "final equity", "num"),
    ("beta", "beta", "num"),
    ("alpha", "alpha", "pct"),
    ("information_ratio", "information ratio", "num"),
)


def _cell(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return f"{value:.2%}" if kind == "pct" else f"{value:.3f}"


def _backtests(analysis: Analysis) -> Backtests | None:
    """Return the part, or None when it is omitted (exits on errors)."""
    from rotation.analysis import Omitted

    try:
        part = analysis.backtests
    except (RotationError, ValueError) as exc:
        _fail(exc)
        raise  # unreachable: _fail exits
    if isinstance(part, Omitted):
        return None
    result: Backtests = part
    return result


def _emit(
    analysis: Analysis, strategies: list[str] | None, output: OutputFormat
) -> None:
    """Print the part (or the named strategies) as a table or as its JSON."""
    part = _backtests(analysis)
    if part is None:
        omitted = analysis.backtests
        if output is OutputFormat.json:
            emit_json(omitted)
        else:
            console.print(f"Not shown for this thesis: {omitted.reason}")
        return
    if strategies is not None and len(strategies) == 1:
        try:
            part = part.select(strategies[0])
        except KeyError as exc:
            _fail(RotationError(exc.args[0]))
    if output is OutputFormat.json:
        emit_json(part)
        return
    _print_tables(part, strategies)


def _print_tables(part: Backtests, strategies: list[str] | None) -> None:
    shown = [
        s for s in part.strategies.values() if not strategies or s.name in strategies
    ]
    frame = pd.DataFrame(
        [
            {"measure": label}
            | {s.name: _cell(getattr(s.tear_sheet, key), kind) for s in shown}
            for key, label, kind in _MEASURES
        ]
    )
    console.print(
        f"period [bold]{part.start.date()}[/] to [bold]{part.end.date()}[/], "
        f"costs {part.cost_bps:g} bps, cash {part.cash}; benchmark "
        f"{part.benchmark or 'none (the thesis has no universe)'}"
    )
    if part.signal is not None:
        now = {True: "on", False: "off", None: "no value"}[part.signal.on_now]
        console.print(f"book signal: {part.signal.description} (now {now})")
    console.print(_frame_table(frame, "tear sheet"))
    for s in shown:
        console.print(f"[bold]{s.name}[/] ({s.label}): {s.rule}")
    if part.sweep is not None and not strategies:
        sw = part.sweep
        console.print(
            f"sweep: {sw.n_variants} variants, best {sw.best_variant} (Sharpe "
            f"{sw.best_sharpe:.2f}), deflated Sharpe {sw.deflated_sharpe:.2f}, "
            f"PBO {sw.pbo:.0%}"
        )
    for note in part.notes:
        console.print(f"[dim]not shown: {note}[/]")


@app.command("backtest")
def backtest_command(
    strategy: Annotated[
        Strategy | None,
        typer.Argument(help="One strategy (default: every strategy of the thesis)."),
    ] = None,
    store: StoreOpt = None,
    thesis: ThesisOpt = None,
    as_of: AsOfOpt = None,
    setting: SettingOpt = None,
    output: FormatOpt = OutputFormat.table,
) -> None:
    """Backtests of the thesis: its book, signal, momentum on its universe.

    Decide at the close of t, trade at the close of t+1. Settings are the
    ``backtest.*`` names (``--set backtest.lookback=63``); the numbers are
    the report's backtest section and ``/api/backtest``.
    """
    analysis = load_analysis(store, thesis, as_of, parse_settings(setting))
    _emit(analysis, [strategy.value] if strategy else None, output)


@thesis_app.command("backtest")
def thesis_backtest(
    path: ThesisArg = None,
    store: StoreOpt = None,
    as_of: AsOfOpt = None,
    level: Annotated[
        float | None,
        typer.Option(
            help="Health level of the 'health' book signal (backtest.signal_level; "
            "default: the thesis's event-study level)."
        ),
    ] = None,
    setting: SettingOpt = None,
    output: FormatOpt = OutputFormat.table,
) -> None:
    """Show what acting on the thesis did: its book and its signal strategy.

    The ``thesis_tilt`` and ``book`` strategies of ``rotation backtest`` (the
    JSON is the whole backtests part, as ``rotation backtest --format json``).
    """
    settings: dict[str, Any] = parse_settings(setting)
    if level is not None:
        settings["backtest.signal_level"] = level
    analysis = load_analysis(store, path, as_of, settings)
    _emit(analysis, ["thesis_tilt", "book", "buy_and_hold"], output)
