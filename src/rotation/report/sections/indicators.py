"""Indicator sections: basket correlation, RRG, spreads, copper, rates.

Renderers only: each reads one part of the :class:`~rotation.analysis.Analysis`
and formats it (rounding, plotly figures); the numbers come from the part.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rotation.analysis import Omitted
from rotation.report.model import FigureBlock, Section, TableBlock, TextBlock
from rotation.report.plotting import base_layout, dates, figure, hline, numbers
from rotation.report.sections._common import omitted_section, part_data

if TYPE_CHECKING:
    from rotation.analysis import Analysis, BasketCorrelation

__all__ = [
    "build_copper_section",
    "build_correlation_section",
    "build_rates_section",
    "build_rrg_section",
    "build_spreads_section",
]

YAHOO = "Yahoo Finance adjusted closes"
QUADRANT_COLOURS = {
    "leading": "rgba(46,160,67,0.10)",
    "weakening": "rgba(210,153,34,0.10)",
    "lagging": "rgba(218,54,51,0.10)",
    "improving": "rgba(56,139,253,0.10)",
}


def _day(value: Any) -> str:
    """ISO date of a timestamp-like value ("" for none)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(pd.Timestamp(value).date())


def _pct(value: float, digits: int = 2) -> float | None:
    return None if value is None or math.isnan(value) else round(100.0 * value, digits)


def _lines(
    frame: pd.DataFrame | Mapping[str, pd.Series],
    title: str,
    yaxis: str,
    *,
    hlines: Mapping[str, float] | None = None,
    scale: float = 1.0,
) -> dict[str, Any]:
    traces = [
        {"type": "scatter", "x": dates(series.index),
         "y": numbers((scale * series).round(4)), "name": str(name), "mode": "lines",
         "line": {"width": 1.5}}
        for name, series in dict(frame.items()).items()
    ]  # fmt: skip
    levels = [
        hline(level, line={"dash": "dash", "width": 1.2, "color": "#888"},
              annotation_text=label, annotation_position="top left")
        for label, level in (hlines or {}).items()
    ]  # fmt: skip
    return figure(
        traces,
        base_layout(title, yaxis),
        shapes=[shape for shape, _ in levels],
        annotations=[note for _, note in levels],
    )


# -- correlation ----------------------------------------------------------------
def _correlation_text(entry: BasketCorrelation) -> str:
    if entry.date is None:
        return f"Not enough history for the average correlation of {entry.basket}."
    claim = (
        f" The pillar {entry.pillar} claims {entry.claimed:.2f}"
        f" ({entry.claimed_text}); its rule is {entry.rule}."
        if entry.claimed is not None
        else f" The pillar {entry.pillar}'s rule is {entry.rule}."
    )
    return (
        f"Average pairwise correlation of {entry.basket} "
        f"({', '.join(entry.members)}) over {entry.window} sessions: "
        f"{entry.value:.2f} on {_day(entry.date)}, {entry.members_with_data} of "
        f"{len(entry.members)} members with data (past year: high "
        f"{entry.past_year_high:.2f} on {_day(entry.past_year_high_date)}, low "
        f"{entry.past_year_low:.2f} on {_day(entry.past_year_low_date)}).{claim}"
    )


def _correlation_blocks(entry: BasketCorrelation, as_of: pd.Timestamp) -> list[Any]:
    lines = {f"rule bound {b:.2f}": b for b in entry.thresholds}
    if entry.claimed is not None and entry.is_pillar_value:
        lines[f"claimed {entry.claimed:.2f}"] = entry.claimed
    corr_label = f"{entry.window}-day average pairwise correlation"
    disp_label = f"{entry.dispersion_window}-day return dispersion"
    weights = "equal weights" if entry.weights is None else "the basket's weights"
    return [
        TextBlock(_correlation_text(entry)),
        FigureBlock(
            _lines({corr_label: entry.avg_corr}, f"{entry.basket}: average pairwise "
                   "correlation", "correlation", hlines=lines),
            caption=f"Average of the pairwise correlations ({weights}) of daily "
            f"returns over {entry.window} sessions, weekly points, "
            f"{_day(entry.chart_start)} to {as_of.date()}. A stock counts once it "
            "has a full window.",
            sources=(YAHOO,),
        ),
        FigureBlock(
            _lines({disp_label: entry.dispersion_series}, f"{entry.basket}: "
                   "cross-sectional dispersion", "percent (std of returns)", scale=100.0),
            caption="Cross-sectional standard deviation of the members' compounded "
            f"{entry.dispersion_window}-session returns, weekly points.",
            sources=(YAHOO,),
        ),
    ]  # fmt: skip


