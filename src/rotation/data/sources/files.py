"""Readers for the real-world file formats we ingest.

Every reader returns a *normalised long frame* plus the 1-based file row of
each record (column ``_row``, counting the header line) so that validation
errors can point at the exact line of the original file:

* prices: ``symbol, date, open, high, low, close, adj_close, volume, source``
* observations: ``series_id, date, value, source``

Quirks handled here (all seen in the bundled sources, see PROVENANCE.md):
header case (``DATE``/``date``/``Date``), the value column named ``value`` or
after the series id, ``"."`` or blank for missing values, newest-first files,
tz-aware timestamps with changing UTC offsets, copyright/header lines and
annual blocks in the Fama–French files, and percent units.

Readers only parse; they never drop a bad row. Rows whose date or value cannot
be parsed keep the raw text in ``_raw_date``/``_raw_value`` so that validation
can report them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rotation.data.sources._text import (
    file_error,
    parse_dates,
    read_csv_rows,
    read_text,
    to_number,
)
from rotation.exceptions import RowProblem, ValidationError

__all__ = [
    "FRED_MISSING",
    "PRICE_COLUMNS",
    "read_dot_plot",
    "read_fama_french",
    "read_observations_csv",
    "read_price_csv",
    "read_price_parquet",
]

PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")
#: Text that FRED and similar CSVs use for "no observation".
FRED_MISSING = frozenset({"", ".", "NA", "N/A", "nan", "NaN", "#N/A"})

_PRICE_ALIASES = {
    "date": "date",
    "datetime": "date",
    "timestamp": "date",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "adj close": "adj_close",
    "adj_close": "adj_close",
    "adjclose": "adj_close",
    "adjusted_close": "adj_close",
    "volume": "volume",
    "symbol": "symbol",
    "ticker": "symbol",
}


def _parse_dates(raw: pd.Series, date_format: str | None = None) -> pd.Series:
    """Parse date text to session dates (NaT where refused; see ``_text``)."""
    return parse_dates(raw, date_format=date_format)[0]


def _to_number(raw: pd.Series, missing: frozenset[str] = FRED_MISSING) -> pd.Series:
    return to_number(raw, missing)


def _read_text(path: Path) -> str:
    return read_text(path)


def _dates_with_reasons(raw: pd.Series, date_format: str | None) -> dict[str, object]:
    dates, reasons = parse_dates(raw, date_format=date_format)
    return {"date": dates.to_numpy(), "_date_error": reasons.to_numpy()}


def read_observations_csv(
    path: str | Path,
    *,
    series_id: str | None = None,
    source: str = "csv",
    date_column: str | None = None,
    value_column: str | None = None,
    scale: float = 1.0,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read a two-column date/value CSV such as a FRED or EIA download.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    series_id : str, optional
        Series id; defaults to the value column's name if it is not ``value``,
        else to the file stem.
    source : str, default "csv"
        Recorded in the ``source`` column.
    date_column, value_column : str, optional
        Column names (case-insensitive); detected when omitted.
    scale : float, default 1.0
        Multiplier applied on ingest (e.g. 0.01 for percent -> fraction).
    date_format : str, optional
        ``strftime`` format of the dates when they are not ISO 8601.

    Returns
    -------
    DataFrame
        Columns ``series_id, date, value, source, _row, _raw_date, _raw_value,
        _date_error``.
        Rows whose value is a missing marker (``"."``, blank) keep NaN values;
        the caller decides (and reports) what to do with them.
    """
    path = Path(path)
    frame = read_csv_rows(path)
    _refuse_duplicate_columns(path, [c for c in frame.columns if c != "_row"], {})
    lower = {c.strip().lower(): c for c in frame.columns if c != "_row"}
    date_col = lower.get((date_column or "").lower()) or next(
        (lower[k] for k in ("date", "observation_date", "datetime") if k in lower), None
    )
    if date_col is None:
        raise ValidationError(
            [
                RowProblem(
                    str(path),
                    1,
                    ",".join(frame.columns),
                    "",
                    "no date column (expected one of date, DATE, observation_date)",
                )
            ]
        )
    others = [c for c in frame.columns if c not in (date_col, "_row")]
    value_col = lower.get((value_column or "").lower()) or (
        lower.get("value")
        or lower.get("price")
        or (others[0] if len(others) == 1 else None)
    )
    if value_col is None:
        raise ValidationError(
            [
                RowProblem(
                    str(path),
                    1,
                    ",".join(frame.columns),
                    "",
                    "cannot tell which column holds the values; pass value_column",
                )
            ]
        )
    if series_id is None:
        series_id = (
            value_col if value_col.lower() not in {"value", "price"} else path.stem
        )
    out = pd.DataFrame(
        {
            "series_id": series_id,
            **_dates_with_reasons(frame[date_col], date_format),
            "value": _to_number(frame[value_col]) * scale,
            "source": source,
            "_row": frame["_row"].to_numpy(),
            "_raw_date": frame[date_col].to_numpy(),
            "_raw_value": frame[value_col].to_numpy(),
        }
    )
    return out


