"""HTML pages of the dashboard, drawn with the report's own CSS and blocks.

The pages run under a Content-Security-Policy without ``'unsafe-inline'``
scripts: the page logic is the static :data:`DASHBOARD_JS` and each plotly
chart's inline ``Plotly.newPlot(...)`` script is turned into a non-executable
JSON block that the static script draws (:func:`externalise_charts`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from rotation.report.fragments import escape_json
from rotation.report.render import report_css

__all__ = [
    "DASHBOARD_JS",
    "error_page",
    "externalise_charts",
    "render_fragment",
    "render_page",
]

#: Served at /static/dashboard.js: submits the form when the date changes and
#: draws every chart from its JSON block (dark colours when the OS asks).
DASHBOARD_JS = """(function () {
  'use strict';
  var dark = !!(window.matchMedia &&
    window.matchMedia('(prefers-color-scheme: dark)').matches);
  var darkLayout = {'font.color': '#c9d1d9', 'xaxis.gridcolor': '#2a333d',
    'yaxis.gridcolor': '#2a333d'};
  function drawCharts(root) {
    var blocks = (root || document).querySelectorAll(
      'script.plotly-figure[type="application/json"]');
    Array.prototype.forEach.call(blocks, function (block) {
      var target = document.getElementById(block.getAttribute('data-target'));
      if (!target || target.getAttribute('data-drawn')) return;
      target.setAttribute('data-drawn', '1');
      var figure = JSON.parse(block.textContent);
      var drawn = Plotly.newPlot(target, figure.data, figure.layout, figure.config);
      if (dark && drawn && drawn.then) {
        drawn.then(function (gd) { Plotly.relayout(gd, darkLayout); });
      }
    });
  }
  window.rotationDrawCharts = drawCharts;
  var asOf = document.getElementById('as_of');
  if (asOf) {
    asOf.addEventListener('change', function () {
      document.getElementById('controls').submit();
    });
  }
  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;  // text only: values never become markup
    row.appendChild(td);
  }
  function showWatch(box, body) {
    var entry = body.theses[0];
    var note = box.querySelector('.caption');
    if (!entry.flips.length) {
      note.textContent = 'Last watch run ' + entry.run_at + ' (as of ' +
        entry.as_of + '): nothing flipped since ' + (entry.previous_as_of ||
        'the first run') + '.';
      return;
    }
    note.textContent = 'Flips found by the watch run of ' + entry.run_at +
      ' (as of ' + entry.as_of + ', against ' + entry.previous_as_of + '):';
    var tbody = box.querySelector('tbody');
    entry.flips.forEach(function (f) {
      var row = document.createElement('tr');
      [f.kind, f.id, f.from_status + ' -> ' + f.to_status,
       f.value === null ? '-' : String(f.value), f.date || '-'].forEach(
        function (text) { cell(row, text); });
      tbody.appendChild(row);
    });
    box.querySelector('table').hidden = false;
  }
  var watch = document.getElementById('watch');
  if (watch && window.fetch) {
    // every recorded thesis (200 even when none): no 404 in the console
    fetch('/api/thesis/watch').then(function (r) { return r.json(); })
      .then(function (body) {
        var name = watch.getAttribute('data-thesis');
        var mine = (body.theses || []).filter(function (e) {
          return e.thesis === name;
        });
        if (!mine.length) {
          watch.querySelector('.caption').textContent = 'No watch run recorded ' +
            'for this thesis: run `rotation thesis watch` (cron) to record one.';
          return;
        }
        showWatch(watch, {theses: mine});
      });
  }
  drawCharts(document);
})();
"""

_SCRIPT = re.compile(r'<script(?: type="text/javascript")?>(.*?)</script>', re.S)
_PLOTLY_ENV = re.compile(r"\s*window\.PLOTLYENV=window\.PLOTLYENV \|\| \{\};\s*")
_PLOTLY_CALL = re.compile(
    r'if \(document\.getElementById\("(?P<id>[A-Za-z0-9_-]{1,64})"\)\) \{'
    r'\s*Plotly\.newPlot\(\s*"(?P=id)",\s*'
)
_SEPARATOR = re.compile(r"\s*,\s*")
_CALL_END = re.compile(r"\s*\)\s*\};?\s*")
_DECODER = json.JSONDecoder(parse_constant=lambda _: None)  # NaN -> null


_EXTRA_CSS = """
form.controls { display:flex; flex-wrap:wrap; gap:10px 16px; align-items:end; margin:10px 0 4px; }
form.controls label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); }
form.controls select, form.controls input, form.controls button {
  font:inherit; padding:3px 6px; border:1px solid var(--line); border-radius:6px;
  background:var(--card); color:var(--fg); }
