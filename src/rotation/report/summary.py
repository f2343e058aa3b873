"""The report's headline, plain-language summary and "what changed".

Everything here is derived from the ``data`` of sections already built, so the
summary can never disagree with the charts and tables below it. The text is
templated from the numbers (no language model): each sentence carries its
figure and its date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rotation.report.model import Section, TableBlock, TextBlock

__all__ = ["Tile", "headline_metrics", "summary_section", "tiles"]

#: Headline metrics: key -> (label, unit, direction that supports the thesis).
METRICS: dict[str, tuple[str, str, int]] = {
    "health": ("Thesis health", "%", +1),
    "regime_probability": ("P(rotation direction), Markov", "", +1),
    "ai_correlation": ("AI-basket avg correlation (63d)", "", -1),
    "copper_momentum_3m": ("Copper (CPER) 3-month momentum", "%", +1),
    "dots_terminal": ("Dot-plot terminal median", "%", 0),
}


@dataclass(frozen=True)
class Tile:
    """One headline number with its change since the previous report."""

    label: str
    value: str
    note: str


def _get(data: Mapping[str, Any], *path: Any) -> Any:
    node: Any = data
    for key in path:
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif (
            isinstance(node, list)
            and isinstance(key, int)
            and -len(node) <= key < len(node)
        ):
            node = node[key]
        else:
            return None
    return node


def headline_metrics(sections: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Pull the headline numbers (with their dates) out of the sections' data."""
    thesis = sections.get("thesis", {})
    copper: Mapping[str, Any] = next(
        (
            row
            for row in _get(sections, "copper", "latest") or []
            if row.get("series") == "CPER"
        ),
        {},
    )
    regimes = sections.get("regimes", {})
    return {
        "as_of": thesis.get("as_of") or regimes.get("as_of"),
        "health": thesis.get("health"),
        "regime": _get(regimes, "current", "regime"),
        "regime_probability": _get(regimes, "current", "probabilities", "rotation"),
        "ai_correlation": _get(sections, "ai_correlation", "latest", "avg_corr"),
        "ai_correlation_date": _get(sections, "ai_correlation", "latest", "date"),
        "copper_momentum_3m": copper.get("mom_3m_pct"),
        "copper_date": copper.get("date"),
        "dots_terminal": _get(sections, "rates", "latest", "dots_terminal"),
        "fed_mid": _get(sections, "rates", "latest", "fed_mid"),
        "statuses": {
            p["id"]: p["status"]
            for p in thesis.get("pillars", [])
            if isinstance(p, Mapping) and "id" in p
        },
    }


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key == "health":
        return f"{100 * value:.0f}%"
    if key == "copper_momentum_3m":
        return f"{value:+.1f}%"
    if key == "dots_terminal":
        return f"{value:.3f}%"
    return f"{value:.2f}"


def _arrow(now: Any, before: Any) -> str:
    if now is None or before is None:
        return ""
    if abs(now - before) < 1e-9:
        return "→ unchanged"
    return ("▲ " if now > before else "▼ ") + f"from {before:.3g}"


