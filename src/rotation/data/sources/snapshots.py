"""Readers for fundamental snapshots: one cross-section of fields per symbol.

A snapshot file is either *wide*, one row per symbol and one column per
field (the layout of a Yahoo ``info`` dump such as
``Stock_Info_2025-06-15.csv``: ``ticker, marketCap, trailingPE, forwardPE,
..., sector``), or *long*, with columns ``symbol, as_of, field, value`` and
optionally ``text`` and ``source``. Both become the normalised long frame the
store's ``snapshots`` table takes:

``symbol, as_of, field, value, text, source, _row, _raw_value, _raw_date, _date_error``

Numeric fields go to ``value`` (float) and the fields named in
:data:`TEXT_FIELDS` (sector, industry...) to ``text``; any other column must
parse as a number, and one that does not is reported, never stored as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from rotation.data.sources._text import (
    file_error,
    parse_dates,
    read_csv_rows,
    to_number,
)
from rotation.data.sources.files import FRED_MISSING

__all__ = [
    "SNAPSHOT_COLUMNS",
    "TEXT_FIELDS",
    "looks_like_snapshot",
    "read_snapshot_csv",
    "snapshot_date_from_name",
    "snapshot_frame",
]

#: Columns of a normalised snapshot batch (before the private ``_*`` columns).
SNAPSHOT_COLUMNS = ("symbol", "as_of", "field", "value", "text", "source")
#: Fields stored as text; every other field is a number.
TEXT_FIELDS = frozenset(
    {
        "sector",
        "industry",
        "country",
        "currency",
        "exchange",
        "shortName",
        "longName",
        "quoteType",
    }
)
_MISSING = FRED_MISSING
_SYMBOL_COLUMNS = ("ticker", "symbol")
_DATE_COLUMNS = ("as_of", "date", "snapshot_date")
#: Wide columns that are the key or the date, never fields.
_KEY_COLUMNS = frozenset(_SYMBOL_COLUMNS + _DATE_COLUMNS + ("source",))
_FIELD_HINTS = ("marketcap", "forwardpe", "trailingpe")


def looks_like_snapshot(header: Iterable[str]) -> bool:
    """Whether a CSV header is a snapshot file (a symbol column plus known fields)."""
    cols = {c.strip().lower() for c in header}
    if not cols & set(_SYMBOL_COLUMNS):
        return False
    long = {"field", "value"} <= cols and bool(cols & set(_DATE_COLUMNS))
    return long or any(hint in cols for hint in _FIELD_HINTS)


def snapshot_date_from_name(path: Path) -> pd.Timestamp | None:
    """Return the one ``YYYY-MM-DD`` in a file name (``Stock_Info_2025-06-15.csv``)."""
    found = re.findall(r"(\d{4}-\d{2}-\d{2})", path.name)
    if len(found) != 1:
        return None
    day = pd.to_datetime(found[0], format="%Y-%m-%d", errors="coerce")
    return None if pd.isna(day) else pd.Timestamp(day)


def read_snapshot_csv(
    path: str | Path,
    *,
    as_of: str | pd.Timestamp | None = None,
    source: str | None = None,
    fields: Iterable[str] | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read a wide or long snapshot CSV into a normalised long frame.

    Parameters
    ----------
    path : str or Path
        The CSV file (gzip allowed).
    as_of : date-like, optional
        The snapshot's date for a wide file without an ``as_of``/``date``
        column; defaults to the single ``YYYY-MM-DD`` in the file name.
    source : str, optional
        Recorded as each row's source (default: the file name); a ``source``
        column in the file wins.
    fields : iterable of str, optional
        Keep only these fields (default: every column).
    date_format : str, optional
        ``strftime`` format of a non-ISO date column.

    Returns
    -------
    DataFrame
        Columns :data:`SNAPSHOT_COLUMNS` plus ``_row`` (file line) and the raw
        texts for validation. Missing values (blank, ``"."``, ``NA``) keep
        NaN/None; the store skips and counts them.

    Raises
    ------
    ValidationError
        No symbol column, or no snapshot date anywhere.
    """
    path = Path(path)
    frame = read_csv_rows(path)
    lower = {c.strip().lower(): c for c in frame.columns if c != "_row"}
    sym_col = next((lower[k] for k in _SYMBOL_COLUMNS if k in lower), None)
    if sym_col is None:
        raise file_error(
            path, "no symbol column (expected ticker or symbol)", ",".join(lower)
        )
    date_col = next((lower[k] for k in _DATE_COLUMNS if k in lower), None)
    src = source or path.name
    if "field" in lower and "value" in lower and date_col is not None:
        long = pd.DataFrame(
            {
                "symbol": frame[sym_col],
                "raw_date": frame[date_col],
                "field": frame[lower["field"]].astype(str).str.strip(),
                "raw": frame[lower["value"]],
                "text": frame[lower["text"]] if "text" in lower else None,
                "source": frame[lower["source"]] if "source" in lower else src,
                "_row": frame["_row"],
            }
        )
        long["text"] = long["text"].where(~long["field"].isin(TEXT_FIELDS), long["raw"])
        long["raw"] = long["raw"].where(~long["field"].isin(TEXT_FIELDS), None)
    else:
        long = _melt_wide(path, frame, sym_col, date_col, as_of, src)
    if fields is not None:
        long = long[long["field"].isin(set(fields))]
    return snapshot_frame(long, date_format=date_format)


