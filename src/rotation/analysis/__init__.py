"""The analysis layer: one typed, immutable Analysis behind every surface.

An :class:`Analysis` is built from a point-in-time :class:`Snapshot`, a
:class:`~rotation.thesis.Thesis` and a frozen :class:`AnalysisConfig`; each
part (thesis check, indicators, regimes, backtests, risk, coverage, headline)
is computed on first access, once. The report, the CLI and the dashboard only
render its attributes, so one quantity has one value on every surface.

This package never imports the store, the report, the web stack or typer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rotation.analysis._as_of import AsOfError, resolve_as_of
from rotation.analysis._config import (
    AnalysisConfig,
    BacktestConfig,
    ConfigError,
    IndicatorConfig,
    RegimeConfig,
    RiskConfig,
    ThesisConfig,
    allowed_settings,
)
from rotation.analysis._json import series_points, to_jsonable
from rotation.analysis._omitted import Omitted
from rotation.analysis._snapshot import Snapshot, point_in_time_coverage

if TYPE_CHECKING:
    from rotation.analysis._analysis import PARTS, Analysis
    from rotation.analysis._backtest_results import (
        Backtests,
        BookSignal,
        Curves,
        StrategyBacktest,
        SweepHeatmap,
        SweepRobustness,
        TearSheet,
        WalkForwardChoice,
    )
    from rotation.analysis._backtests import STRATEGY_NAMES, load_grid, sweep_inputs
    from rotation.analysis._basket_pair import BasketPair
    from rotation.analysis._correlation import BasketCorrelation, Correlation
    from rotation.analysis._coverage import Coverage
    from rotation.analysis._explorer import (
        INDICATORS,
        ExplorerError,
        IndicatorExploration,
        default_benchmark,
        default_symbols,
        explore_indicator,
    )
    from rotation.analysis._headline import Headline, HeadlineNumber
    from rotation.analysis._macro import ClaimedLevel, Copper, Fed, Rates
    from rotation.analysis._prices import PricePanel, PricePanels
    from rotation.analysis._regime_fit import RegimeFit
    from rotation.analysis._regime_score import CompositeScore
    from rotation.analysis._regimes import (
        ChangePoints,
        HindsightPhases,
        Regimes,
        RegimeState,
    )
    from rotation.analysis._risk_results import (
        BookSpec,
        FactorExposures,
        RegimeRisk,
        RiskPart,
        ScenarioPnL,
        VaRCalibration,
    )
    from rotation.analysis._rrg import RotationGraph
    from rotation.analysis._spreads import SpreadLatest, Spreads
    from rotation.analysis._thesis_check import (
        EventStudies,
        PillarCheck,
        RiskCheck,
        ThesisCheck,
        ThesisInfo,
    )
    from rotation.analysis._watch import (
        WATCH_FLIPPED_EXIT,
        Flip,
        ThesisWatch,
        WatchItem,
        WatchRun,
        compare_runs,
        previous_run,
        watch_from_record,
        watch_run,
    )
    from rotation.thesis import ExpressionError, Thesis, ThesisError, load_thesis

#: Names imported on first use: the parts pull in the whole core (numba,
#: statsmodels, scikit-learn...), which a command that reads cached results
#: or only validates an as-of date never needs (cold start, issue 17).
_LAZY: dict[str, str] = {
    "WATCH_FLIPPED_EXIT": "rotation.analysis._watch",
    "Flip": "rotation.analysis._watch",
    "ThesisWatch": "rotation.analysis._watch",
    "WatchItem": "rotation.analysis._watch",
    "WatchRun": "rotation.analysis._watch",
    "compare_runs": "rotation.analysis._watch",
    "previous_run": "rotation.analysis._watch",
    "watch_from_record": "rotation.analysis._watch",
    "watch_run": "rotation.analysis._watch",
    "Analysis": "rotation.analysis._analysis",
    "Backtests": "rotation.analysis._backtest_results",
    "BasketCorrelation": "rotation.analysis._correlation",
    "BasketPair": "rotation.analysis._basket_pair",
    "BookSignal": "rotation.analysis._backtest_results",
    "BookSpec": "rotation.analysis._risk_results",
    "ChangePoints": "rotation.analysis._regimes",
    "ClaimedLevel": "rotation.analysis._macro",
    "CompositeScore": "rotation.analysis._regime_score",
    "Copper": "rotation.analysis._macro",
    "Correlation": "rotation.analysis._correlation",
    "Coverage": "rotation.analysis._coverage",
    "Curves": "rotation.analysis._backtest_results",
    "EventStudies": "rotation.analysis._thesis_check",
    "ExplorerError": "rotation.analysis._explorer",
    "ExpressionError": "rotation.thesis",
    "FactorExposures": "rotation.analysis._risk_results",
    "Fed": "rotation.analysis._macro",
    "Headline": "rotation.analysis._headline",
    "HindsightPhases": "rotation.analysis._regimes",
    "HeadlineNumber": "rotation.analysis._headline",
    "INDICATORS": "rotation.analysis._explorer",
    "IndicatorExploration": "rotation.analysis._explorer",
    "PARTS": "rotation.analysis._analysis",
    "PillarCheck": "rotation.analysis._thesis_check",
    "PricePanel": "rotation.analysis._prices",
    "PricePanels": "rotation.analysis._prices",
    "Rates": "rotation.analysis._macro",
    "RegimeFit": "rotation.analysis._regime_fit",
    "RegimeRisk": "rotation.analysis._risk_results",
    "RegimeState": "rotation.analysis._regimes",
    "Regimes": "rotation.analysis._regimes",
    "RiskCheck": "rotation.analysis._thesis_check",
    "RiskPart": "rotation.analysis._risk_results",
    "RotationGraph": "rotation.analysis._rrg",
    "STRATEGY_NAMES": "rotation.analysis._backtests",
    "ScenarioPnL": "rotation.analysis._risk_results",
    "SpreadLatest": "rotation.analysis._spreads",
    "Spreads": "rotation.analysis._spreads",
    "StrategyBacktest": "rotation.analysis._backtest_results",
    "SweepHeatmap": "rotation.analysis._backtest_results",
    "SweepRobustness": "rotation.analysis._backtest_results",
    "TearSheet": "rotation.analysis._backtest_results",
    "Thesis": "rotation.thesis",
    "ThesisCheck": "rotation.analysis._thesis_check",
    "ThesisError": "rotation.thesis",
    "ThesisInfo": "rotation.analysis._thesis_check",
    "VaRCalibration": "rotation.analysis._risk_results",
    "WalkForwardChoice": "rotation.analysis._backtest_results",
    "default_benchmark": "rotation.analysis._explorer",
    "default_symbols": "rotation.analysis._explorer",
    "explore_indicator": "rotation.analysis._explorer",
    "load_grid": "rotation.analysis._backtests",
    "load_thesis": "rotation.thesis",
    "sweep_inputs": "rotation.analysis._backtests",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rotation.analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "INDICATORS",
    "PARTS",
    "STRATEGY_NAMES",
    "WATCH_FLIPPED_EXIT",
    "Analysis",
    "AnalysisConfig",
    "AsOfError",
    "BacktestConfig",
    "Backtests",
    "BasketCorrelation",
    "BasketPair",
    "BookSignal",
    "BookSpec",
    "ChangePoints",
    "ClaimedLevel",
    "CompositeScore",
    "ConfigError",
    "Copper",
    "Correlation",
    "Coverage",
    "Curves",
    "EventStudies",
    "ExplorerError",
    "ExpressionError",
    "FactorExposures",
    "Fed",
    "Flip",
    "Headline",
    "HeadlineNumber",
    "HindsightPhases",
    "IndicatorConfig",
    "IndicatorExploration",
    "Omitted",
    "PillarCheck",
    "PricePanel",
    "PricePanels",
    "Rates",
    "RegimeConfig",
    "RegimeFit",
    "RegimeRisk",
    "RegimeState",
    "Regimes",
    "RiskCheck",
    "RiskConfig",
    "RiskPart",
    "RotationGraph",
    "ScenarioPnL",
    "Snapshot",
    "SpreadLatest",
    "Spreads",
    "StrategyBacktest",
    "SweepHeatmap",
    "SweepRobustness",
    "TearSheet",
    "Thesis",
    "ThesisCheck",
    "ThesisConfig",
    "ThesisError",
    "ThesisInfo",
    "ThesisWatch",
    "VaRCalibration",
    "WalkForwardChoice",
    "WatchItem",
    "WatchRun",
    "allowed_settings",
    "compare_runs",
    "default_benchmark",
    "default_symbols",
    "explore_indicator",
    "load_grid",
    "load_thesis",
    "point_in_time_coverage",
    "previous_run",
    "resolve_as_of",
    "series_points",
    "sweep_inputs",
    "to_jsonable",
    "watch_from_record",
    "watch_run",
]
