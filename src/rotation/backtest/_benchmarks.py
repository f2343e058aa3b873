"""Benchmark strategies: equal weight and buy-and-hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from rotation.backtest._calendar import Rebalance, rebalance_mask
from rotation.backtest._engine import validate_prices

__all__ = ["buy_and_hold", "equal_weight"]


def equal_weight(
    prices: pd.DataFrame, *, rebalance: Rebalance = "month_end"
) -> pd.DataFrame:
    r"""Equal weight on every asset that has a price, rebalanced on a calendar.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes.
    rebalance : str or sequence of dates, default "month_end"
        Decision calendar.

    Returns
    -------
    DataFrame of shape (n_observations, n_assets)
        :math:`1/n_t` on each of the :math:`n_t` assets priced at a decision
        close, NaN rows elsewhere.

    Notes
    -----
    The first close of the data is always a decision, so the benchmark is
    invested from the second session.

    NaN handling: assets without a price at the decision close get 0.
    """
    validate_prices(prices)
    index = pd.DatetimeIndex(prices.index)
    decide = rebalance_mask(index, rebalance)
    decide[0] = True
    priced = prices.notna().to_numpy()
    counts = priced.sum(axis=1, keepdims=True)
    weights = np.divide(priced, counts, out=np.zeros(priced.shape), where=counts > 0)
    targets = np.where(decide[:, None], weights, np.nan)
    return pd.DataFrame(targets, index=index, columns=prices.columns)


def buy_and_hold(
    prices: pd.DataFrame,
    *,
    weights: Mapping[str, float] | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Buy once and hold: one decision, then weights drift with prices.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes.
    weights : mapping of str to float or sequence of str, optional
        Initial weights (a mapping), or assets to hold in equal weight (a
        sequence); all columns in equal weight when omitted.

    Returns
    -------
    DataFrame of shape (n_observations, n_assets)
        One decision row, at the first close at which every held asset has a
        price; NaN rows elsewhere.

    Notes
    -----
    The weights are never rebalanced, so they drift: this is the passive
    benchmark (e.g. ``weights=["SPY"]``).

    NaN handling: the decision waits until every held asset has a price.
    """
    validate_prices(prices)
    if weights is None:
        chosen = {c: 1.0 / prices.shape[1] for c in prices.columns}
    elif isinstance(weights, Mapping):
        chosen = {str(k): float(v) for k, v in weights.items()}
    else:
        names = list(weights)
        chosen = {c: 1.0 / len(names) for c in names}
    missing = [c for c in chosen if c not in prices.columns]
    if missing or not chosen:
        raise ValueError(
            f"weights must name columns of prices (missing {missing}); available: "
            f"{list(prices.columns)}."
        )
    ready = prices[list(chosen)].notna().all(axis=1).to_numpy()
    if not ready.any():
        raise ValueError(
            f"the assets {list(chosen)} never all have a price on the same session."
        )
    start = int(np.argmax(ready))
    targets = pd.DataFrame(np.nan, index=prices.index, columns=prices.columns)
    row = np.zeros(prices.shape[1])
    for name, value in chosen.items():
        row[prices.columns.get_loc(name)] = value
    targets.iloc[start] = row
    return targets
