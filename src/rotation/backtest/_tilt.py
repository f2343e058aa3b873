"""The thesis-conditioned tilt: tangible vs tech, switched by a daily signal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from rotation.backtest._calendar import Rebalance, rebalance_mask
from rotation.backtest._engine import validate_prices

__all__ = ["thesis_tilt"]


def thesis_tilt(
    prices: pd.DataFrame,
    signal: pd.Series,
    *,
    tangible: Sequence[str],
    tech: Sequence[str],
    mode: Literal["underweight", "long_short"] = "underweight",
    threshold: float = 0.5,
    tilt: float = 0.5,
    rebalance: Rebalance = "weekly",
) -> pd.DataFrame:
    r"""Tilt from tech to tangible assets when a thesis signal says so.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes holding the ``tangible`` and ``tech`` columns.
    signal : Series of shape (n_observations,)
        Daily signal known at each close, e.g. thesis health in [0, 1] or the
        filtered probability of a rotation regime (bool is accepted). The
        signal is on when ``signal >= threshold``.
    tangible : sequence of str
        Long side, e.g. ``["XLI", "XLB", "XLE", "IWM"]``.
    tech : sequence of str
        Side cut or shorted, e.g. ``["XLK", "SMH"]``.
    mode : {"underweight", "long_short"}, default "underweight"
        ``"underweight"``: a long-only book, neutral (equal weight on both
        baskets) when the signal is off and tilted by ``tilt`` toward tangible
        when on. ``"long_short"``: a spread, +1 on tangible and -1 on tech
        when on, flat (cash) when off.
    threshold : float, default 0.5
        Signal level at which the tilt turns on.
    tilt : float, default 0.5
        In ``"underweight"`` mode, the share of the book moved from tech to
        tangible: tangible gets :math:`(1 + \text{tilt})/2`, tech
        :math:`(1 - \text{tilt})/2`. ``tilt=1`` holds tangible only.
    rebalance : str or sequence of dates, default "weekly"
        Decision calendar; a change of the signal's state also triggers a
        decision at that close.

    Returns
    -------
    DataFrame of shape (n_observations, n_assets)
        Target weights on decision closes, NaN rows elsewhere. Each basket's
        share is split equally among its members that have a price.

    Notes
    -----
    The signal at t is used for the decision at t (it must itself be causal,
    e.g. filtered, not smoothed, regime probabilities); the engine trades at
    t+1. ``long_short`` needs ``backtest(..., allow_short=True,
    max_gross=2.0)``.

    NaN handling: a NaN signal counts as off. Members without a price at a
    decision close are left out of their basket; a basket with no priced
    member leaves its share in cash.
    """
    validate_prices(prices)
    missing = [c for c in [*tangible, *tech] if c not in prices.columns]
    if missing or not len(tangible) or not len(tech):
        raise ValueError(
            f"tangible and tech must be non-empty lists of price columns (missing "
            f"{missing}); available: {list(prices.columns)}."
        )
    if mode not in ("underweight", "long_short"):
        raise ValueError(f"mode must be 'underweight' or 'long_short' (got {mode!r}).")
    if not 0.0 <= tilt <= 1.0:
        raise ValueError(f"tilt must be in [0, 1] (got {tilt!r}).")
    if not isinstance(signal, pd.Series):
        raise ValueError(f"signal must be a Series (got {type(signal).__name__}).")
    index = pd.DatetimeIndex(prices.index)
    level = signal.reindex(index).to_numpy(dtype=float, na_value=np.nan)
    on = np.where(np.isnan(level), False, level >= threshold)
    flips = np.zeros(len(index), dtype=bool)
    flips[1:] = on[1:] != on[:-1]
    decide = rebalance_mask(index, rebalance) | flips
    if mode == "underweight":
        share_on = ((1.0 + tilt) / 2.0, (1.0 - tilt) / 2.0)
        share_off = (0.5, 0.5)
    else:
        share_on = (1.0, -1.0)
        share_off = (0.0, 0.0)
    priced = prices.notna().to_numpy()
    cols_tangible = np.array([prices.columns.get_loc(c) for c in tangible])
    cols_tech = np.array([prices.columns.get_loc(c) for c in tech])
    targets = np.full(priced.shape, np.nan)
    for t in np.flatnonzero(decide):
        targets[t] = 0.0
        shares = share_on if on[t] else share_off
        for cols, share in ((cols_tangible, shares[0]), (cols_tech, shares[1])):
            live = cols[priced[t, cols]]
            if live.size and share != 0.0:
                targets[t, live] += share / live.size
    return pd.DataFrame(targets, index=index, columns=prices.columns)
