"""Parameter grids of momentum sweeps, and their YAML form."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
import yaml

__all__ = ["SweepGrid", "load_grid"]

_NAMED_CALENDARS = ("daily", "weekly", "month_end", "quarter_end", "year_end")


@dataclass(frozen=True)
class SweepGrid:
    """A grid of top-k momentum rotation variants.

    Attributes
    ----------
    lookback : tuple of int
        Momentum windows in sessions.
    top_k : tuple of int
        Numbers of assets held.
    skip : tuple of int, default (0,)
        Sessions left out at the end of each window.
    cost_bps : tuple of float, default (10.0,)
        Trading costs in basis points of traded value.
    rebalance : str, default "month_end"
        Decision calendar shared by every variant.
    universe : tuple of str, default ()
        Price columns to rotate among; empty means every column given.

    Notes
    -----
    The variants are the Cartesian product of the four parameter lists, in
    the order lookback, skip, top_k, cost_bps (the sweep's row order).
    """

    lookback: tuple[int, ...]
    top_k: tuple[int, ...]
    skip: tuple[int, ...] = (0,)
    cost_bps: tuple[float, ...] = (10.0,)
    rebalance: str = "month_end"
    universe: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("lookback", "top_k", "skip"):
            values = getattr(self, name)
            low = 0 if name == "skip" else 1
            if not values or any(
                not isinstance(v, int | np.integer) or v < low for v in values
            ):
                raise ValueError(
                    f"{name} must be a non-empty list of integers >= {low} "
                    f"(got {list(values)!r})."
                )
            if len(set(values)) != len(values):
                raise ValueError(f"{name} has duplicate values: {list(values)!r}.")
        if not self.cost_bps or any(not np.isfinite(c) or c < 0 for c in self.cost_bps):
            raise ValueError(
                f"cost_bps must be a non-empty list of numbers >= 0 "
                f"(got {list(self.cost_bps)!r})."
            )
        if self.rebalance not in _NAMED_CALENDARS:
            raise ValueError(
                f"rebalance must be one of {_NAMED_CALENDARS} (got {self.rebalance!r})."
            )

    @property
    def n_variants(self) -> int:
        """Number of variants in the grid."""
        return (
            len(self.lookback) * len(self.skip) * len(self.top_k) * len(self.cost_bps)
        )

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The distinct (lookback, skip) momentum tables, in sweep order."""
        return list(product(self.lookback, self.skip))


def _expand(name: str, value: Any, cast: type) -> tuple[Any, ...]:
    if isinstance(value, dict):
        allowed = {"start", "stop", "step"}
        if set(value) - allowed or not {"start", "stop"} <= set(value):
            raise ValueError(
                f"grid field {name!r} as a range needs keys start, stop[, step] "
                f"(inclusive stop); got {sorted(value)}."
            )
        step = value.get("step", 1)
        values = np.arange(value["start"], value["stop"] + step / 2, step)
        return tuple(cast(v) for v in values)
    if isinstance(value, list | tuple):
        return tuple(cast(v) for v in value)
    return (cast(value),)


def load_grid(text: str) -> SweepGrid:
    """Parse a sweep grid written in YAML.

    Parameters
    ----------
    text : str
        YAML text with keys ``lookback``, ``top_k`` and optionally ``skip``,
        ``cost_bps``, ``rebalance`` and ``universe``. A parameter is a list,
        a single value, or an inclusive range ``{start, stop, step}``.

    Returns
    -------
    SweepGrid

    Raises
    ------
    ValueError
        On unknown keys, missing keys or bad values (the message names them).

    Examples
    --------
    >>> grid = load_grid('''
    ... lookback: {start: 20, stop: 60, step: 20}
    ... top_k: [1, 2]
    ... cost_bps: 10
    ... ''')
    >>> grid.lookback, grid.n_variants
    ((20, 40, 60), 6)
    """
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(
            f"a grid must be a YAML mapping with keys lookback and top_k (got "
            f"{type(data).__name__})."
        )
    known = {"lookback", "top_k", "skip", "cost_bps", "rebalance", "universe"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown grid keys {unknown}; allowed: {sorted(known)}.")
    missing = sorted({"lookback", "top_k"} - set(data))
    if missing:
        raise ValueError(f"grid is missing required keys {missing}.")
    return SweepGrid(
        lookback=_expand("lookback", data["lookback"], int),
        top_k=_expand("top_k", data["top_k"], int),
        skip=_expand("skip", data.get("skip", 0), int),
        cost_bps=_expand("cost_bps", data.get("cost_bps", 10.0), float),
        rebalance=str(data.get("rebalance", "month_end")),
        universe=tuple(str(s) for s in data.get("universe", ())),
    )
