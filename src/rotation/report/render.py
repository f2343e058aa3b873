"""Render a built report to self-contained HTML, JSON or Markdown.

HTML embeds plotly's JavaScript from the installed package (never a CDN) so
the file opens offline; every piece of text that reaches the page is escaped
by jinja2's autoescape, so a hostile thesis title or claim stays text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs

from rotation.analysis import to_jsonable
from rotation.report.builder import Report
from rotation.report.model import FigureBlock, TableBlock, TextBlock
from rotation.workspace import data_freshness

__all__ = [
    "render_html",
    "render_json",
    "render_markdown",
    "escape_json",
    "md_escape",
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


def _text_html(block: TextBlock) -> Markup:
    if isinstance(block.text, str):
        return Markup("<p>") + escape(block.text) + Markup("</p>")
    items = Markup("").join(
        Markup("<li>") + escape(t) + Markup("</li>") for t in block.text
    )
    return Markup("<ul>") + items + Markup("</ul>")


def _figure_html(block: FigureBlock) -> Markup:
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
    return (
        Markup('<figure class="chart">')
        + Markup(div)
        + Markup("<figcaption>")
        + caption
        + Markup("</figcaption></figure>")
    )


def _block_html(block: TextBlock | FigureBlock | TableBlock) -> Markup:
    if isinstance(block, TextBlock):
        return _text_html(block)
    if isinstance(block, FigureBlock):
        return _figure_html(block)
    html = _table_html(block)
    if block.caption:
        html += Markup('<p class="caption">') + escape(block.caption) + Markup("</p>")
    return html


def render_sections(report: Report) -> list[dict[str, Any]]:
    """Render each section to escaped HTML: ``id``, ``title``, ``html``, ``failed``."""
    return [
        {
            "id": section.id,
            "title": section.title,
            "html": Markup("").join(_block_html(b) for b in section.blocks),
            "failed": "error" in section.data,
        }
        for section in report.sections
    ]


def render_html(
    report: Report, *, title: str = "rotation report", headline: Sequence[Any] = ()
) -> str:
    """Render the report as one self-contained HTML page.

    ``headline`` holds the tiles shown under the title (label, value, note).
    """
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            title=title,
            as_of=str(report.analysis.as_of.date()),
            sections=render_sections(report),
            css=Markup(report_css()),
            failures=report.failures,
            plotly_js=Markup(get_plotlyjs()),
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            freshness=data_freshness(report.analysis.snapshot),
            headline=headline,
        )
    )


def render_json(report: Report, *, meta: dict[str, Any] | None = None) -> str:
    """Every number of the report, with provenance, as JSON.

    ``<``, ``>`` and ``&`` are written as JSON unicode escapes, so user
    text (a thesis title or claim) stays inert when the JSON is embedded in a
    page or opened in a browser.
    """
    payload = {
        "meta": {
            "as_of": str(report.analysis.as_of.date()),
            "data": data_freshness(report.analysis.snapshot),
            "thesis": report.analysis.thesis_name,
            "settings": report.analysis.config.as_dict(),
            **(meta or {}),
            "timings_s": {k: round(v, 3) for k, v in report.timings.items()},
            "failures": [{"id": f.id, "error": f.error} for f in report.failures],
        },
        "sections": {s.id: {"title": s.title, **s.data} for s in report.sections},
    }
    return escape_json(json.dumps(to_jsonable(payload), indent=1, allow_nan=False))


def escape_json(text: str) -> str:
    """Escape ``<``, ``>`` and ``&`` in JSON text (still valid, same values)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>&~])")


def md_escape(text: str) -> str:
    """Escape Markdown and HTML syntax so user text (a thesis) stays plain text.

    Backslash-escapes every character that Markdown or inline HTML gives a
    meaning to, so ``<script>`` or ``[x](javascript:...)`` renders literally.
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _markdown_block(block: TextBlock | FigureBlock | TableBlock) -> list[str]:
    if isinstance(block, TextBlock):
        if isinstance(block.text, str):
            return [md_escape(block.text), ""]
        return [f"- {md_escape(t)}" for t in block.text] + [""]
    if isinstance(block, FigureBlock):
        title = block.figure.layout.title.text or ""
        return [f"*Figure: {md_escape(title)}* — {md_escape(block.caption)}", ""]
    frame = block.frame
    lines = ["| " + " | ".join(md_escape(str(c)) for c in frame.columns) + " |"]
    lines.append("|" + "---|" * len(frame.columns))
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(md_escape(_fmt(v)) for v in row) + " |")
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    """Render plain Markdown (tables and text; figures are listed by caption).

    Every piece of text is escaped (:func:`md_escape`): a hostile thesis title
    or claim stays text in any Markdown or HTML viewer.
    """
    lines = [f"# rotation report — as of {report.analysis.as_of.date()}", ""]
    for section in report.sections:
        lines += [f"## {md_escape(section.title)}", ""]
        for block in section.blocks:
            lines += _markdown_block(block)
    return "\n".join(lines)
