"""The in-memory, point-in-time view of the data that the pure core works on.

The store (a shell) builds a :class:`MarketData`; indicators, the thesis engine,
regimes, backtests and risk only ever see this object or the frames inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "FUNDAMENTAL_COLUMNS",
    "MarketData",
    "SeriesInfo",
    "empty_fundamentals",
    "known_on",
]

#: Columns of :attr:`MarketData.fundamentals` (one row per symbol, snapshot, field).
FUNDAMENTAL_COLUMNS = ("symbol", "as_of", "field", "value", "text", "source")


def empty_fundamentals() -> pd.DataFrame:
    """Return a fundamentals frame without rows, with the documented dtypes."""
    return pd.DataFrame(
        {
            "symbol": pd.Series(dtype=object),
            "as_of": pd.Series(dtype="datetime64[ns]"),
            "field": pd.Series(dtype=object),
            "value": pd.Series(dtype="float64"),
            "text": pd.Series(dtype=object),
            "source": pd.Series(dtype=object),
        }
    )


@dataclass(frozen=True)
class SeriesInfo:
    """Metadata of one macro, rates or factor series.

    Attributes
    ----------
    id : str
        Series id (FRED id where there is one, e.g. ``"CPIAUCSL"``).
    name : str
        Human-readable name.
    unit : str
        Unit after normalisation on ingest (``"percent"``, ``"fraction"``,
        ``"index"``, ``"USD/bbl"``...).
    frequency : str
        ``"daily"``, ``"weekly"``, ``"monthly"`` or ``"quarterly"``.
    source : str
        Where the data came from.
    license : str
        Attribution and terms.
    publication_lag : str
        The documented lag between an observation's date and the day it is
        known, as an ISO-8601 duration (``"P1M15D"``) or ``"P0D"`` for data
        known at that day's close. Ignored where the source gives vintages.
    notes : str
        Anything a user must know (defects, conventions).
    """

    id: str
    name: str
    unit: str
    frequency: str
    source: str
    license: str = ""
    publication_lag: str = "P0D"
    notes: str = ""


@dataclass(frozen=True)
class MarketData:
    """Aligned, point-in-time market data as of one date.

    Attributes
    ----------
    prices : DataFrame of shape (n_sessions, n_symbols)
        Adjusted closes, indexed by tz-naive session dates, one column per
        symbol (ETFs, stocks and continuous futures such as ``"HG=F"``). NaN
        before a symbol lists and on days it did not trade.
    series : mapping of str to DataFrame
        For each series id, a frame indexed by observation date with columns
        ``value`` and ``known_from`` (the first date on which that value was
        published, from vintages or the documented publication lag). Only
        values with ``known_from <= as_of`` are present.
    dots : DataFrame
        FOMC dot plot, long format with columns ``meeting_date``, ``horizon``
        (a year as text, or ``"longer_run"``), ``midpoint`` (percent) and
        ``participants`` (number of dots at that midpoint). Only meetings up
        to ``as_of``.
    info : mapping of str to SeriesInfo
        Metadata for every id in ``series``.
    as_of : Timestamp
        The date this view is valid for.
    fundamentals : DataFrame
        Point-in-time cross-sectional snapshots (the store's ``snapshots``
        table), long format with columns ``symbol``, ``as_of`` (the snapshot's
        date, tz-naive Timestamp), ``field`` (``"forwardPE"``,
        ``"trailingPE"``, ``"marketCap"``, ``"sector"``...), ``value`` (float;
        NaN for text fields), ``text`` (``None`` for numeric fields; the
        sector or industry name for text fields) and ``source``. Only
        snapshots with ``as_of`` on or before the view's ``as_of`` are present,
        so a snapshot is known from its own date on. Empty by default.

    Notes
    -----
    A snapshot is a single cross-section: it carries no history between
    snapshot dates and is never filled forward here. How long a snapshot
    stays usable (its staleness limit) is decided by the functions that read
    it, not by this view.
    """

    prices: pd.DataFrame
    series: Mapping[str, pd.DataFrame]
    dots: pd.DataFrame
    info: Mapping[str, SeriesInfo] = field(default_factory=dict)
    as_of: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.max)
    fundamentals: pd.DataFrame = field(default_factory=empty_fundamentals)

    @property
    def sessions(self) -> pd.DatetimeIndex:
        """Session dates of the price panel."""
        return pd.DatetimeIndex(self.prices.index)

    def truncate(self, as_of: pd.Timestamp | str) -> MarketData:
        """Return the view as it was known at the close of ``as_of``.

        Prices after ``as_of``, series values published after it, dot
        plots of later meetings and fundamental snapshots dated after it are
        removed.
        """
        cut = pd.Timestamp(as_of)
        series = {
            key: frame[frame["known_from"] <= cut] for key, frame in self.series.items()
        }
        dots = self.dots[self.dots["meeting_date"] <= cut]
        snapshots = self.fundamentals
        return MarketData(
            prices=self.prices.loc[:cut],
            series=series,
            dots=dots,
            info=self.info,
            as_of=min(cut, self.as_of),
            fundamentals=snapshots[snapshots["as_of"] <= cut].reset_index(drop=True),
        )

    def known(self, series_id: str, index: pd.DatetimeIndex | None = None) -> pd.Series:
        """Value of a series as known at the close of each date of ``index``.

        See :func:`known_on`; ``index`` defaults to :attr:`sessions`.
        """
        if series_id not in self.series:
            raise KeyError(
                f"series {series_id!r} is not loaded; available: "
                f"{', '.join(sorted(self.series))}"
            )
        return known_on(
            self.series[series_id], self.sessions if index is None else index
        )


def known_on(observations: pd.DataFrame, index: pd.DatetimeIndex) -> pd.Series:
    """Latest observation known at the close of each date.

    Parameters
    ----------
    observations : DataFrame
        Indexed by observation date, with columns ``value`` and ``known_from``.
    index : DatetimeIndex
        Dates to evaluate on (usually trading sessions).

    Returns
    -------
    Series
        Indexed by ``index``; at date t, the value of the observation with the
        latest observation date among those with ``known_from <= t``.

    Notes
    -----
    NaN handling: NaN before the first published value. Missing observations
    (NaN values) are skipped, so the previous known value carries forward.
    This is the only forward fill in the package and it is the definition of
    "known at t", not a repair.
    """
    obs = observations.dropna(subset=["value"])
    if obs.empty:
        return pd.Series(float("nan"), index=index, name="value")
    # For each publication date keep the most recent observation published by then.
    frame = pd.DataFrame(
        {
            "known_from": obs["known_from"].to_numpy(),
            "obs_date": obs.index,
            "value": obs["value"].to_numpy(),
        }
    ).sort_values(["known_from", "obs_date"])
    frame["latest_obs"] = frame["obs_date"].cummax()
    frame = frame[frame["obs_date"] == frame["latest_obs"]]
    by_publication = frame.groupby("known_from")["value"].last()
    aligned = by_publication.reindex(by_publication.index.union(index)).ffill()
    return aligned.reindex(index).rename("value")
