"""Shell glue: from a store and a thesis file to an :class:`~rotation.analysis.Analysis`.

The report, the CLI, the dashboard and notebooks build analyses the same way:
resolve the as-of date against the store's sessions (one validation for every
surface), take the point-in-time snapshot, load the thesis file, apply the
config overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rotation.analysis import Analysis, AnalysisConfig, Snapshot, resolve_as_of

if TYPE_CHECKING:
    from rotation.data.store import Store

__all__ = [
    "data_freshness",
    "load_snapshot",
    "open_analysis",
    "store_sessions",
    "thesis_label",
]

REFRESH_HINT = "refresh with `rotation data update`"


def data_freshness(
    data_end: pd.Timestamp, as_of: pd.Timestamp, today: pd.Timestamp | None = None
) -> str:
    """Say how old the data is, without stating any date after ``as_of``.

    Parameters
    ----------
    data_end : Timestamp
        The store's last price date.
    as_of : Timestamp
        The date a report or command is valid for.
    today : Timestamp, optional
        The clock (default: today); tests pin it.

    Returns
    -------
    str
        For a report on the latest data, its last date, its age in days and
        how to refresh it; for a report as of an earlier date, only that data
        after it is not used (a past report never names a later date).
    """
    if as_of < data_end:
        return f"as-of report: data after {as_of.date()} is not used"
    now = pd.Timestamp.today().normalize() if today is None else today
    age = max(0, (now - data_end.normalize()).days)
    return f"data ends {data_end.date()} ({age} days ago); {REFRESH_HINT}"


def store_sessions(store: Store) -> pd.DatetimeIndex:
    """Every price date of the store, sorted."""
    dates = store._query("SELECT DISTINCT date FROM prices ORDER BY 1")
    return pd.DatetimeIndex(pd.to_datetime(dates["date"]))


def load_snapshot(
    store: Store, as_of: Any = None, *, sessions: pd.DatetimeIndex | None = None
) -> Snapshot:
    """Snapshot of ``store`` as known at the close of ``as_of`` (default: last).

    Raises
    ------
    AsOfError
        If ``as_of`` is not an ISO date or lies outside the store's sessions.
    """
    days = store_sessions(store) if sessions is None else sessions
    cut = resolve_as_of(as_of, days)
    return Snapshot.build(
        store.market_data(cut),
        store.coverage(),
        data_end=pd.Timestamp(days[-1]),
        fingerprint=store.fingerprint(),
    )


def thesis_label(path: str | Path | None) -> str:
    """How surfaces name a thesis: its file stem, or the packaged default."""
    return Path(path).stem if path else "great_rotation_2026"


def open_analysis(
    as_of: Any = None,
    thesis: str | Path | None = None,
    config: AnalysisConfig | Mapping[str, Any] | None = None,
    *,
    store: Store | str | Path | None = None,
) -> Analysis:
    """Open the store and build an :class:`Analysis` (the notebook entry point).

    Parameters
    ----------
    as_of : date-like, optional
        Default: the store's last session.
    thesis : str or Path, optional
        A thesis YAML file (default: the packaged Great 2026 Rotation).
    config : AnalysisConfig or mapping, optional
        Settings, or ``{"backtest.lookback": 63, ...}`` overrides.
    store : Store, str or Path, optional
        An open store or its path (default: the CLI's store).
    """
    from rotation.data.store import Store, open_store
    from rotation.thesis_files import load_thesis_file

    opened = store if isinstance(store, Store) else open_store(store)
    if isinstance(config, Mapping):
        config = AnalysisConfig().with_overrides(config)
    return Analysis(
        load_snapshot(opened, as_of),
        load_thesis_file(thesis),
        config,
        thesis_name=thesis_label(thesis),
    )
