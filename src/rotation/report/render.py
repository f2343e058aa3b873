"""Render a built report to self-contained HTML, JSON or Markdown.

HTML embeds plotly's JavaScript from the installed package (never a CDN) so
the file opens offline; every piece of text that reaches the page is escaped
by jinja2's autoescape, so a hostile thesis title or claim stays text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from rotation.analysis import to_jsonable
from rotation.report.builder import Report
from rotation.report.fragments import escape_json, json_fragment, md_escape
from rotation.workspace import data_freshness

__all__ = [
    "escape_json",
    "md_escape",
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


@cache
def report_css() -> str:
    """Return the report's stylesheet (light and dark), shared with the dashboard."""
    env = _env()
    assert env.loader is not None
    return env.loader.get_source(env, "report.css")[0]


@cache
def plotly_js() -> str:
    """plotly.js as the installed plotly package ships it (no CDN)."""
    from plotly.offline import get_plotlyjs

    text: str = get_plotlyjs()
    return text


def render_sections(report: Report) -> list[dict[str, Any]]:
    """Render each section to escaped HTML: ``id``, ``title``, ``html``, ``failed``."""
    return [
        {"id": s.id, "title": s.title, "html": Markup(s.html), "failed": s.failed}
        for s in report.rendered
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
            plotly_js=Markup(plotly_js()),
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            freshness=data_freshness(report.analysis.snapshot),
            headline=headline,
        )
    )


def render_json(report: Report, *, meta: dict[str, Any] | None = None) -> str:
    """Every number of the report, with provenance, as JSON.

    ``<``, ``>`` and ``&`` are written as JSON unicode escapes, so user
    text (a thesis title or claim) stays inert when the JSON is embedded in a
    page or opened in a browser. The text is ``json.dumps(document,
    indent=1)``, assembled from each section's fragment.
    """
    head = {
        "as_of": str(report.analysis.as_of.date()),
        "data": data_freshness(report.analysis.snapshot),
        "thesis": report.analysis.thesis_name,
        "settings": report.analysis.config.as_dict(),
        **(meta or {}),
        "timings_s": {k: round(v, 3) for k, v in report.timings.items()},
        "failures": [{"id": f.id, "error": f.error} for f in report.failures],
    }
    sections = report.rendered
    # Inside "sections", a title key wins over the section's data, as in a dict.
    body = ",\n  ".join(f"{escape_json(json.dumps(s.id))}: {s.json}" for s in sections)
    body = "{\n  " + body + "\n }" if sections else "{}"
    return '{\n "meta": ' + json_fragment(head, 1) + ',\n "sections": ' + body + "\n}"


def render_markdown(report: Report) -> str:
    """Render plain Markdown (tables and text; figures are listed by caption).

    Every piece of text is escaped (:func:`md_escape`): a hostile thesis title
    or claim stays text in any Markdown or HTML viewer.
    """
    lines = [f"# rotation report — as of {report.analysis.as_of.date()}", ""]
    lines += [s.markdown for s in report.rendered]
    return "\n".join(lines)
