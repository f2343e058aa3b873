"""Parameter sweeps of top-k momentum rotation, sharing work across variants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from rotation import measures
from rotation._arrays import kernel_input
from rotation.backtest._calendar import rebalance_mask
from rotation.backtest._engine import cash_array, validate_prices
from rotation.backtest._grid import SweepGrid
from rotation.backtest._kernels import (
    SWEEP_METRICS,
    _sweep_momentum,
    _sweep_momentum_serial,
)
from rotation.backtest._ranking import momentum_orders

__all__ = [
    "SweepInputs",
    "SweepResult",
    "assemble_sweep",
    "prepare_sweep",
    "sweep",
    "sweep_chunk",
]


@dataclass(frozen=True)
class SweepInputs:
    """The arrays every chunk of a sweep needs (scattered once on a cluster).

    Attributes
    ----------
    index : DatetimeIndex of shape (n_observations,)
    columns : tuple of str
    prices : ndarray of shape (n_observations, n_assets)
        Adjusted closes carried forward over gaps, NaN before listing.
    cash_returns : ndarray of shape (n_observations,)
    cash_index : ndarray of shape (n_observations,)
        Compounded cash returns, 1.0 at the first session.
    decide : ndarray of bool, shape (n_observations,)
        Decision closes of the grid's calendar.
    periods_per_year : float
    """

    index: pd.DatetimeIndex
    columns: tuple[str, ...]
    prices: np.ndarray
    cash_returns: np.ndarray
    cash_index: np.ndarray
    decide: np.ndarray
    periods_per_year: float


def prepare_sweep(
    prices: pd.DataFrame, grid: SweepGrid, *, cash_returns: pd.Series | None = None
) -> SweepInputs:
    """Validate inputs once and turn them into the arrays the kernel reads.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes; restricted to ``grid.universe`` when that is set.
    grid : SweepGrid
        The variants.
    cash_returns : Series, optional
        Per-session cash returns; zero when omitted.

    Returns
    -------
    SweepInputs
    """
    if grid.universe:
        missing = [c for c in grid.universe if c not in prices.columns]
        if missing:
            raise ValueError(
                f"grid.universe names columns not in prices: {missing}; available: "
                f"{list(prices.columns)}."
            )
        prices = prices[list(grid.universe)]
    validate_prices(prices)
    index = pd.DatetimeIndex(prices.index)
    filled = prices.ffill().to_numpy(dtype=float, na_value=np.nan)
    cash = cash_array(cash_returns, index)
    return SweepInputs(
        index=index,
        columns=tuple(str(c) for c in prices.columns),
        prices=kernel_input(filled),
        cash_returns=cash,
        cash_index=np.cumprod(1.0 + cash),
        decide=rebalance_mask(index, grid.rebalance),
        periods_per_year=measures.periods_per_year(index),
    )


#: Sweeps with fewer variants run the serial kernel (identical results): the
#: threaded one only pays for its compile time on large grids.
PARALLEL_MIN_VARIANTS = 2_000


def sweep_chunk(
    inputs: SweepInputs,
    pairs: Sequence[tuple[int, int]],
    top_k: Sequence[int],
    cost_bps: Sequence[float],
    *,
    keep_returns: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Run the variants of some (lookback, skip) pairs: one task of a sweep.

    Parameters
    ----------
    inputs : SweepInputs
        From :func:`prepare_sweep`.
    pairs : sequence of (int, int)
        The (lookback, skip) momentum tables of this chunk.
    top_k, cost_bps : sequence
        Every top-k and cost level (each pair runs all of them).
    keep_returns : bool, default False
        Also return the daily net returns of every variant.

    Returns
    -------
    metrics : ndarray of shape (n_pairs, n_top_k, n_costs, n_metrics)
    returns : ndarray of shape (n_pairs, n_top_k, n_costs, n_observations - 1)
        Empty in the last axis unless ``keep_returns``.
    """
    n_decisions = int(np.count_nonzero(inputs.decide))
    n_assets = inputs.prices.shape[1]
    orders = np.zeros((len(pairs), n_decisions, n_assets), dtype=np.int64)
    n_eligible = np.zeros((len(pairs), n_decisions), dtype=np.int64)
    for p, (lookback, skip) in enumerate(pairs):
        orders[p], n_eligible[p] = momentum_orders(
            inputs.prices, inputs.decide, lookback, skip
        )
    n_variants = len(pairs) * len(top_k) * len(cost_bps)
    kernel = (
        _sweep_momentum
        if n_variants >= PARALLEL_MIN_VARIANTS
        else _sweep_momentum_serial
    )
    return kernel(
        inputs.prices,
        inputs.cash_index,
        inputs.decide,
        orders,
        n_eligible,
        np.asarray(top_k, dtype=np.int64),
        np.asarray(cost_bps, dtype=float) / 1e4,
        inputs.periods_per_year,
        keep_returns,
    )


