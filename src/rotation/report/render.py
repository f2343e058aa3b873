"""Render a built report to self-contained HTML, JSON or Markdown.

HTML embeds plotly's JavaScript from the installed package (never a CDN) so
the file opens offline; every piece of text that reaches the page is escaped
by jinja2's autoescape, so a hostile thesis title or claim stays text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs

from rotation.report.builder import Report
from rotation.report.model import FigureBlock, TableBlock, TextBlock

__all__ = [
    "render_html",
    "render_json",
    "render_markdown",
    "render_sections",
    "report_css",
    "to_jsonable",
]


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("rotation.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )


def _table_html(block: TableBlock) -> Markup:
    frame = block.frame
    head = "".join(
        f"<th>{escape(str(c))}</th>"
        for c in ([frame.index.name or ""] if block.show_index else [])
        + list(frame.columns)
    )
    rows = []
    for idx, row in frame.iterrows():
        cells = [f"<th>{escape(str(idx))}</th>"] if block.show_index else []
        for col, value in row.items():
            css = (
                block.cell_classes[str(col)](value)
                if str(col) in block.cell_classes
                else ""
            )
            text = _fmt(value)
            num = (
                " num"
                if isinstance(value, int | float | np.number)
                and not isinstance(value, bool)
                else ""
            )
            cells.append(f'<td class="{escape(css)}{num}">{escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return Markup(
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float | np.floating):
        number = float(value)
        return f"{number:,.4g}" if abs(number) < 1e5 else f"{number:,.0f}"
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return str(value)


@cache
def report_css() -> str:
    """Return the report's stylesheet (light and dark), shared with the dashboard."""
    env = _env()
    assert env.loader is not None
    return env.loader.get_source(env, "report.css")[0]


def render_sections(report: Report) -> list[dict[str, Any]]:
    """Render each section to escaped HTML: ``id``, ``title``, ``html``, ``failed``."""
    out = []
    for section in report.sections:
        parts: list[Markup] = []
        for block in section.blocks:
            if isinstance(block, TextBlock):
                texts = (block.text,) if isinstance(block.text, str) else block.text
                if isinstance(block.text, str):
                    parts.append(Markup("<p>") + escape(block.text) + Markup("</p>"))
                else:
                    parts.append(
                        Markup("<ul>")
                        + Markup("").join(
                            Markup("<li>") + escape(t) + Markup("</li>") for t in texts
                        )
                        + Markup("</ul>")
                    )
            elif isinstance(block, FigureBlock):
                div = block.figure.to_html(
                    full_html=False,
                    include_plotlyjs=False,
                    config={"displaylogo": False, "responsive": True},
                )
                caption = escape(block.caption)
                if block.sources:
                    caption += (
                        Markup(" <span class='src'>Source: ")
                        + escape(", ".join(block.sources))
                        + Markup("</span>")
                    )
                parts.append(
                    Markup('<figure class="chart">')
                    + Markup(div)
                    + Markup("<figcaption>")
                    + caption
                    + Markup("</figcaption></figure>")
                )
            elif isinstance(block, TableBlock):
                parts.append(_table_html(block))
                if block.caption:
                    parts.append(
                        Markup('<p class="caption">')
                        + escape(block.caption)
                        + Markup("</p>")
                    )
        out.append(
            {
                "id": section.id,
                "title": section.title,
                "html": Markup("").join(parts),
                "failed": "error" in section.data,
            }
        )
    return out


def render_html(
    report: Report, *, title: str = "rotation report", headline: Sequence[Any] = ()
) -> str:
    """Render the report as one self-contained HTML page.

    ``headline`` holds the tiles shown under the title (label, value, note).
    """
    ctx = report.context
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            title=title,
            as_of=str(ctx.as_of.date()),
            sections=render_sections(report),
            css=Markup(report_css()),
            failures=report.failures,
            plotly_js=Markup(get_plotlyjs()),
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            headline=headline,
        )
    )


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas values to plain JSON types (NaN -> null)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.reset_index().to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return to_jsonable({str(k): v for k, v in value.items()})
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp | dt.date | dt.datetime):
        return (
            str(value.date())
            if isinstance(value, pd.Timestamp | dt.datetime)
            else str(value)
        )
    if value is pd.NaT:
        return None
    return value


def render_json(report: Report, *, meta: dict[str, Any] | None = None) -> str:
    """Every number of the report, with provenance, as JSON."""
    payload = {
        "meta": {
            "as_of": str(report.context.as_of.date()),
            **(meta or {}),
            "timings_s": {k: round(v, 3) for k, v in report.timings.items()},
            "failures": [{"id": f.id, "error": f.error} for f in report.failures],
        },
        "sections": {s.id: {"title": s.title, **s.data} for s in report.sections},
    }
    return json.dumps(to_jsonable(payload), indent=1, allow_nan=False)


def render_markdown(report: Report) -> str:
    """Render plain Markdown (tables and text; figures are listed by caption)."""
    lines = [f"# rotation report — as of {report.context.as_of.date()}", ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, TextBlock):
                texts = (
                    [block.text] if isinstance(block.text, str) else list(block.text)
                )
                lines += (
                    [texts[0]]
                    if isinstance(block.text, str)
                    else [f"- {t}" for t in texts]
                ) + [""]
            elif isinstance(block, FigureBlock):
                lines += [
                    f"*Figure: {block.figure.layout.title.text or ''}* — {block.caption}",
                    "",
                ]
            elif isinstance(block, TableBlock):
                frame = block.frame
                cols = [str(c) for c in frame.columns]
                lines.append("| " + " | ".join(cols) + " |")
                lines.append("|" + "---|" * len(cols))
                for _, row in frame.iterrows():
                    lines.append(
                        "| "
                        + " | ".join(_fmt(v).replace("|", "\\|") for v in row)
                        + " |"
                    )
                lines.append("")
    return "\n".join(lines)
