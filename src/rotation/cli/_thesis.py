"""``rotation thesis ...``: the thesis check of the Analysis, now and over history."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from rotation.cli._common import (
    AsOfOpt,
    FormatOpt,
    OutputFormat,
    SettingOpt,
    StoreOpt,
    ThesisArg,
    _fail,
    _frame_table,
    console,
    emit_json,
    load_analysis,
    parse_settings,
    thesis_app,
)
from rotation.exceptions import RotationError

if TYPE_CHECKING:
    from rotation.analysis import PillarCheck, ThesisCheck


def _status_style(status: str) -> str:
    return {"holds": "green", "fails": "red"}.get(status, "dim")


def _check(
    store: Path | None,
    path: Path | None,
    as_of: str | None,
    settings: list[str] | None = None,
) -> ThesisCheck:
    """Build the Analysis and return its thesis check (``error:`` line on failure)."""
    analysis = load_analysis(store, path, as_of, parse_settings(settings))
    try:
        check: ThesisCheck = analysis.thesis_check
    except (RotationError, ValueError) as exc:
        _fail(exc)
        raise  # unreachable: _fail exits
    return check


def _status_text(p: PillarCheck) -> str:
    """Return the status with its hysteresis state (the part's ``status_text``)."""
    return p.status_text or p.status


def _health_line(check: ThesisCheck) -> str:
    health = "n/a" if math.isnan(check.health) else f"{check.health:.0%}"
    return (
        f"health {health} ({check.n_holding} of {check.n_with_data} pillars with "
        f"data hold; {check.n_no_data} without data)"
    )


def _day(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def _num(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.4g}"


@thesis_app.command("check")
def thesis_check(
    path: ThesisArg = None,
    store: StoreOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    settings: SettingOpt = None,
) -> None:
    """Evaluate every pillar and the health score as of one date."""
    check = _check(store, path, as_of, settings)
    if fmt is OutputFormat.json:
        emit_json(check)
        return
    table = Table(
        title=escape(f"{check.thesis.title} — as of {check.as_of.date()}"),
        header_style="bold",
    )
    for col in ("pillar", "status", "value", "rule", "since", "claimed"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for p in check.pillars:
        table.add_row(
            p.id,
            f"[{_status_style(p.status)}]{escape(_status_text(p))}[/]",
            _num(p.value),
            escape(p.rule),
            "" if p.since is None else str(p.since.date()),
            escape(p.claimed_text[:40]),
        )
    console.print(table)
    console.print(_health_line(check))
    for r in check.risks:
        if r.status == "triggered":
            console.print(f"risk [red]triggered[/] {r.id} ({_num(r.value)} {r.rule})")


@thesis_app.command("history")
def thesis_history(
    path: ThesisArg = None,
    store: StoreOpt = None,
    as_of: AsOfOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the daily table to CSV.")
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    settings: SettingOpt = None,
) -> None:
    """Every pillar's value and status and the health score, every day."""
    check = _check(store, path, as_of, settings)
    if out is not None:
        check.history.to_frame().to_csv(out)
        console.print(f"wrote [bold]{out}[/] ({len(check.history.health):,} days)")
    if fmt is OutputFormat.json:
        emit_json(
            {
                "thesis": check.thesis,
                "as_of": check.as_of,
                "health": check.health,
                "health_history": check.health_history,
                "health_by_year": check.health_by_year,
            }
        )
        return
    frame = check.health_by_year.reset_index()
    frame["year"] = frame["year"].astype(str)  # not "2,016"
    console.print(_frame_table(frame.tail(30), "health by year (mean of daily scores)"))


@thesis_app.command("diff")
def thesis_diff(
    start: Annotated[str, typer.Argument(help="First date.")],
    end: Annotated[
        str | None, typer.Argument(help="Second date (default: last).")
    ] = None,
    path: Annotated[Path | None, typer.Option("--thesis", help="Thesis YAML.")] = None,
    store: StoreOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    settings: SettingOpt = None,
) -> None:
    """Pillars whose status flipped between two dates, with the values that crossed."""
    # The analysis is as of ``end``: only data known then decides the statuses.
    from rotation.analysis import resolve_as_of

    check = _check(store, path, end, settings)
    sessions = pd.DatetimeIndex(check.history.health.index)
    try:
        result = check.diff(resolve_as_of(start, sessions, parameter="START"))
    except ValueError as exc:
        _fail(exc)
        return
    if fmt is OutputFormat.json:
        emit_json(result)
        return
    frame = result.to_frame().reset_index()
    frame["flipped_on"] = [_day(d) for d in frame["flipped_on"]]
    console.print(_frame_table(frame, result.summary().splitlines()[0]))


@thesis_app.command("lint")
def thesis_lint(
    path: Annotated[Path, typer.Argument(help="Thesis YAML to check.")],
    store: StoreOpt = None,
) -> None:
    """Validate a thesis file: schema, expressions, and names against the store."""
    check = _check(store, path, None)
    missing = [p for p in check.pillars if p.status == "no_data"]
    console.print(
        f"[green]ok[/]: {escape(str(path))} parses; {len(check.pillars)} pillars, "
        f"{len(missing)} without data on {check.as_of.date()}"
    )
    for p in missing:
        console.print(f"  [dim]no data[/] {p.id}: {escape(p.reason)}")
    for warning in check.warnings:
        console.print(f"  [yellow]warning[/] {escape(warning)}")
