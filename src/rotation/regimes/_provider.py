"""Daily regime series for the thesis engine and the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from rotation.market import MarketData
from rotation.regimes._markov import (
    MarkovRegimes,
    RefitFrequency,
    Structure,
    TransitionForm,
)
from rotation.regimes._spreads import TANGIBLE, TECH, basket_spread_returns

__all__ = ["regime_probability_series"]


def regime_probability_series(
    market: MarketData,
    label: str = "rotation",
    *,
    long: Sequence[str] = TANGIBLE,
    short: Sequence[str] = TECH,
    n_regimes: int = 2,
    refit: RefitFrequency | int = "Q",
    window: Literal["expanding"] | int = "expanding",
    min_observations: int = 52,
    sampling_interval: int = 5,
    trailing_blocks: int = 22,
    structure: Structure = "direction_volatility",
    transition: TransitionForm = "kronecker",
    model: MarkovRegimes | None = None,
) -> pd.Series:
    """Compute the filtered probability of one regime on every session.

    The thesis engine uses it as the named series ``"regime_prob:rotation"``
    (``regime_prob("rotation") > 0.6`` in the thesis language).

    Parameters
    ----------
    market : MarketData
        Point-in-time data; its prices must hold the ``long`` and ``short``
        legs.
    label : str, default "rotation"
        ``"rotation"``, ``"tech_leadership"`` or (3 regimes) ``"neutral"``.
    long, short : sequence of str
        The spread's legs (default: XLI XLB XLE minus XLK).
    n_regimes, refit, window, min_observations, sampling_interval
        Passed to :class:`MarkovRegimes`. ``min_observations`` defaults to
        52 observations because the sector SPDRs start in December 1998 and
        the 2000 unwind must be covered.
    trailing_blocks, structure, transition
        Passed to :class:`MarkovRegimes`. The default is the validated
        model (docs/regimes.md): direction x volatility states with
        independent (Kronecker) chains, on the spread over the trailing 22
        weekly blocks (about half a year). Pass
        ``structure="independent", trailing_blocks=1`` for the original
        2-regime model on weekly blocks.

    model : MarkovRegimes, optional
        An already fitted model on this market's spread (the report fits one
        and shares it); the fitting parameters above are then ignored.

    Returns
    -------
    Series
        Named ``"regime_prob:<label>"``, indexed by ``market.sessions``: the
        probability known at each session's close.

    Notes
    -----
    Sessions on which the spread's legs do not trade carry the last known
    probability (the value known then, not a repair). NaN before the first
    fit.

    NaN handling: see :class:`MarkovRegimes`.
    """
    if model is None:
        spread = basket_spread_returns(market.prices, long, short)
        model = MarkovRegimes(
            n_regimes,
            refit=refit,
            window=window,
            min_observations=min_observations,
            sampling_interval=sampling_interval,
            trailing_blocks=trailing_blocks,
            structure=structure,
            transition=transition,
        ).fit(spread)
    if label not in model.labels_:
        raise ValueError(
            f"label must be one of {list(model.labels_)} for n_regimes={n_regimes} "
            f"(got {label!r})."
        )
    probability = model.filtered_probabilities_[label]
    sessions = market.sessions
    aligned = probability.reindex(probability.index.union(sessions)).ffill()
    return aligned.reindex(sessions).rename(f"regime_prob:{label}")
