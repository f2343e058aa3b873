"""The analysis settings: every window, grid and model parameter, in one place.

The report, the CLI and the dashboard build an :class:`AnalysisConfig` (the
defaults, or the defaults with a few named overrides) and never pick a window
of their own, so a quantity has one value on every surface.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rotation.exceptions import RotationError

__all__ = [
    "AnalysisConfig",
    "BacktestConfig",
    "ConfigError",
    "IndicatorConfig",
    "RegimeConfig",
    "RiskConfig",
    "ThesisConfig",
    "allowed_settings",
]


class ConfigError(RotationError, ValueError):
    """An override names an unknown setting or gives a value of the wrong type."""


@dataclass(frozen=True)
class IndicatorConfig:
    """Windows of the indicator sections (sessions unless stated).

    Attributes
    ----------
    correlation_window : int
        Average pairwise correlation window of the correlation panels (the
        thesis's ``avg_corr(basket, w)`` pillars bring their own window).
    dispersion_window : int
        Window of the compounded returns whose cross-sectional spread is the
        dispersion.
    rrg_window, rrg_momentum, rrg_tail : int
        Weekly RRG: z-score window, rate-of-change window, tail length (weeks).
    spread_window : int
        Rolling relative-return window of the spreads section.
    long_spread_window : int
        The second, longer relative return shown in the spreads table.
    chart_lookback : int
        How far back the charts of spreads, copper and prices go (~5 years).
    correlation_chart_lookback : int
        How far back the correlation and dispersion charts go (~10 years).
    trend_moving_average, trend_slope_window, drawdown_window : int
        Copper trend gauges on daily prices: moving-average length, the
        window of its slope, and the trailing high of the drawdown (monthly
        series use the same spans in months).
    rates_chart_start, fed_chart_start : str
        First date of the rates and the Fed-funds charts (ISO date); when the
        as-of date is not after it, the charts start ``chart_lookback``
        sessions back instead.
    fed_seps_charted, fed_seps_tabled : int
        Latest dot-plot SEPs drawn on the Fed chart and listed in its table.
    """

    correlation_window: int = 63
    dispersion_window: int = 21
    rrg_window: int = 26
    rrg_momentum: int = 5
    rrg_tail: int = 10
    spread_window: int = 63
    long_spread_window: int = 252
    chart_lookback: int = 1260
    correlation_chart_lookback: int = 2520
    trend_moving_average: int = 200
    trend_slope_window: int = 21
    drawdown_window: int = 252
    rates_chart_start: str = "2018-01-01"
    fed_chart_start: str = "2019-01-01"
    fed_seps_charted: int = 4
    fed_seps_tabled: int = 6


#: Calendar refit frequencies of the regime model (or a number of blocks).
REFIT_FREQUENCIES: tuple[str, ...] = ("W", "M", "Q", "Y")
_MODEL_PARAMS = (
    "n_regimes",
    "refit",
    "window",
    "min_observations",
    "sampling_interval",
    "trailing_blocks",
    "structure",
    "transition",
)


@dataclass(frozen=True)
class RegimeConfig:
    """The rotation-regime model on the thesis's core spread (docs/regimes.md).

    Attributes
    ----------
    method : {"direction", "markov"}
        The regime model: the sticky direction filter
        (:class:`rotation.regimes.DirectionRegimes`, the default, chosen out
        of sample in docs/regimes.md) or the Markov-switching model.
    drift, expected_duration, volatility_half_life, clip
        The direction filter's parameters (``method="direction"``).
    n_regimes, refit, window, min_observations, sampling_interval, \
trailing_blocks, structure, transition
        The :class:`rotation.regimes.MarkovRegimes` model
        (``method="markov"``; ``refit``: W, M, Q, Y or a number of weekly
        blocks).
    min_episode_sessions : int
        Regime runs shorter than this are merged into the previous episode.
    changepoint_expected_run_length, changepoint_max_run_length
        The BOCPD change points of the core spread (:func:`rotation.regimes.bocpd`).
    score_window : int
        Relative-return window of the composite score's spread components.
    score_copper_window : int
        Copper-momentum window (theses with the ``copper`` panel).
    score_min_observations : int
        History needed before a component's causal z-score counts.
    score_core_weight, score_pairs_weight, score_copper_weight, \
score_correlation_weight : float
        Raw weights: the core spread; the thesis's other ``spreads`` pairs
        (shared equally); copper; the ``avg_corr`` basket (renormalised over
        the components present each day).
    score_correlation_min_assets : int
        Fewest basket members with a full window for a correlation value.
    """

    method: str = "direction"
    drift: float = 0.2
    expected_duration: float = 250.0
    volatility_half_life: float = 63.0
    clip: float = 4.0
    n_regimes: int = 2
    refit: str = "Q"
    window: str = "expanding"
    min_observations: int = 52
    sampling_interval: int = 5
    trailing_blocks: int = 22
    structure: str = "direction_volatility"
    transition: str = "kronecker"
    min_episode_sessions: int = 20
    changepoint_expected_run_length: float = 250.0
    changepoint_max_run_length: int = 500
    score_window: int = 63
    score_copper_window: int = 126
    score_min_observations: int = 252
    score_core_weight: float = 0.35
    score_pairs_weight: float = 0.4
    score_copper_weight: float = 0.15
    score_correlation_weight: float = 0.1
    score_correlation_min_assets: int = 3

    def __post_init__(self) -> None:
        refit = str(self.refit)
        if refit not in REFIT_FREQUENCIES and not (refit.isdigit() and int(refit) > 0):
            raise ConfigError(
                f"setting 'regimes.refit' must be one of "
                f"{', '.join(REFIT_FREQUENCIES)} or a positive number of weekly "
                f"blocks (got {self.refit!r})"
            )
        if self.method not in ("direction", "markov"):
            raise ConfigError(
                "setting 'regimes.method' must be 'direction' or 'markov' "
                f"(got {self.method!r})"
            )

    def model_params(self) -> dict[str, Any]:
        """Keyword arguments of :func:`rotation.regimes.make_regime_model`."""
        if self.method == "direction":
            names = ("drift", "expected_duration", "volatility_half_life", "clip")
            return {"method": "direction", **{n: getattr(self, n) for n in names}}
        params: dict[str, Any] = {"method": "markov"}
        params.update({name: getattr(self, name) for name in _MODEL_PARAMS})
        if str(self.refit).isdigit():
            params["refit"] = int(self.refit)
        return params


@dataclass(frozen=True)
class BacktestConfig:
    """The strategies acting on the thesis, the sweep and its robustness checks.

    Attributes
    ----------
    lookback, top_k, skip : int
        Relative momentum on the thesis universe: rank by ``lookback``-session
        return skipping the last ``skip`` sessions, hold the top ``top_k``.
    cost_bps : float
        Trading costs of every strategy, basis points of traded value.
    signal_level : float or None
        Level of thesis health at which the ``health`` book signal turns on
        (None: the thesis's event-study level).
    sweep_lookback, sweep_top_k, sweep_skip : tuple of int
        The sweep grid (24 x 10 x 2 = 480 variants).
    train_sessions : int
        Walk-forward training window.
    pbo_splits : int
        Blocks of the CSCV probability of backtest overfitting.
    rebalance : str
        Decision calendar of momentum, the sweep and equal weight (the book
        strategies follow the thesis's ``book.rebalance``).
    walk_forward_refit : str
        When walk-forward momentum re-picks its variant.
    """

    lookback: int = 126
    top_k: int = 3
    skip: int = 0
    cost_bps: float = 10.0
    signal_level: float | None = None
    sweep_lookback: tuple[int, ...] = tuple(range(20, 251, 10))
    sweep_top_k: tuple[int, ...] = tuple(range(1, 11))
    sweep_skip: tuple[int, ...] = (0, 21)
    train_sessions: int = 756
    pbo_splits: int = 16
    rebalance: str = "month_end"
    walk_forward_refit: str = "year_end"


@dataclass(frozen=True)
class RiskConfig:
    """Windows and settings of the risk part (sessions unless stated).

    Attributes
    ----------
    scenario_window, scenario_sampling : int
        Scenario betas: the last ``scenario_window`` sessions, summed over
        non-overlapping blocks of ``scenario_sampling`` sessions (weekly).
    factor_window, rolling_factor_window : int
        Fama-French regression window and the rolling exposures' window.
    var_window : int
        Daily returns behind the VaR/CVaR table (the one VaR every surface
        shows).
    var_levels, var_horizons : tuple
        Confidence levels and horizons (sessions; multi-day returns compound)
        of the VaR table.
    var_level : float
        The headline level: summary sentence and the Kupiec calibration (one
        of ``var_levels``, or the summary leaves the VaR out).
    var_backtest_window : int
        Rolling window of the calibration's one-day VaR forecasts.
    regime_var_level : float
        VaR/CVaR level inside each regime (NBER recession vs expansion).
    mc_paths, seed : int
        Monte Carlo bootstrap paths and their seed.
    weights : str
        Overrides the thesis book: ``"SYM:W,SYM:W"`` (``SYM=W`` also works),
        weights as fractions of capital, negative = short. Empty: the book
        of the thesis.
    """

    scenario_window: int = 756
    scenario_sampling: int = 5
    factor_window: int = 756
    rolling_factor_window: int = 252
    var_window: int = 1000
    var_levels: tuple[float, ...] = (0.95, 0.99)
    var_horizons: tuple[int, ...] = (1, 10)
    var_backtest_window: int = 500
    var_level: float = 0.99
    regime_var_level: float = 0.95
    mc_paths: int = 100_000
    seed: int = 0
    weights: str = ""


@dataclass(frozen=True)
class ThesisConfig:
    """Settings of the thesis evaluation: what changed, the event study."""

    change_lookback: int = 21
    n_boot: int = 1000
    seed: int = 0
    min_coverage: float = 0.5


@dataclass(frozen=True)
class AnalysisConfig:
    """Every setting of an :class:`~rotation.analysis.Analysis`, frozen.

    Build variants with :meth:`with_overrides` (dotted names, e.g.
    ``{"backtest.lookback": 63}``); :meth:`digest` keys caches.
    """

    indicators: IndicatorConfig = field(default_factory=IndicatorConfig)
    regimes: RegimeConfig = field(default_factory=RegimeConfig)
    backtest: BacktestConfig = field(default_factory=BacktestConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    thesis: ThesisConfig = field(default_factory=ThesisConfig)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Return the settings as nested plain dicts (JSON-serialisable)."""
        return dataclasses.asdict(self)

    def digest(self) -> str:
        """Return a short hash of every setting (a cache key part)."""
        text = json.dumps(self.as_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_overrides(self, overrides: Mapping[str, Any]) -> AnalysisConfig:
        """Return a copy with ``{"group.name": value}`` settings replaced.

        Raises
        ------
        ConfigError
            Naming the setting and the allowed names or the expected type.
        """
        groups: dict[str, dict[str, Any]] = {}
        for dotted, value in overrides.items():
            group, _, name = str(dotted).partition(".")
            current = getattr(self, group, None) if group in _GROUPS else None
            if current is None or name not in _fields(current):
                raise ConfigError(_unknown_setting(str(dotted)))
            groups.setdefault(group, {})[name] = _coerce(
                dotted, value, getattr(current, name)
            )
        return dataclasses.replace(
            self,
            **{
                g: dataclasses.replace(getattr(self, g), **v) for g, v in groups.items()
            },
        )


_GROUPS = ("indicators", "regimes", "backtest", "risk", "thesis")


def _fields(obj: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(obj)]


def _unknown_setting(dotted: str) -> str:
    """Name the nearest settings, and the group's settings when the group exists."""
    import difflib

    names = allowed_settings()
    near = difflib.get_close_matches(dotted, names, n=3, cutoff=0.6)
    group = dotted.partition(".")[0]
    in_group = [n for n in names if n.startswith(f"{group}.")]
    allowed = in_group or [f"{g}.*" for g in _GROUPS]
    hint = f"did you mean {', '.join(near)}? " if near else ""
    return (
        f"unknown setting {dotted!r}; {hint}allowed: {', '.join(allowed)} "
        "(`rotation.analysis.allowed_settings()` or /api/health list them all)"
    )


def allowed_settings() -> list[str]:
    """Every dotted setting name :meth:`AnalysisConfig.with_overrides` accepts."""
    default = AnalysisConfig()
    return [f"{g}.{n}" for g in _GROUPS for n in _fields(getattr(default, g))]


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Convert ``value`` to the type of the setting's default value."""
    try:
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() == "true"
        if isinstance(default, int):
            number = float(value)
            if not number.is_integer():
                raise ValueError
            return int(number)
        if isinstance(default, float) or default is None:
            return None if value is None else float(value)
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            kind = type(default[0]) if default else float
            return tuple(_coerce(name, v, kind()) for v in items if v != "")
        return str(value)
    except (TypeError, ValueError):
        expected = type(default).__name__ if default is not None else "float"
        raise ConfigError(
            f"setting {name!r} must be a {expected} (got {value!r})"
        ) from None
