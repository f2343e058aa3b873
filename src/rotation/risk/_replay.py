"""Historical replays: today's weights through past stress periods."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["HistoricalPeriod", "default_historical_periods", "historical_replay"]


@dataclass(frozen=True)
class HistoricalPeriod:
    """A named window of history.

    Parameters
    ----------
    name : str
    description : str
    start : str
        The close the replay starts from (ISO date); returns of later
        sessions are counted, so a peak-to-trough period starts at the peak.
    end : str or None
        Last session (inclusive); None runs to the last date available.
    """

    name: str
    description: str
    start: str
    end: str | None = None

    def __post_init__(self) -> None:
        start = pd.Timestamp(self.start)
        if self.end is not None and pd.Timestamp(self.end) < start:
            raise ValueError(
                f"HistoricalPeriod {self.name!r}: end {self.end} is before "
                f"start {self.start}."
            )


def default_historical_periods() -> tuple[HistoricalPeriod, ...]:
    """Return the historical replays named in the risk issue.

    Returns
    -------
    tuple of HistoricalPeriod
        2000-2002 (S&P 500 peak close 2000-03-24 to trough 2002-10-09),
        2008 (calendar year, from the 2007-12-31 close), Feb-Mar 2020 (peak
        close 2020-02-19 to trough 2020-03-23), 2022 (calendar year) and the
        thesis's own 2026 (from the 2026-01-02 close of the article's date to
        the last date available).
    """
    return (
        HistoricalPeriod(
            "dotcom_2000_2002",
            "Dot-com unwind, S&P 500 peak to trough",
            "2000-03-24",
            "2002-10-09",
        ),
        HistoricalPeriod(
            "gfc_2008", "Global financial crisis, 2008", "2007-12-31", "2008-12-31"
        ),
        HistoricalPeriod(
            "covid_2020",
            "Covid crash, Feb-Mar 2020 peak to trough",
            "2020-02-19",
            "2020-03-23",
        ),
        HistoricalPeriod(
            "inflation_2022",
            "Inflation and rate shock, 2022",
            "2021-12-31",
            "2022-12-31",
        ),
        HistoricalPeriod(
            "thesis_2026", "The 2026 rotation call, to date", "2026-01-02", None
        ),
    )


def historical_replay(
    returns: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series,
    periods: Iterable[HistoricalPeriod] | None = None,
) -> pd.DataFrame:
    r"""Run constant weights through past periods.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets)
        Asset simple returns.
    weights : mapping or Series
        Asset weights (fractions of capital; negative = short).
    periods : iterable of HistoricalPeriod, optional
        Default :func:`default_historical_periods`.

    Returns
    -------
    DataFrame
        One row per period: ``name``, ``description``, ``start`` (the
        period's starting close), ``end`` (last session used),
        ``n_sessions`` (returns counted), ``total_return``,
        ``max_drawdown`` (negative), ``worst_day``, ``missing`` (weighted
        assets with no data in the period; the row is NaN if any).

    Notes
    -----
    Weights are rebalanced daily (held constant):

    .. math:: R = \prod_t (1 + \textstyle\sum_i w_i r_{i,t}) - 1,\qquad
              \mathrm{MDD} = \min_t \Big(\frac{V_t}{\max_{s\le t} V_s}
              - 1\Big)

    with :math:`V_0 = 1` before the first day.

    NaN handling: rows where every weighted asset is NaN are not sessions
    and are skipped; a period is NaN when a weighted asset lacks a return on
    a session where others have one (names listed in ``missing``); nothing
    is filled.
    """
    w = pd.Series(weights, dtype=np.float64)
    w = w[w != 0.0]
    absent = [str(a) for a in w.index if a not in returns.columns]
    if absent:
        raise KeyError(f"weights name assets that are not columns of returns: {absent}")
    rows = []
    for period in default_historical_periods() if periods is None else periods:
        end = None if period.end is None else pd.Timestamp(period.end)
        chunk = returns.loc[pd.Timestamp(period.start) : end, list(w.index)]
        # The start is the close the replay starts from: its own return is
        # the move into that close and is not part of the period.
        chunk = chunk.loc[chunk.index > pd.Timestamp(period.start)]
        # Rows where none of the held assets has a return are not sessions of
        # these assets (holidays that other columns of a wide panel trade).
        chunk = chunk.dropna(how="all")
        row: dict[str, object] = {
            "name": period.name,
            "description": period.description,
            "start": "",
            "end": "",
            "n_sessions": int(len(chunk)),
            "total_return": np.nan,
            "max_drawdown": np.nan,
            "worst_day": np.nan,
            "missing": "",
        }
        if len(chunk):
            row["start"] = pd.Timestamp(period.start).date().isoformat()
            row["end"] = chunk.index[-1].date().isoformat()
            incomplete = [str(c) for c in chunk.columns if chunk[c].isna().any()]
            row["missing"] = ", ".join(incomplete)
            if not incomplete:
                daily = chunk.to_numpy(dtype=np.float64) @ w.to_numpy()
                value = np.cumprod(1.0 + daily)
                peak = np.maximum.accumulate(np.maximum(value, 1.0))
                row["total_return"] = float(value[-1] - 1.0)
                row["max_drawdown"] = float(min(0.0, (value / peak - 1.0).min()))
                row["worst_day"] = float(daily.min())
        rows.append(row)
    return pd.DataFrame(rows)
