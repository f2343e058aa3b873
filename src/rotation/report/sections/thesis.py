"""The thesis section: renders :attr:`Analysis.thesis_check`, computes nothing.

Pillar table (claim, claimed, measured now and at the claim date, rule,
status, since when), what changed since ``change_lookback`` sessions earlier,
risk triggers and their scenarios, the health history, and the event study.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from rotation.analysis import Analysis, EventStudies, Omitted, ThesisCheck
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

__all__ = ["build_thesis_section", "status_class"]

#: Episodes listed per event study table.
EPISODES_SHOWN = 12
SOURCES = (
    "Yahoo Finance adjusted closes",
    "FRED/ALFRED (as first published)",
    "Federal Reserve SEP dot plot",
)


def _fmt(x: float | None, digits: int = 4) -> str:
    return "" if x is None or math.isnan(x) else f"{x:.{digits}g}"


def _date(x: pd.Timestamp | None) -> str:
    return "" if x is None or pd.isna(x) else str(pd.Timestamp(x).date())


def status_class(value: Any) -> str:
    """CSS class of a status cell: holds/quiet green, fails/triggered red."""
    text = str(value).split(" (", 1)[0]  # "holds (flip pending 2/5)" -> "holds"
    if text in ("holds", "quiet"):
        return "holds"
    if text in ("fails", "triggered"):
        return "fails"
    return "no_data"


def headline_text(check: ThesisCheck) -> tuple[str, str]:
    """Return the first lines: health with its counts, and the live risks."""
    title, day = check.thesis.title, check.as_of.date()
    if math.isnan(check.health):
        head = f"{title}: no pillar has data as of {day}."
    else:
        head = (
            f"{title}: health {check.health:.0%} as of {day} ({check.n_holding} of "
            f"{check.n_with_data} pillars with data hold; {check.n_no_data} without "
            "data, shown apart)."
        )
    live = check.live_risks
    return head, (
        f"Risk triggers live: {', '.join(live)}."
        if live
        else "No risk trigger is live."
    )


def _pillar_frame(check: ThesisCheck) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Pillar": p.id,
                "Group": p.group.replace("_", " "),
                "Claim": p.claim,
                "Claimed": p.claimed_text,
                "Measured": _fmt(p.value),
                "At claim date": _fmt(p.measured_at_claim),
                "Rule": f"{p.expr} {p.rule}".strip(),
                "Status": p.status_text or p.status,
                "Since": _date(p.since),
                "Margin": _fmt(p.distance, 3),
                "Why no data": p.reason,
            }
            for p in check.pillars
        ]
    )


def _changes_block(check: ThesisCheck) -> TableBlock | TextBlock:
    changes = check.changes
    columns = [
        "Item",
        "Before",
        "After",
        "Value before",
        "Value after",
        "Rule",
        "Since",
    ]
    rows = [
        [f.id, f.before, f.after, _fmt(f.value_before), _fmt(f.value_after), f.rule,
         _date(f.flipped_on)]
        for f in changes.flips
    ]  # fmt: skip
    before, after = changes.health_before, changes.health_after
    health = (
        f"health {_fmt_pct(before)} -> {_fmt_pct(after)}"
        if not (math.isnan(before) and math.isnan(after))
        else "no health score"
    )
    caption = (
        f"What changed from {changes.start.date()} to {changes.end.date()} "
        f"({check.change_lookback} sessions): {health}"
    )
    if not rows:  # a sentence, not an empty table
        return TextBlock(f"{caption}; no pillar or risk changed status.")
    return TableBlock(
        pd.DataFrame(rows, columns=columns),
        caption=caption,
        cell_classes={"Before": status_class, "After": status_class},
    )


def _fmt_pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.0%}"


def _risk_block(check: ThesisCheck) -> TableBlock:
    rows = [
        {
            "Risk": r.id,
            "Description": r.description,
            "Trigger": f"{r.expr} {r.rule}".strip(),
            "Value": _fmt(r.value),
            "Status": r.status.replace("_", " "),
            "Since": _date(r.since),
            "Scenario shocks (bp / return)": ", ".join(
                f"{k} {v:+g}" for k, v in r.shocks.items()
            ),
        }
        for r in check.risks
    ]
    return TableBlock(
        pd.DataFrame(rows),
        caption=(
            "Risks: a trigger is live ('triggered') when its rule holds; the "
            "scenario shocks (yields in bp, prices as returns) are applied by "
            "the risk section."
        ),
        cell_classes={"Status": status_class},
    )


def _health_figure(check: ThesisCheck) -> FigureBlock:
    series = weekly(check.health_history.dropna())
    level, cover = check.event_study.level, check.event_study.min_coverage
    trace = {
        "type": "scatter",
        "x": dates(series.index),
        "y": numbers(series.to_numpy() * 100.0),
        "mode": "lines",
        "name": "thesis health",
        "line": {"width": 1.5},
    }
    line, note = hline(
        level * 100.0,
        line={"dash": "dot"},
        annotation_text=f"event-study level {level:.0%}",
    )
    layout = base_layout("Thesis health", "% of weighted pillars holding")
    return FigureBlock(
        figure([trace], layout, shapes=[line], annotations=[note]),
        caption=(
            "Weighted share of pillars holding among those with data, weekly "
            "(last value of each week), from the first day pillars carrying "
            f"{cover:.0%} of the weight have data to {check.as_of.date()}."
        ),
        sources=SOURCES,
    )


def _event_table(studies: EventStudies) -> pd.DataFrame:
    rows = []
    for key, res in studies.studies.items():
        for h, r in res.table.iterrows():
            n = int(r["n_days"])
            rows.append(
                {
                    "Study": key,
                    "Horizon (sessions)": h,
                    "Days": n,
                    "~Independent": f"{r['n_independent']:.0f}",
                    "Mean": f"{r['mean']:+.2%}" if n else "",
                    f"{res.confidence:.0%} CI": (
                        f"[{r['ci_low']:+.2%}, {r['ci_high']:+.2%}]" if n > 1 else ""
                    ),
                    "Hit rate": f"{r['hit_rate']:.0%}" if n else "",
                    "All days mean": f"{r['all_mean']:+.2%}",
                    "All days hit rate": f"{r['all_hit_rate']:.0%}",
                }
            )
    return pd.DataFrame(rows)


def _event_blocks(analysis: Analysis, check: ThesisCheck) -> list[Any]:
    studies = check.event_study
    if not studies.studies:
        return []
    spec = analysis.thesis.event_study
    caption = (
        "Event study: forward return of long vs short from the close of each day "
        f"the condition holds (health >= {studies.level:.0%} with coverage >= "
        f"{studies.min_coverage:.0%}"
        + ("; Fama-French rows: the mapped pillar holds on industry indices"
           if spec.fama_french else "")
        + "). Overlapping windows: intervals from a moving-block bootstrap "
        f"({studies.n_boot} draws, seed {studies.seed})."
    )  # fmt: skip
    blocks: list[Any] = [TableBlock(_event_table(studies), caption=caption)]
    shown = list(studies.studies)[:1] + [p.id for p in spec.fama_french][:1]
    for key in shown:
        res = studies.studies[key]
        ep = res.episodes.sort_values("start").tail(EPISODES_SHOWN)
        frame = pd.DataFrame(
            {
                "Start": [str(d.date()) for d in ep["start"]],
                "End": [str(d.date()) for d in ep["end"]],
                "Length (sessions)": ep["length"].to_numpy(),
                "Long vs short over the episode": [f"{x:+.2%}" for x in ep["outcome"]],
            }
        )
        blocks.append(
            TableBlock(frame, caption=f"Latest {len(frame)} episodes of {res.name}.")
        )
    return blocks


def build_thesis_section(analysis: Analysis) -> Section:
    """Render the thesis section of ``analysis.thesis_check``.

    Returns
    -------
    Section
        ``id="thesis"``; ``data`` is the part's JSON (the CLI's and the API's).
    """
    check = analysis.thesis_check
    if isinstance(check, Omitted):
        return omitted_section("thesis", "Thesis health", check)
    claim_day = _date(check.thesis.date) or "n/a"
    blocks: list[Any] = [
        TextBlock(headline_text(check)),
        TableBlock(
            _pillar_frame(check),
            caption=(
                "Each pillar's metric as of the report date and at the claim date "
                f"({claim_day}); margin is the distance to the rule's boundary "
                "(positive: room left). Status uses hysteresis and minimum "
                "persistence from the thesis file."
            ),
            cell_classes={"Status": status_class},
        ),
        _changes_block(check),
        _risk_block(check),
        _health_figure(check),
        *_event_blocks(analysis, check),
    ]
    return Section(
        id="thesis",
        title="Thesis health",
        blocks=tuple(blocks),
        data=part_data(check),
    )