def _melt_wide(
    path: Path,
    frame: pd.DataFrame,
    sym_col: str,
    date_col: str | None,
    as_of: str | pd.Timestamp | None,
    source: str,
) -> pd.DataFrame:
    if date_col is not None:
        raw_date = frame[date_col]
    else:
        day = (
            pd.Timestamp(as_of) if as_of is not None else snapshot_date_from_name(path)
        )
        if day is None:
            raise file_error(
                path,
                "no snapshot date: add an as_of column, name the file "
                "..._YYYY-MM-DD.csv, or pass the date (--as-of)",
            )
        raw_date = pd.Series(str(day.date()), index=frame.index)
    src_col = next((c for c in frame.columns if c.strip().lower() == "source"), None)
    keys = (
        {sym_col, "_row"}
        | ({date_col} if date_col else set())
        | ({src_col} if src_col else set())
    )
    parts = []
    for col in frame.columns:
        if col in keys or col.strip().lower() in _KEY_COLUMNS:
            continue
        is_text = col.strip() in TEXT_FIELDS
        parts.append(
            pd.DataFrame(
                {
                    "symbol": frame[sym_col],
                    "raw_date": raw_date,
                    "field": col.strip(),
                    "raw": None if is_text else frame[col],
                    "text": frame[col] if is_text else None,
                    "source": frame[src_col] if src_col else source,
                    "_row": frame["_row"],
                }
            )
        )
    if not parts:
        raise file_error(path, "no field columns besides the symbol and date")
    return pd.concat(parts, ignore_index=True)


def snapshot_frame(
    long: pd.DataFrame, *, date_format: str | None = None
) -> pd.DataFrame:
    """Normalise a long frame (``symbol, raw_date, field, raw, text, source, _row``).

    Symbols are upper-cased and stripped; numbers parse with the same rules
    as every other reader; empty texts become None.
    """
    dates, reasons = parse_dates(long["raw_date"], date_format=date_format)
    text = long["text"].astype("string").str.strip()
    text = text.mask(text.isin(list(_MISSING)) | text.isna(), None)
    raw = long["raw"]
    return pd.DataFrame(
        {
            "symbol": long["symbol"].astype("string").str.strip().str.upper(),
            "as_of": dates.to_numpy(),
            "field": long["field"].astype(str),
            "value": to_number(raw.astype(object), _MISSING).to_numpy(),
            "text": text.astype(object).where(text.notna(), None).to_numpy(),
            "source": long["source"].astype(str).to_numpy(),
            "_row": long["_row"].to_numpy(),
            "_raw_value": raw.to_numpy(),
            "_raw_date": long["raw_date"].to_numpy(),
            "_date_error": reasons.to_numpy(),
        }
    ).astype({"symbol": object, "value": "float64"})
