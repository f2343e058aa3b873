"""Issue-4 sections: AI-basket correlation, sector RRG, spreads, copper, rates."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rotation.indicators import (
    basket_index,
    distance_from_moving_average,
    drawdown_from_high,
    momentum,
    moving_average_slope,
    rates_path,
    relative_return,
    rolling_average_correlation,
    rolling_dispersion,
    rrg,
    simple_returns,
    to_weekly,
)
from rotation.report.model import (
    FigureBlock,
    ReportContext,
    Section,
    TableBlock,
    TextBlock,
)
from rotation.report.plotting import base_layout
from rotation.universe import AI_LARGE, SECTOR_SPDRS

__all__ = [
    "build_ai_correlation_section",
    "build_copper_section",
    "build_rates_section",
    "build_rrg_section",
    "build_spreads_section",
]

SECTORS = SECTOR_SPDRS
#: Thesis claim: average correlation of large AI stocks fell from ~80% to ~20%.
CLAIMED_CORRELATION = (0.80, 0.20)
CORRELATION_WINDOW = 63
DISPERSION_WINDOW = 21
#: Weekly RRG: half-year z-score window, 5-week rate of change, 10-week tails.
RRG_WINDOW, RRG_MOMENTUM, RRG_TAIL = 26, 5, 10
SPREAD_WINDOW = 63
#: Chart lookback for spreads and copper (sessions, ~5 years).
LOOKBACK = 1260
YAHOO = "Yahoo Finance adjusted closes"
QUADRANT_COLOURS = {
    "leading": "rgba(46,160,67,0.10)",
    "weakening": "rgba(210,153,34,0.10)",
    "lagging": "rgba(218,54,51,0.10)",
    "improving": "rgba(56,139,253,0.10)",
}


def _num(value: Any, digits: int = 6) -> float | None:
    """JSON-safe rounded float (None for NaN/missing)."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, digits)


def weekly(values: Any) -> Any:
    """Last value of each week, labelled by its last session (never a later day).

    Keeps long daily charts light; short histories are returned unchanged.
    """
    if len(values) < 600:
        return values
    if isinstance(values, pd.Series):
        out = to_weekly(values.to_frame("value"))["value"]
        out.name = values.name
        return out
    return to_weekly(values)


def _day(value: Any) -> str:
    """ISO date of a timestamp-like value."""
    return str(pd.Timestamp(value).date())


def _series_data(series: pd.Series, digits: int = 6) -> dict[str, list[Any]]:
    return {
        "dates": [str(d.date()) for d in series.index],
        "values": [_num(v, digits) for v in series.to_numpy(dtype=float)],
    }


def _prices(ctx: ReportContext, symbols: tuple[str, ...] | list[str]) -> pd.DataFrame:
    present = [s for s in symbols if s in ctx.market.prices.columns]
    return ctx.market.prices.loc[: ctx.as_of, present].astype("float64")


def _lines(
    frame: pd.DataFrame,
    title: str,
    yaxis: str,
    *,
    hlines: Mapping[str, float] | None = None,
) -> go.Figure:
    fig = go.Figure()
    for column in frame.columns:
        fig.add_trace(
            go.Scatter(
                x=frame.index,
                y=frame[column].round(4),
                name=str(column),
                mode="lines",
                line={"width": 1.5},
            )
        )
    for label, level in (hlines or {}).items():
        fig.add_hline(
            y=level,
            line={"dash": "dash", "width": 1.2, "color": "#888"},
            annotation_text=label,
            annotation_position="top left",
        )
    fig.update_layout(**base_layout(title, yaxis))
    return fig


