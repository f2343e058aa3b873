"""The Dask path gives the same numbers as the in-process sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.backtest import SweepGrid, sweep
from rotation.distributed import chunk_pairs, run_sweep

pytest.importorskip("distributed", reason="dask[distributed] is an optional extra")

GRID = SweepGrid(
    lookback=(20, 40, 60, 80, 100), top_k=(1, 2, 3), skip=(0, 5), cost_bps=(0.0, 10.0)
)


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    index = pd.bdate_range("2016-01-01", periods=600)
    steps = rng.normal(0.0003, 0.012, size=(600, 6))
    return pd.DataFrame(
        100 * np.exp(np.cumsum(steps, axis=0)), index=index, columns=list("ABCDEF")
    )


def test_local_cluster_identical(prices: pd.DataFrame) -> None:
    from distributed import Client, Future, LocalCluster

    expected = sweep(prices, GRID, keep_returns=True)
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        scatters: list[dict] = []
        submitted: list[tuple] = []
        scatter, submit = client.scatter, client.submit

        def spy_scatter(data, **kwargs):
            scatters.append(kwargs)
            return scatter(data, **kwargs)

        def spy_submit(func, *args, **kwargs):
            submitted.append(args)
            return submit(func, *args, **kwargs)

        client.scatter = spy_scatter  # type: ignore[method-assign]
        client.submit = spy_submit  # type: ignore[method-assign]
        got = run_sweep(GRID, prices, cluster=client, keep_returns=True)
        assert len(client.nthreads()) == 2  # asks the scheduler (not a cached identity)
    # the inputs are scattered once to every worker; tasks carry a reference
    assert len(scatters) == 1 and scatters[0].get("broadcast") is True
    assert len(submitted) > 1
    assert all(isinstance(args[0], Future) for args in submitted)
    assert sum(len(args[1]) for args in submitted) == len(GRID.pairs)
    pd.testing.assert_frame_equal(got.metrics, expected.metrics, check_exact=True)
    pd.testing.assert_frame_equal(got.returns, expected.returns, check_exact=True)


def test_local_string_starts_and_stops_cluster(prices: pd.DataFrame) -> None:
    expected = sweep(prices, GRID)
    got = run_sweep(GRID, prices, cluster="local", n_workers=2)
    pd.testing.assert_frame_equal(got.metrics, expected.metrics, check_exact=True)


def test_in_process_path(prices: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        run_sweep(GRID, prices).metrics, sweep(prices, GRID).metrics, check_exact=True
    )


def test_chunks_keep_order() -> None:
    pairs = GRID.pairs
    chunks = chunk_pairs(pairs, 4)
    assert [p for c in chunks for p in c] == pairs
    assert len(chunks) <= 4


def test_bad_cluster(prices: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="cluster must be"):
        run_sweep(GRID, prices, cluster="udp://nowhere")
