"""Risk: covariance, VaR/CVaR and its calibration, factors, scenarios, regimes.

Everything here is pure: functions take returns, weights, factor changes
and regime labels as pandas/numpy objects and return pandas/numpy objects or
immutable results. Losses (VaR, CVaR) are positive fractions of capital.
"""

from __future__ import annotations

from rotation.risk._attribution import (
    FactorAttribution,
    factor_attribution,
    newey_west_lags,
    rolling_factor_exposures,
)
from rotation.risk._calibration import (
    ChristoffersenResult,
    KupiecResult,
    VaRBacktest,
    christoffersen_test,
    kupiec_test,
    rolling_value_at_risk,
    var_backtest,
)
from rotation.risk._covariance import (
    OAS,
    CovarianceMethod,
    EWMACovariance,
    LedoitWolf,
    SampleCovariance,
    covariance,
    ledoit_wolf_shrinkage,
)
from rotation.risk._market_factors import (
    FAMA_FRENCH_IDS,
    MARKET_FACTORS,
    equity_sessions,
    fama_french_factors,
    scenario_factors,
    session_returns,
)
from rotation.risk._regime_risk import regime_risk
from rotation.risk._replay import (
    HistoricalPeriod,
    default_historical_periods,
    historical_replay,
)
from rotation.risk._scenarios import (
    FACTOR_UNITS,
    FactorExposure,
    Scenario,
    ScenarioResult,
    apply_scenario,
    estimate_exposure,
    run_scenarios,
    shock_unit,
)
from rotation.risk._validation import HasReturns, portfolio_returns
from rotation.risk._var import (
    RiskEstimate,
    VaRMethod,
    cornish_fisher_quantile,
    historical_var_cvar,
    value_at_risk,
    var_table,
)

__all__ = [
    "FACTOR_UNITS",
    "FAMA_FRENCH_IDS",
    "MARKET_FACTORS",
    "OAS",
    "ChristoffersenResult",
    "CovarianceMethod",
    "EWMACovariance",
    "FactorAttribution",
    "FactorExposure",
    "HasReturns",
    "HistoricalPeriod",
    "KupiecResult",
    "LedoitWolf",
    "RiskEstimate",
    "SampleCovariance",
    "Scenario",
    "ScenarioResult",
    "VaRBacktest",
    "VaRMethod",
    "apply_scenario",
    "christoffersen_test",
    "cornish_fisher_quantile",
    "covariance",
    "default_historical_periods",
    "equity_sessions",
    "estimate_exposure",
    "factor_attribution",
    "fama_french_factors",
    "historical_replay",
    "historical_var_cvar",
    "kupiec_test",
    "ledoit_wolf_shrinkage",
    "newey_west_lags",
    "portfolio_returns",
    "regime_risk",
    "rolling_factor_exposures",
    "rolling_value_at_risk",
    "run_scenarios",
    "scenario_factors",
    "session_returns",
    "shock_unit",
    "value_at_risk",
    "var_backtest",
    "var_table",
]