def build_ai_correlation_section(ctx: ReportContext) -> Section:
    """63-day average pairwise correlation and dispersion of the AI basket."""
    prices = _prices(ctx, AI_LARGE).dropna(how="all")
    members = list(prices.columns)
    returns = simple_returns(prices, skip_empty_rows=True)
    corr = rolling_average_correlation(returns, CORRELATION_WINDOW).dropna()
    disp = rolling_dispersion(returns, DISPERSION_WINDOW).dropna()
    start = corr.index[max(0, len(corr) - 2 * LOOKBACK)] if len(corr) else ctx.as_of
    shown_corr = weekly(corr.loc[start:])
    shown_disp = weekly(disp.loc[start:])
    high, low = CLAIMED_CORRELATION
    blocks: list[TextBlock | FigureBlock | TableBlock] = []
    data: dict[str, Any] = {
        "members": members,
        "parameters": {
            "correlation_window": CORRELATION_WINDOW,
            "dispersion_window": DISPERSION_WINDOW,
            "weights": "equal",
        },
        "claim": {"from": high, "to": low},
    }
    if len(corr):
        last_year = corr.loc[corr.index[-1] - pd.DateOffset(years=1) :]
        latest = float(corr.iloc[-1])
        high_date = _day(last_year.idxmax())
        low_date = _day(last_year.idxmin())
        summary = (
            f"Average pairwise correlation of {', '.join(members)} over "
            f"{CORRELATION_WINDOW} sessions: {latest:.2f} on "
            f"{corr.index[-1].date()} (past year: high {last_year.max():.2f} on "
            f"{high_date}, low {last_year.min():.2f} on "
            f"{low_date}). The thesis claims a fall from about "
            f"{high:.0%} to about {low:.0%}."
        )
        blocks.append(TextBlock(summary))
        data["latest"] = {"date": str(corr.index[-1].date()), "avg_corr": _num(latest)}
        data["past_year"] = {
            "max": _num(last_year.max()),
            "max_date": high_date,
            "min": _num(last_year.min()),
            "min_date": low_date,
        }
    else:
        blocks.append(TextBlock("Not enough history for the AI-basket correlation."))
    blocks.append(
        FigureBlock(
            _lines(
                shown_corr.to_frame("63-day average pairwise correlation"),
                "AI large caps: average pairwise correlation",
                "correlation",
                hlines={f"claim: {high:.2f}": high, f"claim: {low:.2f}": low},
            ),
            caption=f"Equal-weight average of the pairwise correlations of daily "
            f"returns over {CORRELATION_WINDOW} sessions, weekly points, "
            f"{shown_corr.index[0].date() if len(shown_corr) else ''} to "
            f"{ctx.as_of.date()}. A stock counts once it has a full window.",
            sources=(YAHOO,),
        )
    )
    blocks.append(
        FigureBlock(
            _lines(
                (100.0 * shown_disp).to_frame("21-day return dispersion"),
                "AI large caps: cross-sectional dispersion",
                "percent (std of 21-day returns)",
            ),
            caption="Cross-sectional standard deviation of the members' compounded "
            f"{DISPERSION_WINDOW}-session returns, weekly points.",
            sources=(YAHOO,),
        )
    )
    data["avg_corr_weekly"] = _series_data(shown_corr)
    data["dispersion_weekly"] = _series_data(shown_disp)
    if len(disp):
        data["latest"] = {**data.get("latest", {}), "dispersion": _num(disp.iloc[-1])}
    return Section(
        id="ai_correlation",
        title="AI stocks: correlation and divergence",
        blocks=tuple(blocks),
        data=data,
    )