form.controls button { background:var(--accent); color:#fff; border:none; padding:5px 14px; cursor:pointer; }
.error { border:1px solid var(--bad); border-radius:8px; padding:14px 18px; margin:20px 28px; }
"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{ title }} — as of {{ as_of }}</title>
<style>{{ css }}{{ extra_css }}</style>
<script src="/static/plotly.min.js"></script>
</head>
<body>
<header>
  <h1>{{ title }}</h1>
  <div class="meta">As of the close of {{ as_of }} · thesis {{ thesis }} · every number uses only data known on {{ as_of }} · store {{ first }} to {{ last }}{% if freshness %} · {{ freshness }}{% endif %}</div>
  <form class="controls" id="controls" method="get" action="{{ action }}">
    <label>Thesis<select name="thesis" id="thesis">{% for t in theses %}<option value="{{ t }}"{% if t == thesis %} selected{% endif %}>{{ t }}</option>{% endfor %}</select></label>
    <label>As of<input type="date" name="as_of" id="as_of" value="{{ as_of }}" min="{{ first }}" max="{{ last }}"></label>
    {% if baskets %}<label>Basket<select name="basket" id="basket">{% for b in baskets %}<option value="{{ b }}"{% if b == basket %} selected{% endif %}>{{ b }}</option>{% endfor %}</select></label>
    <label>versus<select name="benchmark" id="benchmark">{% for b in baskets %}<option value="{{ b }}"{% if b == benchmark %} selected{% endif %}>{{ b }}</option>{% endfor %}</select></label>
    <label>Window (sessions)<input type="number" name="window" id="window" min="2" max="2520" value="{{ window }}"></label>{% endif %}
    {% if sections_param %}<input type="hidden" name="sections" value="{{ sections_param }}">{% endif %}
    <button type="submit">Update</button>
  </form>
  {% if headline %}<div class="headline">{% for tile in headline %}<div class="tile"><div class="k">{{ tile.label }}</div><div class="v">{{ tile.value }}</div><div class="k">{{ tile.note }}</div></div>{% endfor %}</div>{% endif %}
</header>
<nav>{% if pillars is not none %}<a href="#pillars">Pillars</a><a href="#watch">Watch</a><a href="#basket-explorer">Basket explorer</a>{% endif %}{% for s in sections %}<a href="#{{ s.id }}">{{ s.title }}</a>{% endfor %}<a href="/openapi.json">API schema</a><a href="/api/report?thesis={{ thesis }}&as_of={{ as_of }}">report.json</a></nav>
<main>
{% if pillars is not none %}
<section id="pillars">
  <h2>Thesis pillars as of {{ as_of }}</h2>
  <div class="table-wrap"><table id="pillar-table" data-as-of="{{ as_of }}"><thead><tr><th>Pillar</th><th>Claim</th><th>Value</th><th>Rule</th><th>Status</th><th>Since</th><th>Weight</th></tr></thead>
  <tbody>{% for p in pillars %}<tr data-pillar="{{ p.id }}"><td>{{ p.id }}</td><td>{{ p.claim }}</td><td class="num">{{ p.value_text }}</td><td>{{ p.rule }}</td><td class="{{ p.status }}">{{ p.status_text }}</td><td>{{ p.since or "–" }}</td><td class="num">{{ p.weight }}</td></tr>{% endfor %}</tbody></table></div>
  <p class="caption">Each pillar's metric as known at the close of {{ as_of }}; status follows the thesis rule with its hysteresis. Source: thesis {{ thesis }}, point-in-time store.</p>
</section>
<section id="watch" data-thesis="{{ thesis }}">
  <h2>Watch: what flipped since the last recorded run</h2>
  <p class="caption">Loading the last `rotation thesis watch` run…</p>
  <div class="table-wrap"><table hidden><thead><tr><th>Kind</th><th>Item</th><th>Change</th><th>Value</th><th>Since</th></tr></thead><tbody></tbody></table></div>
</section>
<section id="basket-explorer">
  <h2>Basket explorer: {{ basket }} versus {{ benchmark }}</h2>
  {{ explorer }}
</section>
{% endif %}
{% for s in sections %}
<section id="{{ s.id }}"{% if s.failed %} class="failed"{% endif %}>
  <h2>{{ s.title }}</h2>
  {{ s.html }}
</section>
{% endfor %}
</main>
<script src="/static/dashboard.js"></script>
</body>
</html>
"""

_ERROR = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ status }} — rotation dashboard</title>
<style>{{ css }}{{ extra_css }}</style></head>
<body><div class="error"><h1>{{ status }}</h1><p id="error-message">{{ message }}</p>
<p><a href="/">Back to the dashboard</a></p></div></body></html>
"""


def _figure_arguments(body: str) -> tuple[str, list[Any]] | None:
    """Target id and (data, layout, config) of plotly's generated script."""
    env = _PLOTLY_ENV.match(body)
    call = _PLOTLY_CALL.match(body, env.end() if env else 0)
    if call is None:
        return None
    values, position = [], call.end()
    for index in range(3):
        try:
            value, position = _DECODER.raw_decode(body, position)
        except ValueError:
            return None
        values.append(value)
        gap = (_SEPARATOR if index < 2 else _CALL_END).match(body, position)
        if gap is None:
            return None
        position = gap.end()
    return (call["id"], values) if position == len(body) else None


def _chart_block(match: re.Match[str]) -> str:
    body = match.group(1)
    if _PLOTLY_ENV.fullmatch(body):
        return ""  # plotly's stand-alone environment line does nothing here
    parsed = _figure_arguments(body)
    if parsed is None:
        # Not plotly's data-only call: left as it is, so the CSP blocks it
        # and the browser reports it rather than it running unnoticed.
        return match.group(0)
    target, (data, layout, config) = parsed
    text = json.dumps({"data": data, "layout": layout, "config": config})
    # Inside <script> only "</" could end the block; escape <, > and & alike.
    text = escape_json(text)
    return (
        f'<script type="application/json" class="plotly-figure" '
        f'data-target="{escape(target)}">{text}</script>'
    )


def externalise_charts(html: str) -> Markup:
    """Turn plotly's inline chart scripts into JSON blocks for DASHBOARD_JS.

    Parameters
    ----------
    html : str
        Trusted HTML from the report renderer or the explorer (plotly
        ``to_html(full_html=False, include_plotlyjs=False)`` output inside).

    Returns
    -------
    Markup
        The same HTML where each ``Plotly.newPlot("id", data, layout,
        config)`` script is a ``<script type="application/json"
        class="plotly-figure" data-target="id">`` block. Only scripts whose
        arguments parse as JSON are converted, so no code is carried over.
    """
    return Markup(_SCRIPT.sub(_chart_block, str(html)))


@cache
def _env() -> Environment:
    return Environment(autoescape=select_autoescape(default_for_string=True))


def render_page(**fields: Any) -> str:
    """Render a dashboard page (see the template for the fields).

    The ``explorer`` field and each section's ``html`` are trusted HTML; their
    chart scripts are made CSP-safe with :func:`externalise_charts`.
    """
    if fields.get("explorer") is not None:
        fields["explorer"] = externalise_charts(fields["explorer"])
    fields["sections"] = [_safe_section(s) for s in fields.get("sections", ())]
    return (
        _env()
        .from_string(_PAGE)
        .render(css=Markup(report_css()), extra_css=Markup(_EXTRA_CSS), **fields)
    )


def _safe_section(section: dict[str, Any]) -> dict[str, Any]:
    return {**section, "html": externalise_charts(section.get("html", ""))}


def render_fragment(section: dict[str, Any]) -> str:
    """One section as a bare ``<section>`` element (for fetch-and-insert).

    Its charts are JSON blocks: after inserting it, call
    ``window.rotationDrawCharts(element)`` (from /static/dashboard.js).
    """
    return (
        _env()
        .from_string(
            '<section id="{{ s.id }}"{% if s.failed %} class="failed"{% endif %}>'
            "<h2>{{ s.title }}</h2>{{ s.html }}</section>"
        )
        .render(s=_safe_section(section))
    )


def error_page(status: int, message: str) -> str:
    """Render a small HTML error page (the message is escaped)."""
    return (
        _env()
        .from_string(_ERROR)
        .render(
            status=status,
            message=message,
            css=Markup(report_css()),
            extra_css=Markup(_EXTRA_CSS),
        )
    )
