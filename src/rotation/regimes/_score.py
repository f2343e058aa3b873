"""Composite rotation score: weighted causal z-scores of rotation indicators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from rotation.regimes._validation import check_positive_int

__all__ = [
    "DEFAULT_SIGNS",
    "DEFAULT_WEIGHTS",
    "RotationScore",
    "causal_zscore",
    "rotation_score",
]

#: Default component weights (normalised over the components present each day).
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "tangible_vs_tech": 0.35,
    "small_vs_large": 0.2,
    "value_vs_growth": 0.2,
    "copper_trend": 0.15,
    "ai_correlation": 0.1,
}
#: +1 where a higher value means more rotation, -1 where lower does: a falling
#: correlation among AI stocks is the thesis's rotation signal.
DEFAULT_SIGNS: Mapping[str, float] = {"ai_correlation": -1.0}


def causal_zscore(
    values: pd.Series | pd.DataFrame,
    *,
    window: int | None = None,
    min_observations: int = 252,
    center: bool = True,
) -> pd.Series | pd.DataFrame:
    r"""Z-score of each value against the history known up to its date.

    Parameters
    ----------
    values : Series or DataFrame of shape (n_observations, n_columns)
        Indicator values.
    window : int, optional
        Trailing observations of the reference history; ``None`` (default)
        uses all history so far (expanding).
    min_observations : int, default 252
        Observations needed before a z-score is given.
    center : bool, default True
        Subtract the historical mean. With ``False`` the scale is the root
        mean square, so zero keeps its meaning (useful for relative returns,
        where zero is "no rotation").

    Returns
    -------
    Series or DataFrame
        Same shape, index and columns as ``values``.

    Notes
    -----
    .. math::

        z_t = \frac{x_t - \bar x_{\le t}}{s_{\le t}}, \qquad
        \bar x_{\le t} = \text{mean}(x_u : u \le t), \quad
        s_{\le t} = \text{std}(x_u : u \le t),

    over the trailing ``window`` observations (or all so far). With
    ``center=False``, :math:`\bar x = 0` and
    :math:`s = \sqrt{\text{mean}(x_u^2)}`. Only data up to t is used.

    NaN handling: NaN values are skipped in the statistics and stay NaN in
    the output; NaN until ``min_observations`` valid values are seen.
    """
    check_positive_int(min_observations, "min_observations", minimum=2)
    if window is not None:
        window = check_positive_int(window, "window", minimum=2)
        if window < min_observations:
            raise ValueError(
                f"window ({window}) must be >= min_observations ({min_observations})."
            )
    roll: Any
    if center:
        roll = (
            values.expanding(min_periods=min_observations)
            if window is None
            else values.rolling(window, min_periods=min_observations)
        )
        mean = roll.mean()
        std = roll.std(ddof=1)
        return (values - mean) / std.where(std > 0)
    squares = values * values
    roll = (
        squares.expanding(min_periods=min_observations)
        if window is None
        else squares.rolling(window, min_periods=min_observations)
    )
    scale = np.sqrt(roll.mean())
    return values / scale.where(scale > 0)


@dataclass(frozen=True)
class RotationScore:
    """Immutable outcome of :func:`rotation_score`.

    Attributes
    ----------
    score : Series
        The composite score on each date (positive: rotation).
    zscores : DataFrame
        Causal z-score of each component (before signs and weights).
    contributions : DataFrame
        Each component's signed, weighted share of the score; the row sums
        equal ``score``.
    weights : dict
        Raw weight of each component.
    signs : dict
        Sign of each component (+1 or -1).
    """

    score: pd.Series
    zscores: pd.DataFrame
    contributions: pd.DataFrame
    weights: dict[str, float]
    signs: dict[str, float]

    @cached_property
    def current(self) -> dict[str, Any]:
        """The last date with a score: score and contributions."""
        valid = self.score.dropna()
        if valid.empty:
            return {"date": None, "score": None, "contributions": {}}
        date = valid.index[-1]
        row = self.contributions.loc[date]
        return {
            "date": pd.Timestamp(date).date().isoformat(),
            "score": float(valid.iloc[-1]),
            "contributions": {
                str(k): (None if pd.isna(v) else float(v)) for k, v in row.items()
            },
        }

    def summary(self) -> str:
        """Plain-text summary of the latest score and its components."""
        current = self.current
        if current["date"] is None:
            return "Rotation score: no value yet (not enough history)."
        lines = [f"Rotation score as of {current['date']}: {current['score']:+.2f}"]
        for name, value in current["contributions"].items():
            shown = "n/a" if value is None else f"{value:+.2f}"
            lines.append(f"  {name:>18}: {shown} (weight {self.weights[name]:.2f})")
        return "\n".join(lines)


def rotation_score(
    components: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    signs: Mapping[str, float] | None = None,
    window: int | None = None,
    min_observations: int = 252,
    center: bool | Mapping[str, bool] = True,
) -> RotationScore:
    r"""Weighted sum of causal z-scores of the rotation components.

    Parameters
    ----------
    components : DataFrame of shape (n_observations, n_components)
        Indicator values, e.g. from :func:`rotation_components`.
    weights : mapping of str to float, optional
        Non-negative weight per component; defaults to
        :data:`DEFAULT_WEIGHTS` for the columns it names, else equal weights.
        Components not named get no weight (and are not used).
    signs : mapping of str to float, optional
        +1 or -1 per component (default :data:`DEFAULT_SIGNS`, others +1).
    window, min_observations, center
        Passed to :func:`causal_zscore`; ``center`` may be a mapping per
        component.

    Returns
    -------
    RotationScore

    Notes
    -----
    With :math:`A_t` the components that have a z-score at t,

    .. math::

        \text{score}_t = \sum_{i \in A_t} c_{i,t}, \qquad
        c_{i,t} = \frac{w_i\, s_i\, z_{i,t}}{\sum_{j \in A_t} w_j}.

    Weights are renormalised over the components available each day, so a
    component that starts later (e.g. small caps in 2000) does not pull the
    score toward zero before it exists.

    NaN handling: NaN where no component has a z-score; otherwise missing
    components are left out of that day's sum (their contribution is NaN).
    """
    if not isinstance(components, pd.DataFrame):
        raise TypeError(
            "components must be a DataFrame of shape (n_observations, "
            f"n_components) (got {type(components).__name__})."
        )
    if weights is None:
        named = {k: v for k, v in DEFAULT_WEIGHTS.items() if k in components.columns}
        weights = named or {str(c): 1.0 for c in components.columns}
    unknown = [k for k in weights if k not in components.columns]
    if unknown:
        raise KeyError(
            f"weights name components that are not columns: {unknown}; "
            f"columns: {list(components.columns)}"
        )
    if any((not np.isfinite(float(w))) or float(w) < 0 for w in weights.values()):
        raise ValueError(f"weights must be finite and >= 0 (got {dict(weights)}).")
    if sum(float(w) for w in weights.values()) <= 0:
        raise ValueError(f"weights must not all be zero (got {dict(weights)}).")
    names = list(weights)
    sign_map = {name: 1.0 for name in names}
    sign_map.update(
        {
            k: float(v)
            for k, v in (DEFAULT_SIGNS if signs is None else signs).items()
            if k in sign_map
        }
    )
    bad_signs = {k: v for k, v in sign_map.items() if v not in (1.0, -1.0)}
    if bad_signs:
        raise ValueError(f"signs must be +1 or -1 (got {bad_signs}).")
    zscores = pd.DataFrame(index=components.index)
    for name in names:
        centred = center if isinstance(center, bool) else bool(center.get(name, True))
        zscores[name] = causal_zscore(
            components[name].astype(np.float64),
            window=window,
            min_observations=min_observations,
            center=centred,
        )
    weight_vector = np.array([float(weights[n]) for n in names])
    sign_vector = np.array([sign_map[n] for n in names])
    z = zscores.to_numpy()
    available = np.isfinite(z)
    total = (available * weight_vector).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = (
            np.where(available, z * weight_vector * sign_vector, np.nan)
            / np.where(total > 0, total, np.nan)[:, None]
        )
    contributions = pd.DataFrame(contrib, index=components.index, columns=names)
    score_values = np.where(
        total > 0, np.nansum(np.nan_to_num(contrib, nan=0.0), axis=1), np.nan
    )
    score = pd.Series(score_values, index=components.index, name="rotation_score")
    return RotationScore(
        score=score,
        zscores=zscores,
        contributions=contributions,
        weights={n: float(weights[n]) for n in names},
        signs=sign_map,
    )
