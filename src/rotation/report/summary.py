"""The report's summary: renders :attr:`Analysis.headline`, computes nothing.

The headline part reads every number off the other parts of the same
Analysis, so the summary cannot disagree with the sections below it. This
module formats those numbers, the bullets, and what changed since the
previous report recorded in the store (its headline JSON).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from rotation.report.model import Section, TableBlock, TextBlock
from rotation.report.sections._common import part_data

if TYPE_CHECKING:
    from rotation.analysis import Analysis

__all__ = ["Tile", "format_number", "summary_section", "tiles"]


@dataclass(frozen=True)
class Tile:
    """One headline number with its change since the previous report."""

    label: str
    value: str
    note: str


def format_number(value: Any, unit: str) -> str:
    """Format a headline value by its unit ("–" when there is none)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    number = float(value)
    if unit == "share":
        return f"{100 * number:.0f}%"
    if unit == "return":
        return f"{100 * number:+.1f}%"
    if unit == "percent":
        return f"{number:+.1f}%"
    if unit == "rate":
        return f"{number:.3f}%"
    return f"{number:.2f}"


def _numbers(headline: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    numbers = (headline or {}).get("numbers")
    return dict(numbers) if isinstance(numbers, Mapping) else {}


def _previous_value(previous: Mapping[str, Any], key: str) -> Any:
    """Return the previous report's value of ``key`` (None if it had none)."""
    number = _numbers(previous).get(key)
    if number is not None:
        return number.get("value")
    # Reports recorded before the headline part stored flat numbers.
    flat = previous.get(key)
    return flat if isinstance(flat, int | float) else None


def _arrow(now: Any, before: Any) -> str:
    if now is None or before is None:
        return ""
    if abs(now - before) < 1e-9:
        return "→ unchanged"
    return ("▲ " if now > before else "▼ ") + f"from {before:.3g}"


def tiles(now: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[Tile]:
    """Headline tiles: each number of ``now`` and its arrow since ``previous``.

    Parameters
    ----------
    now, previous : mapping
        Headline JSON (:func:`rotation.analysis.to_jsonable` of
        :attr:`Analysis.headline`); ``previous`` is the last report recorded
        in the store, or None.
    """
    out = []
    for key, number in _numbers(now).items():
        label = str(number.get("label", key))
        if key == "long_leads_probability" and now.get("regime"):
            label = f"{label} (state: {now['regime']})"
        value = number.get("value")
        note = (
            _arrow(value, _previous_value(previous, key))
            if previous
            else "first report on this store"
        )
        out.append(Tile(label, format_number(value, str(number.get("unit"))), note))
    return out


def _changes(
    now: Mapping[str, Any], previous: Mapping[str, Any] | None
) -> TableBlock | TextBlock:
    if not previous:
        return TextBlock(
            "No previous report on this store: the next run will show what "
            "changed since this one."
        )
    before_col = f"previous ({previous.get('as_of')})"
    now_col = f"now ({now.get('as_of')})"
    rows = [
        {
            "what": number.get("label", key),
            before_col: format_number(_previous_value(previous, key), number["unit"]),
            now_col: format_number(number.get("value"), number["unit"]),
        }
        for key, number in _numbers(now).items()
    ]
    before, after = previous.get("statuses") or {}, now.get("statuses") or {}
    for pid in sorted(set(before) | set(after)):
        if before.get(pid) != after.get(pid):
            rows.append(
                {
                    "what": f"pillar {pid}",
                    before_col: before.get(pid, "–"),
                    now_col: after.get(pid, "–"),
                }
            )
    return TableBlock(
        pd.DataFrame(rows),
        caption="Headline numbers and pillar statuses "
        "compared with the previous report recorded in the store.",
    )


def summary_section(
    analysis: Analysis, previous: Mapping[str, Any] | None = None
) -> Section:
    """Render the summary: bullets of ``analysis.headline`` and what changed.

    Parameters
    ----------
    analysis : Analysis
    previous : mapping, optional
        ``{"as_of", "headline": {...}}`` of the last report recorded in the
        store for this thesis (the headline JSON of that report).

    Returns
    -------
    Section
        ``id="summary"``; ``data["headline"]`` is the headline part's JSON
        (what the store records for next time), ``data["previous"]`` the
        previous report's headline (None on a first report).
    """
    now = part_data(analysis.headline)
    before: dict[str, Any] | None = None
    if previous and isinstance(previous.get("headline"), Mapping):
        before = {**previous["headline"], "as_of": previous.get("as_of")}
    bullets = tuple(now.get("bullets") or ())
    blocks = (
        TextBlock(bullets) if bullets else TextBlock("No part produced numbers."),
        _changes(now, before),
    )
    return Section(
        id="summary",
        title="Summary",
        blocks=blocks,
        data={"headline": now, "previous": before},
    )
