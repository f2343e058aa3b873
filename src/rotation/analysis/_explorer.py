"""The indicator explorer: one indicator of :mod:`rotation.indicators` on chosen symbols.

The dashboard's ``/api/indicators/{name}`` answers with :func:`explore_indicator`;
the thesis in hand gives the default symbols (its universe) and benchmark.
Correlation and dispersion go through the same basket functions as the
thesis language and the correlation part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rotation import indicators as ind
from rotation.exceptions import RotationError
from rotation.market import MarketData
from rotation.thesis import Thesis

__all__ = [
    "INDICATORS",
    "ExplorerError",
    "IndicatorExploration",
    "default_benchmark",
    "default_symbols",
    "explore_indicator",
]

#: Indicator names the explorer offers.
INDICATORS: tuple[str, ...] = (
    "momentum",
    "ma_slope",
    "zscore",
    "drawdown",
    "avg_corr",
    "dispersion",
    "relative_return",
)
_BASKET_INDICATORS = ("avg_corr", "dispersion")
_Compute = Callable[[pd.DataFrame, int, "pd.Series | None"], pd.DataFrame]


class ExplorerError(RotationError, ValueError):
    """The explorer cannot compute this indicator on these inputs."""


@dataclass(frozen=True)
class IndicatorExploration:
    """One indicator's daily values on the chosen symbols.

    Attributes
    ----------
    name : str
        One of :data:`INDICATORS`.
    as_of : Timestamp
        Last date (values use data up to each date's close only).
    window : int
        Window in sessions.
    symbols : tuple of str
        The symbols (a basket for ``avg_corr``/``dispersion``).
    benchmark : str or None
        The benchmark of ``relative_return``.
    dates : tuple of Timestamp
    values : dict of str to tuple of float
        Column (symbol, or the basket indicator's name) -> values on ``dates``.
    """

    name: str
    as_of: pd.Timestamp
    window: int
    symbols: tuple[str, ...]
    benchmark: str | None
    dates: tuple[pd.Timestamp, ...]
    values: dict[str, tuple[float, ...]]


def default_symbols(thesis: Thesis) -> tuple[str, ...]:
    """Return the thesis universe's members, else its core spread's, else none."""
    if thesis.universe is not None:
        return thesis.universe.members
    if thesis.core_spread is not None:
        core = thesis.core_spread
        return tuple(
            dict.fromkeys((*thesis.members(core.long), *thesis.members(core.short)))
        )
    return ()


def default_benchmark(thesis: Thesis) -> str | None:
    """Return the thesis universe's benchmark (None without a universe)."""
    return thesis.universe.benchmark if thesis.universe is not None else None


def _functions() -> dict[str, _Compute]:
    return {
        "momentum": lambda px, w, b: ind.momentum(px, w),
        "ma_slope": lambda px, w, b: ind.moving_average_slope(px, w),
        "zscore": lambda px, w, b: ind.rolling_zscore(px, w),
        "drawdown": lambda px, w, b: ind.drawdown_from_high(px, w),
        "avg_corr": lambda px, w, b: ind.basket_average_correlation(px, w).to_frame(
            "avg_corr"
        ),
        "dispersion": lambda px, w, b: ind.basket_dispersion(px, w).to_frame(
            "dispersion"
        ),
        "relative_return": lambda px, w, b: ind.relative_return(px, b, w).to_frame(
            "relative_return"
        ),
    }


def explore_indicator(
    market: MarketData,
    name: str,
    *,
    symbols: Sequence[str],
    window: int,
    benchmark: str | None = None,
    start: pd.Timestamp | None = None,
) -> IndicatorExploration:
    """Compute indicator ``name`` on ``symbols`` as of ``market.as_of``.

    Parameters
    ----------
    market : MarketData
        The point-in-time data.
    name : str
        One of :data:`INDICATORS`.
    symbols : sequence of str
        Stored symbols (at least two for ``avg_corr`` and ``dispersion``).
    window : int
        Window in sessions.
    benchmark : str, optional
        Required by ``relative_return``.
    start : Timestamp, optional
        First date returned (the values are computed on the whole history).

    Returns
    -------
    IndicatorExploration

    Raises
    ------
    ExplorerError
        Naming the parameter and what is allowed.

    Notes
    -----
    NaN handling: rows where none of the symbols has a price are not their
    sessions (dropped); each indicator's own NaN policy applies otherwise.
    """
    if name not in INDICATORS:
        raise ExplorerError(
            f"unknown indicator {name!r}; allowed: {', '.join(INDICATORS)}"
        )
    if name in _BASKET_INDICATORS and len(symbols) < 2:
        raise ExplorerError(
            f"indicator {name!r} cannot be computed on one symbol; give at least two "
            f"in symbols (got {', '.join(symbols)})."
        )
    if name == "relative_return" and benchmark is None:
        raise ExplorerError("indicator 'relative_return' needs a benchmark symbol.")
    prices = market.prices[list(symbols)].dropna(how="all")
    bench = market.prices[benchmark].dropna() if benchmark else None
    try:
        frame = _functions()[name](prices, window, bench)
    except (ValueError, TypeError) as exc:
        raise ExplorerError(f"indicator {name!r} cannot be computed: {exc}") from exc
    frame = frame.loc[start:] if start is not None else frame
    return IndicatorExploration(
        name=name,
        as_of=pd.Timestamp(market.as_of),
        window=window,
        symbols=tuple(symbols),
        benchmark=benchmark,
        dates=tuple(pd.DatetimeIndex(frame.index)),
        values={
            str(c): tuple(frame[c].to_numpy(dtype=np.float64, na_value=np.nan))
            for c in frame.columns
        },
    )
