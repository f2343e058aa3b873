"""Daily regime series for the thesis engine and the report."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from rotation.exceptions import RotationError, RotationWarning
from rotation.market import MarketData
from rotation.regimes._direction_regimes import DIRECTION_MODEL, DirectionRegimes
from rotation.regimes._markov import (
    MarkovRegimes,
    RefitFrequency,
    Structure,
    TransitionForm,
)
from rotation.regimes._spreads import TANGIBLE, TECH, basket_spread_returns

__all__ = [
    "MARKOV_MODEL",
    "ROTATION_MODEL",
    "make_regime_model",
    "regime_inputs",
    "regime_probability_series",
]

Method = Literal["direction", "markov"]

#: The rotation-regime model behind ``regime_prob("rotation")``: the sticky
#: direction filter (:class:`DirectionRegimes`), chosen by the out-of-sample
#: comparison in docs/regimes.md. The defaults of
#: :func:`regime_probability_series` and of ``rotation.analysis.RegimeConfig``
#: (which the product reads, on the thesis's core spread) are these (tested).
ROTATION_MODEL: Mapping[str, Any] = MappingProxyType(
    {"method": "direction", **DIRECTION_MODEL}
)

#: The previous default (``method="markov"``): the direction x volatility
#: Markov model on the trailing 22-week spread, quarterly refits.
MARKOV_MODEL: Mapping[str, Any] = MappingProxyType(
    {
        "n_regimes": 2,
        "refit": "Q",
        "window": "expanding",
        "min_observations": 52,
        "sampling_interval": 5,
        "trailing_blocks": 22,
        "structure": "direction_volatility",
        "transition": "kronecker",
    }
)


def make_regime_model(
    method: Method = "direction", **params: Any
) -> DirectionRegimes | MarkovRegimes:
    """Build the (unfitted) regime estimator ``method`` with ``params``.

    Parameters
    ----------
    method : {"direction", "markov"}, default "direction"
        :class:`DirectionRegimes` or :class:`MarkovRegimes`.
    **params
        That estimator's keyword arguments (a mapping such as
        :data:`ROTATION_MODEL` without ``method``).

    Returns
    -------
    DirectionRegimes or MarkovRegimes
    """
    if method == "direction":
        return DirectionRegimes(**params)
    if method == "markov":
        n_regimes = params.pop("n_regimes", 2)
        return MarkovRegimes(n_regimes, **params)
    raise ValueError(f"method must be 'direction' or 'markov' (got {method!r}).")


def regime_probability_series(
    market: MarketData,
    label: str = "rotation",
    *,
    long: Sequence[str] = TANGIBLE,
    short: Sequence[str] = TECH,
    method: Method = "direction",
    drift: float = 0.2,
    expected_duration: float = 250.0,
    volatility_half_life: float = 63.0,
    clip: float = 4.0,
    n_regimes: int = 2,
    refit: RefitFrequency | int = "Q",
    window: Literal["expanding"] | int = "expanding",
    min_observations: int = 52,
    sampling_interval: int = 5,
    trailing_blocks: int = 22,
    structure: Structure = "direction_volatility",
    transition: TransitionForm = "kronecker",
    model: DirectionRegimes | MarkovRegimes | None = None,
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
        Passed to :class:`MarkovRegimes` (``method="markov"``): by default
        the previous product model, direction x volatility states with
        independent (Kronecker) chains on the spread over the trailing 22
        weekly blocks. Pass ``structure="independent", trailing_blocks=1``
        for the original 2-regime model on weekly blocks.
    model : DirectionRegimes or MarkovRegimes, optional
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
        if method == "direction":
            model = DirectionRegimes(
                drift=drift,
                expected_duration=expected_duration,
                volatility_half_life=volatility_half_life,
                clip=clip,
            ).fit(spread)
        else:
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
            f"label must be one of {list(model.labels_)} for this model "
            f"(got {label!r})."
        )
    probability = model.filtered_probabilities_[label]
    sessions = market.sessions
    aligned = probability.reindex(probability.index.union(sessions)).ffill()
    return aligned.reindex(sessions).rename(f"regime_prob:{label}")


def regime_inputs(
    market: MarketData,
    labels: Iterable[str] = ("rotation",),
    *,
    long: Sequence[str] = TANGIBLE,
    short: Sequence[str] = TECH,
) -> tuple[dict[str, pd.Series], DirectionRegimes | MarkovRegimes | None]:
    """Fit :data:`ROTATION_MODEL` once; the thesis series for ``labels`` and the model.

    A library helper for notebooks and scripts. The product does not use it:
    an :class:`~rotation.analysis.Analysis` fits the model once on its
    thesis's core spread (``Analysis.regime_fit``, ``Analysis.thesis_extra``)
    with the settings of ``AnalysisConfig.regimes`` (the same values).

    Parameters
    ----------
    market : MarketData
        Point-in-time data.
    labels : iterable of str, default ("rotation",)
        Regime labels a thesis reads (:meth:`rotation.thesis.Thesis.regime_labels`);
        nothing is fitted when it is empty.
    long, short : sequence of str
        The spread's legs: pass the thesis's core spread members
        (``thesis.members(thesis.core_spread.long)``...). The defaults are the
        Great Rotation's tangible XLI XLB XLE minus tech XLK.

    Returns
    -------
    extra : dict of str to Series
        ``{"regime_prob:<label>": probability}`` for each label the model has,
        the mapping the thesis engine takes as ``extra``.
    model : DirectionRegimes, MarkovRegimes or None
        The fitted model (the report's regime section reuses it); ``None``
        when nothing was fitted or the history is too short at this as-of
        date, in which case the pillars show "no data".

    Notes
    -----
    A refit that fails keeps the last good fit (see :class:`MarkovRegimes`);
    its warning is silenced here because the regime section reports it.
    """
    wanted = sorted(set(labels))
    if not wanted:
        return {}, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RotationWarning)
            spread = basket_spread_returns(market.prices, long, short)
            model = make_regime_model(**ROTATION_MODEL).fit(spread)
    except (ValueError, RotationError):
        return {}, None
    extra = {
        f"regime_prob:{label}": regime_probability_series(market, label, model=model)
        for label in wanted
        if label in model.labels_
    }
    return extra, model
