"""Data-quality flags: suspicious daily moves are flagged, never dropped.

Two kinds of flag, both on simple daily returns of one symbol:

* ``spike``: the price at t jumps by more than ``spike_threshold`` and the
  next day's move gives most of it back (|log r_t + log r_{t+1}| below half
  of |log r_t|). This is the signature of a bad tick (CPER 2014-12-04/05,
  2015-02-02/03). Both legs are flagged; the suspected bad price is at t.
* ``large_move``: |r_t| above ``move_threshold`` and above ``sigmas`` times the
  symbol's trailing volatility, without a reversal. Real crashes (CPER
  2025-07-30, -19% on the copper tariff news, about 15 sigma) land here for a
  human to look at; a 20% earnings move in a volatile stock does not.

Flagged points can be quarantined in the store (excluded from analytics,
reversible); nothing is removed from the stored history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["flag_price_moves"]


def flag_price_moves(
    prices: pd.DataFrame,
    *,
    spike_threshold: float = 0.2,
    move_threshold: float = 0.12,
    sigmas: float = 10.0,
    window: int = 63,
) -> pd.DataFrame:
    """Flag suspicious daily moves in a long price frame.

    Parameters
    ----------
    prices : DataFrame
        Long frame with columns ``symbol``, ``date``, ``adj_close``.
    spike_threshold : float, default 0.2
        Minimum |return| of the first leg of a reverting spike.
    move_threshold : float, default 0.12
        Minimum |return| of a non-reverting large move.
    sigmas : float, default 10.0
        A large move must also exceed this many trailing standard deviations.
    window : int, default 63
        Observations in the trailing volatility (mean absolute log return
        times sqrt(pi/2), excluding the day itself).

    Returns
    -------
    DataFrame
        Columns ``symbol, date, return, kind, suspect_date, note``, sorted.

    Notes
    -----
    NaN handling: returns are taken between consecutive non-NaN prices of a
    symbol; negative or zero prices (WTI 2020-04-20) are skipped because log
    returns are undefined there.
    """
    frame = prices.loc[prices["adj_close"] > 0, ["symbol", "date", "adj_close"]]
    frame = frame.sort_values(["symbol", "date"])
    grp = frame.groupby("symbol", sort=False)["adj_close"]
    log_ret = np.log(frame["adj_close"]) - np.log(grp.shift(1))
    nxt = log_ret.groupby(frame["symbol"], sort=False).shift(-1)
    symbols = frame["symbol"].astype(object)
    same_symbol_next = (symbols == symbols.shift(-1)).astype(bool)
    ret = np.expm1(log_ret)
    spike = (
        (
            (ret.abs() > spike_threshold)
            & same_symbol_next
            & (np.sign(nxt) == -np.sign(log_ret))
            & ((log_ret + nxt).abs() < 0.5 * log_ret.abs())
        )
        .fillna(False)
        .astype(bool)
    )
    reversal = (
        spike.groupby(frame["symbol"], sort=False)
        .shift(1, fill_value=False)
        .astype(bool)
    )
    trailing = log_ret.abs().groupby(frame["symbol"], sort=False).transform(
        lambda x: x.shift(1).rolling(window, min_periods=20).mean()
    ) * np.sqrt(np.pi / 2)
    unusual = (ret.abs() > move_threshold) & (log_ret.abs() > sigmas * trailing)
    large = (unusual & ~spike & ~reversal).fillna(False).astype(bool)
    rows = []
    dates = frame["date"]
    prev_dates = dates.groupby(frame["symbol"], sort=False).shift(1)
    for mask, kind in ((spike, "spike"), (reversal, "spike"), (large, "large_move")):
        sel = frame[mask.to_numpy()]
        if sel.empty:
            continue
        suspect = (
            dates[mask]
            if kind == "spike" and mask is spike
            else (prev_dates[mask] if kind == "spike" else dates[mask])
        )
        rows.append(
            pd.DataFrame(
                {
                    "symbol": sel["symbol"].to_numpy(),
                    "date": sel["date"].to_numpy(),
                    "return": ret[mask].to_numpy(),
                    "kind": kind,
                    "suspect_date": suspect.to_numpy(),
                    "note": "jump that reverts next day (bad tick?)"
                    if mask is spike
                    else (
                        "reversal of the previous day's jump"
                        if mask is reversal
                        else "large move that does not revert (check the news before quarantining)"
                    ),
                }
            )
        )
    if not rows:
        return pd.DataFrame(
            columns=["symbol", "date", "return", "kind", "suspect_date", "note"]
        )
    return (
        pd.concat(rows, ignore_index=True)
        .sort_values(["symbol", "date"])
        .reset_index(drop=True)
    )
