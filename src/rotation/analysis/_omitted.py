"""A part of the analysis that has nothing to show for a thesis, and why."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Omitted"]


@dataclass(frozen=True)
class Omitted:
    """A part left out: the report shows ``reason`` in one line, never a default.

    Attributes
    ----------
    part : str
        The part's name (``"rrg"``, ``"backtests"``...).
    reason : str
        Why, in words a reader can act on (e.g. "the thesis names no universe;
        add ``universe: {members: [...], benchmark: SPY}``").
    """

    part: str
    reason: str