@dataclass(frozen=True)
class SweepResult:
    """Metrics of every variant of a sweep, and optionally their returns.

    Attributes
    ----------
    metrics : DataFrame of shape (n_variants, 5 + n_metrics)
        Tidy table: ``lookback``, ``skip``, ``top_k``, ``cost_bps``,
        ``variant`` (a label) and the measures ``total_return``, ``cagr``,
        ``volatility``, ``sharpe``, ``sortino`` (excess of cash),
        ``max_drawdown``, ``calmar``, ``hit_rate``, ``turnover``,
        ``costs_paid``, each as :class:`BacktestResult.metrics` computes it.
    returns : DataFrame of shape (n_observations - 1, n_variants) or None
        Daily net returns per variant (columns are ``variant`` labels).
    cash_returns : Series of shape (n_observations - 1,)
    grid : SweepGrid
    periods_per_year : float
    """

    metrics: pd.DataFrame
    returns: pd.DataFrame | None
    cash_returns: pd.Series
    grid: SweepGrid
    periods_per_year: float

    @cached_property
    def best(self) -> pd.Series:
        """The row of the variant with the highest Sharpe ratio."""
        position = int(np.nanargmax(self.metrics["sharpe"].to_numpy()))
        return self.metrics.iloc[position]

    def heatmap(
        self,
        metric: str = "sharpe",
        *,
        skip: int | None = None,
        cost_bps: float | None = None,
    ) -> pd.DataFrame:
        """Metric by lookback (rows) and top-k (columns) at one skip and cost.

        Parameters
        ----------
        metric : str, default "sharpe"
            A metrics column.
        skip, cost_bps : optional
            Slice to show; default the grid's first value.

        Returns
        -------
        DataFrame of shape (n_lookback, n_top_k)
        """
        if metric not in SWEEP_METRICS:
            raise ValueError(f"metric must be one of {SWEEP_METRICS} (got {metric!r}).")
        skip = self.grid.skip[0] if skip is None else skip
        cost = self.grid.cost_bps[0] if cost_bps is None else cost_bps
        frame = self.metrics
        sub = frame[(frame["skip"] == skip) & np.isclose(frame["cost_bps"], cost)]
        if sub.empty:
            raise ValueError(
                f"no variants with skip={skip} and cost_bps={cost}; grid has skip "
                f"{list(self.grid.skip)} and cost_bps {list(self.grid.cost_bps)}."
            )
        return sub.pivot(index="lookback", columns="top_k", values=metric)

    def deflated_sharpe(self, *, n_trials: int | None = None) -> float:
        """Deflated Sharpe ratio of the best variant (needs ``returns``).

        Parameters
        ----------
        n_trials : int, optional
            Effective number of independent trials; every variant by default
            (which over-deflates, variants being correlated).

        Returns
        -------
        float
            See :func:`rotation.measures.deflated_sharpe_ratio`; computed on
            excess returns over cash with per-period Sharpe ratios.
        """
        if self.returns is None:
            raise ValueError(
                "deflated_sharpe needs a sweep run with keep_returns=True."
            )
        per_period = self.metrics["sharpe"].to_numpy() / np.sqrt(self.periods_per_year)
        excess = self.returns[self.best["variant"]] - self.cash_returns
        ok = per_period[~np.isnan(per_period)]
        return measures.deflated_sharpe_ratio(
            excess,
            n_trials=int(n_trials or ok.size),
            sharpe_variance=float(np.var(ok, ddof=1)),
        )


