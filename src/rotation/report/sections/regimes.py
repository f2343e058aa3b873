"""Regimes section: which leg of the thesis's core spread leads, as known then.

A renderer of :attr:`rotation.analysis.Analysis.regimes`: the current phase,
since when (as known on the as-of date), how sure (the calibrated meaning of
the probability and the evidence in words) and the spread realised since; the
timeline of the core spread with the filtered episodes shaded and the filtered
probability; the ex-post (hindsight) dating of the spread's phases in a chart
of its own, captioned as hindsight; the episode table with disagreements
marked; the composite score's components and the latest online change point. It computes nothing; every
label is the thesis's (``core_spread.long_label`` / ``short_label``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rotation.analysis import Omitted
from rotation.report.model import FigureBlock, Section, TableBlock, TextBlock
from rotation.report.plotting import (
    base_layout,
    dates,
    figure,
    numbers,
    vrect,
    weekly,
)
from rotation.report.sections._common import omitted_section, part_data

if TYPE_CHECKING:
    from rotation.analysis import Analysis, CompositeScore, HindsightPhases, Regimes

__all__ = ["TITLE", "build_regimes_section"]

TITLE = "Regimes of the core spread"
#: Episodes the table shows (the JSON holds them all).
SHOWN_EPISODES = 12
_REFITS = {"W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}


def _date(value: Any) -> str:
    return pd.Timestamp(value).date().isoformat()


def _legs(part: Regimes) -> str:
    return (
        f"{part.long} ({'+'.join(part.long_members)}) minus "
        f"{part.short} ({'+'.join(part.short_members)})"
    )


def _sources(part: Regimes, score: CompositeScore | Omitted) -> tuple[str, ...]:
    symbols = [*part.long_members, *part.short_members]
    sources = [f"Yahoo Finance adjusted closes ({', '.join(symbols)})"]
    if not isinstance(score, Omitted) and "copper_trend" in set(
        score.components["component"]
    ):
        sources.append("COMEX HG=F copper, CPER; IMF PCOPPUSDM via FRED")
    return tuple(sources)


def build_regimes_section(analysis: Analysis) -> Section:
    """Render the regimes part: timeline, current state, episodes, score.

    Parameters
    ----------
    analysis : Analysis
        Reads ``analysis.regimes`` (and the chart window of the config).

    Returns
    -------
    Section
        ``id="regimes"``; ``data`` is the part's JSON (as the CLI and the API
        print it), or one line saying why the thesis has no regimes.
    """
    part = analysis.regimes
    if isinstance(part, Omitted):
        return omitted_section("regimes", TITLE, part)
    blocks: list[TextBlock | FigureBlock | TableBlock] = [
        TextBlock(_headline(part)),
        FigureBlock(
            _timeline_figure(part),
            caption=(
                f"Cumulative {_legs(part)} spread (index, weekly, "
                f"{_date(part.first_date)} to {_date(part.last_date)}) with "
                f"{part.long_label} episodes shaded, and the filtered "
                f"P({part.long_label}) (right axis)."
            ),
            sources=_sources(part, part.score),
        ),
        TextBlock(_notes(part)),
        TableBlock(
            _episode_table(part),
            caption=(
                f"Latest regime episodes (at least {part.min_episode_sessions} "
                "sessions; shorter runs merged into the previous one), "
                "compounded returns in percent; 'agrees' is 'no' where the "
                "spread realised over the episode had the opposite sign to "
                "its label."
            ),
        ),
    ]
    blocks.extend(_hindsight_blocks(part))
    blocks.extend(_score_blocks(analysis, part))
    return Section(
        id="regimes", title=TITLE, blocks=tuple(blocks), data=part_data(part)
    )


def _refit_words(refit: object) -> str:
    return _REFITS.get(str(refit), f"every-{refit}-weeks")


def _model_words(part: Regimes) -> str:
    model = part.model
    if model.get("method") == "direction":
        return (
            f"sticky direction filter on the daily {_legs(part)} spread, "
            "volatility-scaled; parameters fixed on Fama-French industries "
            "1926-1999, no refits"
        )
    return (
        f"Markov model on {_legs(part)} over the trailing "
        f"{model['trailing_blocks']} weeks, {model['refits']} "
        f"{_refit_words(model['refit'])} refits"
    )


def _sessions(current: Any) -> str:
    n = current.sessions_since
    return f"{n} session" if n == 1 else f"{n} sessions"


def _headline(part: Regimes) -> tuple[str, ...]:
    current = part.current
    lines = [
        f"As of {_date(current.date)} the filtered phase is {current.state}, "
        f"since {_date(current.since)} as known that day ({_sessions(current)}); the {part.long} minus {part.short} spread has returned "
        f"{100 * current.spread_since:+.1f}% since. P({part.long_label}) = "
        f"{current.probability:.2f} ({_model_words(part)}).",
    ]
    if current.calibrated_rate == current.calibrated_rate:  # not NaN
        lines.append(
            f"Calibrated meaning: on Fama-French industries 1927-1999, sessions "
            f"with this reading (same tenth) were in hindsight in a "
            f"{part.long_label} phase {100 * current.calibrated_rate:.0f}% of the "
            "time."
        )
    lines.append(current.evidence_note[0].upper() + current.evidence_note[1:])
    if not isinstance(part.score, Omitted):
        lines.append(
            f"Composite score: {part.score.score:+.2f} (positive = {part.long_label})."
        )
    return tuple(lines)


def _notes(part: Regimes) -> tuple[str, ...]:
    changes = part.change_points
    latest = "none" if changes.latest_alarm is None else _date(changes.latest_alarm)
    notes = [
        "Probabilities are filtered, never smoothed: each value uses data up to "
        "that day's close.",
        "Read it as the direction of the spread's recent drift, not a forecast: "
        "as a next-day signal its record is weak (docs/regimes.md).",
        f"Latest online change-point alarm (BOCPD, Adams & MacKay 2007): "
        f"{latest}; {changes.n_alarms} alarms since {_date(part.first_date)}.",
    ]
    if part.failed_refits:
        notes.append(
            f"{part.failed_refits} refits did not converge; the last good fit was kept."
        )
    if isinstance(part.score, Omitted):
        notes.append(f"No composite score: {part.score.reason}.")
    return tuple(notes)


def _percent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = (100.0 * out[column].astype("float64")).round(1)
    return out.rename(columns={c: f"{c} %" for c in columns})


def _episode_table(part: Regimes) -> pd.DataFrame:
    episodes = part.episodes
    shown = episodes[episodes["length"] >= part.min_episode_sessions].tail(
        SHOWN_EPISODES
    )
    table = shown.assign(start=shown["start"].map(_date), end=shown["end"].map(_date))
    returns = [
        c
        for c in table.columns
        if c not in ("regime", "start", "end", "length", "agrees")
    ]
    table = _percent(table, returns)
    table["agrees"] = shown["agrees"].map({True: "yes", False: "no"}).to_numpy()
    return table.rename(columns={"spread_return %": "spread %"})


def _score_blocks(
    analysis: Analysis, part: Regimes
) -> list[TextBlock | FigureBlock | TableBlock]:
    score = part.score
    if isinstance(score, Omitted):
        return []
    components = score.components.assign(
        zscore=score.components["zscore"].round(3),
        contribution=score.components["contribution"].round(3),
    ).rename(columns={"zscore": "z-score"})
    lookback = analysis.config.indicators.chart_lookback
    return [
        FigureBlock(
            _components_figure(score, lookback),
            caption=(
                "Composite score: each component's signed, weighted causal "
                f"z-score (bars, weekly, last {lookback} sessions) and the score "
                "(line); "
                f"positive = {part.long_label}."
            ),
            sources=_sources(part, score),
        ),
        TableBlock(
            components,
            caption=(
                f"Score components as of {_date(score.date)}, from the thesis's "
                "core spread, spreads, avg_corr pillar and copper panel."
                + (f" Left out: {'; '.join(score.left_out)}." if score.left_out else "")
            ),
        ),
    ]


def _spread_traces(part: Regimes, probability_name: str) -> list[dict[str, Any]]:
    index = weekly(part.spread_index)
    prob = part.probability_weekly
    return [
        {"type": "scatter", "x": dates(index.index), "y": numbers(index.to_numpy()),
         "name": "spread index", "line": {"color": "#1f77b4"}},
        {"type": "scatter", "x": dates(prob.index), "y": numbers(prob.to_numpy()),
         "name": probability_name, "yaxis": "y2",
         "line": {"color": "#d62728", "width": 1}},
    ]  # fmt: skip


def _probability_axis(part: Regimes) -> dict[str, Any]:
    return {"title": {"text": f"P({part.long_label})"}, "overlaying": "y",
            "side": "right", "range": [0, 1], "showgrid": False}  # fmt: skip


def _timeline_figure(part: Regimes) -> dict[str, Any]:
    episodes = part.episodes
    leading = episodes[
        (episodes["regime"] == part.long_label)
        & (episodes["length"] >= part.min_episode_sessions)
    ]
    shading = [
        vrect(start, end, fillcolor="#d62728", opacity=0.12)
        for start, end in zip(leading["start"], leading["end"], strict=True)
    ]
    layout = base_layout(
        f"{part.long} minus {part.short}: regimes", "spread index (start = 100)"
    )
    layout["yaxis2"] = _probability_axis(part)
    traces = _spread_traces(part, f"P({part.long_label})")
    return figure(traces, layout, shapes=shading)


def _components_figure(score: CompositeScore, lookback: int) -> dict[str, Any]:
    line = score.history.dropna().iloc[-lookback:]
    parts = weekly(score.contributions.loc[line.index[0] : line.index[-1]])
    line = weekly(line)
    x = dates(parts.index)
    traces = [
        {"type": "bar", "x": x, "name": str(column),
         "y": numbers(parts[column].to_numpy(dtype=np.float64))}
        for column in parts.columns
    ]  # fmt: skip
    traces.append(
        {"type": "scatter", "x": dates(line.index), "y": numbers(line.to_numpy()),
         "name": "score", "line": {"color": "#222"}}
    )  # fmt: skip
    layout = base_layout("Composite score and its components", "z-score units")
    layout["barmode"] = "relative"
    return figure(traces, layout)


def _hindsight_blocks(part: Regimes) -> list[TextBlock | FigureBlock | TableBlock]:
    hindsight = part.hindsight
    if isinstance(hindsight, Omitted):
        return [TextBlock(f"No hindsight dating: {hindsight.reason}.")]
    rules = hindsight.rules
    return [
        FigureBlock(
            _hindsight_figure(part, hindsight),
            caption=(
                "HINDSIGHT, not known at the time: ex-post phases of the "
                f"{part.long} minus {part.short} spread (shaded: "
                f"{part.long_label}), dated from the whole history up to "
                f"{_date(part.last_date)} by turning points of the cumulative "
                f"spread (moves of at least {100 * rules['min_amplitude']:.0f}%, "
                f"phases of at least {rules['min_phase']:.0f} sessions, cycles of "
                f"at least {rules['min_cycle']:.0f}; Bry-Boschan / "
                "Pagan-Sossounov rules). The yardstick of the filtered phase, "
                f"never its input: the filtered label matched it on "
                f"{100 * hindsight.agreement:.0f}% of the dated sessions."
            ),
            sources=_sources(part, part.score),
        ),
    ]


def _hindsight_figure(part: Regimes, hindsight: HindsightPhases) -> dict[str, Any]:
    phases = hindsight.phases
    phases = phases[phases["phase"] == part.long_label]
    shading = [
        vrect(start, end, fillcolor="#2ca02c", opacity=0.15 if complete else 0.07)
        for start, end, complete in zip(
            phases["start"], phases["end"], phases["complete"], strict=True
        )
    ]
    layout = base_layout(
        f"Hindsight phases of {part.long} minus {part.short}",
        "spread index (start = 100)",
    )
    layout["yaxis2"] = _probability_axis(part)
    traces = _spread_traces(part, f"filtered P({part.long_label})")
    return figure(traces, layout, shapes=shading)
