"""Build the one context every report section (and dashboard page) works from."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from rotation.data.store import Store
from rotation.exceptions import RotationError, RotationWarning
from rotation.market import MarketData
from rotation.report.model import ReportContext

__all__ = ["make_context", "regime_inputs"]


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
    extra, shared = regime_inputs(market)
    merged: dict[str, Any] = {
        "thesis_path": str(thesis_path) if thesis_path else None,
        "thesis_extra": extra,
        **shared,
        **dict(options or {}),
    }
    return ReportContext(
        market=market, as_of=cut, coverage=store.coverage(), options=merged
    )


def regime_inputs(
    market: MarketData,
) -> tuple[dict[str, pd.Series], dict[str, Any]]:
    """Fit the report's regime model once; return the thesis series and the model.

    Returns ``({"regime_prob:rotation": p}, {"regime_model": model})``: the
    filtered probability the thesis language reads as
    ``regime_prob("rotation")`` and the fitted model the regimes section
    reuses. Both are empty where the history is too short (the pillar then
    shows "no data"). The CLI's thesis commands and the dashboard call this
    too, so every surface evaluates the same pillar.
    """
    from rotation.regimes import (
        MarkovRegimes,
        basket_spread_returns,
        regime_probability_series,
    )
    from rotation.report.sections.regimes import MODEL_PARAMS
    from rotation.universe import TANGIBLE, TECH

    try:
        with warnings.catch_warnings():
            # A failed refit keeps the last good fit and is reported by the
            # regimes section; it must not stop the report.
            warnings.simplefilter("ignore", RotationWarning)
            spread = basket_spread_returns(market.prices, TANGIBLE, TECH)
            model = MarkovRegimes(**MODEL_PARAMS).fit(spread)
            probability = regime_probability_series(market, model=model)
    except (ValueError, RotationError):
        return {}, {}  # too little history at this as-of date
    return {"regime_prob:rotation": probability}, {"regime_model": model}