def _refuse_duplicate_columns(
    path: Path, columns: Sequence[str], aliases: Mapping[str, str]
) -> None:
    """Refuse a header where two columns mean the same thing (two ``Close``)."""
    seen: dict[str, list[str]] = {}
    for col in columns:
        key = col.strip().lower()
        seen.setdefault(aliases.get(key, key), []).append(col)
    dup = {name: cols for name, cols in seen.items() if len(cols) > 1}
    if dup:
        raise ValidationError(
            [
                RowProblem(
                    str(path),
                    1,
                    name,
                    ", ".join(cols),
                    f"duplicate column: {len(cols)} columns mean {name!r}; keep one",
                )
                for name, cols in dup.items()
            ]
        )


def read_price_csv(
    path: str | Path,
    *,
    symbol: str | None = None,
    source: str = "csv",
    columns: Mapping[str, str] | None = None,
    adjusted_close_only: bool = False,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read an OHLCV price CSV (Yahoo, FMP and similar layouts).

    Parameters
    ----------
    path : str or Path
        The CSV file. Newest-first files are fine: rows are not reordered here
        but the store sorts on read.
    symbol : str, optional
        Symbol when the file has no ``symbol`` column.
    source : str, default "csv"
    columns : mapping, optional
        Extra header -> canonical name mapping (``{"Last": "close"}``).
    adjusted_close_only : bool, default False
        Treat a lone ``close`` column as the adjusted close.
    date_format : str, optional
        ``strftime`` format of the dates when they are not ISO 8601.

    Returns
    -------
    DataFrame
        Normalised price rows with ``_row``, the raw text of the date and of
        each price column (``_raw_<column>``) and ``_date_error``.
    """
    path = Path(path)
    frame = read_csv_rows(path)
    aliases = dict(_PRICE_ALIASES)
    aliases.update({k.lower(): v for k, v in (columns or {}).items()})
    _refuse_duplicate_columns(path, [c for c in frame.columns if c != "_row"], aliases)
    rename = {
        c: aliases[c.strip().lower()]
        for c in frame.columns
        if c.strip().lower() in aliases
    }
    frame = frame.rename(columns=rename)
    if "date" not in frame:
        raise ValidationError(
            [RowProblem(str(path), 1, ",".join(frame.columns), "", "no date column")]
        )
    if "symbol" not in frame:
        if symbol is None:
            raise ValidationError(
                [
                    RowProblem(
                        str(path),
                        1,
                        "symbol",
                        "",
                        "file has no symbol column; pass symbol=...",
                    )
                ]
            )
        frame["symbol"] = symbol
    out = pd.DataFrame(
        {
            "symbol": frame["symbol"].astype(str).str.strip().str.upper(),
            **_dates_with_reasons(frame["date"], date_format),
        }
    )
    _add_price_columns(out, frame)
    if adjusted_close_only and frame.columns.isin(["adj_close"]).sum() == 0:
        out["adj_close"], out["close"] = out["close"], np.nan
        out["_raw_adj_close"], out["_raw_close"] = out["_raw_close"], None
    out["source"] = source
    out["_row"] = frame["_row"].to_numpy()
    out["_raw_date"] = frame["date"].astype(str).to_numpy()
    return out


def _add_price_columns(out: pd.DataFrame, frame: pd.DataFrame) -> None:
    # The raw text travels along so that a value that does not parse is
    # reported as written ("1.005,5"), not as an empty cell.
    for col in PRICE_COLUMNS:
        if col in frame:
            out[col] = _to_number(frame[col]).to_numpy()
            out[f"_raw_{col}"] = frame[col].astype(object).to_numpy()
        else:
            out[col] = np.nan
            out[f"_raw_{col}"] = None


def read_price_parquet(
    path: str | Path,
    *,
    source: str = "parquet",
    close_is_adjusted: bool = True,
    symbol: str | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read a long Parquet price table (``symbol, date, [open, high, low,] close...``).

    Parameters
    ----------
    path : str or Path
    source : str, default "parquet"
    close_is_adjusted : bool, default True
        A ``close`` column without ``adj_close`` holds adjusted closes (as in
        Yahoo-derived panels); store it as ``adj_close``.
    symbol : str, optional
        Symbol of a one-instrument file without a ``symbol`` column.
    date_format : str, optional
        ``strftime`` format of text dates that are not ISO 8601.

    Notes
    -----
    Dates may be Parquet dates or timestamps (tz-aware ones are converted to
    New York session dates), ISO text, or integers read as ``YYYYMMDD``;
    an integer is never read as an epoch time.
    """
    path = Path(path)
    table = _read_parquet_table(path)
    names = [
        _PRICE_ALIASES.get(c.strip().lower(), c.strip().lower())
        for c in table.column_names
    ]
    _refuse_duplicate_columns(path, table.column_names, _PRICE_ALIASES)
    frame = table.rename_columns(names)
    if "date" not in names:
        raise file_error(path, "no date column", ",".join(table.column_names), "date")
    if "symbol" not in names and symbol is None:
        raise file_error(
            path,
            "file has no symbol column; pass symbol=... (--symbol on the CLI)",
            ",".join(table.column_names),
            "symbol",
        )
    raw_date = _parquet_date_text(frame.column("date"))
    symbols = (
        frame.column("symbol").to_pandas().astype(str).str.strip().str.upper()
        if "symbol" in names
        else pd.Series(symbol, index=range(frame.num_rows)).str.upper()
    )
    out = pd.DataFrame(
        {"symbol": symbols.to_numpy(), **_dates_with_reasons(raw_date, date_format)}
    )
    _add_price_columns(
        out,
        pd.DataFrame(
            {c: frame.column(c).to_pandas() for c in PRICE_COLUMNS if c in names}
        ),
    )
    if close_is_adjusted and "adj_close" not in names:
        out["adj_close"], out["close"] = out["close"], np.nan
        out["_raw_adj_close"], out["_raw_close"] = out["_raw_close"], None
    out["source"] = source
    out["_row"] = np.arange(1, len(out) + 1)
    out["_raw_date"] = raw_date.to_numpy()
    return out


def _read_parquet_table(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise file_error(path, f"not a readable Parquet file ({exc})") from exc


def _parquet_date_text(column: pa.ChunkedArray) -> pd.Series:
    """Dates of any Parquet type as text for :func:`parse_dates`."""
    kind = column.type
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        column = pc.local_timestamp(
            column.cast(pa.timestamp(kind.unit, "America/New_York"))
        )
        kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return pd.Series(
            pc.strftime(column, format="%Y-%m-%d").to_pylist(), dtype=object
        )
    if pa.types.is_integer(kind):  # YYYYMMDD, never an epoch (see parse_dates)
        return pd.Series(
            [None if v is None else str(v) for v in column.to_pylist()], dtype=object
        )
    if pa.types.is_floating(kind):
        return pd.Series(
            [
                None
                if v is None or v != v
                else (str(int(v)) if float(v).is_integer() else str(v))
                for v in column.to_pylist()
            ],
            dtype=object,
        )
    return pd.Series(column.cast(pa.string()).to_pylist(), dtype=object)


_FF_NAMES = {
    "mkt-rf": "FF_MKT_RF",
    "smb": "FF_SMB",
    "hml": "FF_HML",
    "rmw": "FF_RMW",
    "cma": "FF_CMA",
    "rf": "FF_RF",
    "mom": "FF_MOM",
}


def read_fama_french(path: str | Path, *, prefix: str | None = None) -> pd.DataFrame:
    """Read a Kenneth R. French Data Library CSV (daily or monthly block).

    The copyright/description lines before the header are skipped; only the
    first data block is read (monthly files carry an annual block after a
    blank line). Values are converted from percent to fractions, and the
    library's missing markers (-99.99, -999) become NaN.

    Parameters
    ----------
    path : str or Path
    prefix : str, optional
        Series-id prefix for columns that are not standard factors; defaults
        to ``"FF_IND_"`` (industry portfolios).

    Returns
    -------
    DataFrame
        Observation rows; factor columns map to ``FF_MKT_RF``, ``FF_SMB``,
        ``FF_HML``, ``FF_RMW``, ``FF_CMA``, ``FF_RF``, ``FF_MOM``, other columns
        to ``prefix + NAME.upper()``.
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    header = next(
        (
            i
            for i, line in enumerate(lines)
            if re.match(r"^\s*(date)?\s*,", line, re.IGNORECASE)
            and line.count(",") >= 1
            and i + 1 < len(lines)
            and re.match(r"^\s*\d{6,8}|^\s*\d{4}-\d\d-\d\d", lines[i + 1])
        ),
        None,
    )
    if header is None:
        raise ValidationError(
            [RowProblem(str(path), None, "-", "", "no Fama–French data header found")]
        )
    end = next(
        (i for i in range(header + 1, len(lines)) if not lines[i].strip()), len(lines)
    )
    block = "\n".join(lines[header:end])
    frame = read_csv_rows(path, block)
    rows = frame.pop("_row").to_numpy() + header
    date_col = frame.columns[0]
    dates = _parse_dates(frame[date_col])
    raw_dates = frame[date_col].str.strip()
    if raw_dates.str.fullmatch(r"\d{6}").all():  # monthly YYYYMM: month-end
        dates = pd.to_datetime(
            raw_dates, format="%Y%m", errors="coerce"
        ) + pd.offsets.MonthEnd(0)
    parts = []
    for col in frame.columns[1:]:
        sid = _FF_NAMES.get(col.lower()) or f"{prefix or 'FF_IND_'}{col.upper()}"
        values = _to_number(frame[col])
        values = values.mask(values.isin([-99.99, -999.0]))
        parts.append(
            pd.DataFrame(
                {
                    "series_id": sid,
                    "date": dates.to_numpy(),
                    "value": values.to_numpy() / 100.0,
                    "source": "Kenneth R. French Data Library",
                    "_row": rows,
                    "_raw_date": frame[date_col].to_numpy(),
                    "_raw_value": frame[col].to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def read_dot_plot(
    path: str | Path, *, source: str = "federalreserve.gov SEP"
) -> pd.DataFrame:
    """Read an FOMC dot-plot file, wide (palewire) or long (FT) layout.

    Returns
    -------
    DataFrame
        Columns ``meeting_date, horizon, midpoint, participants, source, _row``:
        one row per (meeting, horizon, midpoint) with at least one dot.
        ``horizon`` is a calendar year as text or ``"longer_run"``.
    """
    path = Path(path)
    frame = read_csv_rows(path)
    needed = (
        {"meeting_date", "midpoint", "year", "num_participants"}
        if "meeting_date" in frame.columns
        else {"date", "midpoint"}
    )
    if needed - set(frame.columns):
        raise file_error(
            path,
            f"dot-plot file lacks column(s) {', '.join(sorted(needed - set(frame.columns)))}",
            ",".join(c for c in frame.columns if c != "_row"),
        )
    if "meeting_date" in frame.columns:  # long layout
        out = pd.DataFrame(
            {
                "meeting_date": _parse_dates(frame["meeting_date"]),
                "horizon": frame["year"].str.strip().str.replace(" ", "_").str.lower(),
                "midpoint": _to_number(frame["midpoint"]),
                "participants": _to_number(frame["num_participants"]),
                "_row": frame["_row"],
            }
        )
    else:  # wide layout: date, midpoint, one column per horizon with dot counts
        horizons = [c for c in frame.columns if c not in {"date", "midpoint", "_row"}]
        long = frame.melt(
            id_vars=["date", "midpoint", "_row"],
            value_vars=horizons,
            var_name="horizon",
            value_name="participants",
        )
        out = pd.DataFrame(
            {
                "meeting_date": _parse_dates(long["date"]),
                "horizon": long["horizon"].str.strip().str.lower(),
                "midpoint": _to_number(long["midpoint"]),
                "participants": _to_number(long["participants"]),
                "_row": long["_row"],
            }
        )
        out = out[out["participants"].fillna(0) > 0]
    out["source"] = source
    return out.sort_values(["meeting_date", "horizon", "midpoint"]).reset_index(
        drop=True
    )
