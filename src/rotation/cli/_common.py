"""Shared pieces of the CLI: the typer apps, options, console and helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from typer.core import TyperGroup

from rotation.data.store import PriceField
from rotation.exceptions import (
    RotationError,
    StoreAccessError,
    StoreBusyError,
    StoreDamagedError,
)

_STORE_ERRORS = (StoreBusyError, StoreDamagedError, StoreAccessError)
#: Usage errors (bad option, missing argument): typer prints them itself, exit 2.
_UsageError: type[Exception] = next(
    k for k in typer.BadParameter.__mro__ if k.__name__ == "ClickException"
)

if TYPE_CHECKING:
    from rotation.analysis import Analysis

PRICE_FIELDS: tuple[PriceField, ...] = (
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
)


#: Exit codes of every command (docs/reliability.md).
EXIT_OK, EXIT_FAILED, EXIT_USER_ERROR, EXIT_STORE, EXIT_INTERNAL = 0, 1, 2, 3, 70


class _ErrorHandlingGroup(TyperGroup):
    """The CLI's one error path: a user error is an ``error:`` line, never a traceback.

    A :class:`RotationError` (or ``ValueError``/``OSError`` from user input)
    prints ``error: <what, the value, what is allowed>`` and exits 2 (3 for a
    busy, damaged or unwritable store); anything unexpected prints one line
    and a hint, with the traceback only under ``rotation --debug``.
    """

    def invoke(self, ctx: Any) -> Any:  # typer vendors its own click Context
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, _UsageError):
            raise
        except (StoreBusyError, StoreDamagedError, StoreAccessError) as exc:
            _error_line(exc)
            raise typer.Exit(EXIT_STORE) from None
        except (RotationError, ValueError, OSError) as exc:
            if DEBUG.on:
                raise
            _error_line(exc)
            raise typer.Exit(EXIT_USER_ERROR) from None
        except Exception as exc:
            if DEBUG.on:
                raise
            _error_line(
                f"unexpected {type(exc).__name__}: {exc}",
                hint="rerun with `rotation --debug ...` for the traceback, and report it",
            )
            raise typer.Exit(EXIT_INTERNAL) from None


class _Debug:
    on = False


DEBUG = _Debug()

app = typer.Typer(
    cls=_ErrorHandlingGroup,
    help="Turn a market-rotation thesis into code, checked against real data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")
    ] = False,
) -> None:
    """Turn a market-rotation thesis into code, checked against real data."""
    DEBUG.on = debug


data_app = typer.Typer(
    help="Inspect and load the point-in-time data store.", no_args_is_help=True
)
app.add_typer(data_app, name="data")
thesis_app = typer.Typer(
    help="Check a thesis against the data: now, over history, and what acting on it did.",
    no_args_is_help=True,
)
app.add_typer(thesis_app, name="thesis")
console = Console()
err = Console(stderr=True)

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="DuckDB store file "
        "(default $ROTATION_STORE or ~/.local/share/rotation/rotation.duckdb).",
    ),
]


class Format(StrEnum):
    """Report output formats."""

    html = "html"
    json = "json"
    md = "md"


class Source(StrEnum):
    """Where ``data update`` fetches from."""

    bundled = "bundled"
    yfinance = "yfinance"
    fred = "fred"


@contextmanager
def _progress() -> Iterator[Progress]:
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        yield progress


def _open(store_path: Path | None, *, read_only: bool = False):
    from rotation.data.store import open_store

    return open_store(store_path, read_only=read_only)


def _error_line(exc: object, hint: str = "") -> None:
    """Print ``error: <message>`` (markup in the message is shown, not applied)."""
    err.print(
        f"[bold red]error:[/] {escape(str(exc))}",
        highlight=False,
        markup=True,
        soft_wrap=True,
    )
    if hint:
        err.print(f"hint: {escape(hint)}", highlight=False, soft_wrap=True)


def _fail(exc: Exception) -> None:
    """Print ``exc`` as an ``error:`` line and exit with the user-error code."""
    _error_line(exc)
    raise typer.Exit(EXIT_STORE if isinstance(exc, _STORE_ERRORS) else EXIT_USER_ERROR)


def _frame_table(frame: pd.DataFrame, title: str = "", *, max_rows: int = 60) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in frame.columns:
        justify = "right" if pd.api.types.is_numeric_dtype(frame[col]) else "left"
        table.add_column(str(col), justify=justify)  # type: ignore[arg-type]
    for _, row in frame.head(max_rows).iterrows():
        table.add_row(
            *[
                ("" if pd.isna(v) else f"{v:,.4g}" if isinstance(v, float) else str(v))
                for v in row
            ]
        )
    if len(frame) > max_rows:
        table.caption = f"{len(frame) - max_rows} more rows not shown"
    return table


ThesisArg = Annotated[
    Path | None, typer.Argument(help="Thesis YAML (default: the Great 2026 Rotation).")
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate with data known at this date.")
]


def _thesis_and_market(store: Path | None, path: Path | None, as_of: str | None = None):
    from rotation.data.ingest import ensure_bundled
    from rotation.thesis_files import load_thesis_file

    try:
        thesis = load_thesis_file(path)
        st = _open(store)
        ensure_bundled(st)
        return thesis, st.market_data(as_of)
    except (RotationError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


class OutputFormat(StrEnum):
    """How an analysis command prints: a rich table or the part's JSON."""

    table = "table"
    json = "json"


