"""Regime episodes (runs of one label) and detection delays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rotation._typing import DateLike
from rotation.regimes._validation import check_positive_int

__all__ = ["detection_delay", "regime_episodes"]


def regime_episodes(
    regime: pd.Series,
    spread_returns: pd.Series,
    *,
    sector_returns: pd.DataFrame | None = None,
    min_length: int = 1,
) -> pd.DataFrame:
    r"""Table of regime episodes: runs of consecutive sessions with one label.

    Parameters
    ----------
    regime : Series of shape (n_sessions,)
        Label on each session (e.g. ``MarkovRegimes.regime_``); missing labels
        end an episode and are not episodes.
    spread_returns : Series
        Daily spread returns (fractions), aligned on ``regime``'s index.
    sector_returns : DataFrame of shape (n_sessions, n_sectors), optional
        Daily simple returns of sectors to report per episode.
    min_length : int, default 1
        Episodes shorter than this many sessions are merged into the episode
        before them (an ex-post display choice; labels are not changed).

    Returns
    -------
    DataFrame
        One row per episode: ``regime``, ``start``, ``end`` (first and last
        session), ``length`` (sessions), ``spread_return`` (compounded
        :math:`\prod(1+s_t)-1` over the episode) and one ``<sector>`` column
        per sector with its compounded return.

    Notes
    -----
    .. math::

        R_e = \prod_{t \in e} (1 + r_t) - 1.

    NaN handling: NaN returns are skipped in the products (a sector that did
    not exist yet gives NaN if it has no return in the episode).
    """
    if not isinstance(regime, pd.Series) or not isinstance(spread_returns, pd.Series):
        raise TypeError("regime and spread_returns must be pandas Series.")
    min_length = check_positive_int(min_length, "min_length")
    labels = regime.astype("object").where(regime.notna(), None).to_numpy()
    index = regime.index
    runs: list[tuple[str, int, int]] = []
    for position, label in enumerate(labels):
        if label is None:
            continue
        if runs and runs[-1][0] == label and runs[-1][2] == position - 1:
            runs[-1] = (runs[-1][0], runs[-1][1], position)
        else:
            runs.append((str(label), position, position))
    if min_length > 1:
        merged: list[tuple[str, int, int]] = []
        for label, start, end in runs:
            adjacent = bool(merged) and merged[-1][2] == start - 1
            short = end - start + 1 < min_length
            if adjacent and (short or merged[-1][0] == label):
                merged[-1] = (merged[-1][0], merged[-1][1], end)
            else:
                merged.append((label, start, end))
        runs = merged
    spread = spread_returns.reindex(index)
    sectors = None if sector_returns is None else sector_returns.reindex(index)
    rows = []
    for label, s, e in runs:
        row: dict[str, object] = {
            "regime": label,
            "start": index[s],
            "end": index[e],
            "length": e - s + 1,
            "spread_return": _compound(spread.iloc[s : e + 1]),
        }
        if sectors is not None:
            for column in sectors.columns:
                row[str(column)] = _compound(sectors[column].iloc[s : e + 1])
        rows.append(row)
    columns = ["regime", "start", "end", "length", "spread_return"]
    if sectors is not None:
        columns += [str(c) for c in sectors.columns]
    return pd.DataFrame(rows, columns=columns)


def _compound(returns: pd.Series) -> float:
    values = returns.to_numpy(dtype=np.float64, na_value=np.nan)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    return float(np.prod(1.0 + values) - 1.0)


def detection_delay(
    signal: pd.Series,
    start: DateLike,
    *,
    threshold: float,
    end: DateLike | None = None,
    persistence: int = 1,
) -> pd.Timedelta | None:
    """Time from an episode's start to the first session the signal flags it.

    Parameters
    ----------
    signal : Series
        A causal signal (rotation probability or score) indexed by session.
    start : date-like
        The episode's start (from the historical record).
    threshold : float
        The signal flags the episode when it is above ``threshold``.
    end : date-like, optional
        Give up after this date (default: the end of the signal).
    persistence : int, default 1
        Number of consecutive sessions above the threshold required; the
        delay is measured to the last of them (when a trader would know).

    Returns
    -------
    Timedelta or None
        Calendar time from ``start`` to the flagging session; ``None`` if the
        signal never flags the episode before ``end``.

    Notes
    -----
    NaN handling: NaN values never flag.
    """
    persistence = check_positive_int(persistence, "persistence")
    begin = pd.Timestamp(start)
    window = (
        signal.loc[begin:] if end is None else signal.loc[begin : pd.Timestamp(end)]
    )
    above = (window > threshold).to_numpy()
    streak = 0
    for position, flag in enumerate(above):
        streak = streak + 1 if flag else 0
        if streak >= persistence:
            return pd.Timestamp(window.index[position]) - begin
    return None
