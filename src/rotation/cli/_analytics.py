"""``rotation sweep``: a momentum grid on the thesis universe."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from rotation.cli._common import (
    StoreOpt,
    ThesisOpt,
    _fail,
    _frame_table,
    _progress,
    _thesis_and_market,
    app,
    console,
)


@app.command()
def sweep(
    grid_file: Annotated[
        Path, typer.Argument(help="Sweep grid YAML (see examples/sweep_grid.yaml).")
    ],
    store: StoreOpt = None,
    cluster: Annotated[
        str | None,
        typer.Option(help="'local' for a Dask LocalCluster, or tcp://host:8786."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the metrics table to CSV.")
    ] = None,
    top: Annotated[int, typer.Option(help="Variants to show, best Sharpe first.")] = 15,
    keep_returns: Annotated[
        bool,
        typer.Option(
            help="Keep every variant's daily returns for the deflated Sharpe ratio "
            "(memory: variants x days x 8 bytes)."
        ),
    ] = False,
    thesis: ThesisOpt = None,
) -> None:
    """Run a parameter grid in one process or on Dask; same results either way.

    Assets: the grid's ``universe``, else the ``--thesis`` universe.
    """
    from rotation.analysis import load_grid, sweep_inputs
    from rotation.distributed import run_sweep

    try:
        grid = load_grid(grid_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(exc)
        return
    spec, market = _thesis_and_market(store, thesis)
    try:
        prices, cash = sweep_inputs(market, spec, grid.universe)
    except ValueError as exc:
        _fail(exc)
        return
    start = time.perf_counter()
    with _progress() as progress:
        progress.add_task(f"sweeping on {cluster or 'this process'}", total=None)
        result = run_sweep(
            grid, prices, cash_returns=cash, cluster=cluster, keep_returns=keep_returns
        )
    elapsed = time.perf_counter() - start
    metrics = result.metrics
    if out is not None:
        metrics.to_csv(out, index=False)
        console.print(f"wrote [bold]{out}[/]")
    best = metrics.sort_values("sharpe", ascending=False).head(top)
    title = f"{len(metrics):,} variants in {elapsed:.2f} s (best Sharpe first)"
    console.print(_frame_table(best, title))
    if keep_returns:
        console.print(
            f"deflated Sharpe of the best variant: {result.deflated_sharpe()}"
        )
    else:
        console.print("deflated Sharpe ratio: rerun with --keep-returns")