def tiles(now: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[Tile]:
    """Headline tiles: value and arrow since the previous report."""
    out = []
    for key, (label, _, _) in METRICS.items():
        before = previous.get(key) if previous else None
        note = (
            _arrow(now.get(key), before) if previous else "first report on this store"
        )
        if key == "regime_probability" and now.get("regime"):
            label = f"{label} (state: {str(now['regime']).replace('_', ' ')})"
        out.append(Tile(label=label, value=_fmt(key, now.get(key)), note=note))
    return out


def _bullets(
    sections: Mapping[str, Mapping[str, Any]], now: Mapping[str, Any]
) -> list[str]:
    as_of = now.get("as_of")
    out: list[str] = []
    thesis = sections.get("thesis", {})
    pillars = [p for p in thesis.get("pillars", []) if isinstance(p, Mapping)]
    if now.get("health") is not None:
        holds = sum(p.get("status") == "holds" for p in pillars)
        with_data = sum(p.get("status") in ("holds", "fails") for p in pillars)
        out.append(
            f"Thesis health is {100 * now['health']:.0f}% as of {as_of}: "
            f"{holds} of {with_data} pillars with data hold."
        )
    spread = next(
        (
            r
            for r in _get(sections, "spreads", "latest") or []
            if str(r.get("spread", "")).startswith("tangible")
        ),
        None,
    )
    if spread:
        verb = "led" if spread["rel_63d_pct"] > 0 else "lagged"
        out.append(
            f"Tangible value (XLI+XLB+XLE) {verb} tech (XLK) by "
            f"{abs(spread['rel_63d_pct']):.1f}% over the 63 sessions to {spread['date']} "
            f"({spread['rel_252d_pct']:+.1f}% over 252)."
        )
    small = next(
        (
            r
            for r in _get(sections, "spreads", "latest") or []
            if str(r.get("spread", "")).startswith("small")
        ),
        None,
    )
    if small:
        out.append(
            f"Small caps (IWM) vs the S&P 500 (SPY): {small['rel_63d_pct']:+.1f}% over "
            f"63 sessions to {small['date']}."
        )
    if now.get("ai_correlation") is not None:
        low = _get(sections, "ai_correlation", "past_year")
        tail = (
            (
                f"; its 12-month range was {low['min']:.2f} ({low['min_date']}) to "
                f"{low['max']:.2f} ({low['max_date']})"
            )
            if low
            else ""
        )
        out.append(
            f"The 63-day average correlation of the seven large AI stocks is "
            f"{now['ai_correlation']:.2f} on {now['ai_correlation_date']} (thesis: "
            f"~0.80 falling to ~0.20){tail}."
        )
    if now.get("copper_momentum_3m") is not None:
        out.append(
            f"Copper (CPER) moved {now['copper_momentum_3m']:+.1f}% over three months "
            f"to {now['copper_date']}."
        )
    rates = _get(sections, "rates", "latest")
    if rates:
        out.append(
            f"Fed funds midpoint {rates['fed_mid']:.3f}% vs a dot-plot terminal median "
            f"of {rates['dots_terminal']:.3f}% (thesis support level 3.4%); the 2-year "
            f"yield is {rates['dgs2_minus_mid']:+.2f} pp from the midpoint and core PCE "
            f"runs {rates['core_pce_yoy_gap']:+.2f} pp above the 2% target, as known on "
            f"{_get(sections, 'rates', 'latest_date')}."
        )
    if now.get("regime_probability") is not None:
        out.append(
            f"The filtered probability that the tangible-minus-tech spread is in "
            f"its rotation direction (direction x volatility Markov model) is "
            f"{now['regime_probability']:.2f} on {as_of}; see the regime section "
            f"for the composite score and the episodes."
        )
    risk = sections.get("risk", {})
    scenarios = [s for s in risk.get("scenarios", []) if isinstance(s, Mapping)]
    if scenarios:
        worst = min(scenarios, key=lambda s: s.get("pnl", 0.0))
        out.append(
            f"Of the thesis's named risks, {worst['name']} would hurt the default "
            f"rotation book most ({100 * worst['pnl']:+.1f}%), as of {as_of}."
        )
    return out[:8]


def _changes(
    now: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    previous_as_of: str | None,
) -> TableBlock | TextBlock:
    if not previous:
        return TextBlock(
            "No previous report on this store: the next run will show what "
            "changed since this one."
        )
    rows = []
    for key, (label, _, _) in METRICS.items():
        rows.append(
            {
                "what": label,
                f"previous ({previous_as_of})": _fmt(key, previous.get(key)),
                f"now ({now.get('as_of')})": _fmt(key, now.get(key)),
            }
        )
    before, after = previous.get("statuses") or {}, now.get("statuses") or {}
    for pid in sorted(set(before) | set(after)):
        if before.get(pid) != after.get(pid):
            rows.append(
                {
                    "what": f"pillar {pid}",
                    f"previous ({previous_as_of})": before.get(pid, "–"),
                    f"now ({now.get('as_of')})": after.get(pid, "–"),
                }
            )
    return TableBlock(
        pd.DataFrame(rows),
        caption="Headline numbers and pillar statuses "
        "compared with the previous report recorded in the store.",
    )


def summary_section(
    sections: Mapping[str, Mapping[str, Any]],
    *,
    previous: Mapping[str, Any] | None = None,
    previous_as_of: str | None = None,
) -> tuple[Section, dict[str, Any]]:
    """Build the summary section and the headline payload to record for next time."""
    now = headline_metrics(sections)
    bullets = _bullets(sections, now)
    blocks: tuple[Any, ...] = (
        TextBlock(tuple(bullets))
        if bullets
        else TextBlock("No section produced numbers."),
        _changes(now, previous, previous_as_of),
    )
    data = {
        "headline": now,
        "bullets": bullets,
        "previous": {"as_of": previous_as_of, **(dict(previous) if previous else {})},
    }
    return Section(id="summary", title="Summary", blocks=blocks, data=data), now
