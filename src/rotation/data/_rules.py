"""Row rules that catch what users really send: names, sessions, magnitudes, jumps.

Each rule returns every offending row as a :class:`RowProblem`; the schemas
in :mod:`rotation.data.schemas` combine them and the store rejects the batch
whole.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

from rotation.exceptions import RowProblem

__all__ = [
    "MAX_JUMP",
    "MAX_PRICE",
    "SERIES_ID_PATTERN",
    "SYMBOL_PATTERN",
    "jump_problems",
    "magnitude_problems",
    "name_problems",
    "session_problems",
    "trades_on_exchange_sessions",
]

#: Symbols after upper-casing: Yahoo-style tickers (BRK.B, BRK-B, ^TNX, HG=F).
SYMBOL_PATTERN = r"[A-Z0-9^][A-Z0-9.^=_-]{0,19}"
#: Series ids: FRED ids and our own (FF_MKT_RF, EIA_WTI); case kept.
SERIES_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"
#: Largest plausible price; a larger number is a unit or parsing error.
MAX_PRICE = 1e7
#: Largest day-over-day price ratio (either way) accepted within a batch.
MAX_JUMP = 50.0
_PRICE_FIELDS = ("open", "high", "low", "close", "adj_close")


def _rows(
    frame: pd.DataFrame,
    mask: np.ndarray,
    file: str,
    column: str,
    rule: str,
    values: pd.Series | Callable[[pd.DataFrame], pd.Series],
) -> list[RowProblem]:
    if not mask.any():
        return []
    sel = frame.loc[mask]
    text = values(sel) if callable(values) else values.loc[sel.index]
    return [
        RowProblem(file, int(row), column, str(val), rule)
        for row, val in zip(sel["_row"], text, strict=True)
    ]


def name_problems(
    frame: pd.DataFrame, file: str, column: str, pattern: str
) -> list[RowProblem]:
    """Refuse names (symbols, series ids) outside ``pattern``.

    Names end up in file paths, HTML and spreadsheets: ``../../x``,
    ``<SCRIPT>`` and ``=HYPERLINK(...)`` are refused here, not escaped later.
    """
    names = frame[column].astype("string").fillna("")
    codes, uniques = pd.factorize(names)
    ok = pd.Series(uniques).str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    bad = ~ok[codes] & (names != "").to_numpy()
    return _rows(
        frame,
        bad,
        file,
        column,
        f"{column} must match ^{pattern}$ (letters, digits and . ^ = _ - only)",
        names,
    )


def trades_on_exchange_sessions(symbol: str) -> bool:
    """Whether ``symbol`` trades only on NYSE sessions (futures, FX, crypto do not)."""
    return "=" not in symbol and not symbol.endswith(("-USD", "-USDT"))


@cache
def _nyse_sessions() -> pd.DatetimeIndex:
    import exchange_calendars as xcals

    return pd.DatetimeIndex(xcals.get_calendar("XNYS", start="1900-01-01").sessions)


def session_problems(frame: pd.DataFrame, file: str) -> list[RowProblem]:
    """Refuse rows of exchange-listed symbols dated on a day NYSE was closed.

    Futures (``HG=F``), FX (``=X``) and crypto (``-USD``) trade on other
    calendars and are exempt. The calendar is exchange_calendars' XNYS.
    """
    dates = frame["date"]
    codes, uniques = pd.factorize(frame["symbol"].astype(str))
    listed = np.array([trades_on_exchange_sessions(u) for u in uniques] + [False])[
        codes
    ]
    sessions = _nyse_sessions()
    inside = (dates >= sessions[0]) & (dates <= sessions[-1])
    off = (
        listed
        & dates.notna().to_numpy()
        & inside.to_numpy()
        & ~dates.isin(sessions).to_numpy()
    )
    return _rows(
        frame,
        off,
        file,
        "date",
        "not an NYSE session (weekend or market holiday)",
        lambda sel: sel["date"].dt.strftime("%Y-%m-%d (%A)"),
    )


def magnitude_problems(frame: pd.DataFrame, file: str) -> list[RowProblem]:
    """Refuse prices above :data:`MAX_PRICE` (non-finite ones are refused elsewhere)."""
    out: list[RowProblem] = []
    for col in _PRICE_FIELDS:
        values = frame[col]
        big = (np.isfinite(values) & (values.abs() > MAX_PRICE)).to_numpy(dtype=bool)
        out += _rows(
            frame,
            big,
            file,
            col,
            f"price above {MAX_PRICE:,.0f} (a unit or parsing error?)",
            values,
        )
    return out


def jump_problems(frame: pd.DataFrame, file: str) -> list[RowProblem]:
    """Refuse a day-over-day move beyond x :data:`MAX_JUMP` (either way) within a symbol.

    Uses ``adj_close`` (else ``close``) between consecutive dated rows of one
    symbol where both prices are positive: a WTI print of -37.63 has no ratio.
    """
    price = frame["adj_close"].fillna(frame["close"])
    # Prices refused by the magnitude rules (<= 0, non-finite, > MAX_PRICE) are
    # reported there; a ratio with them would only repeat the problem.
    plausible = (price > 0) & (price <= MAX_PRICE)
    order = frame.assign(_price=price).loc[frame["date"].notna() & plausible]
    order = order.sort_values(["symbol", "date"])
    prev = order.groupby("symbol", sort=False)["_price"].shift(1)
    ratio = order["_price"] / prev
    bad = (ratio > MAX_JUMP) | (ratio < 1 / MAX_JUMP)
    if not bad.any():
        return []
    text = prev.astype(str) + " -> " + order["_price"].astype(str)
    sel = order.loc[bad]
    columns = np.where(sel["adj_close"].notna(), "adj_close", "close")
    rule = "price moves by more than x{:g} from the previous row of {}"
    return [
        RowProblem(file, int(row), str(col), str(val), rule.format(MAX_JUMP, sym))
        for row, col, val, sym in zip(
            sel["_row"], columns, text.loc[bad], sel["symbol"], strict=True
        )
    ]
