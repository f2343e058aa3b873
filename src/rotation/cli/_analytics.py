"""``rotation risk``, ``regimes``, ``backtest`` and ``sweep``."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from rotation.cli._common import (
    AsOfOpt,
    StoreOpt,
    _fail,
    _frame_table,
    _progress,
    _thesis_and_market,
    app,
    console,
)
from rotation.exceptions import RotationError
from rotation.universe import SECTOR_SPDRS


def _parse_weights(text: str) -> dict[str, float]:
    weights = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        try:
            weights[name.strip().upper()] = float(value)
        except ValueError:
            raise typer.BadParameter(
                f"--weights takes SYMBOL=WEIGHT pairs separated by commas (got {part!r})"
            ) from None
    return weights


@app.command()
def risk(
    store: StoreOpt = None,
    weights: Annotated[
        str | None,
        typer.Option(
            help="Portfolio as SYMBOL=WEIGHT,... (default: +1/3 XLI XLB XLE, -1 XLK)."
        ),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(help="Scenario names to run (default: all of the thesis)."),
    ] = None,
    thesis: Annotated[
        Path | None, typer.Option(help="Thesis YAML whose risks to apply.")
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Scenarios, historical replays and VaR/CVaR of a portfolio."""
    from rotation.risk import (
        ROTATION_WEIGHTS,
        Scenario,
        equity_sessions,
        historical_replay,
        run_scenarios,
        scenario_factors,
        session_returns,
        var_table,
    )

    spec, market = _thesis_and_market(store, thesis, as_of)
    book = _parse_weights(weights) if weights else dict(ROTATION_WEIGHTS)
    unknown = sorted(set(book) - set(market.prices.columns))
    if unknown:
        _fail(RotationError(f"unknown symbol(s) in --weights: {', '.join(unknown)}"))
    scenarios = [Scenario.from_dict(d) for d in spec.scenarios()]
    if scenario:
        known = {sc.name for sc in scenarios}
        missing = sorted(set(scenario) - known)
        if missing:
            _fail(
                RotationError(
                    f"unknown scenario(s) {missing}; the thesis defines {sorted(known)}"
                )
            )
        scenarios = [sc for sc in scenarios if sc.name in scenario]
    returns = session_returns(market.prices, equity_sessions(market))
    with _progress() as progress:
        progress.add_task("estimating exposures and VaR", total=None)
        results = run_scenarios(returns, scenario_factors(market), scenarios, book)
        replays = historical_replay(returns, book)
        var = var_table(returns, book, horizons=(1, 10))
    console.print(f"portfolio: {', '.join(f'{k} {v:+.3g}' for k, v in book.items())}")
    rows = [
        {
            "scenario": r.scenario.name,
            "P&L": r.pnl,
            "R2": r.exposure.r_squared,
            "window": f"{r.exposure.start}..{r.exposure.end}",
            "shocks": ", ".join(f"{k} {v:+g}" for k, v in r.scenario.shocks.items()),
        }
        for r in results
    ]
    console.print(
        _frame_table(pd.DataFrame(rows), "scenarios (P&L as a fraction of gross)")
    )
    console.print(
        _frame_table(
            replays.drop(columns=["description"], errors="ignore"), "historical replays"
        )
    )
    console.print(
        _frame_table(var[["method", "level", "horizon", "var", "cvar"]], "VaR / CVaR")
    )


@app.command()
def regimes(
    store: StoreOpt = None,
    as_of: AsOfOpt = None,
    refit: Annotated[str, typer.Option(help="Refit frequency: W, M, Q or Y.")] = "Q",
) -> None:
    """Rotation regime as known on a date: filtered probability, score, episodes."""
    import warnings

    from rotation.regimes import (
        ROTATION_MODEL,
        MarkovRegimes,
        RegimeConvergenceWarning,
        basket_spread_returns,
        regime_episodes,
        rotation_components,
        rotation_score,
    )
    from rotation.report.sections.regimes import MIN_EPISODE_SESSIONS

    _, market = _thesis_and_market(store, None, as_of)
    spread = basket_spread_returns(market.prices, ("XLI", "XLB", "XLE"), ("XLK",))
    with _progress() as progress, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RegimeConvergenceWarning)
        progress.add_task("fitting Markov regimes on expanding windows", total=None)
        model = MarkovRegimes(**{**ROTATION_MODEL, "refit": refit}).fit(spread)
        score = rotation_score(rotation_components(market))
    current = model.result_.current
    probs = ", ".join(f"{k} {v:.2f}" for k, v in current["probabilities"].items())
    console.print(
        f"as of [bold]{current['date']}[/]: most likely regime "
        f"[bold]{current['regime']}[/] ({probs}); composite rotation score "
        f"{score.current['score']:+.2f}; {len(model.fits_)} refits, "
        f"{len(caught)} convergence warnings (last good fit kept)"
    )
    episodes = regime_episodes(model.regime_, spread, min_length=MIN_EPISODE_SESSIONS)
    console.print(_frame_table(episodes.tail(15), "regime episodes (latest 15)"))


class Strategy(StrEnum):
    """Strategies ``rotation backtest`` runs."""

    relative_momentum = "relative_momentum"
    dual_momentum = "dual_momentum"
    thesis_tilt = "thesis_tilt"
    equal_weight = "equal_weight"
    buy_and_hold = "buy_and_hold"


