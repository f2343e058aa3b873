"""Live sources: FRED/ALFRED (HTTP JSON API) and Yahoo Finance (yfinance).

Both follow one rule: download everything first, with retries and
exponential backoff, validate it, and only then hand one batch to the store,
so a partial download never reaches it. Network access sits behind small
seams (``session`` for FRED, ``fetch`` for Yahoo) that the tests fill with
recorded responses; nothing here is exercised against the network in CI.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from rotation.data.store import IngestReport, Store
from rotation.exceptions import SourceError

__all__ = [
    "SNAPSHOT_FIELDS",
    "FredSource",
    "YahooSource",
    "chart_history",
    "retry",
    "update_from_live",
]

#: Fields of Yahoo's ``info`` kept in a snapshot (those of the bundled one).
SNAPSHOT_FIELDS = (
    "marketCap",
    "trailingPE",
    "forwardPE",
    "beta",
    "trailingEps",
    "fullTimeEmployees",
    "ebitda",
    "totalDebt",
    "totalRevenue",
    "grossProfits",
    "freeCashflow",
    "trailingPegRatio",
    "sector",
    "industry",
    "country",
    "shortName",
)

FRED_URL = "https://api.stlouisfed.org/fred/series/observations"


def retry(
    call: Callable[[], Any],
    *,
    attempts: int = 4,
    base_delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    what: str = "request",
) -> Any:
    """Call ``call`` until it succeeds, backing off 1, 2, 4... seconds.

    Raises
    ------
    SourceError
        After the last attempt, with the last error as the cause.
    """
    last: Exception | None = None
    for attempt in range(attempts):
        try:
            return call()
        except SourceError:
            raise
        except (
            Exception
        ) as exc:  # network stacks raise many types; all are retryable here
            last = exc
            if attempt < attempts - 1:
                sleep(base_delay * 2**attempt)
    raise SourceError(f"{what} failed after {attempts} attempts: {last}") from last


class _Response(Protocol):
    status_code: int

    def json(self) -> Any: ...


class _Session(Protocol):
    def get(self, url: str, params: Mapping[str, Any], timeout: float) -> _Response: ...


class FredSource:
    """FRED observations, with ALFRED vintages when ``vintages=True``.

    Parameters
    ----------
    api_key : str, optional
        Defaults to ``$FRED_API_KEY``.
    session : object with ``get(url, params, timeout)``, optional
        Defaults to a ``requests.Session`` (the ``[live]`` extra).
    vintages : bool, default True
        Ask for every vintage (``realtime_start=1776-07-04``) so that the store
        can answer point-in-time queries from real publication dates.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        session: _Session | None = None,
        vintages: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.api_key = api_key or os.environ.get("FRED_API_KEY", "")
        if not self.api_key:
            raise SourceError(
                "FRED needs an API key: set FRED_API_KEY (free at fred.stlouisfed.org)."
            )
        if session is None:
            import requests

            session = requests.Session()  # type: ignore[assignment]
        assert session is not None
        self.session: _Session = session
        self.vintages = vintages
        self._sleep = sleep

    def observations(self, series_id: str, *, start: str | None = None) -> pd.DataFrame:
        """Download one series as a normalised observation frame."""
        params: dict[str, Any] = {
            "series_id": series_id,
            "api_key": self.api_key,
            "file_type": "json",
        }
        if start:
            params["observation_start"] = start
        if self.vintages:
            params.update(realtime_start="1776-07-04", realtime_end="9999-12-31")

        def get() -> Any:
            resp = self.session.get(FRED_URL, params=params, timeout=30)
            if resp.status_code == 400:  # bad series id: retrying will not help
                raise SourceError(
                    f"FRED rejected {series_id!r}: {resp.json().get('error_message', '')}"
                )
            if resp.status_code != 200:
                raise ConnectionError(f"HTTP {resp.status_code}")
            return resp.json()

        payload = retry(get, what=f"FRED {series_id}", sleep=self._sleep)
        rows = payload.get("observations")
        if rows is None:
            raise SourceError(f"FRED response for {series_id} has no observations")
        frame = pd.DataFrame(rows)
        values = pd.to_numeric(
            frame["value"].replace(".", np.nan), errors="coerce"
        ).astype("float64")
        end = frame["realtime_end"].where(frame["realtime_end"] != "9999-12-31")
        return pd.DataFrame(
            {
                "series_id": series_id,
                "date": pd.to_datetime(frame["date"]),
                "value": values,
                "realtime_start": pd.to_datetime(frame["realtime_start"])
                if self.vintages
                else pd.NaT,
                "realtime_end": pd.to_datetime(end) if self.vintages else pd.NaT,
                "source": "FRED/ALFRED" if self.vintages else "FRED",
                "_raw_value": frame["value"],
            }
        )


