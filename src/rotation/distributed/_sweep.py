"""Run a momentum sweep in this process or on a Dask ``distributed`` cluster."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rotation.backtest import (
    SweepGrid,
    SweepInputs,
    SweepResult,
    assemble_sweep,
    prepare_sweep,
    sweep_chunk,
)

__all__ = ["chunk_pairs", "run_sweep"]


def chunk_pairs(
    pairs: Sequence[tuple[int, int]], n_chunks: int
) -> list[list[tuple[int, int]]]:
    """Split (lookback, skip) pairs into at most ``n_chunks`` contiguous chunks.

    Parameters
    ----------
    pairs : sequence of (int, int)
        The grid's momentum tables, in sweep order.
    n_chunks : int
        Wanted number of tasks.

    Returns
    -------
    list of list of (int, int)
        Contiguous chunks of near-equal size, order preserved (so concatenating
        the chunks' results gives the in-process order).
    """
    if n_chunks < 1:
        raise ValueError(f"n_chunks must be >= 1 (got {n_chunks}).")
    size = max(1, math.ceil(len(pairs) / n_chunks))
    return [list(pairs[i : i + size]) for i in range(0, len(pairs), size)]


def _task(
    inputs: SweepInputs,
    pairs: list[tuple[int, int]],
    top_k: tuple[int, ...],
    cost_bps: tuple[float, ...],
    keep_returns: bool,
) -> tuple[np.ndarray, np.ndarray]:
    return sweep_chunk(inputs, pairs, top_k, cost_bps, keep_returns=keep_returns)


def run_sweep(
    grid: SweepGrid,
    prices: pd.DataFrame,
    *,
    cash_returns: pd.Series | None = None,
    cluster: str | Any | None = None,
    keep_returns: bool = False,
    n_workers: int | None = None,
    tasks_per_worker: int = 2,
) -> SweepResult:
    """Run a sweep in process (``cluster=None``) or on Dask; same results.

    Parameters
    ----------
    grid : SweepGrid
        Variants to run (see :func:`rotation.backtest.load_grid`).
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes.
    cash_returns : Series, optional
        Per-session cash returns.
    cluster : None, "local", "tcp://host:port" or distributed.Client
        ``None`` runs in this process; ``"local"`` starts a
        ``distributed.LocalCluster`` (worker processes) for this call and shuts
        it down afterwards; an address connects to an existing scheduler (left
        running); a ``Client`` is used as is.
    keep_returns : bool, default False
        Keep every variant's daily net returns.
    n_workers : int, optional
        Worker processes of the ``"local"`` cluster (Dask's default: one per
        core).
    tasks_per_worker : int, default 2
        Chunks per worker thread: each task is a contiguous group of
        (lookback, skip) momentum tables with all their top-k and cost
        variants, so a task is worth sending.

    Returns
    -------
    SweepResult
        Identical to :func:`rotation.backtest.sweep` on the same inputs (the
        same kernel runs each chunk; chunks are reassembled in grid order).

    Notes
    -----
    The input arrays are validated once here and scattered to the workers
    once (``broadcast=True``); tasks carry only their list of pairs.
    """
    inputs = prepare_sweep(prices, grid, cash_returns=cash_returns)
    if cluster is None:
        metrics, returns = sweep_chunk(
            inputs, grid.pairs, grid.top_k, grid.cost_bps, keep_returns=keep_returns
        )
        return assemble_sweep(inputs, grid, metrics, returns if keep_returns else None)
    from distributed import Client, LocalCluster

    own_cluster = None
    if isinstance(cluster, Client):
        client, own_client = cluster, False
    elif cluster == "local":
        own_cluster = LocalCluster(
            n_workers=n_workers, processes=True, threads_per_worker=1
        )
        client, own_client = Client(own_cluster), True
    elif isinstance(cluster, str) and cluster.startswith(("tcp://", "tls://")):
        client, own_client = Client(cluster), True
    else:
        raise ValueError(
            f"cluster must be None, 'local', a 'tcp://host:port' address or a "
            f"distributed.Client (got {cluster!r})."
        )
    try:
        n_threads = max(1, sum(client.nthreads().values()))
        chunks = chunk_pairs(grid.pairs, n_threads * tasks_per_worker)
        shared = client.scatter(inputs, broadcast=True)
        futures = [
            client.submit(
                _task,
                shared,
                chunk,
                grid.top_k,
                grid.cost_bps,
                keep_returns,
                pure=False,
            )
            for chunk in chunks
        ]
        parts = client.gather(futures)
    finally:
        if own_client:
            client.close()
        if own_cluster is not None:
            own_cluster.close()
    metrics = np.concatenate([p[0] for p in parts], axis=0)
    returns = np.concatenate([p[1] for p in parts], axis=0)
    return assemble_sweep(inputs, grid, metrics, returns if keep_returns else None)