def build_correlation_section(analysis: Analysis) -> Section:
    """Average pairwise correlation and dispersion of each basket a pillar watches."""
    part = analysis.correlation
    title = "Basket correlation and divergence"
    if isinstance(part, Omitted):
        return omitted_section("correlation", title, part)
    blocks = [b for e in part.baskets for b in _correlation_blocks(e, analysis.as_of)]
    return Section("correlation", title, tuple(blocks), part_data(part))


# -- RRG ------------------------------------------------------------------------
def _rrg_figure(tails: pd.DataFrame, title: str) -> dict[str, Any]:
    spread = 0.5
    if len(tails):
        deviation = np.abs(tails[["rs_ratio", "rs_momentum"]].to_numpy(float) - 100.0)
        spread = max(0.5, float(np.nanmax(deviation)) * 1.1)
    lo, hi = 100.0 - spread, 100.0 + spread
    boxes = {
        "leading": (100, hi, 100, hi),
        "weakening": (100, hi, lo, 100),
        "lagging": (lo, 100, lo, 100),
        "improving": (lo, 100, 100, hi),
    }
    shapes = [
        {"fillcolor": QUADRANT_COLOURS[name], "layer": "below", "line": {"width": 0},
         "type": "rect", "x0": x0, "x1": x1, "y0": y0, "y1": y1}
        for name, (x0, x1, y0, y1) in boxes.items()
    ]  # fmt: skip
    labels = [
        {"showarrow": False, "text": name, "x": (x0 + x1) / 2,
         "y": y1 if y1 > 100 else y0}
        for name, (x0, x1, y0, y1) in boxes.items()
    ]  # fmt: skip
    traces = []
    for symbol, tail in tails.groupby("symbol", sort=False):
        n = len(tail)
        traces.append(
            {"type": "scatter", "x": numbers(tail["rs_ratio"].round(3)),
             "y": numbers(tail["rs_momentum"].round(3)),
             "mode": "lines+markers+text", "name": str(symbol),
             "marker": {"size": [4] * (n - 1) + [10]},
             "text": [""] * (n - 1) + [str(symbol)], "textposition": "top center",
             "line": {"width": 1.2}}
        )  # fmt: skip
    layout = base_layout(title, "RS-Momentum", xaxis="RS-Ratio")
    layout.update(hovermode="closest", height=520)
    layout["xaxis"] = {**layout["xaxis"], "range": [lo, hi]}
    layout["yaxis"] = {**layout["yaxis"], "range": [lo, hi]}
    return figure(traces, layout, shapes=shapes, annotations=labels)


