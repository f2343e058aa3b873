"""``rotation thesis watch``: what flipped since the last look, for cron and CI.

Each thesis is evaluated on the latest data through the Analysis (its
``thesis_check``), compared with the run this command recorded last time in
the store's ``watch_runs`` table, and the new run is recorded. The exit
status says whether anything flipped: 0 nothing (or a first run), 4
something flipped (:data:`rotation.analysis._watch.WATCH_FLIPPED_EXIT`),
2 a user error, 3 a busy, damaged or unwritable store.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from rotation.analysis import (
    WATCH_FLIPPED_EXIT,
    ThesisWatch,
    compare_runs,
    previous_run,
    watch_run,
)
from rotation.cli._common import (
    FormatOpt,
    OutputFormat,
    SettingOpt,
    StoreOpt,
    _fail,
    _open,
    console,
    load_analysis,
    parse_settings,
    thesis_app,
)
from rotation.exceptions import RotationError

if TYPE_CHECKING:
    from rotation.data.store import Store

__all__ = ["thesis_watch"]

ThesisFiles = Annotated[
    list[Path] | None,
    typer.Argument(help="Thesis YAML files (default: the Great 2026 Rotation)."),
]
RecordOpt = Annotated[
    bool,
    typer.Option(
        "--record/--no-record",
        help="Record this run in the store (the next watch compares with it).",
    ),
]


def _watch_one(
    store: Path | None, path: Path | None, settings: dict[str, Any], st: Store
) -> ThesisWatch:
    """Evaluate one thesis on the latest data and compare with its last run."""
    from rotation.workspace import thesis_label

    analysis = load_analysis(store, path, None, settings)
    try:
        check = analysis.thesis_check
    except (RotationError, ValueError) as exc:
        _fail(exc)
        raise  # unreachable: _fail exits
    label = thesis_label(path)
    last = st.watch_runs(label, limit=1)
    before = previous_run(last[0]["payload"]) if last else None
    return compare_runs(before, watch_run(check, label))


def _record(st: Store, watches: list[tuple[Path | None, ThesisWatch]]) -> None:
    """Record every run in one transaction: all theses or none."""
    with st.transaction():
        for path, watch in watches:
            st.record_watch_run(
                watch.thesis,
                watch.as_of,
                json.dumps(watch.record(), allow_nan=False),
                path=str(path.resolve()) if path is not None else "",
            )


def _num(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.4g}"


def _day(value: pd.Timestamp | None) -> str:
    return "" if value is None else str(value.date())


def _print_watch(watch: ThesisWatch) -> None:
    """Print a table of the flips, or one line saying why there are none."""
    name = escape(watch.thesis)
    if watch.first_run:
        console.print(
            f"{name}: first watch, as of {watch.as_of.date()}; recorded for the next"
        )
        return
    since = _day(watch.previous_as_of)
    if not watch.flips:
        console.print(
            f"{name}: nothing flipped since the run as of {since} "
            f"(now as of {watch.as_of.date()})"
        )
        return
    table = Table(
        title=f"{name}: {len(watch.flips)} flipped since the run as of {since} "
        f"(now as of {watch.as_of.date()})",
        header_style="bold",
    )
    for col in ("kind", "item", "from", "to", "value", "was", "date"):
        table.add_column(col, justify="right" if col in ("value", "was") else "left")
    for f in watch.flips:
        table.add_row(
            f.kind,
            escape(f.id),
            f.from_status,
            f.to_status,
            _num(f.value),
            _num(f.previous_value),
            _day(f.date),
        )
    console.print(table)


@thesis_app.command("watch")
def thesis_watch(
    paths: ThesisFiles = None,
    store: StoreOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    settings: SettingOpt = None,
    record: RecordOpt = True,
) -> None:
    """Print what flipped since the last watch; exit 4 when anything did.

    Each thesis is evaluated on the store's latest data and compared with the
    run recorded by the previous ``rotation thesis watch`` of that thesis
    (by file stem); the run is then recorded. Exit status: 0 nothing flipped
    (or the first run of a thesis), 4 something flipped, 2 a bad thesis or
    option, 3 the store is busy, damaged or not writable.
    """
    options = parse_settings(settings)
    st = _open(store)
    files: list[Path | None] = list(paths) if paths else [None]
    watches = [(p, _watch_one(store, p, options, st)) for p in files]
    if record:
        _record(st, watches)
    flipped = any(w.flipped for _, w in watches)
    if fmt is OutputFormat.json:
        body = {
            "flipped": flipped,
            "exit_code": WATCH_FLIPPED_EXIT if flipped else 0,
            "theses": [w.record() for _, w in watches],
        }
        typer.echo(json.dumps(body, indent=1, allow_nan=False))
    else:
        for _, watch in watches:
            _print_watch(watch)
    if flipped:
        raise typer.Exit(WATCH_FLIPPED_EXIT)
