"""Rotation regimes (pure core): what a trader would have known on the day.

Composite score
    :func:`rotation_score` (returns :class:`RotationScore`),
    :func:`causal_zscore`, :func:`rotation_components`,
    :func:`fama_french_components`
Markov-switching regimes (filtered probabilities only)
    :class:`MarkovRegimes` (result :class:`MarkovRegimesResult`),
    :func:`hamilton_filter`, :func:`baum_welch`, :func:`regime_labels`,
    :func:`factorial_em` and :func:`kronecker_transition` (the direction x
    volatility model, ``MarkovRegimes(structure="direction_volatility")``)
Online change points
    :func:`bocpd` (returns :class:`ChangePointResult`),
    :class:`OnlineChangePoints` (streaming, ``partial_fit``), :func:`cusum`
Episodes and validation
    :func:`regime_episodes`, :func:`detection_delay`
Spreads and providers
    :func:`basket_spread_returns`, :func:`fama_french_spread_returns`,
    :func:`regime_probability_series`, :func:`regime_inputs`,
    :data:`ROTATION_MODEL`

Every output at date t uses data up to the close of t only.
"""

from __future__ import annotations

from rotation.regimes._changepoint import ChangePointResult, bocpd, cusum
from rotation.regimes._em import baum_welch
from rotation.regimes._episodes import detection_delay, regime_episodes
from rotation.regimes._factorial_em import factorial_em, kronecker_transition
from rotation.regimes._hamilton import hamilton_filter, steady_state_probabilities
from rotation.regimes._markov import (
    MarkovRegimes,
    MarkovRegimesResult,
    RegimeConvergenceWarning,
    regime_labels,
)
from rotation.regimes._online import OnlineChangePoints
from rotation.regimes._provider import (
    ROTATION_MODEL,
    regime_inputs,
    regime_probability_series,
)
from rotation.regimes._score import (
    DEFAULT_SIGNS,
    DEFAULT_WEIGHTS,
    RotationScore,
    causal_zscore,
    rotation_score,
)
from rotation.regimes._spreads import (
    AI_LARGE,
    TANGIBLE,
    TECH,
    basket_spread_returns,
    fama_french_components,
    fama_french_spread_returns,
    rotation_components,
)

__all__ = [
    "AI_LARGE",
    "DEFAULT_SIGNS",
    "DEFAULT_WEIGHTS",
    "TANGIBLE",
    "TECH",
    "ChangePointResult",
    "MarkovRegimes",
    "MarkovRegimesResult",
    "OnlineChangePoints",
    "ROTATION_MODEL",
    "RegimeConvergenceWarning",
    "RotationScore",
    "basket_spread_returns",
    "baum_welch",
    "bocpd",
    "causal_zscore",
    "cusum",
    "detection_delay",
    "factorial_em",
    "fama_french_components",
    "fama_french_spread_returns",
    "hamilton_filter",
    "kronecker_transition",
    "regime_episodes",
    "regime_inputs",
    "regime_labels",
    "regime_probability_series",
    "rotation_components",
    "rotation_score",
    "steady_state_probabilities",
]
