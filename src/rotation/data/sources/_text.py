"""Bytes, text, dates and numbers as users send them.

Nothing here guesses. Dates are ISO 8601 (``YYYY-MM-DD``, an ISO timestamp,
``YYYY-MM``) or ``YYYYMMDD`` unless the caller names a format; day/month order
is never inferred and integers are never read as epoch times. Numbers may
carry a comma thousands separator (``1,005.5``); anything else that is not a
number keeps its raw text so that validation can report it. Every problem is
reported with its reason, never as a bare NaN.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from pandas._libs.tslibs.nattype import NaTType

from rotation.exceptions import RowProblem, ValidationError

__all__ = [
    "MIN_DATE",
    "file_error",
    "is_parquet",
    "parse_dates",
    "read_csv_rows",
    "read_text",
    "to_number",
]

#: Earliest date accepted anywhere (no market series we handle starts earlier).
MIN_DATE = pd.Timestamp("1900-01-01")
_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
_ISO_TIME = _ISO_DAY + r"[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})"
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


def file_error(
    path: Path | str, rule: str, value: str = "", column: str = "-"
) -> ValidationError:
    """Build the ValidationError for a whole-file problem (row None)."""
    return ValidationError([RowProblem(str(path), None, column, value, rule)])


def read_bytes(path: Path) -> bytes:
    """Read a file, decompressing gzip; refuse what cannot be read as such."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(path, f"cannot read the file ({exc.strerror or exc})") from exc
    if data.startswith(_ZIP_MAGIC):
        raise file_error(
            path, "file is a zip archive: extract the CSV or Parquet file first"
        )
    if data.startswith(_GZIP_MAGIC):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise file_error(
                path, f"file is gzip-compressed but cannot be decompressed ({exc})"
            ) from exc
    return data


def is_parquet(path: Path) -> bool:
    """Whether ``path`` is a Parquet file (by name, or by its magic bytes)."""
    if path.suffix.lower() == ".parquet":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == _PARQUET_MAGIC
    except OSError:
        return False


def read_text(path: Path) -> str:
    """Read a (possibly gzipped) UTF-8 text file, refusing binary content."""
    data = read_bytes(path)
    if data.startswith(_PARQUET_MAGIC):
        raise file_error(path, "file is Parquet, not text: name it *.parquet")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(
            path, "file is not valid UTF-8 text", repr(data[exc.start : exc.end])
        ) from exc
    if "\x00" in text:
        raise file_error(path, "file contains NUL bytes: it is not a text file")
    return text


def read_csv_rows(path: Path, text: str | None = None) -> pd.DataFrame:
    """Parse CSV text into a frame of strings, one column per header field.

    Blank lines are skipped. A row with more or fewer fields than the header
    is refused (with every such row named) rather than shifted: an unquoted
    ``1,005.5`` splits one number into two fields.

    Returns
    -------
    DataFrame
        String columns as in the header, plus ``_row``: the 1-based line
        number in the file (the header is line 1).
    """
    text = read_text(path) if text is None else text
    reader = csv.reader(io.StringIO(text))
    try:
        lines = [
            (reader.line_num, row) for row in reader if any(f.strip() for f in row)
        ]
    except csv.Error as exc:
        raise file_error(path, f"not a readable CSV file ({exc})") from exc
    if not lines:
        raise file_error(path, "file is empty: expected a header line and data rows")
    _, header = lines[0]
    header = [h.strip() for h in header]
    body = lines[1:]
    if not body:
        raise file_error(path, "file has a header but no data rows", ",".join(header))
    bad = [
        RowProblem(
            str(path),
            num,
            "-",
            ",".join(row),
            f"row has {len(row)} fields but the header has {len(header)} (an unquoted "
            "thousands separator such as 1,005.5 splits a number: quote it)",
        )
        for num, row in body
        if len(row) != len(header)
    ]
    if bad:
        raise ValidationError(bad)
    columns = np.array([row for _, row in body], dtype=object).T
    frame = pd.DataFrame(
        {i: pd.Series(columns[i], dtype=object) for i in range(len(header))}
    )
    frame.columns = pd.Index(header)
    frame["_row"] = [num for num, _ in body]
    return frame


def to_number(raw: pd.Series, missing: frozenset[str]) -> pd.Series:
    """Parse numbers; missing markers and unparseable text become NaN.

    Numeric input passes through as float64. Text may use ``,`` as a
    thousands separator (``1,005.5`` is 1005.5); validation compares the
    result with the raw text to report what did not parse.
    """
    if pd.api.types.is_bool_dtype(raw.dtype):
        return pd.Series(np.nan, index=raw.index, dtype="float64")
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.astype("float64")
    text = raw.astype("string").str.strip()
    text = text.mask(text.isin(list(missing)) | text.isna(), None)
    grouped = text.str.fullmatch(_THOUSANDS).fillna(False).astype(bool)
    text = text.where(~grouped, text.str.replace(",", "", regex=False))
    # Plain float64 with NaN: nullable Float64 would leak pd.NA into the core.
    return pd.to_numeric(text, errors="coerce").astype("float64")


