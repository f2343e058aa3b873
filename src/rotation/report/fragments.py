"""One section rendered to each output format: the unit the report reuses.

A :class:`RenderedSection` holds a section's HTML, Markdown and JSON exactly
as they appear inside the report's files; :mod:`rotation.report.render`
assembles the files from them. A section's fragments depend only on the
Analysis it renders (and on this code), so an unchanged rerun reads them back
instead of building the section again (:mod:`rotation.report.reuse`).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from rotation.analysis import to_jsonable
from rotation.report.model import Block, FigureBlock, Section, TableBlock, TextBlock
from rotation.report.plotting import figure_html

__all__ = [
    "RenderedSection",
    "escape_json",
    "json_fragment",
    "md_escape",
    "render_section",
]

#: The report's JSON is indented by one space; a section sits two levels deep.
JSON_INDENT = 1
SECTION_DEPTH = 2


@dataclass(frozen=True)
class RenderedSection:
    """A section as it appears in each of the report's files.

    Attributes
    ----------
    id, title : str
        The section's anchor and heading.
    failed : bool
        Whether the section is the error notice of a renderer that raised.
    html : str
        The section's blocks as (escaped) HTML, without the ``<section>`` tag.
    markdown : str
        The section in Markdown, from its ``## title`` line.
    json : str
        ``{"title": ..., **data}`` as the report's JSON writes it under
        ``sections`` (indented for that depth, ``<>&`` escaped).
    """

    id: str
    title: str
    failed: bool
    html: str
    markdown: str
    json: str


def render_section(section: Section) -> RenderedSection:
    """Render ``section`` to its HTML, Markdown and JSON fragments."""
    html = Markup("").join(
        _block_html(block, f"{section.id}-{index}")
        for index, block in enumerate(section.blocks)
    )
    lines = [f"## {md_escape(section.title)}", ""]
    for block in section.blocks:
        lines += _markdown_block(block)
    return RenderedSection(
        id=section.id,
        title=section.title,
        failed="error" in section.data,
        html=str(html),
        markdown="\n".join(lines),
        json=json_fragment({"title": section.title, **section.data}, SECTION_DEPTH),
    )


def json_fragment(value: Any, depth: int) -> str:
    """``value`` as JSON, indented as the report writes it ``depth`` levels deep.

    Equal to the slice of ``json.dumps(to_jsonable(document), indent=1)``
    that holds ``value``: JSON text has no raw newline inside a string, so
    indenting every line break indents the value.
    """
    try:
        # A section's data is to_jsonable's output already: walking it again
        # in Python would cost more than the encoding; anything else falls
        # back to the full conversion.
        text = json.dumps(value, indent=JSON_INDENT, allow_nan=False)
    except (TypeError, ValueError):
        text = json.dumps(to_jsonable(value), indent=JSON_INDENT, allow_nan=False)
    return escape_json(text.replace("\n", "\n" + " " * (JSON_INDENT * depth)))


def escape_json(text: str) -> str:
    """Escape ``<``, ``>`` and ``&`` in JSON text (still valid, same values)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# -- HTML ---------------------------------------------------------------------
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
            text = format_cell(value)
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


def format_cell(value: Any) -> str:
    """Format a table cell ("–" for a missing value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float | np.floating):
        number = float(value)
        return f"{number:,.4g}" if abs(number) < 1e5 else f"{number:,.0f}"
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return str(value)


def _text_html(block: TextBlock) -> Markup:
    if isinstance(block.text, str):
        return Markup("<p>") + escape(block.text) + Markup("</p>")
    items = Markup("").join(
        Markup("<li>") + escape(t) + Markup("</li>") for t in block.text
    )
    return Markup("<ul>") + items + Markup("</ul>")


def _figure_html(block: FigureBlock, key: str) -> Markup:
    div = figure_html(dict(block.spec), key=key)
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


def _block_html(block: Block, key: str) -> Markup:
    if isinstance(block, TextBlock):
        return _text_html(block)
    if isinstance(block, FigureBlock):
        return _figure_html(block, key)
    html = _table_html(block)
    if block.caption:
        html += Markup('<p class="caption">') + escape(block.caption) + Markup("</p>")
    return html


# -- Markdown -----------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>&~])")


def md_escape(text: str) -> str:
    """Escape Markdown and HTML syntax so user text (a thesis) stays plain text.

    Backslash-escapes every character that Markdown or inline HTML gives a
    meaning to, so ``<script>`` or ``[x](javascript:...)`` renders literally.
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _markdown_block(block: Block) -> list[str]:
    if isinstance(block, TextBlock):
        if isinstance(block.text, str):
            return [md_escape(block.text), ""]
        return [f"- {md_escape(t)}" for t in block.text] + [""]
    if isinstance(block, FigureBlock):
        return [f"*Figure: {md_escape(block.title)}* — {md_escape(block.caption)}", ""]
    frame = block.frame
    lines = ["| " + " | ".join(md_escape(str(c)) for c in frame.columns) + " |"]
    lines.append("|" + "---|" * len(frame.columns))
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(md_escape(format_cell(v)) for v in row) + " |")
    return [*lines, ""]
