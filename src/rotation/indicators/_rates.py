"""Policy-rate path: Fed funds midpoint, FOMC dot-plot medians, inflation gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rotation.indicators._validation import check_frame, check_window
from rotation.market import MarketData, known_on

__all__ = ["dot_plot_medians", "fed_funds_midpoint", "rates_path", "year_over_year"]

INFLATION_TARGET = 2.0  # percent, the FOMC's longer-run PCE goal


def fed_funds_midpoint(upper: pd.Series, lower: pd.Series) -> pd.Series:
    r"""Midpoint of the Fed funds target range.

    Parameters
    ----------
    upper, lower : Series
        Upper and lower bounds of the target range (percent), e.g. FRED
        DFEDTARU and DFEDTARL, aligned on their shared dates.

    Returns
    -------
    Series
        Named ``"fed_mid"``, in percent.

    Notes
    -----
    .. math:: m_t = (U_t + L_t) / 2

    NaN handling: NaN where either bound is NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> fed_funds_midpoint(pd.Series([3.75]), pd.Series([3.5])).tolist()
    [3.625]
    """
    for name, value in (("upper", upper), ("lower", lower)):
        if not isinstance(value, pd.Series):
            raise TypeError(
                f"{name} must be a pandas Series (got {type(value).__name__})."
            )
    up, low = upper.astype("float64").align(lower.astype("float64"), join="inner")
    return ((up + low) / 2.0).rename("fed_mid")


def _horizon_order(horizon: str) -> tuple[int, str]:
    return (0, horizon) if horizon.isdigit() else (1, horizon)


def dot_plot_medians(dots: pd.DataFrame) -> pd.DataFrame:
    r"""Median FOMC participant projection by meeting and horizon.

    Parameters
    ----------
    dots : DataFrame
        Long dot plot with columns ``meeting_date``, ``horizon`` (a year as
        text or ``"longer_run"``), ``midpoint`` (percent) and ``participants``
        (number of dots at that midpoint).

    Returns
    -------
    DataFrame
        Index ``meeting_date`` (DatetimeIndex), one column per horizon, years
        ascending then ``"longer_run"``; percent.

    Notes
    -----
    Each row is expanded into ``participants`` dots and the median is taken
    as the Fed does: for an even number of dots, the mean of the two middle
    ones. With the dots sorted, :math:`x_{(1)} \le \dots \le x_{(n)}`,

    .. math::
        \text{median} = \tfrac12 \left(x_{(\lfloor (n+1)/2 \rfloor)} +
                                       x_{(\lceil (n+1)/2 \rceil)}\right)

    NaN handling: rows with a NaN midpoint or a non-positive participant count
    are ignored; a horizon that a meeting did not project is NaN.

    References
    ----------
    .. [1] Board of Governors of the Federal Reserve System, Summary of
       Economic Projections, Figure 2 ("dot plot").
    """
    check_frame(dots, "dots")
    required = {"meeting_date", "horizon", "midpoint", "participants"}
    missing = sorted(required - set(dots.columns))
    if missing:
        raise ValueError(
            f"dots is missing column(s) {missing}; expected columns {sorted(required)}."
        )
    frame = pd.DataFrame(
        {
            "meeting_date": pd.to_datetime(dots["meeting_date"]),
            "horizon": dots["horizon"].astype(str),
            "midpoint": pd.to_numeric(dots["midpoint"]).astype("float64"),
            "participants": pd.to_numeric(dots["participants"]).astype("float64"),
        }
    )
    frame = frame[frame["midpoint"].notna() & (frame["participants"] > 0)]
    horizons = sorted(frame["horizon"].unique(), key=_horizon_order)
    records: dict[tuple[object, object], float] = {}
    for (meeting, horizon), group in frame.groupby(["meeting_date", "horizon"]):
        ordered = group.sort_values("midpoint")
        counts = ordered["participants"].to_numpy().round().astype(np.int64)
        values = ordered["midpoint"].to_numpy()
        n = int(counts.sum())
        if n == 0:
            continue
        cumulative = np.cumsum(counts)
        # 1-based ranks of the two middle dots (equal when n is odd).
        lower_rank, upper_rank = (n + 1) // 2, n // 2 + 1
        low = values[np.searchsorted(cumulative, lower_rank)]
        high = values[np.searchsorted(cumulative, upper_rank)]
        records[(meeting, horizon)] = (low + high) / 2.0
    if not records:
        return pd.DataFrame(
            columns=horizons,
            index=pd.DatetimeIndex([], name="meeting_date"),
            dtype="float64",
        )
    series = pd.Series(records)
    table = series.unstack().reindex(columns=horizons).sort_index()
    table.index = pd.DatetimeIndex(table.index, name="meeting_date")
    table.columns.name = "horizon"
    return table.astype("float64")


def year_over_year(observations: pd.Series, periods: int = 12) -> pd.Series:
    r"""Percent change against the observation ``periods`` rows earlier.

    Parameters
    ----------
    observations : Series
        Index levels by observation date (e.g. monthly CPI).
    periods : int, default 12
        Observations per year (12 for monthly, 4 for quarterly).

    Returns
    -------
    Series
        Same index, in percent.

    Notes
    -----
    .. math:: y_t = 100 \left(\frac{x_t}{x_{t-p}} - 1\right)

    The shift counts observations, not calendar time: pass gap-free data
    (:func:`rates_path` matches months by date instead).

    NaN handling: NaN for the first ``periods`` observations and where either
    value is NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> year_over_year(pd.Series([100.0, 101.0, 103.0]), periods=2).round(6).tolist()
    [nan, nan, 3.0]
    """
    if not isinstance(observations, pd.Series):
        raise TypeError(
            f"observations must be a pandas Series (got {type(observations).__name__})."
        )
    periods = check_window(periods, "periods")
    values = observations.astype("float64")
    return 100.0 * (values / values.shift(periods) - 1.0)


def _known_year_over_year(
    market: MarketData, series_id: str, index: pd.DatetimeIndex
) -> pd.Series:
    """Year-over-year change as known at each date (first releases)."""
    observations = market.series[series_id].sort_index()
    # With vintages, keep each observation's first release: the yoy of first
    # releases is what was knowable, and it keeps one value per observation.
    first = observations.sort_values("known_from").groupby(level=0).head(1).sort_index()
    values = first["value"].astype("float64")
    # Match by calendar date, not by row: monthly series have holes (no
    # October 2025 CPI after the US government shutdown).
    year_ago = pd.DatetimeIndex(first.index) - pd.DateOffset(years=1)
    previous = values.reindex(year_ago).to_numpy()
    previous_known = first["known_from"].reindex(year_ago).to_numpy()
    yoy = 100.0 * (values.to_numpy() / previous - 1.0)
    # A change is known once both observations are published.
    knowable = np.maximum(first["known_from"].to_numpy(), previous_known)
    frame = pd.DataFrame({"value": yoy, "known_from": knowable}, index=first.index)
    return known_on(frame, index)


def rates_path(market: MarketData) -> pd.DataFrame:
    r"""Daily point-in-time policy-rate and inflation gauges.

    Parameters
    ----------
    market : MarketData
        Needs series DFEDTARU, DFEDTARL, DGS2, CPIAUCSL, PCEPILFE and the dot
        plot.

    Returns
    -------
    DataFrame of shape (n_sessions, 10)
        Indexed by ``market.sessions``; columns (percent or percentage points):

        - ``fed_mid``: target-range midpoint;
        - ``dots_current_year``: median dot for the calendar year of the date,
          from the latest SEP published by that date;
        - ``dots_terminal``: median dot of that SEP's longest calendar-year
          horizon (not the longer run);
        - ``fed_mid_minus_dots_current``, ``fed_mid_minus_terminal``;
        - ``median_path_change``: current-year median minus the same year's
          median at the previous SEP;
        - ``cpi_yoy_gap``: CPI (CPIAUCSL) year-over-year minus 2;
        - ``core_pce_yoy_gap``: core PCE (PCEPILFE) year-over-year minus 2;
        - ``dgs2_minus_mid``: 2-year Treasury yield minus ``fed_mid``.

    Notes
    -----
    .. math::
        \text{gap}_t = 100\left(\frac{X_m}{X_{m-12}} - 1\right) - 2

    with :math:`m` the latest month whose release is known at :math:`t` and
    :math:`m-12` the same month a year earlier, matched by date (a missing
    month, such as October 2025 CPI, gives no value rather than a wrong one).

    Point in time: every macro value comes from ``market.known`` (or the
    same rule on derived values), and an SEP counts from its meeting date
    (released at 2 p.m. on the meeting's last day, before the close).

    NaN handling: NaN before a series' first known value and where a meeting
    did not project the needed year; known values carry forward until
    replaced, which is the definition of "known", not a fill.
    """
    if not isinstance(market, MarketData):
        raise TypeError(f"market must be a MarketData (got {type(market).__name__}).")
    sessions = market.sessions
    fed_mid = fed_funds_midpoint(market.known("DFEDTARU"), market.known("DFEDTARL"))
    out = pd.DataFrame(index=sessions)
    out["fed_mid"] = fed_mid
    medians = dot_plot_medians(market.dots)
    current = np.full(len(sessions), np.nan)
    terminal = np.full(len(sessions), np.nan)
    change = np.full(len(sessions), np.nan)
    if len(medians):
        meetings = medians.index
        position = meetings.searchsorted(sessions, side="right") - 1
        years = [c for c in medians.columns if c.isdigit()]
        year_table = medians[years]
        terminal_by_meeting = year_table.apply(
            lambda row: row.dropna().iloc[-1] if row.notna().any() else np.nan, axis=1
        ).to_numpy()
        col_of_year = {int(y): j for j, y in enumerate(years)}
        grid = year_table.to_numpy()
        for k, (pos, date) in enumerate(zip(position, sessions, strict=True)):
            if pos < 0:
                continue
            terminal[k] = terminal_by_meeting[pos]
            j = col_of_year.get(date.year)
            if j is None:
                continue
            current[k] = grid[pos, j]
            if pos >= 1:
                change[k] = grid[pos, j] - grid[pos - 1, j]
    out["dots_current_year"] = current
    out["dots_terminal"] = terminal
    out["fed_mid_minus_dots_current"] = out["fed_mid"] - out["dots_current_year"]
    out["fed_mid_minus_terminal"] = out["fed_mid"] - out["dots_terminal"]
    out["median_path_change"] = change
    out["cpi_yoy_gap"] = (
        _known_year_over_year(market, "CPIAUCSL", sessions) - INFLATION_TARGET
    )
    out["core_pce_yoy_gap"] = (
        _known_year_over_year(market, "PCEPILFE", sessions) - INFLATION_TARGET
    )
    out["dgs2_minus_mid"] = market.known("DGS2") - out["fed_mid"]
    out.index.name = sessions.name
    return out
