"""The regime model on the thesis's core spread, fitted once per Analysis."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from rotation.analysis._config import RegimeConfig
from rotation.exceptions import RotationError, RotationWarning
from rotation.market import MarketData
from rotation.regimes import (
    DirectionRegimes,
    MarkovRegimes,
    basket_spread_returns,
    make_regime_model,
    regime_probability_series,
)
from rotation.thesis import Thesis

__all__ = ["RegimeFit", "fit_core_spread_regimes"]


@dataclass(frozen=True)
class RegimeFit:
    """The fitted regime model on the core spread and what the thesis reads.

    Attributes
    ----------
    long, short : tuple of str
        Members of the core spread's legs.
    spread : Series
        Daily core-spread returns (long leg minus short leg).
    model : DirectionRegimes, MarkovRegimes or None
        The fitted model (``AnalysisConfig.regimes.method``); None when the history is too short (``reason``).
    extra : dict of str to Series
        ``{"regime_prob:<label>": p}`` for every model label, the series the
        thesis language reads as ``regime_prob("<label>")``.
    warnings : tuple of str
        Warnings raised while fitting (failed refits keep the last good fit).
    reason : str
        Why there is no model, when there is none.
    """

    long: tuple[str, ...]
    short: tuple[str, ...]
    spread: pd.Series
    model: DirectionRegimes | MarkovRegimes | None
    extra: dict[str, pd.Series] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    reason: str = ""


def fit_core_spread_regimes(
    market: MarketData, thesis: Thesis, config: RegimeConfig
) -> RegimeFit | None:
    """Fit the rotation-regime model on ``thesis.core_spread`` (None: no spread).

    Parameters
    ----------
    market : MarketData
        Point-in-time data.
    thesis : Thesis
        Its ``core_spread`` names the long and short baskets.
    config : RegimeConfig
        The model's parameters.

    Returns
    -------
    RegimeFit or None
        None when the thesis has no core spread.

    Notes
    -----
    NaN handling: the spread uses sessions on which every member of both legs
    trades (:func:`rotation.regimes.basket_spread_returns`).
    """
    core = thesis.core_spread
    if core is None:
        return None
    long, short = thesis.members(core.long), thesis.members(core.short)
    missing = [s for s in (*long, *short) if s not in market.prices.columns]
    if missing:
        return RegimeFit(
            long, short, pd.Series(dtype="float64"), None,
            reason=f"no prices for {', '.join(missing)} as of {market.as_of.date()}",
        )  # fmt: skip
    spread = basket_spread_returns(market.prices, long, short)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RotationWarning)
        try:
            model = make_regime_model(**config.model_params()).fit(spread)
        except (ValueError, RotationError) as exc:
            return RegimeFit(long, short, spread, None, reason=str(exc))
    extra = {
        f"regime_prob:{label}": regime_probability_series(market, label, model=model)
        for label in model.labels_
    }
    notes = tuple(dict.fromkeys(str(w.message) for w in caught))
    return RegimeFit(long, short, spread, model, extra, notes)