def variant_label(lookback: int, skip: int, top_k: int, cost_bps: float) -> str:
    """Column label of one variant, e.g. ``"L126_S0_K3_C10"``."""
    return f"L{lookback}_S{skip}_K{top_k}_C{cost_bps:g}"


def assemble_sweep(
    inputs: SweepInputs,
    grid: SweepGrid,
    metrics: np.ndarray,
    returns: np.ndarray | None,
) -> SweepResult:
    """Build the tidy :class:`SweepResult` from the kernel's arrays.

    Parameters
    ----------
    inputs : SweepInputs
    grid : SweepGrid
    metrics : ndarray of shape (n_pairs, n_top_k, n_costs, n_metrics)
        For ``grid.pairs`` in order.
    returns : ndarray of shape (n_pairs, n_top_k, n_costs, n_obs - 1) or None

    Returns
    -------
    SweepResult
    """
    keys = [
        (lb, sk, k, c)
        for (lb, sk) in grid.pairs
        for k in grid.top_k
        for c in grid.cost_bps
    ]
    labels = [variant_label(*key) for key in keys]
    table = pd.DataFrame(keys, columns=["lookback", "skip", "top_k", "cost_bps"])
    table["variant"] = labels
    flat = metrics.reshape(len(keys), len(SWEEP_METRICS))
    for j, name in enumerate(SWEEP_METRICS):
        table[name] = flat[:, j]
    frame = None
    if returns is not None and returns.shape[-1] > 0:
        frame = pd.DataFrame(
            returns.reshape(len(keys), -1).T, index=inputs.index[1:], columns=labels
        )
    return SweepResult(
        metrics=table,
        returns=frame,
        cash_returns=pd.Series(inputs.cash_returns[1:], index=inputs.index[1:]),
        grid=grid,
        periods_per_year=inputs.periods_per_year,
    )


def sweep(
    prices: pd.DataFrame,
    grid: SweepGrid,
    *,
    cash_returns: pd.Series | None = None,
    keep_returns: bool = False,
) -> SweepResult:
    r"""Run every top-k momentum variant of a grid in this process.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes of the universe.
    grid : SweepGrid
        Lookbacks, skips, top-k values and cost levels.
    cash_returns : Series, optional
        Per-session cash returns (cash interest and Sharpe's risk-free rate).
    keep_returns : bool, default False
        Keep the daily net returns of every variant (needed for PBO and the
        deflated Sharpe ratio; memory grows as n_variants x n_observations).

    Returns
    -------
    SweepResult

    Notes
    -----
    Each variant is exactly :func:`relative_momentum` traded by
    :func:`backtest` (same timing, costs and cash). Work is shared: one
    momentum ranking per (lookback, skip) serves every top-k (one sort per
    decision close), and one simulation per (lookback, skip, top-k) serves
    every cost level, since after each trade the weights are the targets
    whatever the cost, so

    .. math:: r^{net}_t(c) = (1 + r^{g}_t)(1 - c\,G_t) - 1

    with :math:`G_t` the gross traded weight. Pairs run in parallel threads.

    NaN handling: as :func:`relative_momentum` and :func:`backtest`.
    """
    inputs = prepare_sweep(prices, grid, cash_returns=cash_returns)
    metrics, returns = sweep_chunk(
        inputs, grid.pairs, grid.top_k, grid.cost_bps, keep_returns=keep_returns
    )
    return assemble_sweep(inputs, grid, metrics, returns if keep_returns else None)