def build_rrg_section(analysis: Analysis) -> Section:
    """Weekly RRG of the thesis universe against its benchmark, with tails."""
    part = analysis.rrg
    title = "Rotation of the universe (RRG)"
    if isinstance(part, Omitted):
        return omitted_section("rrg", title, part)
    table = part.current.assign(since=part.current["since"].map(_day)).round(
        {"rs_ratio": 2, "rs_momentum": 2, "heading_deg": 0, "speed": 2}
    )
    params = (
        f"RS = 100 x member / {part.benchmark} on weekly closes (last session of "
        f"each week); RS-Ratio = 100 + z-score of RS over {part.window} weeks; "
        f"RS-Momentum = 100 + z-score over {part.window} weeks of the "
        f"{part.momentum_window}-week rate of change of RS-Ratio. Inspired by J. de "
        "Kempenaer's RRG (StockCharts), whose exact formulas are proprietary."
    )
    if part.missing:
        params += f" No prices for {', '.join(part.missing)} (left out)."
    figure_title = f"Universe vs {part.benchmark}: Relative Rotation Graph (weekly)"
    blocks = (
        TextBlock(params),
        FigureBlock(
            _rrg_figure(part.tails, figure_title),
            caption=f"Tails of {part.tail_length} weekly points ending "
            f"{_day(part.as_of)}; the large marker is the latest week. Clockwise "
            "rotation is the normal path: improving -> leading -> weakening -> "
            "lagging.",
            sources=(YAHOO,),
        ),
        TableBlock(
            table,
            caption="Current quadrant (since = date of the last quadrant change), "
            "heading in degrees (0 = RS-Ratio rising, 90 = RS-Momentum rising) and "
            "speed (distance moved in the last week).",
        ),
    )
    return Section("rrg", title, blocks, part_data(part))


# -- spreads --------------------------------------------------------------------
def _spreads_table(part: Any) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "spread": s.id,
                "long": f"{s.long} ({s.long_members_priced} of {len(s.long_members)})",
                "short": f"{s.short} ({s.short_members_priced} of "
                f"{len(s.short_members)})",
                "date": _day(s.date),
                f"rel_{part.window}d_pct": _pct(s.relative_return),
                f"rel_{part.long_window}d_pct": _pct(s.long_relative_return),
                "ratio_vs_start": round(s.ratio_vs_start, 2),
            }
            for s in part.latest
        ]
    )


def build_spreads_section(analysis: Analysis) -> Section:
    """Render the thesis's basket pairs: rolling relative returns, indexed ratios."""
    part = analysis.spreads
    title = "Spreads of the thesis's baskets"
    if isinstance(part, Omitted):
        return omitted_section("spreads", title, part)
    span = f"{_day(part.start)} to {analysis.as_of.date()}"
    skipped = "".join(f" {k} left out: {v}." for k, v in part.skipped.items())
    blocks = (
        FigureBlock(
            _lines(part.relative_return, "Spreads: rolling "
                   f"{part.window}-session relative return", "percent (long vs short)",
                   hlines={"0": 0.0}, scale=100.0),
            caption=f"(1 + R_long)/(1 + R_short) - 1 over the trailing {part.window} "
            "sessions, R compounded from daily returns (basket weights rebalanced "
            f"daily); weekly points, {span}.",
            sources=(YAHOO,),
        ),
        FigureBlock(
            _lines(part.ratio, "Spreads: indexed ratio", "long/short (start = 100)"),
            caption="Ratio of the two legs' total-return indexes, 100 on "
            f"{_day(part.start)}.",
            sources=(YAHOO,),
        ),
        TableBlock(
            _spreads_table(part),
            caption="Latest relative returns (percent), members with data on that "
            f"date, and the ratio against its level on {_day(part.start)}.{skipped}",
        ),
    )  # fmt: skip
    return Section("spreads", title, blocks, part_data(part))


# -- copper ---------------------------------------------------------------------
def _copper_caption(part: Any, as_of: pd.Timestamp) -> str:
    stale = [
        f"{k} ends {_day(d)}"
        for k, d in part.last_dates.items()
        if (as_of - d).days > 45 and not k.startswith("PCOPP")
    ]
    ended = f" ({'; '.join(stale)})" if stale else ""
    return (
        f"{', '.join(part.rebased)}{ended}: indexes, 100 on {_day(part.start)}; the "
        f"IMF monthly price as known each day; weekly points to {as_of.date()}."
    )


