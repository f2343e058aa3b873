"""The analysis layer: one typed, immutable Analysis behind every surface.

An :class:`Analysis` is built from a point-in-time :class:`Snapshot`, a
:class:`~rotation.thesis.Thesis` and a frozen :class:`AnalysisConfig`; each
part (thesis check, indicators, regimes, backtests, risk, coverage, headline)
is computed on first access, once. The report, the CLI and the dashboard only
render its attributes, so one quantity has one value on every surface.

This package never imports the store, the report, the web stack or typer.
"""

from __future__ import annotations

from rotation.analysis._analysis import PARTS, Analysis
from rotation.analysis._as_of import AsOfError, resolve_as_of
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
from rotation.analysis._json import series_points, to_jsonable
from rotation.analysis._macro import ClaimedLevel, Copper, Fed, Rates
from rotation.analysis._omitted import Omitted
from rotation.analysis._prices import PricePanel, PricePanels
from rotation.analysis._regime_fit import RegimeFit
from rotation.analysis._regime_score import CompositeScore
from rotation.analysis._regimes import ChangePoints, Regimes, RegimeState
from rotation.analysis._risk_results import (
    BookSpec,
    FactorExposures,
    RegimeRisk,
    RiskPart,
    ScenarioPnL,
    VaRCalibration,
)
from rotation.analysis._rrg import RotationGraph
from rotation.analysis._snapshot import Snapshot, point_in_time_coverage
from rotation.analysis._spreads import SpreadLatest, Spreads
from rotation.analysis._thesis_check import (
    EventStudies,
    PillarCheck,
    RiskCheck,
    ThesisCheck,
    ThesisInfo,
)

# The thesis types the shells need, re-exported: shells reach the core only
# through this package, rotation.data and rotation.market.
from rotation.thesis import (
    ExpressionError,
    Thesis,
    ThesisError,
    load_thesis,
)

__all__ = [
    "INDICATORS",
    "PARTS",
    "STRATEGY_NAMES",
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
    "Headline",
    "HeadlineNumber",
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
    "VaRCalibration",
    "WalkForwardChoice",
    "allowed_settings",
    "default_benchmark",
    "default_symbols",
    "explore_indicator",
    "load_grid",
    "load_thesis",
    "point_in_time_coverage",
    "resolve_as_of",
    "series_points",
    "sweep_inputs",
    "to_jsonable",
]
