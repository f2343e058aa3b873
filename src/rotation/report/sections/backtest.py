"""Issue-7 section: backtests of the rotation strategies, a sweep and its robustness.

Equity curves and drawdowns of sector momentum, the tangible-vs-tech tilt and
two benchmarks, a tear sheet, the sweep's lookback x top-k heat map, the
deflated Sharpe ratio, PBO by CSCV and a walk-forward run. All maths lives in
:mod:`rotation.backtest` and :mod:`rotation.measures`; this module wires data
in and formats tables and figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rotation.backtest import (
    BacktestResult,
    SweepGrid,
    backtest,
    buy_and_hold,
    cash_returns,
    equal_weight,
    probability_of_backtest_overfitting,
    relative_momentum,
    sweep,
    thesis_tilt,
    walk_forward,
)
from rotation.indicators import relative_return
from rotation.report.model import (
    FigureBlock,
    ReportContext,
    Section,
    TableBlock,
    TextBlock,
)
from rotation.report.plotting import base_layout, weekly
from rotation.universe import SECTOR_SPDRS, TANGIBLE, TECH

__all__ = ["REPORT_GRID", "build_backtest_section"]

SECTORS = SECTOR_SPDRS
#: The report's sweep: 24 lookbacks x 10 top-k x 2 skips at 10 bps = 480 variants.
REPORT_GRID = SweepGrid(
    lookback=tuple(range(20, 251, 10)),
    top_k=tuple(range(1, 11)),
    skip=(0, 21),
    cost_bps=(10.0,),
)
DEFAULTS: dict[str, Any] = {"lookback": 126, "top_k": 3, "skip": 0, "cost_bps": 10.0}
SIGNAL_WINDOW = 126
PBO_SPLITS = 16
SOURCES = ("Yahoo Finance adjusted closes (sector SPDRs, SPY)", "FRED DFF (cash)")
COLORS = {
    "Sector momentum": "#1f77b4",
    "Tangible tilt": "#d62728",
    "Walk-forward momentum": "#9467bd",
    "Equal-weight sectors": "#2ca02c",
    "SPY buy-and-hold": "#7f7f7f",
}


def _signal(prices: pd.DataFrame, options: Mapping[str, Any]) -> tuple[pd.Series, str]:
    given = options.get("backtest_signal")
    if isinstance(given, pd.Series):
        return given, str(options.get("backtest_signal_name", "the thesis signal"))
    rel = relative_return(prices[list(TANGIBLE)], prices[list(TECH)], SIGNAL_WINDOW)
    label = (
        f"{'+'.join(TANGIBLE)} vs {'+'.join(TECH)} {SIGNAL_WINDOW}-session relative "
        "return > 0"
    )
    return (rel > 0).astype(float).where(rel.notna()), label


def _fmt(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if kind == "pct":
        return f"{value:.1%}"
    return f"{value:.2f}"


_ROWS = (
    ("cagr", "CAGR", "pct"),
    ("volatility", "Volatility (ann.)", "pct"),
    ("sharpe", "Sharpe (excess of cash)", "num"),
    ("sortino", "Sortino (excess of cash)", "num"),
    ("max_drawdown", "Max drawdown", "pct"),
    ("drawdown_peak", "Drawdown peak", "date"),
    ("drawdown_trough", "Drawdown trough", "date"),
    ("drawdown_recovery", "Recovered", "date"),
    ("calmar", "Calmar", "num"),
    ("hit_rate", "Hit rate (days)", "pct"),
    ("turnover", "Turnover (one-way, per year)", "num"),
    ("costs_paid", "Costs paid (x start equity)", "num"),
    ("beta", "Beta vs SPY", "num"),
    ("alpha", "Alpha vs SPY (ann.)", "pct"),
    ("information_ratio", "Information ratio vs SPY", "num"),
)


def _json(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def _dates(index: pd.Index) -> list[str]:
    return [pd.Timestamp(d).date().isoformat() for d in index]


def _curves_figure(
    results: Mapping[str, BacktestResult], start: pd.Timestamp
) -> go.Figure:
    fig = go.Figure()
    for label, res in results.items():
        curve = weekly(res.equity.loc[start:] / res.equity.loc[start:].iloc[0])
        fig.add_trace(
            go.Scatter(
                x=_dates(curve.index),
                y=curve.round(4).to_numpy(),
                name=label,
                mode="lines",
                line={"color": COLORS.get(label), "width": 1.6},
            )
        )
    layout = base_layout(
        "Growth of $1 (net of 10 bps costs, cash at Fed funds)",
        "growth of $1 (log scale)",
    )
    layout["yaxis"]["type"] = "log"
    fig.update_layout(**layout)
    return fig


def _drawdown_figure(
    results: Mapping[str, BacktestResult], start: pd.Timestamp
) -> go.Figure:
    fig = go.Figure()
    for label, res in results.items():
        path = weekly(res.drawdown.loc[start:])
        fig.add_trace(
            go.Scatter(
                x=_dates(path.index),
                y=(100 * path).round(2).to_numpy(),
                name=label,
                mode="lines",
                line={"color": COLORS.get(label), "width": 1.2},
            )
        )
    fig.update_layout(**base_layout("Drawdown from running peak", "drawdown (%)"))
    return fig


def _heatmap_figure(heat: pd.DataFrame, title: str) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=heat.round(3).to_numpy(),
            x=[str(c) for c in heat.columns],
            y=[str(i) for i in heat.index],
            colorscale="RdBu",
            zmid=0.0,
            colorbar={"title": "Sharpe"},
            hovertemplate="lookback %{y}<br>top-k %{x}<br>Sharpe %{z:.2f}<extra></extra>",
        )
    )
    layout = base_layout(title, "lookback (sessions)", xaxis="top-k (assets held)")
    layout["hovermode"] = "closest"
    layout["height"] = 460
    fig.update_layout(**layout)
    return fig


def build_backtest_section(ctx: ReportContext) -> Section:
    """Backtests of the rotation strategies, the sweep heat map, DSR and PBO.

    Parameters
    ----------
    ctx : ReportContext
        ``ctx.options["backtest"]`` may override ``lookback``, ``top_k``,
        ``skip`` and ``cost_bps`` of the headline momentum strategy;
        ``ctx.options["backtest_signal"]`` (a daily Series of thesis health or
        rotation-regime probability, causal) drives the tangible tilt, which
        otherwise uses the tangible-vs-tech relative return.

    Returns
    -------
    Section
    """
    market = ctx.market
    params = {**DEFAULTS, **dict(ctx.options.get("backtest") or {})}
    universe = [s for s in SECTORS if s in market.prices.columns]
    prices = market.prices[universe].dropna(how="all")
    index = pd.DatetimeIndex(prices.index)
    cash = cash_returns(market.known("DFF", index=index), index=index)
    cost = float(params["cost_bps"])
    signal, signal_label = _signal(prices, ctx.options)
    momentum = backtest(
        prices,
        relative_momentum(
            prices,
            lookback=int(params["lookback"]),
            top_k=int(params["top_k"]),
            skip=int(params["skip"]),
        ),
        cost_bps=cost,
        cash_returns=cash,
        name="Sector momentum",
        params=params,
    )
    tilt = backtest(
        prices,
        thesis_tilt(
            prices,
            signal,
            tangible=list(TANGIBLE),
            tech=list(TECH),
            tilt=1.0,
            rebalance="month_end",
        ),
        cost_bps=cost,
        cash_returns=cash,
        name="Tangible tilt",
    )
    equal = backtest(
        prices,
        equal_weight(prices),
        cost_bps=cost,
        cash_returns=cash,
        name="Equal-weight sectors",
    )
    spy_prices = market.prices[["SPY"]].reindex(index)
    spy = backtest(
        spy_prices,
        buy_and_hold(spy_prices),
        cost_bps=cost,
        cash_returns=cash,
        name="SPY buy-and-hold",
    )
    wf = walk_forward(
        prices,
        SweepGrid(
            lookback=REPORT_GRID.lookback,
            top_k=REPORT_GRID.top_k,
            skip=REPORT_GRID.skip,
            cost_bps=(cost,),
        ),
        cash_returns=cash,
        train_sessions=756,
        refit="year_end",
    )
    results = {
        "Sector momentum": momentum,
        "Tangible tilt": tilt,
        "Walk-forward momentum": wf.result,
        "Equal-weight sectors": equal,
        "SPY buy-and-hold": spy,
    }
    start = index[0]

    summaries = {
        label: res.summary(None if res is spy else spy)
        for label, res in results.items()
    }
    table_data = {
        label: {key: _json(summary.get(key)) for key, _, _ in _ROWS}
        for label, summary in summaries.items()
    }
    tear = pd.DataFrame(
        [
            {"measure": name}
            | {label: _fmt(s.get(key), kind) for label, s in summaries.items()}
            for key, name, kind in _ROWS
        ]
    )

    swept = sweep(prices, REPORT_GRID, cash_returns=cash, keep_returns=True)
    assert swept.returns is not None
    skip_shown = 21 if 21 in REPORT_GRID.skip else REPORT_GRID.skip[0]
    heat = swept.heatmap("sharpe", skip=skip_shown, cost_bps=REPORT_GRID.cost_bps[0])
    best = swept.best
    dsr = swept.deflated_sharpe()
    pbo = probability_of_backtest_overfitting(swept.returns, n_splits=PBO_SPLITS)

    span = f"{index[0].date()} to {index[-1].date()}"
    blocks: list[Any] = [
        TextBlock(
            (
                f"Sector momentum holds the top {params['top_k']} of the "
                f"{len(universe)} sector SPDRs by {params['lookback']}-session "
                f"return (skipping the last {params['skip']}), decided at each "
                "month-end close and traded at the next close; an ETF is eligible "
                "once it has a full lookback (XLRE from 2015-10, XLC from 2018-06 "
                "list late).",
                f"The tangible tilt holds {'+'.join(TANGIBLE)} when {signal_label}, "
                f"otherwise half {'+'.join(TANGIBLE)} and half {'+'.join(TECH)}; it "
                "is re-decided at month ends and when the signal flips.",
                f"Walk-forward momentum re-picks lookback, top-k and skip each year "
                f"end from the {REPORT_GRID.n_variants}-variant grid by the Sharpe "
                "ratio of the previous three years only.",
                f"All strategies pay {cost:g} bps of traded value; uninvested cash "
                "earns the effective Fed funds rate (ACT/360).",
            )
        ),
        FigureBlock(
            _curves_figure(results, start),
            caption=(
                f"Weekly samples of daily equity, {span}; log scale. "
                "Source: Yahoo Finance adjusted closes, FRED DFF."
            ),
            sources=SOURCES,
        ),
        FigureBlock(
            _drawdown_figure(results, start),
            caption=f"Drawdown in percent from the running peak, {span}.",
            sources=SOURCES,
        ),
        TableBlock(
            tear,
            caption=(
                f"Tear sheet, {span}. Ratios annualised with 252 sessions a year; "
                "Sharpe and Sortino use returns in excess of cash; alpha is Jensen's "
                "alpha against SPY compounded to a year."
            ),
        ),
        FigureBlock(
            _heatmap_figure(
                heat,
                f"Sweep: Sharpe by lookback and top-k (skip {skip_shown}, "
                f"{REPORT_GRID.cost_bps[0]:g} bps)",
            ),
            caption=(
                f"{REPORT_GRID.n_variants} variants of monthly top-k sector momentum "
                f"over {span}; each cell is one variant's full-period Sharpe ratio."
            ),
            sources=SOURCES,
        ),
        TableBlock(
            pd.DataFrame(
                [
                    {
                        "statistic": "Variants tried",
                        "value": f"{REPORT_GRID.n_variants}",
                    },
                    {
                        "statistic": "Best variant (by Sharpe)",
                        "value": str(best["variant"]),
                    },
                    {"statistic": "Best Sharpe", "value": f"{best['sharpe']:.2f}"},
                    {
                        "statistic": "Deflated Sharpe ratio (P[true SR > 0])",
                        "value": f"{dsr:.2f}",
                    },
                    {
                        "statistic": f"PBO (CSCV, {PBO_SPLITS} blocks)",
                        "value": f"{pbo.pbo:.0%}",
                    },
                    {
                        "statistic": "P[best in-sample loses out of sample]",
                        "value": f"{pbo.probability_of_loss:.0%}",
                    },
                ]
            ),
            caption=(
                "Robustness of the sweep's best variant. The deflated Sharpe ratio "
                "(Bailey & López de Prado 2014) counts every variant as a trial, "
                "which over-deflates correlated variants; PBO (Bailey et al. 2015) "
                "is the share of the "
                f"{pbo.n_combinations} in/out-of-sample splits where the in-sample "
                "winner ranks at or below the out-of-sample median."
            ),
        ),
    ]
    data: dict[str, Any] = {
        "as_of": ctx.as_of.date().isoformat(),
        "period": {
            "start": index[0].date().isoformat(),
            "end": index[-1].date().isoformat(),
        },
        "universe": universe,
        "strategy_params": {
            k: (float(v) if isinstance(v, float) else v) for k, v in params.items()
        },
        "signal": signal_label,
        "cash": "FRED DFF, ACT/360, rate known at the previous close",
        "tear_sheet": table_data,
        "final_equity": {
            label: float(res.equity.iloc[-1]) for label, res in results.items()
        },
        "sweep": {
            "grid": {
                "lookback": list(REPORT_GRID.lookback),
                "top_k": list(REPORT_GRID.top_k),
                "skip": list(REPORT_GRID.skip),
                "cost_bps": list(REPORT_GRID.cost_bps),
                "rebalance": REPORT_GRID.rebalance,
            },
            "heatmap_sharpe": {
                "skip": skip_shown,
                "lookback": [int(v) for v in heat.index],
                "top_k": [int(v) for v in heat.columns],
                "values": [[_json(v) for v in row] for row in heat.to_numpy()],
            },
            "best_variant": str(best["variant"]),
            "best_sharpe": _json(best["sharpe"]),
            "deflated_sharpe": _json(dsr),
            "pbo": _json(pbo.pbo),
            "pbo_splits": PBO_SPLITS,
            "probability_of_loss": _json(pbo.probability_of_loss),
        },
        "walk_forward": {
            "choices": [
                {
                    "date": day,
                    "lookback": int(r["lookback"]),
                    "skip": int(r["skip"]),
                    "top_k": int(r["top_k"]),
                    "train_sharpe": _json(r["score"]),
                }
                for day, r in zip(
                    _dates(wf.choices.index),
                    wf.choices.to_dict("records"),
                    strict=True,
                )
            ],
        },
        "sources": list(SOURCES),
    }
    return Section(
        id="backtest",
        title="Backtests: rotation strategies, sweep and overfitting checks",
        blocks=tuple(blocks),
        data=data,
    )
