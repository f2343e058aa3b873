"""Issue-5 section: the thesis at a glance.

Pillar table (claim, claimed, measured now and at the claim date, rule,
status, since when), what changed since an earlier date, risk triggers and
their scenarios, the health history, and the event study. All maths lives in
:mod:`rotation.thesis`; this module loads the thesis file and formats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from rotation.report.model import (
    FigureBlock,
    ReportContext,
    Section,
    TableBlock,
    TextBlock,
)
from rotation.report.plotting import base_layout, weekly
from rotation.thesis import (
    EventStudyResult,
    Thesis,
    ThesisEvaluation,
    ThesisHistory,
    compare_claims,
    evaluate,
    history,
    thesis_event_study,
)
from rotation.thesis_files import load_thesis_file

__all__ = ["build_thesis_section"]

#: Sessions back for "what changed" when no previous run date is given.
CHANGE_LOOKBACK = 21
#: Health history is charted from the first day this share of the weight has data.
MIN_COVERAGE = 0.5
EPISODES_SHOWN = 12
SEED = 0
N_BOOT = 1000
SOURCES = (
    "Yahoo Finance adjusted closes",
    "FRED/ALFRED (DFEDTARU, DFEDTARL, DGS2, CPIAUCSL, PCEPILFE)",
    "Federal Reserve SEP dot plot",
    "Kenneth R. French Data Library",
)


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _fmt(x: float, digits: int = 4) -> str:
    return "" if x is None or math.isnan(x) else f"{x:.{digits}g}"


def _date(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT:
        return None
    return str(pd.Timestamp(x).date())


def _status_class(value: Any) -> str:
    text = str(value)
    if text in ("holds", "quiet"):
        return "holds"
    if text in ("fails", "triggered"):
        return "fails"
    return "no_data"


def _load(options: Mapping[str, Any]) -> Thesis:
    path = options.get("thesis_path")
    return load_thesis_file(path) if path else load_thesis_file()


def _pillar_table(
    ev: ThesisEvaluation, claims: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    rows, data = [], []
    measured = claims["measured_at_claim"].to_dict()
    dates = claims["claim_date"].to_dict()
    statuses = claims["status_at_claim"].to_dict()
    for p in ev.pillars:
        at_claim = float(measured[p.id])
        claim_date = _date(dates[p.id])
        rows.append(
            {
                "Pillar": p.id,
                "Group": p.group.replace("_", " "),
                "Claim": p.claim,
                "Claimed": p.claimed_text,
                "Measured": _fmt(p.value),
                "At claim date": _fmt(at_claim),
                "Rule": f"{p.expr} {p.rule}".strip(),
                "Status": p.status,
                "Since": _date(p.since) or "",
                "Margin": _fmt(p.distance, 3),
                "Why no data": p.reason,
            }
        )
        data.append(
            {
                "id": p.id,
                "group": p.group,
                "claim": p.claim,
                "claimed_text": p.claimed_text,
                "claimed_value": _num(p.claimed_value),
                "claim_date": claim_date,
                "measured_at_claim": _num(at_claim),
                "status_at_claim": str(statuses[p.id]),
                "expr": p.expr,
                "rule": p.rule,
                "value": _num(p.value),
                "status": p.status,
                "distance": _num(p.distance),
                "since": _date(p.since),
                "weight": p.weight,
                "reason": p.reason,
            }
        )
    return pd.DataFrame(rows), data


def _health_figure(hist: ThesisHistory, level: float) -> go.Figure:
    ok = hist.coverage >= MIN_COVERAGE
    start = hist.health.index[ok.to_numpy()].min() if ok.any() else None
    health = hist.health.loc[start:] if start is not None else hist.health
    series = weekly(health.dropna())
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=series.index,
            y=series.to_numpy() * 100.0,
            mode="lines",
            name="thesis health",
            line={"width": 1.5},
        )
    )
    fig.add_hline(
        y=level * 100.0,
        line_dash="dot",
        annotation_text=f"event-study level {level:.0%}",
    )
    fig.update_layout(**base_layout("Thesis health", "% of weighted pillars holding"))
    return fig


def _event_table(results: Mapping[str, EventStudyResult]) -> pd.DataFrame:
    rows = []
    for key, res in results.items():
        for h, r in res.table.iterrows():
            rows.append(
                {
                    "Study": key,
                    "Horizon (sessions)": int(h),  # type: ignore[call-overload]
                    "Days": int(r["n_days"]),
                    "~Independent": f"{r['n_independent']:.0f}",
                    "Mean": f"{r['mean']:+.2%}" if r["n_days"] else "",
                    f"{res.confidence:.0%} CI": (
                        f"[{r['ci_low']:+.2%}, {r['ci_high']:+.2%}]"
                        if r["n_days"] > 1
                        else ""
                    ),
                    "Hit rate": f"{r['hit_rate']:.0%}" if r["n_days"] else "",
                    "All days mean": f"{r['all_mean']:+.2%}",
                    "All days hit rate": f"{r['all_hit_rate']:.0%}",
                }
            )
    return pd.DataFrame(rows)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.reset_index().to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in rec.items():
            if isinstance(v, pd.Timestamp):
                clean[str(k)] = str(v.date())
            elif isinstance(v, float):
                clean[str(k)] = _num(v)
            elif hasattr(v, "item"):
                clean[str(k)] = v.item()
            else:
                clean[str(k)] = v
        out.append(clean)
    return out


def build_thesis_section(ctx: ReportContext) -> Section:
    """Build the thesis section: pillars, changes, risks, health, event study.

    Parameters
    ----------
    ctx : ReportContext
        ``ctx.options`` may hold ``thesis_path`` (a YAML thesis; the packaged
        default otherwise), ``previous_as_of`` (the date to compare with; 21
        sessions earlier otherwise) and ``thesis_extra`` (a mapping of extra
        daily series such as ``{"regime_prob:rotation": series}``).

    Returns
    -------
    Section
        ``id="thesis"``; ``data`` holds every number shown.
    """
    thesis = _load(ctx.options)
    market = ctx.market.truncate(ctx.as_of)
    extra = ctx.options.get("thesis_extra") or None
    hist = history(thesis, market, extra=extra)
    ev = evaluate(thesis, market, extra=extra)
    claims = compare_claims(thesis, market, extra=extra, thesis_history=hist)

    sessions = hist.health.index
    previous = ctx.options.get("previous_as_of")
    if previous is None:
        previous = sessions[max(0, len(sessions) - 1 - CHANGE_LOOKBACK)]
    changes = hist.diff(previous)

    spec = thesis.event_study
    studies = thesis_event_study(
        thesis,
        market,
        extra=extra,
        thesis_history=hist,
        n_boot=N_BOOT,
        seed=SEED,
        min_coverage=MIN_COVERAGE,
    )

    pillar_frame, pillar_data = _pillar_table(ev, claims)
    held = sum(p.status == "holds" for p in ev.pillars)
    with_data = sum(p.status != "no_data" for p in ev.pillars)
    live = [r.id for r in ev.risks if r.status == "triggered"]
    headline = (
        f"{thesis.meta.title}: health {ev.health:.0%} as of {ev.as_of.date()} "
        f"({held} of {with_data} pillars with data hold; {len(ev.no_data)} "
        "without data, shown apart)."
        if not math.isnan(ev.health)
        else f"{thesis.meta.title}: no pillar has data as of {ev.as_of.date()}."
    )
    risk_line = (
        f"Risk triggers live: {', '.join(live)}."
        if live
        else "No risk trigger is live."
    )

    change_rows = [
        {
            "Item": f.id,
            "Before": f.before,
            "After": f.after,
            "Value before": _fmt(f.value_before),
            "Value after": _fmt(f.value_after),
            "Rule": f.rule,
            "Since": _date(f.flipped_on) or "",
        }
        for f in changes.flips
    ]
    change_frame = pd.DataFrame(
        change_rows,
        columns=[
            "Item",
            "Before",
            "After",
            "Value before",
            "Value after",
            "Rule",
            "Since",
        ],
    )

    scenarios = {s["name"]: s for s in thesis.scenarios()}
    risk_rows, risk_data = [], []
    for r in ev.risks:
        shocks = scenarios.get(r.id, {}).get("shocks", {})
        shock_text = ", ".join(f"{k} {v:+g}" for k, v in shocks.items())
        risk_rows.append(
            {
                "Risk": r.id,
                "Description": r.description,
                "Trigger": f"{r.expr} {r.rule}",
                "Value": _fmt(r.value),
                "Status": r.status,
                "Since": _date(r.since) or "",
                "Scenario shocks (bp / return)": shock_text,
            }
        )
        risk_data.append(
            {
                "id": r.id,
                "expr": r.expr,
                "rule": r.rule,
                "value": _num(r.value),
                "status": r.status,
                "since": _date(r.since),
                "shocks": dict(shocks),
            }
        )

    first = next(iter(studies.values()), None)
    episode_blocks: list[TableBlock] = []
    episodes_data: dict[str, Any] = {}
    for key, res in studies.items():
        episodes_data[key] = _records(res.episodes)
    for key in list(studies)[:1] + [k for k in studies if k.startswith("ff_")][:1]:
        ep = studies[key].episodes.sort_values("start").tail(EPISODES_SHOWN)
        shown = pd.DataFrame(
            {
                "Start": [str(d.date()) for d in ep["start"]],
                "End": [str(d.date()) for d in ep["end"]],
                "Length (sessions)": ep["length"].to_numpy(),
                "Long vs short over the episode": [f"{x:+.2%}" for x in ep["outcome"]],
            }
        )
        episode_blocks.append(
            TableBlock(
                shown,
                caption=f"Latest {len(shown)} episodes of {studies[key].name}.",
            )
        )

    blocks: list[Any] = [
        TextBlock((headline, risk_line)),
        TableBlock(
            pillar_frame,
            caption=(
                "Each pillar's metric as of the report date and at the claim date "
                f"({thesis.meta.date or 'n/a'}); margin is the distance to the "
                "rule's boundary (positive: room left). Status uses hysteresis and "
                "minimum persistence from the thesis file."
            ),
            cell_classes={"Status": _status_class},
        ),
        TableBlock(
            change_frame,
            caption=(
                f"What changed from {changes.start.date()} to {changes.end.date()}: "
                f"health {changes.health_before:.0%} -> {changes.health_after:.0%}"
                + ("" if change_rows else "; no pillar or risk changed status.")
            ),
            cell_classes={"Before": _status_class, "After": _status_class},
        ),
        TableBlock(
            pd.DataFrame(risk_rows),
            caption=(
                "Risks: a trigger is live ('triggered') when its rule holds; the "
                "scenario shocks (yields in bp, prices as returns) are applied by "
                "the risk section."
            ),
            cell_classes={"Status": _status_class},
        ),
        FigureBlock(
            _health_figure(hist, spec.level),
            caption=(
                "Weighted share of pillars holding among those with data, weekly "
                f"(last value of each week), from the first day pillars carrying "
                f"{MIN_COVERAGE:.0%} of the weight have data to {ev.as_of.date()}."
            ),
            sources=SOURCES,
        ),
    ]
    if studies:
        blocks.append(
            TableBlock(
                _event_table(studies),
                caption=(
                    "Event study: forward return of long vs short from the close of "
                    f"each day the condition holds (health >= {spec.level:.0%} with "
                    f"coverage >= {MIN_COVERAGE:.0%}; Fama-French rows: the mapped "
                    "pillar holds on industry indices since 1926). Overlapping "
                    "windows: intervals from a moving-block bootstrap "
                    f"({N_BOOT} draws, seed {SEED})."
                ),
            )
        )
        blocks.extend(episode_blocks)

    health_weekly = weekly(hist.health.dropna())
    data: dict[str, Any] = {
        "thesis": {
            "title": thesis.meta.title,
            "source": thesis.meta.source,
            "date": _date(thesis.meta.date),
            "path": ctx.options.get("thesis_path") or "great_rotation_2026 (default)",
        },
        "as_of": str(ev.as_of.date()),
        "health": _num(ev.health),
        "pillars": pillar_data,
        "risks": risk_data,
        "changes": {
            "start": str(changes.start.date()),
            "end": str(changes.end.date()),
            "health_before": _num(changes.health_before),
            "health_after": _num(changes.health_after),
            "flips": [
                {
                    "id": f.id,
                    "before": f.before,
                    "after": f.after,
                    "value_before": _num(f.value_before),
                    "value_after": _num(f.value_after),
                    "rule": f.rule,
                    "since": _date(f.flipped_on),
                }
                for f in changes.flips
            ],
        },
        "health_history_weekly": {
            "dates": [str(d.date()) for d in health_weekly.index],
            "values": [_num(v) for v in health_weekly.to_numpy()],
        },
        "event_study": {
            "level": spec.level,
            "min_coverage": MIN_COVERAGE,
            "n_boot": N_BOOT,
            "seed": SEED,
            "confidence": first.confidence if first is not None else None,
            "tables": {k: _records(v.table) for k, v in studies.items()},
            "episodes": episodes_data,
        },
    }
    return Section(id="thesis", title="Thesis health", blocks=tuple(blocks), data=data)
