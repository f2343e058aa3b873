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
Filtered direction of the drift (the product's model)
    :class:`DirectionRegimes` (:data:`DIRECTION_MODEL`, calibration
    :data:`DIRECTION_CALIBRATION`, :func:`calibrated_rate`),
    :func:`sticky_direction_probability`, :func:`drift_changepoint_probability`,
    :func:`causal_standardised`; baselines :func:`trailing_sign`,
    :func:`moving_average_crossover`
Ex-post dating (hindsight, the yardstick only) and scores
    :func:`date_phases` (returns :class:`PhaseDating`),
    :func:`score_rotation_signal` (returns :class:`SignalScores`),
    :func:`reliability_curve`
Episodes and validation
    :func:`regime_episodes`, :func:`detection_delay`
Spreads and providers
    :func:`basket_spread_returns`, :func:`fama_french_spread_returns`,
    :func:`regime_probability_series`, :func:`regime_inputs`,
    :data:`ROTATION_MODEL`

Every output at date t uses data up to the close of t only.
"""

from __future__ import annotations

from rotation.regimes._baselines import moving_average_crossover, trailing_sign
from rotation.regimes._changepoint import ChangePointResult, bocpd, cusum
from rotation.regimes._dating import PhaseDating, date_phases
from rotation.regimes._direction_filter import (
    causal_standardised,
    drift_changepoint_probability,
    sticky_direction_probability,
)
from rotation.regimes._direction_regimes import (
    DIRECTION_CALIBRATION,
    DIRECTION_MODEL,
    DirectionRegimes,
    calibrated_rate,
)
from rotation.regimes._em import baum_welch
from rotation.regimes._episodes import detection_delay, regime_episodes
from rotation.regimes._evaluation import (
    SignalScores,
    reliability_curve,
    score_rotation_signal,
)
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
    MARKOV_MODEL,
    ROTATION_MODEL,
    make_regime_model,
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
    "DIRECTION_CALIBRATION",
    "DIRECTION_MODEL",
    "DirectionRegimes",
    "MARKOV_MODEL",
    "make_regime_model",
    "PhaseDating",
    "SignalScores",
    "calibrated_rate",
    "causal_standardised",
    "date_phases",
    "drift_changepoint_probability",
    "moving_average_crossover",
    "reliability_curve",
    "score_rotation_signal",
    "sticky_direction_probability",
    "trailing_sign",
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
