"""The backtest section: renders ``analysis.backtests`` (it computes nothing).

Equity curves and drawdowns of the thesis's book, its signal strategy,
momentum on its universe and the benchmark, a tear sheet, the sweep's
lookback x top-k heat map, the deflated Sharpe ratio, PBO and the walk-forward
choices. Every number comes from :mod:`rotation.analysis._backtests`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rotation.analysis import Analysis, Backtests, Omitted, SweepRobustness
from rotation.report.model import FigureBlock, Section, TableBlock, TextBlock
from rotation.report.plotting import base_layout, colorscale, figure, numbers
from rotation.report.sections._common import omitted_section, part_data

__all__ = ["build_backtest_section"]

TITLE = "Backtests: the thesis book, its signal, momentum and overfitting checks"
COLORS = {
    "thesis_tilt": "#d62728",
    "book": "#ff7f0e",
    "relative_momentum": "#1f77b4",
    "walk_forward": "#9467bd",
    "equal_weight": "#2ca02c",
    "buy_and_hold": "#7f7f7f",
}
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
    ("beta", "Beta vs {b}", "num"),
    ("alpha", "Alpha vs {b} (ann.)", "pct"),
    ("information_ratio", "Information ratio vs {b}", "num"),
)


def _fmt(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return f"{value:.1%}" if kind == "pct" else f"{value:.2f}"


def _dates(index: Any) -> list[str]:
    return [pd.Timestamp(d).date().isoformat() for d in index]


def _curves_figure(part: Backtests, kind: str) -> dict[str, Any]:
    series = part.curves.equity if kind == "equity" else part.curves.drawdown
    scale = 1.0 if kind == "equity" else 100.0
    x = _dates(part.curves.dates)
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": numbers(np.round(scale * np.asarray(values, dtype=float), 4)),
            "name": part.strategies[name].label,
            "mode": "lines",
            "line": {"color": COLORS.get(name), "width": 1.6 if scale == 1 else 1.2},
        }
        for name, values in series.items()
    ]
    if kind == "equity":
        layout = base_layout(
            f"Growth of $1 (net of {part.cost_bps:g} bps costs, cash at Fed funds)",
            "growth of $1 (log scale)",
        )
        layout["yaxis"]["type"] = "log"
    else:
        layout = base_layout("Drawdown from running peak", "drawdown (%)")
    return figure(traces, layout)


def _heatmap_figure(sweep: SweepRobustness) -> dict[str, Any]:
    heat = sweep.heatmap
    z = np.array(heat.sharpe, dtype=float)
    trace = {
        "type": "heatmap",
        "z": numbers(np.round(z, 3)),
        "x": [str(k) for k in heat.top_k],
        "y": [str(v) for v in heat.lookback],
        "colorscale": colorscale("RdBu"),
        "zmid": 0.0,
        "colorbar": {"title": {"text": "Sharpe"}},
        "hovertemplate": "lookback %{y}<br>top-k %{x}<br>Sharpe %{z:.2f}<extra></extra>",
    }
    title = (
        f"Sweep: Sharpe by lookback and top-k (skip {heat.skip}, {heat.cost_bps:g} bps)"
    )
    layout = base_layout(title, "lookback (sessions)", xaxis="top-k (assets held)")
    layout["hovermode"] = "closest"
    layout["height"] = 460
    return figure([trace], layout)


def _tear_table(part: Backtests) -> pd.DataFrame:
    bench = part.benchmark or "the benchmark"
    rows = []
    for key, name, kind in _ROWS:
        row = {"measure": name.format(b=bench)}
        for strategy in part.strategies.values():
            row[strategy.label] = _fmt(getattr(strategy.tear_sheet, key), kind)
        rows.append(row)
    return pd.DataFrame(rows)


def _robustness_table(sweep: SweepRobustness) -> pd.DataFrame:
    rows = (
        ("Variants tried", f"{sweep.n_variants}"),
        ("Best variant (by Sharpe)", sweep.best_variant),
        ("Best Sharpe", f"{sweep.best_sharpe:.2f}"),
        ("Deflated Sharpe ratio (P[true SR > 0])", f"{sweep.deflated_sharpe:.2f}"),
        (f"PBO (CSCV, {sweep.pbo_splits} blocks)", f"{sweep.pbo:.0%}"),
        ("P[best in-sample loses out of sample]", f"{sweep.probability_of_loss:.0%}"),
    )
    return pd.DataFrame([{"statistic": k, "value": v} for k, v in rows])


def _text(part: Backtests) -> TextBlock:
    lines = [f"{s.label}: {s.rule}" for s in part.strategies.values()]
    lines.append(
        f"All strategies pay {part.cost_bps:g} bps of traded value; uninvested "
        "cash earns the effective Fed funds rate (ACT/360). Period: "
        f"{part.period_rule}"
    )
    lines += [f"Not shown: {note}." for note in part.notes]
    return TextBlock(tuple(lines))


def _sweep_blocks(sweep: SweepRobustness, span: str) -> list[Any]:
    return [
        FigureBlock(
            _heatmap_figure(sweep),
            caption=(
                f"{sweep.n_variants} variants of {sweep.rebalance.replace('_', ' ')}"
                f" top-k momentum on the thesis universe over {span}; each cell is "
                "one variant's full-period Sharpe ratio."
            ),
        ),
        TableBlock(
            _robustness_table(sweep),
            caption=(
                "Robustness of the sweep's best variant. The deflated Sharpe ratio "
                "(Bailey & López de Prado 2014) counts every variant as a trial, "
                "which over-deflates correlated variants; PBO (Bailey et al. 2015) "
                f"is the share of the {sweep.n_combinations} in/out-of-sample "
                "splits where the in-sample winner ranks at or below the "
                "out-of-sample median."
            ),
        ),
    ]


def build_backtest_section(analysis: Analysis) -> Section:
    """Render ``analysis.backtests``: curves, tear sheet, sweep, DSR and PBO.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    Section
        ``data`` is the part's JSON (the same as ``rotation backtest
        --format json`` and ``/api/backtest``).
    """
    part = analysis.backtests
    if isinstance(part, Omitted):
        return omitted_section("backtest", TITLE, part)
    span = f"{part.start.date()} to {part.end.date()}"
    sources = tuple(part.sources)
    bench = part.benchmark or "no benchmark (the thesis has no universe)"
    blocks: list[Any] = [
        _text(part),
        FigureBlock(
            _curves_figure(part, "equity"),
            caption=f"Weekly samples of daily equity, {span}; log scale.",
            sources=sources,
        ),
        FigureBlock(
            _curves_figure(part, "drawdown"),
            caption=f"Drawdown in percent from the running peak, {span}.",
            sources=sources,
        ),
        TableBlock(
            _tear_table(part),
            caption=(
                f"Tear sheet, {span}. Ratios annualised with the sessions per "
                "year; Sharpe and Sortino use returns in excess of cash; alpha is "
                f"Jensen's alpha against {bench}, compounded to a year."
            ),
        ),
    ]
    if part.sweep is not None:
        blocks += _sweep_blocks(part.sweep, span)
    return Section(
        id="backtest", title=TITLE, blocks=tuple(blocks), data=part_data(part)
    )