def parse_dates(
    raw: pd.Series, *, date_format: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse date text to tz-naive session dates, with a reason for each failure.

    Parameters
    ----------
    raw : Series of str
        Date text as found in the file.
    date_format : str, optional
        A ``strftime`` format (``"%d/%m/%Y"``) for files that are not ISO.

    Returns
    -------
    dates : Series of datetime64[ns]
        NaT where the text is empty or refused.
    reasons : Series of object
        Why each refused row was refused; None where it parsed or is empty.

    Notes
    -----
    Timestamps with a UTC offset are converted to New York wall time before
    the time of day is dropped, so ``2018-01-02 00:00:00-05:00`` is 2018-01-02.
    """
    text = raw.astype("string").str.strip().fillna("")
    dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    reasons = pd.Series(None, index=raw.index, dtype=object)
    if date_format is not None:
        parsed = _with_format(text, date_format)
        dates[:] = parsed.dt.normalize()
        reasons[parsed.isna() & (text != "")] = (
            f"date does not match the given format {date_format!r}"
        )
        return dates, _too_early(text, dates, reasons)
    kinds = {
        "day": text.str.fullmatch(_ISO_DAY),
        "aware": text.str.fullmatch(_ISO_TIME + _OFFSET),
        "naive": text.str.fullmatch(_ISO_TIME),
        "month": text.str.fullmatch(r"\d{4}-\d{2}"),
        "compact": text.str.fullmatch(r"\d{8}"),
    }
    # Years outside pandas' nanosecond range (1677-2262) would raise: they are
    # refused below with their reason instead of being parsed.
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce")
    in_range = year.between(1678, 2261).fillna(False).astype(bool)
    for kind, mask in kinds.items():
        mask = mask.fillna(False).astype(bool) & in_range
        if mask.any():
            dates[mask] = _parse_kind(text[mask], kind)
    known = pd.concat(list(kinds.values()), axis=1).fillna(False).any(axis=1)
    reasons[~known & (text != "")] = text[~known & (text != "")].map(_refusal)
    invalid = known & dates.isna()
    reasons[invalid] = text[invalid].map(_invalid_reason)
    return dates, _too_early(text, dates, reasons)


def _with_format(text: pd.Series, date_format: str) -> pd.Series:
    try:
        return pd.to_datetime(text, format=date_format, errors="coerce")
    except (OverflowError, ValueError):  # out of range: parse one by one
        return pd.Series(
            [_one_with_format(t, date_format) for t in text],
            index=text.index,
            dtype="datetime64[ns]",
        )


def _one_with_format(text: str, date_format: str) -> pd.Timestamp | NaTType:
    try:
        return pd.to_datetime(text, format=date_format)
    except (OverflowError, ValueError):
        return pd.NaT


def _parse_kind(text: pd.Series, kind: str) -> pd.Series:
    if kind == "aware":
        parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        local = parsed.dt.tz_convert("America/New_York").dt.tz_localize(None)
        return local.dt.normalize()
    fmt = {"day": "%Y-%m-%d", "month": "%Y-%m", "compact": "%Y%m%d"}.get(kind)
    if fmt is None:  # naive timestamp: the date part is the session
        return pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return pd.to_datetime(text, format=fmt, errors="coerce")


def _invalid_reason(text: str) -> str:
    year = int(text[:4])
    if year < MIN_DATE.year:
        return f"date is before {MIN_DATE.date()}"
    if year > 2200:
        return "date is not a plausible market date (year after 2200)"
    return "date is not a calendar date"


def _refusal(text: str) -> str:
    parts = text.replace(".", "/").replace("-", "/").split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        first, second = int(parts[0]), int(parts[1])
        if first <= 12 and second <= 12 and first != second:
            return (
                "ambiguous day/month order (could be either); write dates as "
                "YYYY-MM-DD or pass date_format='%m/%d/%Y' or '%d/%m/%Y'"
            )
        return (
            "date is not ISO 8601 (YYYY-MM-DD); day/month order is never guessed: "
            "pass date_format, e.g. '%d/%m/%Y'"
        )
    if text.lstrip("+-").isdigit():
        return "integer date is not YYYYMMDD (epoch seconds or days are never guessed)"
    return "date does not parse (expected YYYY-MM-DD, an ISO timestamp, YYYY-MM or YYYYMMDD)"


def _too_early(text: pd.Series, dates: pd.Series, reasons: pd.Series) -> pd.Series:
    early = dates.notna() & (dates < MIN_DATE)
    reasons[early] = f"date is before {MIN_DATE.date()}"
    dates[early] = pd.NaT
    return reasons