def _rrg_figure(tails: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    spread = 0.5
    if len(tails):
        spread = max(
            0.5,
            float(np.nanmax(np.abs(tails[["rs_ratio", "rs_momentum"]] - 100.0))) * 1.1,
        )
    lo, hi = 100.0 - spread, 100.0 + spread
    boxes = {
        "leading": (100, hi, 100, hi),
        "weakening": (100, hi, lo, 100),
        "lagging": (lo, 100, lo, 100),
        "improving": (lo, 100, 100, hi),
    }
    for name, (x0, x1, y0, y1) in boxes.items():
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x1,
            y0=y0,
            y1=y1,
            fillcolor=QUADRANT_COLOURS[name],
            line={"width": 0},
            layer="below",
        )
        fig.add_annotation(
            x=(x0 + x1) / 2, y=y1 if y1 > 100 else y0, text=name, showarrow=False
        )
    for symbol, tail in tails.groupby("symbol", sort=False):
        sizes = [4] * (len(tail) - 1) + [10]
        fig.add_trace(
            go.Scatter(
                x=tail["rs_ratio"].round(3),
                y=tail["rs_momentum"].round(3),
                mode="lines+markers+text",
                name=str(symbol),
                marker={"size": sizes},
                text=[""] * (len(tail) - 1) + [str(symbol)],
                textposition="top center",
                line={"width": 1.2},
            )
        )
    layout = base_layout(
        "Sector SPDRs vs SPY: Relative Rotation Graph (weekly)",
        "RS-Momentum",
        xaxis="RS-Ratio",
    )
    layout.update(hovermode="closest", height=520)
    layout["xaxis"] = {**layout["xaxis"], "range": [lo, hi]}
    layout["yaxis"] = {**layout["yaxis"], "range": [lo, hi]}
    fig.update_layout(**layout)
    return fig


def build_rrg_section(ctx: ReportContext) -> Section:
    """Weekly RRG of the 11 sector SPDRs vs SPY with 10-week tails."""
    prices = _prices(ctx, (*SECTORS, "SPY"))
    prices = prices[prices["SPY"].notna()]
    sectors = [s for s in SECTORS if s in prices.columns]
    result = rrg(
        prices[sectors],
        prices["SPY"],
        window=RRG_WINDOW,
        momentum_window=RRG_MOMENTUM,
        frequency="weekly",
    )
    tails = result.tails(RRG_TAIL)
    quadrants = result.quadrants()
    events = result.transitions()
    rows = []
    for symbol in sectors:
        tail = tails[tails["symbol"] == symbol]
        if tail.empty:
            continue
        last = tail.iloc[-1]
        own = events[events["symbol"] == symbol]
        since = _day(own["date"].iloc[-1]) if len(own) else ""
        rows.append(
            {
                "symbol": symbol,
                "quadrant": quadrants.loc[last["date"], symbol],
                "since": since,
                "rs_ratio": round(float(last["rs_ratio"]), 2),
                "rs_momentum": round(float(last["rs_momentum"]), 2),
                "heading_deg": round(float(last["heading_deg"]), 0),
                "speed": round(float(last["speed"]), 2),
            }
        )
    table = pd.DataFrame(rows)
    as_of = str(tails["date"].max().date()) if len(tails) else str(ctx.as_of.date())
    params = (
        f"RS = 100 x sector / SPY on weekly closes (last session of each week); "
        f"RS-Ratio = 100 + z-score of RS over {RRG_WINDOW} weeks; RS-Momentum = "
        f"100 + z-score over {RRG_WINDOW} weeks of the {RRG_MOMENTUM}-week rate of "
        "change of RS-Ratio. Inspired by J. de Kempenaer's RRG (StockCharts), whose "
        "exact formulas are proprietary."
    )
    blocks = (
        TextBlock(params),
        FigureBlock(
            _rrg_figure(tails),
            caption=f"Tails of {RRG_TAIL} weekly points ending {as_of}; the large "
            "marker is the latest week. Clockwise rotation is the normal path: "
            "improving -> leading -> weakening -> lagging.",
            sources=(YAHOO,),
        ),
        TableBlock(
            table,
            caption="Current quadrant (since = date of the last quadrant change), "
            "heading in degrees (0 = RS-Ratio rising, 90 = RS-Momentum rising) and "
            "speed (distance moved in the last week).",
        ),
    )
    data = {
        "parameters": {
            "frequency": "weekly",
            "window": RRG_WINDOW,
            "momentum_window": RRG_MOMENTUM,
            "tail_length": RRG_TAIL,
            "variant": "zscore",
            "benchmark": "SPY",
        },
        "as_of": as_of,
        "current": table.to_dict(orient="records"),
        "tails": [
            {
                "symbol": r.symbol,
                "date": _day(r.date),
                "rs_ratio": _num(r.rs_ratio),
                "rs_momentum": _num(r.rs_momentum),
                "heading_deg": _num(r.heading_deg),
                "speed": _num(r.speed),
            }
            for r in tails.itertuples()
        ],
    }
    return Section(id="rrg", title="Sector rotation (RRG)", blocks=blocks, data=data)


