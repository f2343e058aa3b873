"""Walk-forward selection: parameters chosen on past data only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rotation.backtest._calendar import Rebalance, rebalance_mask
from rotation.backtest._engine import backtest
from rotation.backtest._grid import SweepGrid
from rotation.backtest._momentum import relative_momentum
from rotation.backtest._result import BacktestResult
from rotation.backtest._sweep import sweep

__all__ = ["WalkForwardResult", "walk_forward"]


@dataclass(frozen=True)
class WalkForwardResult:
    """A walk-forward backtest and the parameters it chose.

    Attributes
    ----------
    result : BacktestResult
        The backtest of the stitched strategy (out-of-sample by construction).
    choices : DataFrame
        One row per refit date: ``lookback``, ``skip``, ``top_k`` chosen and
        the in-sample ``score`` they had.
    """

    result: BacktestResult
    choices: pd.DataFrame


def walk_forward(
    prices: pd.DataFrame,
    grid: SweepGrid,
    *,
    cash_returns: pd.Series | None = None,
    train_sessions: int = 756,
    refit: Rebalance = "year_end",
) -> WalkForwardResult:
    r"""Top-k momentum whose parameters are re-chosen on trailing data only.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes of the universe.
    grid : SweepGrid
        Candidate variants; must hold a single cost level (the one traded).
    cash_returns : Series, optional
        Per-session cash returns.
    train_sessions : int, default 756
        Length of the training window in sessions (about three years).
    refit : str or sequence of dates, default "year_end"
        Calendar of refit closes.

    Returns
    -------
    WalkForwardResult

    Notes
    -----
    At each refit close :math:`\tau` with a full training window, every
    variant is scored by the Sharpe ratio of its net excess returns over
    :math:`(\tau - \text{train}, \tau]`, which are known at the close of
    :math:`\tau`; the best variant's decisions are used from :math:`\tau`
    up to the next refit. Before the first refit the strategy holds cash.
    The stitched decisions are traded by :func:`backtest` at the next close,
    so nothing after a decision's close is ever used.

    NaN handling: as :func:`relative_momentum`; variants with an undefined
    score are never chosen.
    """
    if len(grid.cost_bps) != 1:
        raise ValueError(
            f"walk_forward needs a grid with one cost level (got cost_bps="
            f"{list(grid.cost_bps)}); the chosen variants are traded at that cost."
        )
    if not (isinstance(train_sessions, int) and train_sessions >= 20):
        raise ValueError(
            f"train_sessions must be an integer >= 20 (got {train_sessions!r})."
        )
    if grid.universe:
        prices = prices[list(grid.universe)]
    swept = sweep(prices, grid, cash_returns=cash_returns, keep_returns=True)
    assert swept.returns is not None  # keep_returns=True
    excess = swept.returns.to_numpy() - swept.cash_returns.to_numpy()[:, None]
    index = pd.DatetimeIndex(prices.index)
    refits = np.flatnonzero(rebalance_mask(index, refit))
    refits = refits[refits >= train_sessions]
    decide = rebalance_mask(index, grid.rebalance)
    targets = pd.DataFrame(np.nan, index=index, columns=prices.columns)
    targets.loc[decide, :] = 0.0
    table = swept.metrics
    cache: dict[tuple[int, int, int], pd.DataFrame] = {}
    rows = []
    for i, tau in enumerate(int(r) for r in refits):
        # excess row r holds the return over (index[r], index[r+1]]; the
        # window ends with the return known at the close of tau.
        window = excess[tau - train_sessions : tau]
        mean = window.mean(axis=0)
        sd = window.std(axis=0, ddof=1)
        score = np.where(sd > 0, mean / np.where(sd > 0, sd, 1.0), -np.inf)
        best = int(np.argmax(score))
        lookback, skip, top_k = (
            int(table.iloc[best][name]) for name in ("lookback", "skip", "top_k")
        )
        key = (lookback, skip, top_k)
        if key not in cache:
            cache[key] = relative_momentum(
                prices,
                lookback=lookback,
                top_k=top_k,
                skip=skip,
                rebalance=grid.rebalance,
            )
        end = refits[i + 1] if i + 1 < len(refits) else len(index)
        segment = slice(tau, end)
        targets.iloc[segment] = cache[key].iloc[segment].to_numpy()
        rows.append(
            {
                "date": index[tau],
                "lookback": lookback,
                "skip": skip,
                "top_k": top_k,
                "score": float(score[best] * np.sqrt(swept.periods_per_year)),
            }
        )
    result = backtest(
        prices,
        targets,
        cost_bps=grid.cost_bps[0],
        cash_returns=cash_returns,
        name="walk_forward",
        params={"train_sessions": train_sessions, "refit": str(refit)},
    )
    choices = pd.DataFrame(rows, columns=["date", "lookback", "skip", "top_k", "score"])
    return WalkForwardResult(result=result, choices=choices.set_index("date"))