def _parse_params(items: list[str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--param takes KEY=VALUE (got {item!r})")
        if "," in value:
            params[key] = [v.strip().upper() for v in value.split(",")]
            continue
        try:
            params[key] = int(value)
        except ValueError:
            try:
                params[key] = float(value)
            except ValueError:
                params[key] = value
    return params


def _cash(market: Any, index: pd.DatetimeIndex) -> pd.Series:
    from rotation.backtest import cash_returns

    return cash_returns(market.known("DFF", index=index), index=index)


@app.command("backtest")
def backtest_command(
    strategy: Annotated[
        Strategy, typer.Argument(help="Strategy to run.")
    ] = Strategy.relative_momentum,
    store: StoreOpt = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", help="Strategy parameter KEY=VALUE, e.g. lookback=126 top_k=3."
        ),
    ] = None,
    universe: Annotated[
        str,
        typer.Option(help="Comma-separated symbols (default: the 11 sector SPDRs)."),
    ] = ",".join(SECTOR_SPDRS),
    cost_bps: Annotated[
        float, typer.Option(help="Costs in bps of traded value.")
    ] = 10.0,
    as_of: AsOfOpt = None,
) -> None:
    """Backtest a strategy: decide at the close of t, trade at the close of t+1."""
    from rotation.backtest import run_backtest
    from rotation.indicators import relative_return

    _, market = _thesis_and_market(store, None, as_of)
    symbols = [s.strip().upper() for s in universe.split(",") if s.strip()]
    params = _parse_params(param)
    signal = None
    if strategy is Strategy.thesis_tilt:
        params.setdefault("tangible", ["XLI", "XLB", "XLE"])
        params.setdefault("tech", ["XLK"])
        symbols = sorted(set(symbols) | set(params["tangible"]) | set(params["tech"]))
        signal = relative_return(
            market.prices[params["tangible"]], market.prices[params["tech"]], 126
        )
    if strategy is Strategy.dual_momentum:
        params.setdefault("risky", symbols)
    unknown = sorted(set(symbols) - set(market.prices.columns))
    if unknown:
        _fail(RotationError(f"unknown symbol(s) {', '.join(unknown)}"))
    prices = market.prices[symbols].dropna(how="all")
    try:
        result = run_backtest(
            strategy.value,
            prices,
            params=params,
            signal=signal,
            cash_returns=_cash(market, prices.index),
            cost_bps=cost_bps,
        )
        spy = market.prices["SPY"].reindex(prices.index)
        benchmark = run_backtest("buy_and_hold", spy.to_frame(), cost_bps=0.0)
    except (ValueError, TypeError) as exc:
        _fail(exc)
        return
    summary = result.summary(benchmark)
    frame = summary.rename("value").to_frame().reset_index(names="measure")
    frame["value"] = [
        str(pd.Timestamp(v).date())
        if isinstance(v, pd.Timestamp)
        else f"{v:.4g}"
        if isinstance(v, float)
        else str(v)
        for v in frame["value"]
    ]
    console.print(
        _frame_table(frame, f"{strategy.value} {params or ''} vs SPY buy-and-hold")
    )


@app.command()
def sweep(
    grid_file: Annotated[
        Path, typer.Argument(help="Sweep grid YAML (see examples/sweep_grid.yaml).")
    ],
    store: StoreOpt = None,
    cluster: Annotated[
        str | None,
        typer.Option(help="'local' for a Dask LocalCluster, or tcp://host:8786."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the metrics table to CSV.")
    ] = None,
    top: Annotated[int, typer.Option(help="Variants to show, best Sharpe first.")] = 15,
    keep_returns: Annotated[
        bool,
        typer.Option(
            help="Keep every variant's daily returns for the deflated Sharpe ratio "
            "(memory: variants x days x 8 bytes)."
        ),
    ] = False,
) -> None:
    """Run a parameter grid in one process or on Dask; same results either way."""
    from rotation.backtest import load_grid
    from rotation.distributed import run_sweep

    try:
        grid = load_grid(grid_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(exc)
        return
    _, market = _thesis_and_market(store, None)
    symbols = (
        list(grid.universe) if getattr(grid, "universe", None) else list(SECTOR_SPDRS)
    )
    prices = market.prices[symbols].dropna(how="all")
    start = time.perf_counter()
    with _progress() as progress:
        progress.add_task(f"sweeping on {cluster or 'this process'}", total=None)
        result = run_sweep(
            grid,
            prices,
            cash_returns=_cash(market, prices.index),
            cluster=cluster,
            keep_returns=keep_returns,
        )
    elapsed = time.perf_counter() - start
    metrics = result.metrics
    if out is not None:
        metrics.to_csv(out, index=False)
        console.print(f"wrote [bold]{out}[/]")
    best = metrics.sort_values("sharpe", ascending=False).head(top)
    console.print(
        _frame_table(
            best, f"{len(metrics):,} variants in {elapsed:.2f} s (best Sharpe first)"
        )
    )
    if keep_returns:
        console.print(
            f"deflated Sharpe of the best variant: {result.deflated_sharpe()}"
        )
    else:
        console.print("deflated Sharpe ratio: rerun with --keep-returns")