def _spread_pairs(ctx: ReportContext) -> dict[str, tuple[list[str], list[str]]]:
    pairs = {
        "tangible (XLI+XLB+XLE) vs tech (XLK)": (["XLI", "XLB", "XLE"], ["XLK"]),
        "small vs large (IWM/SPY)": (["IWM"], ["SPY"]),
        "value vs growth (IWD/IWF)": (["IWD"], ["IWF"]),
        "oil vs gas (USO/UNG)": (["USO"], ["UNG"]),
        "copper vs gold (CPER/GLD)": (["CPER"], ["GLD"]),
    }
    columns = set(ctx.market.prices.columns)
    return {
        name: (a, b)
        for name, (a, b) in pairs.items()
        if set(a) <= columns and set(b) <= columns
    }


def build_spreads_section(ctx: ReportContext) -> Section:
    """Rotation spreads: rolling 63-day relative returns and indexed ratios."""
    pairs = _spread_pairs(ctx)
    symbols = sorted({s for a, b in pairs.values() for s in (*a, *b)})
    prices = _prices(ctx, symbols)
    start = prices.index[max(0, len(prices) - LOOKBACK)]
    rel: dict[str, pd.Series] = {}
    ratio: dict[str, pd.Series] = {}
    rows = []
    for name, (a, b) in pairs.items():
        rel_63 = relative_return(prices[a], prices[b], SPREAD_WINDOW)
        rel_252 = relative_return(prices[a], prices[b], 252)
        window = prices.loc[start:]
        level = basket_index(window[a]) / basket_index(window[b]) * 100.0
        rel[name] = 100.0 * rel_63.loc[start:]
        ratio[name] = level
        valid = rel_63.dropna()
        rows.append(
            {
                "spread": name,
                "date": str(valid.index[-1].date()) if len(valid) else "",
                "rel_63d_pct": _num(100.0 * valid.iloc[-1], 2) if len(valid) else None,
                "rel_252d_pct": _num(100.0 * rel_252.dropna().iloc[-1], 2)
                if rel_252.notna().any()
                else None,
                "ratio_vs_start": _num(level.dropna().iloc[-1], 2)
                if level.notna().any()
                else None,
            }
        )
    rel_frame = weekly(pd.DataFrame(rel))
    ratio_frame = weekly(pd.DataFrame(ratio))
    span = f"{start.date()} to {ctx.as_of.date()}"
    table = pd.DataFrame(rows)
    blocks = (
        FigureBlock(
            _lines(
                rel_frame,
                "Rotation spreads: rolling 63-session relative return",
                "percent (A vs B)",
                hlines={"0": 0.0},
            ),
            caption="(1 + R_A)/(1 + R_B) - 1 over the trailing 63 sessions, R "
            "compounded from daily returns (equal-weight basket rebalanced daily); "
            f"weekly points, {span}.",
            sources=(YAHOO,),
        ),
        FigureBlock(
            _lines(ratio_frame, "Rotation spreads: indexed ratio", "A/B (start = 100)"),
            caption=f"Ratio of the two legs' total-return indexes, 100 on {start.date()}.",
            sources=(YAHOO,),
        ),
        TableBlock(
            table,
            caption="Latest relative returns (percent) and the ratio against its level "
            f"on {start.date()}. CPER has two bad ticks in 2014-15, before this window.",
        ),
    )
    data = {
        "parameters": {"window": SPREAD_WINDOW, "start": str(start.date())},
        "pairs": {name: {"a": a, "b": b} for name, (a, b) in pairs.items()},
        "latest": table.to_dict(orient="records"),
        "relative_return_63d_weekly_pct": {
            name: _series_data(rel_frame[name], 4) for name in rel_frame.columns
        },
        "ratio_weekly": {
            name: _series_data(ratio_frame[name], 4) for name in ratio_frame.columns
        },
    }
    return Section(id="spreads", title="Rotation spreads", blocks=blocks, data=data)


