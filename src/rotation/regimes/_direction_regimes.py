"""The product's rotation-regime estimator: the sticky direction filter.

An sklearn-style wrapper of :func:`sticky_direction_probability` with the
attributes the rest of the package reads from :class:`MarkovRegimes`
(``filtered_probabilities_``, ``regime_``, ``labels_``, ``fits_``,
``result_``), plus the calibration of its probability (ex-ante, from
Fama-French industries 1926-1999).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from rotation.regimes._direction_filter import (
    causal_standardised,
    sticky_direction_probability,
)
from rotation.regimes._markov_result import MarkovRegimesResult

__all__ = [
    "DIRECTION_CALIBRATION",
    "DIRECTION_MODEL",
    "DirectionRegimes",
    "calibrated_rate",
]

#: The product's model (docs/regimes.md): parameters chosen on Fama-French
#: industries 1926-1999 (lowest Brier score against the ex-post dating among
#: the grid's settings with a median detection delay of at most 20 sessions).
DIRECTION_MODEL: MappingProxyType[str, float] = MappingProxyType(
    {"drift": 0.2, "expected_duration": 250.0, "volatility_half_life": 63.0,
     "clip": 4.0}
)  # fmt: skip

#: Reliability of :data:`DIRECTION_MODEL`'s P(rotation) on Fama-French
#: industries (Manuf+Enrgy+Other minus HiTec) 1927-1999 against the ex-post
#: dating (:func:`rotation.regimes.date_phases`, default rules): for each
#: tenth of the probability, the share of sessions that were, in hindsight,
#: in a rotation phase. Known before 2000, so a report of any date may quote
#: it; recomputed by scripts/validate_regimes.py and checked by a test.
DIRECTION_CALIBRATION: tuple[float, ...] = (
    0.104, 0.161, 0.230, 0.340, 0.395, 0.496, 0.541, 0.641, 0.717, 0.852,
)  # fmt: skip


def calibrated_rate(probability: float) -> float:
    """Hindsight rotation share (FF 1927-1999) for the probability's tenth.

    Parameters
    ----------
    probability : float
        A filtered P(rotation) of :data:`DIRECTION_MODEL`.

    Returns
    -------
    float
        :data:`DIRECTION_CALIBRATION` at ``floor(10 p)`` (``p = 1`` in the
        last bin); NaN for a NaN probability.
    """
    if not np.isfinite(probability):
        return float("nan")
    return DIRECTION_CALIBRATION[min(int(probability * 10.0), 9)]


class DirectionRegimes:
    r"""Filtered direction of a spread: the sticky Hamilton filter as an estimator.

    Parameters
    ----------
    drift : float, default 0.2
        Phase drift in causal-volatility units per session (:math:`m`).
    expected_duration : float, default 250
        Expected phase length in sessions (:math:`1/(1-q)`).
    volatility_half_life : float, default 63
        Half-life of the causal volatility.
    clip : float, default 4
        Clip of the standardised returns.

    Attributes
    ----------
    filtered_probabilities_ : DataFrame of shape (n_sessions, 2)
        ``tech_leadership`` and ``rotation`` probabilities (sum 1), known at
        each session's close.
    regime_ : Series
        The more probable label (``<NA>`` before the volatility exists).
    labels_ : tuple of str
        ``("tech_leadership", "rotation")``.
    observations_ : Series
        The standardised spread :math:`z_t` the filter reads.
    fits_ : DataFrame
        Empty: the parameters are fixed, nothing is refitted.
    engine : str
        ``"filter"``.
    result_ : MarkovRegimesResult
        The outcome with ``current`` and ``summary()``.

    Notes
    -----
    See :func:`rotation.regimes.sticky_direction_probability` for the model
    and the recursion. Every value at t uses data up to the close of t.

    NaN handling: leading NaNs are skipped; a NaN after the first valid value
    raises ``ValueError``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> drift = np.repeat([0.002, -0.002], 400)
    >>> spread = pd.Series(rng.normal(drift, 0.01),
    ...                    index=pd.bdate_range("2001-01-01", periods=800))
    >>> model = DirectionRegimes().fit(spread)
    >>> model.regime_.iloc[350], model.regime_.iloc[-1]
    ('rotation', 'tech_leadership')
    """

    engine = "filter"
    labels_ = ("tech_leadership", "rotation")

    def __init__(
        self,
        *,
        drift: float = 0.2,
        expected_duration: float = 250.0,
        volatility_half_life: float = 63.0,
        clip: float = 4.0,
    ) -> None:
        self.drift = drift
        self.expected_duration = expected_duration
        self.volatility_half_life = volatility_half_life
        self.clip = clip

    def get_params(self) -> dict[str, Any]:
        """Return the hyperparameters as a dict."""
        return {
            "drift": self.drift,
            "expected_duration": self.expected_duration,
            "volatility_half_life": self.volatility_half_life,
            "clip": self.clip,
        }

    def fit(self, spread_returns: pd.Series, y: None = None) -> DirectionRegimes:
        """Filter ``spread_returns`` (daily, long minus short) forward.

        Parameters
        ----------
        spread_returns : Series of shape (n_sessions,)
            Daily spread returns (fractions).
        y : None
            Ignored.

        Returns
        -------
        DirectionRegimes
        """
        rotation = sticky_direction_probability(
            spread_returns,
            drift=self.drift,
            expected_duration=self.expected_duration,
            half_life=self.volatility_half_life,
            clip=self.clip,
        )
        probabilities = pd.DataFrame(
            {"tech_leadership": 1.0 - rotation, "rotation": rotation}
        )
        valid = rotation.notna()
        regime = pd.Series(pd.NA, index=rotation.index, dtype="string", name="regime")
        regime[valid] = np.where(rotation[valid] > 0.5, "rotation", "tech_leadership")
        self.filtered_probabilities_ = probabilities
        self.regime_ = regime
        self.observations_ = causal_standardised(
            spread_returns, half_life=self.volatility_half_life
        )
        self.fits_ = pd.DataFrame(
            {"date": pd.Series(dtype="datetime64[ns]"),
             "converged": pd.Series(dtype=bool), "in_use": pd.Series(dtype=bool)}
        )  # fmt: skip
        self.result_ = MarkovRegimesResult(
            filtered_probabilities=probabilities,
            regime=regime,
            fits=self.fits_,
            observations=self.observations_,
            labels=self.labels_,
        )
        return self
