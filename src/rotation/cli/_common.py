"""Shared pieces of the CLI: the typer apps, options, console and helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from rotation.data.store import PriceField
from rotation.exceptions import RotationError

if TYPE_CHECKING:
    from rotation.market import MarketData
    from rotation.thesis import Thesis

PRICE_FIELDS: tuple[PriceField, ...] = (
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
)


app = typer.Typer(
    help="Turn a market-rotation thesis into code, checked against real data.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
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


def _fail(exc: Exception) -> None:
    err.print(
        f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True
    )
    raise typer.Exit(2)


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


def _thesis_inputs(
    store: Path | None, path: Path | None, as_of: str | None = None
) -> tuple[Thesis, MarketData, dict[str, pd.Series]]:
    """Thesis, point-in-time market and the extra series its language reads.

    The extra series (``regime_prob:<label>``) come from the report's regime
    model, fitted only when the thesis reads it, so ``rotation thesis check``
    and the report agree on every pillar.
    """
    from rotation.regimes import regime_inputs

    thesis, market = _thesis_and_market(store, path, as_of)
    extra, _ = regime_inputs(market, thesis.regime_labels())
    return thesis, market, extra


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
