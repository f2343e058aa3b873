"""``rotation thesis ...``: check a thesis now, over history, as an event study."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from rotation.cli._common import (
    AsOfOpt,
    StoreOpt,
    ThesisArg,
    _frame_table,
    _progress,
    _thesis_inputs,
    console,
    thesis_app,
)


def _status_style(status: str) -> str:
    return {"holds": "green", "fails": "red"}.get(status, "dim")


@thesis_app.command("check")
def thesis_check(
    path: ThesisArg = None, store: StoreOpt = None, as_of: AsOfOpt = None
) -> None:
    """Evaluate every pillar and the health score as of one date."""
    from rotation.thesis import evaluate

    thesis, market, extra = _thesis_inputs(store, path, as_of)
    result = evaluate(thesis, market, extra=extra)
    frame = result.to_frame()
    table = Table(
        title=f"{thesis.meta.title} — as of {market.as_of.date()}", header_style="bold"
    )
    for col in ("pillar", "status", "value", "rule", "since", "claimed"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for pid, row in frame.iterrows():
        style = _status_style(str(row["status"]))
        value = "" if pd.isna(row["value"]) else f"{row['value']:.4g}"
        since = "" if pd.isna(row["since"]) else str(pd.Timestamp(row["since"]).date())
        claimed = "" if pd.isna(row["claimed"]) else str(row["claimed"])
        table.add_row(
            str(pid),
            f"[{style}]{row['status']}[/]",
            value,
            str(row["rule"]),
            since,
            claimed[:40],
        )
    console.print(table)
    console.print(result.summary().splitlines()[1])


@thesis_app.command("history")
def thesis_history(
    path: ThesisArg = None,
    store: StoreOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the daily table to CSV.")
    ] = None,
) -> None:
    """Every pillar's value and status and the health score, every day."""
    from rotation.thesis import history

    thesis, market, extra = _thesis_inputs(store, path)
    hist = history(thesis, market, extra=extra)
    if out is not None:
        hist.to_frame().to_csv(out)
        console.print(f"wrote [bold]{out}[/] ({len(hist.health):,} days)")
    health = hist.health.dropna()
    yearly = health.groupby(pd.DatetimeIndex(health.index).year).mean()
    frame = yearly.rename("mean health").to_frame().reset_index(names="year")
    console.print(_frame_table(frame.tail(30), "health by year (mean of daily scores)"))


@thesis_app.command("diff")
def thesis_diff(
    start: Annotated[str, typer.Argument(help="First date.")],
    end: Annotated[
        str | None, typer.Argument(help="Second date (default: last).")
    ] = None,
    path: Annotated[Path | None, typer.Option("--thesis", help="Thesis YAML.")] = None,
    store: StoreOpt = None,
) -> None:
    """Pillars whose status flipped between two dates, with the values that crossed."""
    from rotation.thesis import diff

    thesis, market, extra = _thesis_inputs(store, path)
    result = diff(thesis, market, start, end, extra=extra)
    console.print(
        _frame_table(result.to_frame().reset_index(), result.summary().splitlines()[0])
    )


@thesis_app.command("backtest")
def thesis_backtest(
    path: ThesisArg = None,
    store: StoreOpt = None,
    level: Annotated[
        float | None, typer.Option(help="Health threshold (default from the file).")
    ] = None,
) -> None:
    """Event study: forward returns of the long vs short basket when health is high."""
    from rotation.thesis import thesis_event_study

    thesis, market, extra = _thesis_inputs(store, path)
    with _progress() as progress:
        progress.add_task("event study over the full history", total=None)
        studies = thesis_event_study(thesis, market, level=level, extra=extra)
    for name, study in studies.items():
        console.print(_frame_table(study.table.reset_index(), f"{name}: {study.name}"))
        console.print(f"{len(study.episodes)} episodes")


@thesis_app.command("lint")
def thesis_lint(
    path: Annotated[Path, typer.Argument(help="Thesis YAML to check.")],
    store: StoreOpt = None,
) -> None:
    """Validate a thesis file: schema, expressions, and names against the store."""
    from rotation.thesis import evaluate

    thesis, market, extra = _thesis_inputs(store, path)
    result = evaluate(thesis, market, extra=extra)
    frame = result.to_frame()
    missing = frame[frame["status"] == "no_data"]
    console.print(
        f"[green]ok[/]: {path} parses; {len(frame)} pillars, "
        f"{len(missing)} without data on {market.as_of.date()}"
    )
    for pid, row in missing.iterrows():
        console.print(f"  [dim]no data[/] {pid}: {row['reason']}")