FormatOpt = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="table (default) or json: the same JSON as report.json and the API.",
    ),
]
ThesisOpt = Annotated[
    Path | None,
    typer.Option("--thesis", help="Thesis YAML (default: the Great 2026 Rotation)."),
]
SettingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Analysis setting NAME=VALUE, e.g. backtest.lookback=63 "
        "(`rotation settings` lists them; the dashboard takes the same names).",
    ),
]


def parse_settings(items: list[str] | None) -> dict[str, str]:
    """``["backtest.lookback=63"]`` -> ``{"backtest.lookback": "63"}``."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"--set takes NAME=VALUE (got {item!r})")
        out[key.strip()] = value.strip()
    return out


def load_analysis(
    store: Path | None,
    thesis: Path | None = None,
    as_of: str | None = None,
    settings: dict[str, Any] | None = None,
) -> Analysis:
    """Open the store (loading the bundled data on first use) and build the Analysis.

    Every analysis command builds its Analysis here, the way the report and
    the dashboard do (:func:`rotation.workspace.open_analysis`); a user error
    exits with an ``error:`` line.
    """
    from rotation._compile_ahead import start_compile_ahead
    from rotation.analysis import AnalysisConfig
    from rotation.data.ingest import ensure_bundled
    from rotation.workspace import open_analysis

    start_compile_ahead()  # a first run: kernels compile beside the store load
    try:
        st = _open(store)
        ensure_bundled(st)
        config = AnalysisConfig().with_overrides(settings or {})
        analysis = open_analysis(as_of, thesis, config, store=st)
    except (RotationError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
        raise  # unreachable: _fail exits
    _note_freshness(analysis)
    return analysis


def _note_freshness(analysis: Analysis) -> None:
    """Say on stderr how old the data is when it is over a week old."""
    from rotation.workspace import data_freshness

    snapshot = analysis.snapshot
    age = (pd.Timestamp.today().normalize() - snapshot.data_end).days
    if snapshot.as_of >= snapshot.data_end and age > 7:
        err.print(
            f"note: {escape(data_freshness(snapshot))}",
            highlight=False,
        )


def emit_json(value: Any) -> None:
    """Print an analysis part as JSON (:func:`rotation.analysis.to_jsonable`)."""
    import json

    from rotation.analysis import to_jsonable
    from rotation.report.render import escape_json

    typer.echo(escape_json(json.dumps(to_jsonable(value), indent=1, allow_nan=False)))
