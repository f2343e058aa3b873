"""``rotation data ...``: inspect and load the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from rotation.cli._common import (
    PRICE_FIELDS,
    Source,
    StoreOpt,
    _error_line,
    _fail,
    _frame_table,
    _open,
    _progress,
    console,
    data_app,
)
from rotation.data.store import IngestReport
from rotation.exceptions import RotationError, ValidationError


@data_app.command("list")
def data_list(store: StoreOpt = None) -> None:
    """List every stored symbol and series with its coverage."""
    from rotation.data.ingest import ensure_bundled

    st = _open(store)
    ensure_bundled(st)
    console.print(_frame_table(st.coverage(), "coverage", max_rows=500))


@data_app.command("show")
def data_show(
    symbol: Annotated[
        str, typer.Argument(help="Symbol (SPY, HG=F) or series id (CPIAUCSL).")
    ],
    store: StoreOpt = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Point-in-time view.")
    ] = None,
    tail: Annotated[int, typer.Option(help="Rows to show.", min=1)] = 15,
) -> None:
    """Show the latest values of one symbol or series as known on a date."""
    from rotation.analysis import resolve_as_of
    from rotation.data.ingest import ensure_bundled
    from rotation.workspace import store_sessions

    st = _open(store)
    ensure_bundled(st)
    day = resolve_as_of(as_of, store_sessions(st))
    if symbol in st.symbols():
        frame = pd.DataFrame(
            {f: st.prices(symbol, end=day, field=f)[symbol] for f in PRICE_FIELDS}
        ).dropna(how="all")
    else:
        frame = st.series(symbol, as_of=day).to_frame()
    if frame.empty:
        raise RotationError(
            f"{symbol} has no value known on or before {day.date()}; its coverage: "
            "`rotation data list`"
        )
    title = f"{symbol} as of {day.date()}"
    console.print(_frame_table(frame.tail(tail).reset_index(), escape(title)))


_INGEST_COLUMNS = (
    "file",
    "rows",
    "inserted",
    "filled",
    "replaced",
    "unchanged",
    "skipped",
    "flags",
)


def _ingest_row(path: Path, rep: IngestReport) -> list[str]:
    counts = (
        rep.rows,
        rep.inserted,
        rep.filled,
        rep.replaced,
        rep.unchanged,
        rep.skipped_missing,
        len(rep.flags),
    )
    return [escape(str(path)), *(f"{v:,}" for v in counts)]


@data_app.command("ingest")
def data_ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files.")],
    store: StoreOpt = None,
    kind: Annotated[
        str | None,
        typer.Option(help="prices | observations | famafrench | dots (auto)."),
    ] = None,
    symbol: Annotated[
        str | None, typer.Option(help="Symbol for a one-instrument price file.")
    ] = None,
    series_id: Annotated[
        str | None, typer.Option("--series-id", help="Series id for a date/value file.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite conflicting stored values.")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(help="Source label stored with the rows (default: file name)."),
    ] = None,
) -> None:
    """Validate and load files, each all-or-nothing (a bad file is rejected whole)."""
    from rotation.data.ingest import ingest_path

    st = _open(store)
    table = Table(title="ingest", header_style="bold")
    for col in _INGEST_COLUMNS:
        table.add_column(col, justify="left" if col == "file" else "right")
    failed = False
    with _progress() as progress:
        task = progress.add_task("ingesting", total=len(paths))
        for path in paths:
            progress.update(task, description=f"ingesting {escape(path.name)}")
            try:
                rep = ingest_path(
                    st,
                    path,
                    kind=kind,  # type: ignore[arg-type]  # validated by ingest_path
                    symbol=symbol,
                    series_id=series_id,
                    replace=replace,
                    source=source,
                )
                table.add_row(*_ingest_row(path, rep))
            except (ValidationError, FileNotFoundError) as exc:
                _error_line(exc)
                failed = True
            finally:
                progress.advance(task)
    console.print(table)
    if failed:
        raise typer.Exit(2)


@data_app.command("update")
def data_update(
    store: StoreOpt = None,
    source: Annotated[
        Source, typer.Option(help="bundled (offline), yfinance or fred.")
    ] = Source.bundled,
    symbols: Annotated[
        list[str] | None,
        typer.Option("--symbol", help="Symbols or series ids to fetch."),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First date to fetch (live sources).")
    ] = None,
) -> None:
    """Refresh the store from a source (bundled by default)."""
    from rotation.data.ingest import BUNDLED_STEPS, load_bundled

    st = _open(store)
    if source is Source.bundled:
        with _progress() as progress:
            task = progress.add_task("loading bundled data", total=len(BUNDLED_STEPS))
            reports = load_bundled(
                st,
                progress=lambda n: progress.update(
                    task, advance=1, description=f"loading bundled {n}"
                ),
            )
    else:
        from rotation.data.sources.live import update_from_live

        try:
            reports = update_from_live(st, source.value, symbols or [], start=start)
        except RotationError as exc:
            _fail(exc)
            return
    for rep in reports:
        console.print(
            f"{rep.file}: {rep.inserted:,} inserted, {rep.filled:,} filled, "
            f"{rep.unchanged:,} unchanged"
        )


@data_app.command("check")
def data_check(
    store: StoreOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Data-quality table: suspicious moves (flagged, never dropped) and quarantine state."""
    from rotation.data.ingest import ensure_bundled

    st = _open(store)
    ensure_bundled(st)
    flags = st.check()
    if as_json:
        console.print_json(json.dumps(flags.astype(str).to_dict(orient="records")))
        return
    flags = flags.assign(
        date=flags["date"].dt.date, suspect_date=flags["suspect_date"].dt.date
    )
    console.print(_frame_table(flags, "data quality: flagged moves", max_rows=200))
    console.print(
        f"{len(flags)} flags, {int(flags['quarantined'].sum())} quarantined. "
        "Quarantine a bad tick with `rotation data quarantine SYMBOL DATE --reason ...`."
    )


@data_app.command("quarantine")
def data_quarantine(
    symbol: str,
    date: str,
    store: StoreOpt = None,
    reason: Annotated[
        str, typer.Option(help="Why this point is excluded.")
    ] = "flagged by user",
    remove: Annotated[
        bool, typer.Option("--remove", help="Release the point instead.")
    ] = False,
) -> None:
    """Exclude one price point from analytics (or release it with --remove)."""
    st = _open(store)
    try:
        if remove:
            st.release(symbol, date)
        else:
            st.quarantine(symbol, date, reason)
    except RotationError as exc:
        _fail(exc)
    console.print(f"{'released' if remove else 'quarantined'} {symbol} {date}")
