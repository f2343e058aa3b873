"""The RRG part: weekly relative rotation of the thesis universe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from rotation.analysis._omitted import Omitted
from rotation.indicators import RRG, rrg

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = ["RotationGraph", "compute_rrg"]


@dataclass(frozen=True)
class RotationGraph:
    """Relative Rotation Graph of the thesis universe against its benchmark.

    Attributes
    ----------
    benchmark : str
        The universe's benchmark symbol.
    members : tuple of str
        Universe members with prices (in the thesis's order).
    missing : tuple of str
        Universe members without prices (left out).
    frequency, variant : str
        ``"weekly"`` closes (last session of each week), ``"zscore"`` lines
        (:func:`rotation.indicators.rrg`).
    window, momentum_window, tail_length : int
        Z-score window, rate-of-change window and tail length, in weeks.
    as_of : Timestamp
        Date of the latest point (the as-of date's week, labelled by its last
        session).
    current : DataFrame
        One row per member: symbol, quadrant, since (date of the last quadrant
        change), rs_ratio, rs_momentum, heading_deg, speed.
    tails : DataFrame
        The last ``tail_length`` points of each member: symbol, date,
        rs_ratio, rs_momentum, heading_deg, speed.
    """

    benchmark: str
    members: tuple[str, ...]
    missing: tuple[str, ...]
    frequency: str
    variant: str
    window: int
    momentum_window: int
    tail_length: int
    as_of: pd.Timestamp
    current: pd.DataFrame
    tails: pd.DataFrame


def _current(result: RRG, tails: pd.DataFrame, members: list[str]) -> pd.DataFrame:
    quadrants = result.quadrants()
    events = result.transitions()
    rows = []
    for symbol in members:
        tail = tails[tails["symbol"] == symbol]
        if tail.empty:
            continue
        last = tail.iloc[-1]
        own = events[events["symbol"] == symbol]
        rows.append(
            {
                "symbol": symbol,
                "quadrant": quadrants.loc[last["date"], symbol],
                "since": own["date"].iloc[-1] if len(own) else pd.NaT,
                "rs_ratio": float(last["rs_ratio"]),
                "rs_momentum": float(last["rs_momentum"]),
                "heading_deg": float(last["heading_deg"]),
                "speed": float(last["speed"]),
            }
        )
    columns = ["symbol", "quadrant", "since", "rs_ratio", "rs_momentum"]
    return pd.DataFrame(rows, columns=[*columns, "heading_deg", "speed"])


def compute_rrg(analysis: Analysis) -> RotationGraph | Omitted:
    """Weekly RRG of ``thesis.universe`` vs its benchmark (Omitted without one)."""
    universe = analysis.thesis.universe
    if universe is None:
        return Omitted(
            "rrg",
            "the thesis names no universe; add 'universe: {members: [...], "
            "benchmark: ...}' to rank assets against a benchmark",
        )
    prices = analysis.market.prices
    if universe.benchmark not in prices.columns:
        return Omitted("rrg", f"no prices for the benchmark {universe.benchmark!r}")
    members = [m for m in universe.members if m in prices.columns]
    missing = tuple(m for m in universe.members if m not in members)
    if not members:
        return Omitted("rrg", "no universe member has prices")
    config = analysis.config.indicators
    panel = prices[[*members, universe.benchmark]].astype("float64")
    panel = panel[panel[universe.benchmark].notna()]
    result = rrg(
        panel[members],
        panel[universe.benchmark],
        window=config.rrg_window,
        momentum_window=config.rrg_momentum,
        frequency="weekly",
    )
    tails = result.tails(config.rrg_tail)
    as_of = tails["date"].max() if len(tails) else analysis.as_of
    return RotationGraph(
        benchmark=universe.benchmark,
        members=tuple(members),
        missing=missing,
        frequency="weekly",
        variant="zscore",
        window=config.rrg_window,
        momentum_window=config.rrg_momentum,
        tail_length=config.rrg_tail,
        as_of=pd.Timestamp(as_of),
        current=_current(result, tails, members),
        tails=tails,
    )
