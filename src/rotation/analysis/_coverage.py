"""The coverage part: what data the analysis could see, as of its date."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = ["Coverage", "compute_coverage"]


@dataclass(frozen=True)
class Coverage:
    """Every symbol and series known on the as-of date.

    Attributes
    ----------
    as_of : Timestamp
        The analysis date; no date in ``table`` is later.
    table : DataFrame
        kind, id, name, first, last, rows, unit, source.
    n_prices, n_series : int
        Price histories and series known.
    """

    as_of: pd.Timestamp
    table: pd.DataFrame
    n_prices: int
    n_series: int


def compute_coverage(analysis: Analysis) -> Coverage:
    """Coverage as of the analysis date (:func:`point_in_time_coverage`)."""
    table = analysis.snapshot.coverage
    return Coverage(
        as_of=analysis.as_of,
        table=table,
        n_prices=int((table["kind"] == "price").sum()),
        n_series=int((table["kind"] == "series").sum()),
    )
