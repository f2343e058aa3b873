"""Point-in-time valuation of a basket from fundamental snapshots.

A snapshot is a cross-section of fundamentals (one row per symbol and field)
published on one date; :attr:`rotation.market.MarketData.fundamentals` holds
them in long format with columns ``symbol``, ``as_of``, ``field``, ``value``
and ``source``. A value is known from the close of its ``as_of`` date and is
used for at most :data:`STALENESS_LIMIT` calendar days after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from rotation._typing import FloatArray

__all__ = [
    "FIELD_FORWARD_PE",
    "FIELD_MARKET_CAP",
    "FIELD_TRAILING_PE",
    "FUNDAMENTAL_COLUMNS",
    "STALENESS_LIMIT",
    "harmonic_pe",
]

#: Calendar days a snapshot value stays usable after its ``as_of`` date; a
#: value older than this is stale and the metric reads "no data".
STALENESS_LIMIT = 400
#: Field names of the snapshot table (the yfinance ``Ticker.info`` keys, which
#: is also how the bundled 2025-06-15 S&P 500 cross-section spells them).
FIELD_FORWARD_PE = "forwardPE"
FIELD_TRAILING_PE = "trailingPE"
FIELD_MARKET_CAP = "marketCap"
FUNDAMENTAL_COLUMNS = ("symbol", "as_of", "field", "value", "source")


def _latest(
    table: pd.DataFrame, members: Sequence[str], field: str, day: pd.Timestamp
) -> pd.Series:
    """Each member's latest value of ``field`` known on ``day`` and not stale."""
    rows = table[
        (table["field"] == field)
        & table["symbol"].isin(members)
        & (table["as_of"] <= day)
        & (table["as_of"] >= day - pd.Timedelta(days=STALENESS_LIMIT))
    ]
    if rows.empty:
        return pd.Series(dtype="float64")
    rows = rows.sort_values("as_of").groupby("symbol").tail(1)
    return pd.Series(rows["value"].to_numpy(dtype="float64"), index=rows["symbol"])


def harmonic_pe(
    fundamentals: pd.DataFrame | None,
    members: Sequence[str],
    field: str,
    sessions: pd.DatetimeIndex,
) -> tuple[FloatArray, Callable[[int], str]]:
    r"""Cap-weighted harmonic mean P/E of ``members`` on every session.

    Parameters
    ----------
    fundamentals : DataFrame or None
        Snapshot table with columns ``symbol``, ``as_of``, ``field``,
        ``value`` (and ``source``); ``None`` or empty when none is loaded.
    members : sequence of str
        The symbols of the basket.
    field : str
        :data:`FIELD_FORWARD_PE` or :data:`FIELD_TRAILING_PE`.
    sessions : DatetimeIndex of shape (n_sessions,)
        Where to evaluate.

    Returns
    -------
    values : ndarray of shape (n_sessions,)
        The P/E, NaN where no member has a usable value.
    reason : callable
        ``reason(position)`` says why the value at that session is NaN.

    Notes
    -----
    With :math:`w_i` the market capitalisation of member i and
    :math:`PE_i > 0` its P/E, both from the latest snapshot with
    ``as_of <= t`` and at most :data:`STALENESS_LIMIT` days old,

    .. math:: PE_t = \frac{\sum_i w_i}{\sum_i w_i / PE_i},

    the P/E of the basket held at its market weights (total cap over total
    earnings). Members with a non-positive or missing P/E (losses) or cap
    are left out, as index providers do.

    NaN handling: NaN before the first snapshot, after the last one turns
    stale, and when no member has both fields.
    """
    out = np.full(len(sessions), np.nan)
    table = fundamentals
    if table is None or len(table) == 0:
        return (
            out,
            lambda i: f"no fundamental snapshot is known by {sessions[i].date()}",
        )
    table = table.assign(as_of=pd.to_datetime(table["as_of"]))
    mine = table[table["symbol"].isin(members)]
    dates = sorted(pd.DatetimeIndex(mine["as_of"].unique()))
    if not dates:
        names = ", ".join(members[:5]) + (" ..." if len(members) > 5 else "")
        return out, lambda _: f"no fundamental snapshot holds {field} for {names}"
    limit = pd.Timedelta(days=STALENESS_LIMIT)
    # The value changes only when a snapshot arrives or one turns stale, so
    # it is computed once per such event and spread over the sessions.
    events = sorted({*dates, *(d + limit + pd.Timedelta(days=1) for d in dates)})
    values = []
    for day in events:
        pe = _latest(mine, members, field, day)
        cap = _latest(mine, members, FIELD_MARKET_CAP, day)
        both = pd.concat([pe.rename("pe"), cap.rename("cap")], axis=1).dropna()
        both = both[(both["pe"] > 0) & (both["cap"] > 0)]
        if both.empty:
            values.append(np.nan)
        else:
            values.append(float(both["cap"].sum() / (both["cap"] / both["pe"]).sum()))
    pos = pd.DatetimeIndex(events).searchsorted(sessions, side="right") - 1
    valid = pos >= 0
    out[valid] = np.asarray(values)[pos[valid]]
    first, last = dates[0], dates[-1]

    def reason(position: int) -> str:
        day = sessions[position]
        if day < first:
            return f"no fundamental snapshot before {day.date()} (first {first.date()})"
        if day - last > limit:
            return (
                f"the latest fundamental snapshot ({last.date()}) is stale on "
                f"{day.date()}: older than {STALENESS_LIMIT} days"
            )
        return f"no member has both {field} > 0 and {FIELD_MARKET_CAP} on {day.date()}"

    return out, reason
