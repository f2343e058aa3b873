"""The composite score of the regimes part, built from the thesis's own parts.

Which component needs which part of the thesis:

==========================  ==============================================
component                   thesis part
==========================  ==============================================
the core spread             ``core_spread`` (long vs short basket)
one per other pair          ``spreads`` (pairs other than the core spread)
``<basket>_correlation``    the first pillar ``avg_corr(<basket>, w) < x``
                            (sign -1) or ``> x`` (sign +1)
``copper_trend``            ``panels: [copper]``
==========================  ==============================================

The score needs the core spread and at least one other component; otherwise
it is :class:`~rotation.analysis.Omitted` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rotation.analysis._omitted import Omitted
from rotation.regimes import rotation_components, rotation_score
from rotation.thesis import Call, Name, Number, Thesis

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis
    from rotation.analysis._config import RegimeConfig
    from rotation.market import MarketData

__all__ = ["CompositeScore", "ScoreInputs", "compute_composite_score", "score_inputs"]


@dataclass(frozen=True)
class ScoreInputs:
    """The components a thesis gives the composite score.

    Attributes
    ----------
    pairs : dict of str to (long members, short members)
        Spread components: the core spread first, then the other pairs.
    correlation : dict of str to members or weights
        At most one basket whose average correlation is a component.
    correlation_window : int or None
        Window of that correlation (the pillar's).
    copper : bool
        Whether the copper trend is a component.
    weights, signs : dict of str to float
        Raw weight and sign (+1/-1) of each component.
    sources : dict of str to str
        Which part of the thesis each component comes from.
    left_out : tuple of str
        Components the thesis names but the data cannot give, and why.
    """

    pairs: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    correlation: dict[str, Sequence[str] | Mapping[str, float]]
    correlation_window: int | None
    copper: bool
    weights: dict[str, float]
    signs: dict[str, float]
    sources: dict[str, str]
    left_out: tuple[str, ...]


@dataclass(frozen=True)
class CompositeScore:
    """The composite score on the last session with one.

    Attributes
    ----------
    date : Timestamp
        Last session with a score.
    score : float
        Weighted sum of the components' causal z-scores (positive: the
        thesis's direction: the long basket leads).
    components : DataFrame
        One row per component: ``component``, ``source`` (the thesis part),
        ``weight``, ``sign``, ``zscore`` and ``contribution`` on ``date``
        (contributions sum to ``score``).
    left_out : tuple of str
        Components the thesis names but the data cannot give, and why.
    history, contributions : Series, DataFrame
        Daily score and contributions (charts; not in the JSON).
    """

    date: pd.Timestamp
    score: float
    components: pd.DataFrame
    left_out: tuple[str, ...]
    history: pd.Series = field(repr=False)
    contributions: pd.DataFrame = field(repr=False)


def score_inputs(
    thesis: Thesis, market: MarketData, config: RegimeConfig
) -> ScoreInputs:
    """Return the composite score's components for ``thesis`` (module table).

    Parameters
    ----------
    thesis : Thesis
        Needs a ``core_spread``.
    market : MarketData
        Pairs with a member missing from its prices are left out (listed).
    config : RegimeConfig
        The weights (``score_*_weight``).
    """
    core = thesis.core_spread
    assert core is not None, "score_inputs needs a thesis with a core spread"
    named = {(p.long, p.short): p.id for p in thesis.spreads}
    core_name = named.get((core.long, core.short), f"{core.long}_vs_{core.short}")
    others = [p for p in thesis.spreads if (p.long, p.short) != (core.long, core.short)]
    pairs = {core_name: (thesis.members(core.long), thesis.members(core.short))}
    pairs |= {p.id: (thesis.members(p.long), thesis.members(p.short)) for p in others}
    sources = {core_name: f"core spread: {core.long} vs {core.short}"}
    sources |= {p.id: f"spreads: {p.long} vs {p.short}" for p in others}
    weights = {core_name: config.score_core_weight}
    weights |= {p.id: config.score_pairs_weight / len(others) for p in others}
    signs = dict.fromkeys(pairs, 1.0)
    left_out = []
    for name, (long, short) in list(pairs.items()):
        missing = [s for s in (*long, *short) if s not in market.prices.columns]
        if missing and name != core_name:
            left_out.append(f"{name}: no prices for {', '.join(missing)}")
            for mapping in (pairs, sources, weights, signs):
                mapping.pop(name)
    copper = "copper" in thesis.panels
    if copper:
        weights["copper_trend"] = config.score_copper_weight
        signs["copper_trend"] = 1.0
        sources["copper_trend"] = "panels: copper"
    correlation, window = _correlation_input(thesis, config, weights, signs, sources)
    return ScoreInputs(
        pairs, correlation, window, copper, weights, signs, sources, tuple(left_out)
    )


def _correlation_input(
    thesis: Thesis,
    config: RegimeConfig,
    weights: dict[str, float],
    signs: dict[str, float],
    sources: dict[str, str],
) -> tuple[dict[str, Sequence[str] | Mapping[str, float]], int | None]:
    """Add the first ``avg_corr(basket, w) <|> x`` pillar's basket, with its sign."""
    for pillar in thesis.pillars:
        tree, rule = pillar.tree, pillar.rule
        if not (
            isinstance(tree, Call)
            and tree.func == "avg_corr"
            and isinstance(tree.args[0], Name)
            and tree.args[0].id in thesis.baskets
            and len(tree.args) > 1
            and isinstance(tree.args[1], Number)
            and rule is not None
            and rule.op != "between"
        ):
            continue
        basket = thesis.baskets[tree.args[0].id]
        name = f"{tree.args[0].id}_correlation"
        weights[name] = config.score_correlation_weight
        # The pillar's rule says which way supports the thesis: "< x" wants
        # the basket's stocks to move apart, so a higher correlation counts
        # against it.
        signs[name] = -1.0 if rule.op in ("<", "<=") else 1.0
        sources[name] = f"pillar {pillar.id}: {pillar.expr} {rule}"
        members = basket.weight_map() or basket.members
        return {name: members}, int(tree.args[1].value)
    return {}, None


def compute_composite_score(analysis: Analysis) -> CompositeScore | Omitted:
    """Compute the composite score of ``analysis``'s thesis (Omitted: why not).

    Notes
    -----
    :func:`rotation.regimes.rotation_score` of
    :func:`rotation.regimes.rotation_components` with the thesis's inputs
    (:func:`score_inputs`): causal expanding z-scores, weights renormalised
    over the components with a value each day. Only data up to t is used.

    NaN handling: see :func:`rotation.regimes.rotation_score`; a component
    without data is left out of the day's sum.
    """
    config = analysis.config.regimes
    inputs = score_inputs(analysis.thesis, analysis.market, config)
    if len(inputs.weights) < 2:
        return Omitted(
            "regimes.score",
            "the composite score needs the core spread and at least one other "
            "component: add 'spreads' pairs, an 'avg_corr(<basket>, w)' pillar "
            "or the copper panel to the thesis"
            + (f" ({'; '.join(inputs.left_out)})" if inputs.left_out else ""),
        )
    components = rotation_components(
        analysis.market,
        pairs=inputs.pairs,
        window=config.score_window,
        copper_window=config.score_copper_window if inputs.copper else None,
        correlation_baskets=inputs.correlation,
        correlation_window=inputs.correlation_window,
        correlation_min_assets=config.score_correlation_min_assets,
    )
    result = rotation_score(
        components,
        weights=inputs.weights,
        signs=inputs.signs,
        min_observations=config.score_min_observations,
    )
    valid = result.score.dropna()
    if valid.empty:
        return Omitted(
            "regimes.score",
            f"not enough history for the composite score as of "
            f"{analysis.as_of.date()} (each component needs "
            f"{config.score_min_observations} sessions of values)",
        )
    date = valid.index[-1]
    table = pd.DataFrame(
        {
            "component": list(inputs.weights),
            "source": [inputs.sources[k] for k in inputs.weights],
            "weight": [inputs.weights[k] for k in inputs.weights],
            "sign": [int(inputs.signs[k]) for k in inputs.weights],
            "zscore": result.zscores.loc[date, list(inputs.weights)].to_numpy(
                dtype=np.float64
            ),
            "contribution": result.contributions.loc[
                date, list(inputs.weights)
            ].to_numpy(dtype=np.float64),
        }
    )
    return CompositeScore(
        date=pd.Timestamp(date),
        score=float(valid.iloc[-1]),
        components=table,
        left_out=inputs.left_out,
        history=result.score,
        contributions=result.contributions,
    )
