"""One as-of validation for every surface: parse, bound, snap to a session."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from rotation.exceptions import RotationError

__all__ = ["AsOfError", "resolve_as_of"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AsOfError(RotationError, ValueError):
    """An as-of date that is not a date or lies outside the data.

    Attributes
    ----------
    allowed : str
        The allowed range, ``"YYYY-MM-DD .. YYYY-MM-DD"``.
    """

    def __init__(self, message: str, allowed: str) -> None:
        super().__init__(message)
        self.allowed = allowed


def resolve_as_of(
    value: Any, sessions: pd.DatetimeIndex, *, parameter: str = "--as-of"
) -> pd.Timestamp:
    """Turn a user's as-of date into the last session on or before it.

    Parameters
    ----------
    value : str, date, Timestamp or None
        ``None`` or ``""`` means the last session. Text must be ISO
        ``YYYY-MM-DD``.
    sessions : DatetimeIndex
        The data's sessions, sorted (the store's price dates).
    parameter : str, default "--as-of"
        The name shown in messages (``"as_of"`` on the web).

    Returns
    -------
    Timestamp
        A session: a weekend or holiday snaps to the session before it, the
        same way on the CLI and the dashboard.

    Raises
    ------
    AsOfError
        If the value is not an ISO date, or lies before the first or after
        the last session; the message names the value and the allowed range.
    """
    if len(sessions) == 0:
        raise AsOfError(
            "the store holds no prices; load data with `rotation data update`",
            allowed="",
        )
    first, last = pd.Timestamp(sessions[0]), pd.Timestamp(sessions[-1])
    allowed = f"{first.date()} .. {last.date()}"
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return last
    day = _parse(value, parameter, allowed)
    if day < first or day > last:
        after = day > last
        hint = " (refresh with `rotation data update` for later dates)" if after else ""
        side = "after the last" if after else "before the first"
        raise AsOfError(
            f"{parameter} {day.date()} is {side} date of the data; allowed: "
            f"{allowed}{hint}",
            allowed=allowed,
        )
    position = int(sessions.searchsorted(day, side="right")) - 1
    return pd.Timestamp(sessions[max(position, 0)])


def _parse(value: Any, parameter: str, allowed: str) -> pd.Timestamp:
    if isinstance(value, str):
        text = value.strip()
        if not _DATE.match(text):
            raise AsOfError(
                f"{parameter} must be a date YYYY-MM-DD (got {text[:40]!r}); "
                f"allowed: {allowed}",
                allowed=allowed,
            )
        value = text
    try:
        day = pd.Timestamp(value)
        day = None if pd.isna(day) else pd.Timestamp(day.date())
    except (ValueError, TypeError, OverflowError, NotImplementedError):
        # e.g. "0000-01-01": year 0 is outside what dates can hold
        day = None
    if day is None:
        raise AsOfError(
            f"{parameter} is not a valid calendar date (got {str(value)[:40]!r}); "
            f"allowed: {allowed}",
            allowed=allowed,
        )
    return day
