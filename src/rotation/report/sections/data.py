"""Issue-3 sections: data coverage and normalised price panels."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from rotation.indicators import basket_index, dot_plot_medians, fed_funds_midpoint
from rotation.report.model import (
    FigureBlock,
    ReportContext,
    Section,
    TableBlock,
    TextBlock,
)
from rotation.report.plotting import base_layout, weekly
from rotation.universe import SECTOR_SPDRS

__all__ = ["build_coverage_section", "build_fed_section", "build_price_panels_section"]

SECTORS = SECTOR_SPDRS
#: Lookback of the normalised panels (trading days, ~5 years).
PANEL_DAYS = 1260


def build_coverage_section(ctx: ReportContext) -> Section:
    """Every stored symbol and series: first/last date, rows, source, unit."""
    cov = ctx.coverage.copy()
    cov["first"] = cov["first"].astype(str)
    cov["last"] = cov["last"].astype(str)
    table = cov[["kind", "id", "name", "first", "last", "rows", "unit", "source"]]
    return Section(
        id="coverage",
        title="Data coverage and provenance",
        blocks=(
            TextBlock(
                f"{(cov['kind'] == 'price').sum()} price histories, "
                f"{(cov['kind'] == 'series').sum()} series and the FOMC dot plot. Macro series are "
                "point-in-time: each value enters only on the day it was published (vintage or "
                "documented publication lag). Survivorship: stock histories are today's index members."
            ),
            TableBlock(
                table,
                caption="Coverage of the store (report as of "
                f"{ctx.as_of.date()}; nothing later is used).",
            ),
        ),
        data={
            "as_of": str(ctx.as_of.date()),
            "coverage": table.to_dict(orient="records"),
        },
    )


def _rebased(prices: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    window = prices.loc[start:].dropna(how="all")
    first = window.apply(
        lambda s: (
            s.loc[s.first_valid_index()]
            if s.first_valid_index() is not None
            else float("nan")
        )
    )
    return window / first * 100


def _line_figure(
    frame: pd.DataFrame, title: str, yaxis: str, *, dashed: tuple[str, ...] = ()
) -> go.Figure:
    fig = go.Figure()
    plot = weekly(frame)
    for col in plot.columns:
        fig.add_trace(
            go.Scatter(
                x=plot.index,
                y=plot[col].round(3),
                name=str(col),
                mode="lines",
                line={
                    "dash": "dash" if col in dashed else "solid",
                    "width": 2.5 if col in dashed else 1.4,
                },
            )
        )
    fig.update_layout(**base_layout(title, yaxis))
    return fig


def build_price_panels_section(ctx: ReportContext) -> Section:
    """Normalised price panels: sectors vs SPY, tangible vs tech, IWM vs SPY, copper, oil vs gas."""
    prices = ctx.market.prices
    sessions = prices.index
    start = sessions[max(0, len(sessions) - PANEL_DAYS)]
    span = f"{start.date()} to {ctx.as_of.date()}"
    data: dict[str, object] = {"start": str(start.date()), "end": str(ctx.as_of.date())}
    blocks: list[FigureBlock | TextBlock] = []

    sectors = _rebased(prices[[*SECTORS, "SPY"]], start)
    blocks.append(
        FigureBlock(
            _line_figure(
                sectors, "Sector SPDRs vs SPY", "index (start = 100)", dashed=("SPY",)
            ),
            caption=f"Adjusted closes rebased to 100, weekly, {span}. XLC from "
            "2018-06, XLRE from 2015-10.",
            sources=("Yahoo Finance adjusted closes",),
        )
    )
    data["sectors_vs_spy_last"] = sectors.iloc[-1].round(2).to_dict()

    window = prices.loc[start:]
    tangible = basket_index(window[["XLI", "XLB", "XLE"]])
    tech = basket_index(window[["XLK"]])
    pair = pd.DataFrame(
        {"tangible (XLI+XLB+XLE, equal weight)": tangible, "tech (XLK)": tech}
    )
    pair["IWM"] = _rebased(prices[["IWM"]], start)["IWM"]
    pair["SPY"] = _rebased(prices[["SPY"]], start)["SPY"]
    blocks.append(
        FigureBlock(
            _line_figure(
                pair, "Tangible vs tech, small vs large", "index (start = 100)"
            ),
            caption=f"Equal-weight basket rebalanced daily; {span}.",
            sources=("Yahoo Finance adjusted closes",),
        )
    )
    data["tangible_vs_tech_last"] = {
        "tangible": round(float(tangible.iloc[-1]), 2),
        "tech": round(float(tech.iloc[-1]), 2),
    }

    copper_start = max(start, pd.Timestamp("2018-01-02"))
    copper = _rebased(prices[["HG=F", "CPER", "COPX"]], copper_start)
    blocks.append(
        FigureBlock(
            _line_figure(
                copper, "Copper: COMEX futures, CPER, COPX", "index (start = 100)"
            ),
            caption=f"Rebased from {copper_start.date()}; HG=F (continuous front month, "
            "USD/lb) ends 2025-08-22. CPER bad ticks of 2014-15 are quarantined.",
            sources=("Yahoo Finance",),
        )
    )
    energy = pd.DataFrame(
        {
            "WTI (USD/bbl)": ctx.market.known("EIA_WTI"),
            "Henry Hub x10 (USD/MMBtu x10)": ctx.market.known("EIA_HENRY_HUB") * 10,
        }
    ).loc[start:]
    blocks.append(
        FigureBlock(
            _line_figure(energy, "Oil vs natural gas (EIA spot)", "USD"),
            caption="EIA daily spot prices as known at each date (7-day publication "
            "lag); Henry Hub scaled x10 to share the axis.",
            sources=("EIA",),
        )
    )
    return Section(id="prices", title="Price panels", blocks=tuple(blocks), data=data)


def build_fed_section(ctx: ReportContext) -> Section:
    """Fed funds target range with the dot-plot medians of each SEP."""
    market = ctx.market
    upper, lower = market.known("DFEDTARU"), market.known("DFEDTARL")
    mid = fed_funds_midpoint(upper, lower)
    medians = dot_plot_medians(market.dots)
    start = pd.Timestamp("2019-01-01")
    fig = go.Figure()
    idx = upper.loc[start:].index
    fig.add_trace(
        go.Scatter(
            x=idx,
            y=upper.loc[start:],
            name="target upper",
            mode="lines",
            line={"shape": "hv", "width": 1},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=idx,
            y=lower.loc[start:],
            name="target lower",
            mode="lines",
            line={"shape": "hv", "width": 1},
            fill="tonexty",
        )
    )
    year_cols = [c for c in medians.columns if c.isdigit()]
    recent = medians.loc[medians.index >= start]
    for meeting, row in recent.tail(4).iterrows():
        xs = [pd.Timestamp(f"{c}-12-31") for c in year_cols if pd.notna(row[c])]
        ys = [row[c] for c in year_cols if pd.notna(row[c])]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=f"SEP {pd.Timestamp(str(meeting)).date()} median",
                line={"dash": "dot"},
            )
        )
    fig.update_layout(
        **base_layout("Fed funds target range and dot-plot median paths", "percent")
    )
    last = recent.iloc[-1]
    table = recent.tail(6)[
        [c for c in year_cols if recent.tail(6)[c].notna().any()] + ["longer_run"]
    ]
    table = table.reset_index().rename(columns={"meeting_date": "SEP meeting"})
    table["SEP meeting"] = table["SEP meeting"].dt.date.astype(str)
    return Section(
        id="fed",
        title="Fed funds and the dot plot",
        blocks=(
            FigureBlock(
                fig,
                caption="Target range (FRED DFEDTARU/DFEDTARL) and the median of every "
                "participant's dot at year-end horizons for the last four SEPs.",
                sources=("FRED", "federalreserve.gov SEP"),
            ),
            TableBlock(
                table,
                caption="Dot-plot medians by SEP meeting (percent; median of all dots, "
                "even counts averaged as the Fed does).",
            ),
        ),
        data={
            "fed_mid": float(mid.iloc[-1]),
            "upper": float(upper.iloc[-1]),
            "lower": float(lower.iloc[-1]),
            "latest_sep": str(recent.index[-1].date()),
            "latest_medians": {
                k: (None if pd.isna(v) else float(v)) for k, v in last.items()
            },
        },
    )