class YahooSource:
    """Daily OHLCV from Yahoo Finance through yfinance.

    Parameters
    ----------
    fetch : callable(symbol, start) -> DataFrame, optional
        Returns yfinance's ``history(auto_adjust=False)`` frame (tz-aware index,
        columns Open, High, Low, Close, Adj Close, Volume). Defaults to yfinance.
    fetch_info : callable(symbol) -> mapping, optional
        Returns yfinance's ``Ticker(symbol).info`` dictionary (``marketCap``,
        ``forwardPE``, ``sector``...). Defaults to yfinance.
    """

    def __init__(
        self,
        fetch: Callable[[str, str | None], pd.DataFrame] | None = None,
        *,
        fetch_info: Callable[[str], Mapping[str, Any]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.fetch = fetch or self._yfinance
        self.fetch_info = fetch_info or self._yfinance_info
        self._sleep = sleep

    @staticmethod
    def _yfinance_info(symbol: str) -> Mapping[str, Any]:
        import yfinance as yf

        info = yf.Ticker(symbol).info
        if not info or len(info) <= 1:  # yfinance answers {"trailingPegRatio": None}
            raise ConnectionError(f"empty info response for {symbol}")
        return dict(info)

    def snapshot(self, symbol: str, *, as_of: pd.Timestamp) -> pd.DataFrame:
        """Download one symbol's fundamentals as a snapshot batch dated ``as_of``.

        Parameters
        ----------
        symbol : str
        as_of : Timestamp
            The snapshot's date: the day of the download (Yahoo's ``info`` is
            the current cross-section, with no date of its own).

        Returns
        -------
        DataFrame
            Columns ``symbol, as_of, field, value, text, source`` for the
            :data:`SNAPSHOT_FIELDS` present in the answer (numbers in
            ``value``, sector/industry/country/name in ``text``).

        Raises
        ------
        SourceError
            The download failed after its retries, or the answer holds none
            of the fields.
        """
        from rotation.data.sources.snapshots import TEXT_FIELDS

        info = retry(
            lambda: self.fetch_info(symbol),
            what=f"Yahoo info {symbol}",
            sleep=self._sleep,
        )
        rows = []
        for name in SNAPSHOT_FIELDS:
            raw = info.get(name)
            if raw is None or raw == "":
                continue
            text = name in TEXT_FIELDS
            rows.append(
                {
                    "field": name,
                    "value": np.nan if text else _number(raw),
                    "text": str(raw) if text else None,
                    "_raw_value": None if text else str(raw),
                }
            )
        if not rows:
            raise SourceError(
                f"Yahoo info for {symbol} has none of the snapshot fields "
                f"({', '.join(SNAPSHOT_FIELDS[:3])}...)"
            )
        frame = pd.DataFrame(rows)
        frame.insert(0, "symbol", symbol.upper())
        frame.insert(1, "as_of", pd.Timestamp(as_of).normalize())
        frame["source"] = "Yahoo Finance info (yfinance)"
        return frame

    @staticmethod
    def _yfinance(symbol: str, start: str | None) -> pd.DataFrame:
        import yfinance as yf

        frame = yf.Ticker(symbol).history(
            start=start or "1990-01-01", auto_adjust=False, actions=False
        )
        if frame is None or frame.empty:
            raise ConnectionError(f"empty response for {symbol}")
        return frame

    def prices(self, symbol: str, *, start: str | None = None) -> pd.DataFrame:
        """Download one symbol as a normalised price frame."""
        raw = retry(
            lambda: self.fetch(symbol, start), what=f"Yahoo {symbol}", sleep=self._sleep
        )
        index = pd.DatetimeIndex(raw.index)
        if index.tz is not None:  # exchange-local session dates
            index = index.tz_convert("America/New_York").tz_localize(None)
        cols = {c.lower().replace(" ", "_"): c for c in raw.columns}
        missing = {"open", "high", "low", "close", "adj_close", "volume"} - set(cols)
        if missing:
            raise SourceError(
                f"Yahoo response for {symbol} lacks columns {sorted(missing)}"
            )
        frame = pd.DataFrame({"symbol": symbol.upper(), "date": index.normalize()})
        for name, col in cols.items():
            if name in {"open", "high", "low", "close", "adj_close", "volume"}:
                frame[name] = raw[col].to_numpy(dtype="float64")
        frame["source"] = "Yahoo Finance (yfinance)"
        return frame.dropna(subset=["close", "adj_close"], how="all").reset_index(
            drop=True
        )


def _number(raw: Any) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return np.nan  # validation reports it from _raw_value


def update_from_live(
    store: Store,
    source: str,
    ids: Sequence[str],
    *,
    start: str | None = None,
    fred: FredSource | None = None,
    yahoo: YahooSource | None = None,
    replace: bool = False,
    fundamentals: bool = False,
) -> list[IngestReport]:
    """Download ``ids`` from ``source`` ("fred" or "yfinance") and ingest them as one batch.

    Every id is downloaded before anything is written; if one fails, nothing
    is ingested and the error names it. With ``fundamentals=True`` (yfinance
    only) the download is each symbol's current fundamentals, appended as a
    new snapshot dated the store's ``today`` (re-running on the same day
    changes nothing; a later day adds a new snapshot, older ones are kept).
    """
    if not ids:
        raise SourceError(
            "name what to fetch: --symbol SPY --symbol XLK (or series ids for fred)"
        )
    if fundamentals:
        if source != "yfinance":
            raise SourceError(
                f"fundamental snapshots come from yfinance only (got source {source!r})"
            )
        yahoo = yahoo or YahooSource()
        batch = pd.concat(
            [yahoo.snapshot(sym, as_of=store.today) for sym in ids], ignore_index=True
        )
        return [
            store.ingest_snapshots(
                batch, file=f"yfinance-info:{','.join(ids)}", replace=replace
            )
        ]
    if source == "fred":
        fred = fred or FredSource()
        frames = [fred.observations(sid, start=start) for sid in ids]
        batch = pd.concat(frames, ignore_index=True)
        return [
            store.ingest_observations(
                batch, file=f"fred:{','.join(ids)}", replace=replace
            )
        ]
    if source == "yfinance":
        yahoo = yahoo or YahooSource()
        batch = pd.concat(
            [yahoo.prices(sym, start=start) for sym in ids], ignore_index=True
        )
        return [
            store.ingest_prices(
                batch, file=f"yfinance:{','.join(ids)}", replace=replace
            )
        ]
    raise SourceError(f"unknown source {source!r}; use 'fred' or 'yfinance'")


def chart_history(payload: Mapping[str, Any], symbol: str) -> pd.DataFrame:
    """Turn a Yahoo ``v8/finance/chart`` payload into a history frame.

    The shape is Yahoo's: ``chart.result[0]`` holds ``timestamp`` (session
    open, UTC seconds), ``indicators.quote[0]`` (open/high/low/close/volume
    lists, ``null`` where missing) and ``indicators.adjclose[0].adjclose``;
    a failure has ``result: null`` and ``error: {code, description}``.

    Returns
    -------
    DataFrame
        Indexed by New York timestamps with columns Open, High, Low, Close,
        Adj Close, Volume (what :class:`YahooSource` ``fetch`` returns).

    Raises
    ------
    SourceError
        The payload is an error, or lacks the fields above.
    """
    chart = payload.get("chart") or {}
    error = chart.get("error")
    results = chart.get("result") or []
    if error or not results:
        what = (
            f"{error.get('code')}: {error.get('description')}" if error else "no result"
        )
        raise SourceError(f"Yahoo chart for {symbol} failed ({what})")
    try:
        result = results[0]
        quote = result["indicators"]["quote"][0]
        adj = result["indicators"].get("adjclose", [{}])[0].get("adjclose")
        stamps = pd.to_datetime(result["timestamp"], unit="s", utc=True)
        frame = pd.DataFrame(
            {
                "Open": quote["open"],
                "High": quote["high"],
                "Low": quote["low"],
                "Close": quote["close"],
                "Adj Close": adj if adj is not None else quote["close"],
                "Volume": quote["volume"],
            },
            index=stamps.tz_convert("America/New_York"),
            dtype="float64",
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise SourceError(f"Yahoo chart for {symbol} is malformed ({exc!r})") from exc
    return frame
