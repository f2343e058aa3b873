"""Parse and validate request parameters (the boundary: validated once, here)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from rotation.web._errors import ApiError

__all__ = [
    "MAX_SYMBOLS",
    "MAX_WINDOW",
    "parse_as_of",
    "parse_name",
    "parse_start",
    "parse_symbols",
    "parse_window",
]

MAX_WINDOW = 2520
MAX_SYMBOLS = 40
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME = re.compile(r"^[A-Za-z0-9_.=^-]{1,32}$")


def parse_as_of(
    value: str | None,
    *,
    first: pd.Timestamp,
    last: pd.Timestamp,
    sessions: pd.DatetimeIndex,
    parameter: str = "as_of",
) -> pd.Timestamp:
    """Turn ``?as_of=YYYY-MM-DD`` into the last session on or before it.

    The one as-of validation of every surface
    (:func:`rotation.analysis.resolve_as_of`); the CLI refuses the same dates
    with the same words.

    Parameters
    ----------
    value : str or None
        The query value; None or empty means the store's last session.
    first, last : Timestamp
        The allowed range (the store's first and last price dates).
    sessions : DatetimeIndex
        The store's sessions, sorted.
    parameter : str, default "as_of"
        Name used in error messages.

    Returns
    -------
    Timestamp
        A session of the store, so that every date of a weekend or holiday
        shares the cache entry of the session before it.

    Raises
    ------
    ApiError
        422 if the value is not an ISO date or lies outside ``[first, last]``.
    """
    from rotation.analysis import AsOfError, resolve_as_of

    try:
        return resolve_as_of(value, sessions, parameter=parameter)
    except AsOfError as exc:
        raise ApiError(
            422,
            str(exc),
            parameter=parameter,
            allowed=[f"{first.date()} .. {last.date()}"],
        ) from None


def parse_start(
    value: str, *, first: pd.Timestamp, last: pd.Timestamp, sessions: pd.DatetimeIndex
) -> pd.Timestamp:
    """Validate ``?start=YYYY-MM-DD`` (a lower bound: kept as given, not snapped).

    Raises
    ------
    ApiError
        422 as :func:`parse_as_of`, naming ``start``.
    """
    parse_as_of(value, first=first, last=last, sessions=sessions, parameter="start")
    return pd.Timestamp(value)


def parse_window(
    value: int | None, *, default: int, minimum: int = 2, parameter: str = "window"
) -> int:
    """Validate a window length in sessions.

    Raises
    ------
    ApiError
        422 unless ``minimum <= value <= MAX_WINDOW``.
    """
    if value is None:
        return default
    if value < minimum or value > MAX_WINDOW:
        raise ApiError(
            422,
            f"{parameter} must be an integer number of sessions between {minimum} and "
            f"{MAX_WINDOW} (got {value}); 63 is about a quarter, 252 a year.",
            parameter=parameter,
            allowed=[f"{minimum} .. {MAX_WINDOW}"],
        )
    return value


def parse_name(value: str, *, allowed: Sequence[str], parameter: str, what: str) -> str:
    """Check that ``value`` is one of ``allowed`` (404 listing them otherwise)."""
    if value not in allowed:
        raise ApiError(
            404,
            f"unknown {what} {value[:64]!r} for {parameter}; allowed: "
            f"{', '.join(allowed)}.",
            parameter=parameter,
            allowed=list(allowed),
        )
    return value


def parse_symbols(
    value: str | None,
    *,
    allowed: Sequence[str],
    default: Sequence[str],
    parameter: str = "symbols",
) -> list[str]:
    """Split ``?symbols=A,B,C`` and check every name against the store.

    Raises
    ------
    ApiError
        422 for a malformed list, 404 naming the unknown symbols otherwise.
    """
    if value is None or value.strip() == "":
        return list(default)
    names = [s.strip() for s in value.split(",") if s.strip()]
    if not names or len(names) > MAX_SYMBOLS:
        raise ApiError(
            422,
            f"{parameter} must list 1 to {MAX_SYMBOLS} comma-separated symbols "
            f"(got {len(names)}).",
            parameter=parameter,
        )
    bad = [n for n in names if not _NAME.match(n)]
    known = set(allowed)
    unknown = [n for n in names if n not in known]
    if bad or unknown:
        shown = ", ".join(repr(n[:32]) for n in (bad or unknown)[:10])
        raise ApiError(
            404,
            f"unknown symbol(s) {shown} in {parameter}; allowed: {', '.join(allowed)}.",
            parameter=parameter,
            allowed=list(allowed),
        )
    return list(dict.fromkeys(names))
