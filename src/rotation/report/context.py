"""Build the one context every report section (and dashboard page) works from."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from rotation.data.store import Store
from rotation.exceptions import RotationError
from rotation.regimes import regime_inputs
from rotation.report.model import ReportContext

__all__ = ["make_context"]


def make_context(
    store: Store,
    *,
    as_of: Any = None,
    thesis_path: str | Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> ReportContext:
    """Point-in-time context as of ``as_of`` (default: the last price date).

    Besides the market data and coverage it computes, once, what several
    sections share: the filtered rotation-regime probability that the thesis
    language reads as ``regime_prob("rotation")``.
    """
    cut = pd.Timestamp(as_of) if as_of is not None else store.last_date()
    if cut is None:
        raise RotationError("the store has no prices; run `rotation data update` first")
    last = store.last_date()
    if last is not None and cut > last:
        raise RotationError(
            f"--as-of {cut.date()} is after the last date in the store ({last.date()})"
        )
    market = store.market_data(cut)
    extra, model = regime_inputs(market, ("rotation", "tech_leadership"))
    shared = {} if model is None else {"regime_model": model}
    merged: dict[str, Any] = {
        "thesis_path": str(thesis_path) if thesis_path else None,
        "thesis_extra": extra,
        **shared,
        **dict(options or {}),
    }
    return ReportContext(
        market=market, as_of=cut, coverage=store.coverage(), options=merged
    )
