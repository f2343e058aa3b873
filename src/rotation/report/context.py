"""Build the one context every report section (and dashboard page) works from."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from rotation.data.store import Store
from rotation.exceptions import RotationError, RotationWarning
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
    extra: dict[str, pd.Series] = {}
    shared: dict[str, Any] = {}
    try:
        from rotation.regimes import (
            MarkovRegimes,
            basket_spread_returns,
            regime_probability_series,
        )
        from rotation.report.sections.regimes import MODEL_PARAMS
        from rotation.universe import TANGIBLE, TECH

        with warnings.catch_warnings():
            # A failed refit keeps the last good fit and is reported by the
            # regimes section; it must not stop the report.
            warnings.simplefilter("ignore", RotationWarning)
            spread = basket_spread_returns(market.prices, TANGIBLE, TECH)
            model = MarkovRegimes(**MODEL_PARAMS).fit(spread)
            extra["regime_prob:rotation"] = regime_probability_series(
                market, model=model
            )
            shared["regime_model"] = model
    except (ValueError, RotationError):
        pass  # too little history at this as-of date: the pillar shows "no data"
    merged: dict[str, Any] = {
        "thesis_path": str(thesis_path) if thesis_path else None,
        "thesis_extra": extra,
        **shared,
        **dict(options or {}),
    }
    return ReportContext(
        market=market, as_of=cut, coverage=store.coverage(), options=merged
    )