def build_copper_section(analysis: Analysis) -> Section:
    """Copper trend: COMEX front month, CPER, COPX and the IMF monthly price."""
    part = analysis.copper
    if isinstance(part, Omitted):
        return omitted_section("copper", "Copper", part)
    table = part.trend.assign(date=part.trend["date"].map(_day)).round({"last": 4})
    for column in ("mom_3m", "mom_12m", "ma_slope", "dist_ma", "drawdown_12m"):
        table[column] = (100.0 * table[column]).round(2)
    blocks = (
        FigureBlock(
            _lines(part.rebased, "Copper: price indexes", "index (start = 100)"),
            caption=_copper_caption(part, analysis.as_of),
            sources=(YAHOO, "IMF via FRED (PCOPPUSDM)"),
        ),
        FigureBlock(
            _lines(part.drawdown, "Copper: drawdown from the 12-month high",
                   "percent", scale=100.0),
            caption=f"P / max(P over the last {part.drawdown_window} sessions) - 1; "
            "weekly points.",
            sources=(YAHOO,),
        ),
        TableBlock(
            table,
            caption="Trend gauges in percent: 3- and 12-month momentum, slope of the "
            f"{part.moving_average}-session moving average over "
            f"{part.slope_window} sessions, distance from it, drawdown from the "
            "12-month high (monthly series: the same spans in months).",
        ),
    )  # fmt: skip
    return Section("copper", "Copper", blocks, part_data(part))


# -- rates ----------------------------------------------------------------------
def _rates_text(part: Any) -> str:
    latest = part.latest
    if part.date is None or math.isnan(latest.get("fed_mid", math.nan)):
        return "No rates data."
    claims = "".join(
        f" The thesis ({c.pillar}) claims {c.value:g}% for {c.expr}."
        for c in part.claimed
    )
    return (
        f"As of {part.date.date()}: Fed funds midpoint {latest['fed_mid']:.3f}%, "
        f"median dot for this year {latest['dots_current_year']:.3f}% and for the "
        f"last projected year {latest['dots_terminal']:.3f}%.{claims} Core PCE is "
        f"{latest['core_pce_yoy_gap']:+.2f} pp from the {part.inflation_target:g}% "
        f"target; the 2-year yield is {latest['dgs2_minus_mid']:+.2f} pp from the "
        "midpoint."
    )


def build_rates_section(analysis: Analysis) -> Section:
    """Fed funds midpoint vs the dot-plot median path, inflation gaps, 2y spread."""
    part = analysis.rates
    title = "Rates and the Fed path"
    if isinstance(part, Omitted):
        return omitted_section("rates", title, part)
    claimed = {f"thesis {c.value:g}% ({c.pillar})": c.value for c in part.claimed}
    table = pd.DataFrame({"gauge": list(part.latest),
                          "latest": [round(v, 3) for v in part.latest.values()]})  # fmt: skip
    blocks = (
        TextBlock(_rates_text(part)),
        FigureBlock(
            _lines(part.levels, "Policy rate vs the FOMC median path", "percent",
                   hlines=claimed),
            caption="Target-range midpoint (DFEDTARU/DFEDTARL), median dots of the "
            "latest SEP known each day (current calendar year, and its last "
            f"calendar-year horizon), and DGS2; weekly points, {_day(part.start)} to "
            f"{analysis.as_of.date()}.",
            sources=("FRED", "Federal Reserve SEP via palewire/fed-dot-plot-scraper"),
        ),
        FigureBlock(
            _lines(part.gaps, "Inflation gaps and the 2-year spread",
                   "percentage points", hlines={"0": 0.0}),
            caption="Year-over-year CPI (CPIAUCSL) and core PCE (PCEPILFE) inflation "
            f"minus the {part.inflation_target:g}% target, as known on each day "
            "(publication lag), and DGS2 minus the Fed funds midpoint.",
            sources=("FRED (BLS, BEA)",),
        ),
        TableBlock(table, caption="Latest values (percent or percentage points)."),
    )  # fmt: skip
    return Section("rates", title, blocks, part_data(part))
