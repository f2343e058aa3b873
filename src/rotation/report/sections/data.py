"""Data sections: the Fed and its dot plot, price panels, data coverage.

Renderers only: each reads one part of the :class:`~rotation.analysis.Analysis`
and formats it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from rotation.analysis import Omitted
from rotation.report.model import FigureBlock, Section, TableBlock, TextBlock
from rotation.report.plotting import (
    base_layout,
    dates,
    figure,
    hline,
    numbers,
    weekly,
)
from rotation.report.sections._common import omitted_section, part_data

if TYPE_CHECKING:
    from rotation.analysis import Analysis

__all__ = ["build_coverage_section", "build_fed_section", "build_price_panels_section"]

YAHOO = "Yahoo Finance adjusted closes"


def build_coverage_section(analysis: Analysis) -> Section:
    """Every symbol and series known on the as-of date: first/last date, rows."""
    part = analysis.coverage
    table = part.table.copy()
    for column in ("first", "last"):
        table[column] = table[column].astype(str)
    text = (
        f"{part.n_prices} price histories, {part.n_series} series and the FOMC dot "
        "plot, as known on the as-of date. Macro series are point-in-time: each "
        "value enters only on the day it was published (vintage or documented "
        "publication lag). Survivorship: stock histories are today's index members."
    )
    return Section(
        id="coverage",
        title="Data coverage and provenance",
        blocks=(
            TextBlock(text),
            TableBlock(
                table,
                caption=f"Coverage as of {part.as_of.date()}: first and last "
                "observation known then (nothing later is used or shown).",
            ),
        ),
        data=part_data(part),
    )


def _line_figure(
    frame: pd.DataFrame, title: str, dashed: tuple[str, ...]
) -> dict[str, Any]:
    plot = weekly(frame)
    x = dates(plot.index)
    traces = [
        {"type": "scatter", "x": x, "y": numbers(plot[col].round(3)),
         "name": str(col), "mode": "lines",
         "line": {"dash": "dash" if col in dashed else "solid",
                  "width": 2.5 if col in dashed else 1.4}}
        for col in plot.columns
    ]  # fmt: skip
    return figure(traces, base_layout(title, "index (start = 100)"))


def build_price_panels_section(analysis: Analysis) -> Section:
    """Rebased panels: the thesis universe vs its benchmark, each pair's baskets."""
    part = analysis.prices
    if isinstance(part, Omitted):
        return omitted_section("prices", "Price panels", part)
    span = f"{part.start.date()} to {part.end.date()}"
    blocks = []
    for panel in part.panels:
        what = (
            "Adjusted closes"
            if panel.id == "universe"
            else "Thesis baskets (daily-rebalanced, the basket's weights)"
        )
        blocks.append(
            FigureBlock(
                _line_figure(panel.frame, panel.title, panel.dashed),
                caption=f"{what} rebased to 100 on the first date with data, weekly "
                f"points, {span}.",
                sources=(YAHOO,),
            )
        )
    return Section("prices", "Price panels", tuple(blocks), part_data(part))


def _fed_figure(part: Any) -> dict[str, Any]:
    history = part.range_history
    # Step lines to the as-of date: the last range holds until then.
    end = pd.DataFrame(
        {"date": [part.date], "lower": [part.lower], "upper": [part.upper]}
    )
    steps = pd.concat([history, end], ignore_index=True)
    x = dates(steps["date"])
    traces = [
        {"type": "scatter", "x": x, "y": numbers(steps[name]), "name": f"target {name}",
         "mode": "lines", "line": {"shape": "hv", "width": 1}}
        | ({"fill": fill} if fill else {})
        for name, fill in (("upper", None), ("lower", "tonexty"))
    ]  # fmt: skip
    years = [c for c in part.seps.columns if str(c).isdigit()]
    for _, row in part.seps.tail(part.charted_seps).iterrows():
        known = [c for c in years if pd.notna(row[c])]
        traces.append(
            {"type": "scatter", "x": dates([pd.Timestamp(f"{c}-12-31") for c in known]),
             "y": [float(row[c]) for c in known], "mode": "lines+markers",
             "name": f"SEP {pd.Timestamp(row['meeting']).date()} median",
             "line": {"dash": "dot"}}
        )  # fmt: skip
    levels = [
        hline(level.value, line={"dash": "dash", "width": 1.2, "color": "#888"},
              annotation_text=f"thesis {level.value:g}% ({level.pillar})")
        for level in part.claimed
    ]  # fmt: skip
    return figure(
        traces,
        base_layout("Fed funds target range and dot-plot median paths", "percent"),
        shapes=[shape for shape, _ in levels],
        annotations=[note for _, note in levels],
    )


def build_fed_section(analysis: Analysis) -> Section:
    """Fed funds target range with the dot-plot medians of the latest SEPs."""
    part = analysis.fed
    title = "Fed funds and the dot plot"
    if isinstance(part, Omitted):
        return omitted_section("fed", title, part)
    table = part.seps.assign(meeting=part.seps["meeting"].dt.date.astype(str))
    return Section(
        id="fed",
        title=title,
        blocks=(
            FigureBlock(
                _fed_figure(part),
                caption="Target range (FRED DFEDTARU/DFEDTARL) as known each day "
                f"from {part.start.date()} to {part.date.date()}, and the median of "
                f"every participant's dot at year-end horizons for the last "
                f"{part.charted_seps} SEPs.",
                sources=("FRED", "federalreserve.gov SEP"),
            ),
            TableBlock(
                table.rename(columns={"meeting": "SEP meeting"}),
                caption="Dot-plot medians by SEP meeting (percent; median of all "
                "dots, even counts averaged as the Fed does).",
            ),
        ),
        data=part_data(part),
    )