def _trend_row(
    name: str, prices: pd.Series, per_year: int, unit: str
) -> dict[str, Any]:
    quarter = max(1, per_year // 4)
    ma = max(2, round(per_year * 200 / 252))
    values = {
        "mom_3m_pct": momentum(prices, quarter),
        "mom_12m_pct": momentum(prices, per_year),
        "ma_slope_pct": moving_average_slope(
            prices, ma, slope_window=max(1, per_year // 12)
        ),
        "dist_ma_pct": distance_from_moving_average(prices, ma),
        "drawdown_12m_pct": drawdown_from_high(prices, per_year),
    }
    valid = prices.dropna()
    row: dict[str, Any] = {
        "series": name,
        "date": str(valid.index[-1].date()) if len(valid) else "",
        "last": _num(valid.iloc[-1], 4) if len(valid) else None,
        "unit": unit,
    }
    for key, series in values.items():
        known = series.dropna()
        row[key] = _num(100.0 * known.iloc[-1], 2) if len(known) else None
    return row


def build_copper_section(ctx: ReportContext) -> Section:
    """Copper trend: HG=F, CPER, COPX and the IMF monthly copper price."""
    prices = _prices(ctx, ("HG=F", "CPER", "COPX"))
    start = prices.index[max(0, len(prices) - LOOKBACK)]
    units = {"HG=F": "USD/lb", "CPER": "USD", "COPX": "USD"}
    rows = [_trend_row(s, prices[s], 252, units[s]) for s in prices.columns]
    monthly = None
    if "PCOPPUSDM" in ctx.market.series:
        frame = ctx.market.series["PCOPPUSDM"]
        monthly = frame.loc[frame["known_from"] <= ctx.as_of, "value"].astype("float64")
        rows.append(_trend_row("PCOPPUSDM (IMF, monthly)", monthly, 12, "USD/t"))
    window = prices.loc[start:]
    rebased = pd.DataFrame(
        {s: basket_index(window[[s]]) for s in window.columns}, index=window.index
    )
    if monthly is not None:
        known = ctx.market.known("PCOPPUSDM", pd.DatetimeIndex(window.index))
        known = known.astype("float64")
        first = known.dropna()
        if len(first):
            rebased["PCOPPUSDM (as known)"] = known / first.iloc[0] * 100.0
    drawdowns = pd.DataFrame(
        {
            s: 100.0 * drawdown_from_high(prices[s], 252).loc[start:]
            for s in prices.columns
        }
    )
    span = f"{start.date()} to {ctx.as_of.date()}"
    table = pd.DataFrame(rows)
    blocks = (
        FigureBlock(
            _lines(weekly(rebased), "Copper: price indexes", "index (start = 100)"),
            caption=f"HG=F (COMEX front month, to 2025-08), CPER, COPX and the IMF "
            f"global copper price as known each day; weekly points, {span}.",
            sources=(YAHOO, "IMF via FRED (PCOPPUSDM)"),
        ),
        FigureBlock(
            _lines(
                weekly(drawdowns),
                "Copper: drawdown from the 12-month high",
                "percent",
            ),
            caption=f"P / max(P over the last 252 sessions) - 1; weekly points, {span}.",
            sources=(YAHOO,),
        ),
        TableBlock(
            table,
            caption="Trend gauges in percent: 3- and 12-month momentum, slope of the "
            "200-session moving average over a month, distance from it, drawdown "
            "from the 12-month high (monthly series: 3/12 observations, 10-month "
            "average).",
        ),
    )
    data = {
        "parameters": {
            "moving_average": 200,
            "slope_window": 21,
            "start": str(start.date()),
        },
        "latest": table.to_dict(orient="records"),
        "rebased_weekly": {
            c: _series_data(weekly(rebased)[c], 3) for c in rebased.columns
        },
        "drawdown_weekly_pct": {
            c: _series_data(weekly(drawdowns)[c], 3) for c in drawdowns.columns
        },
    }
    return Section(id="copper", title="Copper", blocks=blocks, data=data)


def build_rates_section(ctx: ReportContext) -> Section:
    """Fed funds midpoint vs the dot-plot median path, inflation gaps, 2y spread."""
    path = rates_path(ctx.market).loc[: ctx.as_of]
    start = pd.Timestamp("2018-01-01")
    shown = path.loc[start:]
    levels = pd.DataFrame(
        {
            "Fed funds midpoint": shown["fed_mid"],
            "dot median, current year": shown["dots_current_year"],
            "dot median, terminal year": shown["dots_terminal"],
            "2-year Treasury": shown["dgs2_minus_mid"] + shown["fed_mid"],
        }
    )
    gaps = pd.DataFrame(
        {
            "CPI yoy - 2": shown["cpi_yoy_gap"],
            "core PCE yoy - 2": shown["core_pce_yoy_gap"],
            "2y - Fed mid": shown["dgs2_minus_mid"],
        }
    )
    latest = path.dropna(how="all").iloc[-1] if len(path.dropna(how="all")) else None
    table = pd.DataFrame(
        {
            "gauge": list(path.columns),
            "latest": [
                _num(latest[c], 3) if latest is not None else None for c in path.columns
            ],
        }
    )
    text = "No rates data."
    if latest is not None:
        text = (
            f"As of {path.index[-1].date()}: Fed funds midpoint {latest['fed_mid']:.3f}%, "
            f"median dot for this year {latest['dots_current_year']:.3f}% and for the "
            f"last projected year {latest['dots_terminal']:.3f}% (thesis: ~3.4% "
            f"terminal). Core PCE is {latest['core_pce_yoy_gap']:+.2f} pp from the 2% "
            f"target; the 2-year yield is {latest['dgs2_minus_mid']:+.2f} pp from the "
            "midpoint."
        )
    blocks = (
        TextBlock(text),
        FigureBlock(
            _lines(
                weekly(levels),
                "Policy rate vs the FOMC median path",
                "percent",
                hlines={"thesis terminal 3.4%": 3.4},
            ),
            caption="Target-range midpoint (DFEDTARU/DFEDTARL), median dots of the "
            "latest SEP known each day (current calendar year, and its last "
            f"calendar-year horizon), and DGS2; weekly points, {start.date()} to "
            f"{ctx.as_of.date()}.",
            sources=("FRED", "Federal Reserve SEP via palewire/fed-dot-plot-scraper"),
        ),
        FigureBlock(
            _lines(
                weekly(gaps),
                "Inflation gaps and the 2-year spread",
                "percentage points",
                hlines={"0": 0.0},
            ),
            caption="Year-over-year CPI (CPIAUCSL) and core PCE (PCEPILFE) inflation "
            "minus the 2% target, as known on each day (publication lag), and DGS2 "
            "minus the Fed funds midpoint.",
            sources=("FRED (BLS, BEA)",),
        ),
        TableBlock(table, caption="Latest values (percent or percentage points)."),
    )
    data = {
        "latest": dict(zip(table["gauge"], table["latest"], strict=True)),
        "latest_date": str(path.index[-1].date()) if len(path) else None,
        "levels_weekly": {
            c: _series_data(weekly(levels)[c], 4) for c in levels.columns
        },
        "gaps_weekly": {c: _series_data(weekly(gaps)[c], 4) for c in gaps.columns},
        "parameters": {"inflation_target": 2.0, "thesis_terminal": 3.4},
    }
    return Section(id="rates", title="Rates and the Fed path", blocks=blocks, data=data)
