"""Result objects of the risk part (:func:`rotation.analysis._risk.compute_risk`).

Frozen dataclasses: the report, ``rotation risk`` and ``/api/risk`` encode
them with :func:`rotation.analysis.to_jsonable`; fields with ``repr=False``
(daily frames for charts) stay out of the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rotation.risk import FactorAttribution, FactorExposure

__all__ = [
    "BookSpec",
    "FactorExposures",
    "RegimeRisk",
    "RiskPart",
    "ScenarioPnL",
    "VaRCalibration",
]


@dataclass(frozen=True)
class BookSpec:
    """The positions the part measures.

    Attributes
    ----------
    source : {"thesis", "setting"}
        The thesis's ``book:`` or the ``risk.weights`` override.
    label : str
        The book in words, from the thesis's basket names ("long tangible,
        short tech"; "short tech at 0.5" when scaled) or the weights given.
    long, short : str or None
        The thesis baskets of each leg (None with an override or long only).
    short_weight : float
        Scale of the short leg (0 when long only).
    weights : dict of str to float
        Symbol -> fraction of capital (negative = short), held constant
        (rebalanced daily).
    """

    source: str
    label: str
    long: str | None
    short: str | None
    short_weight: float
    weights: dict[str, float]


@dataclass(frozen=True)
class ScenarioPnL:
    r"""One thesis risk mapped onto the book.

    Attributes
    ----------
    name, description : str
        The risk's id and its scenario in market terms.
    horizon_days : int
        The horizon the thesis states for the shock (informational: the map
        is linear in the shock, not in time).
    shocks, units : dict
        Factor or basket -> shock, and its unit ("bp" or "return").
    pnl : float or None
        :math:`\sum_k \beta_k s_k`; None when the betas could not be
        estimated (``error`` says why).
    contributions : dict of str to float
        :math:`\beta_k s_k` per shocked factor.
    exposure : FactorExposure or None
        Betas, HAC t-values, R-squared and the estimation window.
    error : str
        Why there is no P&L (e.g. a basket without prices), else "".
    """

    name: str
    description: str
    horizon_days: int
    shocks: dict[str, float]
    units: dict[str, str]
    pnl: float | None
    contributions: dict[str, float]
    exposure: FactorExposure | None
    error: str = ""


@dataclass(frozen=True)
class FactorExposures:
    """Fama-French exposures of the book: one regression and rolling betas.

    ``rolling`` (daily, for the report's chart) is not part of the JSON; its
    last row is, as ``rolling_last``.
    """

    attribution: FactorAttribution
    rolling_window: int
    rolling_last: dict[str, Any]
    rolling: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class VaRCalibration:
    """Out-of-sample test of a rolling one-day VaR model (Kupiec, Christoffersen)."""

    method: str
    window: int
    start: str
    end: str
    n_observations: int
    n_exceedances: int
    expected_rate: float
    observed_rate: float
    lr_statistic: float
    p_value: float
    level: float
    rejected_at_5pct: bool
    lr_independence: float
    p_value_independence: float
    lr_conditional_coverage: float
    p_value_conditional_coverage: float


@dataclass(frozen=True)
class RegimeRisk:
    """Risk of the book inside each regime.

    Attributes
    ----------
    source : str
        Where the labels come from (NBER recessions known at each close).
    level : float
        VaR/CVaR level.
    table : DataFrame
        One row per regime: ``regime``, ``n_observations``, ``share``,
        ``mean_return``, ``volatility`` (annualised), ``var``, ``cvar``,
        ``avg_correlation`` (of the book's holdings).
    """

    source: str
    level: float
    table: pd.DataFrame


@dataclass(frozen=True)
class RiskPart:
    """Risk of the thesis's book under the thesis's risks.

    Attributes
    ----------
    as_of : Timestamp
    book : BookSpec
    scenarios : tuple of ScenarioPnL
        The thesis's risk scenarios, in thesis order (empty: ``scenarios_note``).
    scenarios_note : str
        Why there are no scenarios, else "".
    scenario_window, sampling_period : int
    replays : DataFrame
        Today's weights through past stress periods and since the thesis's date.
    factors : FactorExposures or None
        None when the store has no Fama-French factors (``factors_note``).
    factors_note : str
    var_window : int
        Daily returns behind ``var_table``, ``var`` and ``cvar``.
    var_level : float
        The headline level (summary, calibration).
    var, cvar : dict of float to float
        Historical one-day VaR and CVaR by level (losses, fractions).
    var_table : DataFrame
        Every method x level x horizon (``method, level, horizon, var, cvar,
        n_observations, start, end, n_paths, seed``).
    calibration : dict of str to VaRCalibration
    var_forecasts : DataFrame
        The historical model's daily forecasts (``var``, ``realised``,
        ``exceedance``) behind its calibration; for charts, not in the JSON.
    regime_risk : RegimeRisk or None
        None without the NBER indicator in the store.
    summary : str
        The part in words, naming the thesis's book and its risks.
    sources : tuple of str
    """

    as_of: pd.Timestamp
    book: BookSpec
    scenarios: tuple[ScenarioPnL, ...]
    scenarios_note: str
    scenario_window: int
    sampling_period: int
    replays: pd.DataFrame
    factors: FactorExposures | None
    factors_note: str
    var_window: int
    var_level: float
    var: dict[float, float]
    cvar: dict[float, float]
    var_table: pd.DataFrame
    calibration: dict[str, VaRCalibration]
    regime_risk: RegimeRisk | None
    summary: str
    sources: tuple[str, ...]
    var_forecasts: pd.DataFrame = field(repr=False)
