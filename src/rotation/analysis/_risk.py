"""The risk part: what the thesis's own risks would do to the thesis's book.

The book comes from the thesis (``book:``: long basket at +1 in total, short
basket at ``-short_weight``), or from the ``risk.weights`` setting when a user
overrides it. The scenarios are the thesis's risks and nothing else; each
shock names a market factor or one of the thesis's baskets. Historical
replays, Fama-French exposures, the VaR/CVaR table with its Kupiec
calibration and risk by NBER regime complete the part. Every surface (the
report, ``rotation risk``, ``/api/risk``) shows these objects, so the VaR has
one value and one window everywhere (``risk.var_window``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from rotation.analysis._config import ConfigError, RiskConfig
from rotation.analysis._omitted import Omitted
from rotation.analysis._risk_results import (
    BookSpec,
    FactorExposures,
    RegimeRisk,
    RiskPart,
    ScenarioPnL,
    VaRCalibration,
)
from rotation.market import MarketData
from rotation.risk import (
    HistoricalPeriod,
    Scenario,
    VaRMethod,
    apply_scenario,
    default_historical_periods,
    equity_sessions,
    estimate_exposure,
    factor_attribution,
    fama_french_factors,
    historical_replay,
    portfolio_returns,
    regime_risk,
    rolling_factor_exposures,
    scenario_factors,
    session_returns,
    shock_unit,
    var_backtest,
    var_table,
)
from rotation.thesis import Thesis

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = [
    "BookSpec",
    "FactorExposures",
    "RegimeRisk",
    "RiskPart",
    "ScenarioPnL",
    "VaRCalibration",
    "compute_risk",
    "parse_weights",
    "thesis_book",
]

CalibratedMethod = Literal["historical", "normal", "cornish_fisher", "ewma_normal"]
#: Methods of the VaR table; the calibration backtests the one-day ones that
#: have a rolling forecast (Monte Carlo is left out: 6,000 refits).
VAR_METHODS: tuple[VaRMethod, ...] = (
    "historical",
    "normal",
    "cornish_fisher",
    "ewma_normal",
    "monte_carlo_bootstrap",
)
CALIBRATED_METHODS: tuple[CalibratedMethod, ...] = (
    "historical",
    "normal",
    "cornish_fisher",
    "ewma_normal",
)
#: Largest absolute weight ``risk.weights`` takes (10x capital in one name).
MAX_WEIGHT = 10.0
SOURCES: tuple[str, ...] = (
    "Yahoo Finance adjusted closes",
    "FRED (DGS2, DGS3MO, DGS10, T10YIE, USREC)",
    "Kenneth R. French Data Library",
)


# -- the book ----------------------------------------------------------------
def _unit_weights(thesis: Thesis, basket: str) -> dict[str, float]:
    spec = thesis.baskets[basket]
    raw = spec.weight_map() or {m: 1.0 for m in spec.members}
    total = sum(raw.values())
    return {m: w / total for m, w in raw.items()}


def thesis_book(thesis: Thesis) -> BookSpec | None:
    """Return the thesis's book as weights (None when the thesis has no ``book:``).

    Long basket members sum to +1 (basket weights, else equal), short basket
    members to ``-short_weight``; a symbol in both legs gets the sum.
    """
    book = thesis.book
    if book is None:
        return None
    weights = dict(_unit_weights(thesis, book.long))
    short = book.short if book.short_weight > 0 else None
    label = f"long {book.long}"
    if short is not None:
        for symbol, w in _unit_weights(thesis, short).items():
            weights[symbol] = weights.get(symbol, 0.0) - book.short_weight * w
        label += f", short {short}"
        label += "" if book.short_weight == 1.0 else f" at {book.short_weight:g}"
    scale = book.short_weight if short is not None else 0.0
    return BookSpec("thesis", label, book.long, short, scale, weights)


def parse_weights(text: str) -> dict[str, float]:
    """``"XLI:0.5,XLK:-0.5"`` (or ``XLI=0.5``) -> ``{"XLI": 0.5, "XLK": -0.5}``.

    Symbols are upper-cased; the last ``:`` or ``=`` of an item separates the
    weight, so a symbol may contain ``=`` (``HG=F:0.5``).

    Raises
    ------
    ConfigError
        Naming the setting, the bad item and the expected form.
    """
    weights: dict[str, float] = {}
    for item in (p.strip() for p in text.split(",")):
        # The last ":" or "=" splits: a symbol may hold "=" (HG=F:0.5).
        cut = max(item.rfind(":"), item.rfind("="))
        symbol, value = (item[:cut], item[cut + 1 :]) if cut > 0 else (item, "")
        symbol = symbol.strip().upper()
        try:
            weight = float(value)
        except ValueError:
            weight = float("nan")
        if not symbol or not np.isfinite(weight) or symbol in weights:
            raise ConfigError(
                f"setting 'risk.weights' takes SYMBOL:WEIGHT pairs separated by "
                f"commas, each symbol once, e.g. XLI:0.5,XLK:-0.5 (got {item!r})"
            )
        if abs(weight) > MAX_WEIGHT:
            raise ConfigError(
                f"setting 'risk.weights': {symbol} weight {weight:g} is outside "
                f"[-{MAX_WEIGHT:g}, {MAX_WEIGHT:g}] (fractions of capital)"
            )
        weights[symbol] = weight
    if not any(weights.values()):
        raise ConfigError(f"setting 'risk.weights' is all zero (got {text!r})")
    return weights


def _book(analysis: Analysis) -> BookSpec | Omitted:
    config = analysis.config.risk
    if config.weights.strip():
        weights = parse_weights(config.weights)
        label = ", ".join(f"{k} {v:+.2f}" for k, v in weights.items())
        book: BookSpec | None = BookSpec("setting", label, None, None, 0.0, weights)
    else:
        book = thesis_book(analysis.thesis)
    if book is None:
        return Omitted(
            "risk",
            "the thesis names no book; add 'book: {long: <basket>, short: <basket>}' "
            "(or give weights with the risk.weights setting)",
        )
    prices = analysis.market.prices
    absent = [s for s in book.weights if s not in prices or prices[s].isna().all()]
    if absent and book.source == "setting":
        raise ConfigError(
            f"setting 'risk.weights' names symbol(s) without prices: {absent}"
        )
    if absent:
        return Omitted(
            "risk",
            f"the book's member(s) {', '.join(absent)} have no prices as of "
            f"{analysis.as_of.date()}",
        )
    return book


# -- scenarios ---------------------------------------------------------------
def _scenario_pnl(
    spec: Mapping[str, Any], port: pd.Series, factors: pd.DataFrame, cfg: RiskConfig
) -> ScenarioPnL:
    scenario = Scenario.from_dict(spec)
    shocks = dict(scenario.shocks)
    common: dict[str, Any] = {
        "name": scenario.name,
        "description": scenario.description,
        "horizon_days": int(spec.get("horizon_days", 21)),
        "shocks": shocks,
        "units": {k: shock_unit(k) for k in shocks},
    }
    try:
        exposure = estimate_exposure(
            port,
            factors,
            list(shocks),
            window=cfg.scenario_window,
            sampling_period=cfg.scenario_sampling,
        )
    except (KeyError, ValueError) as err:
        # A factor or basket without enough data: the row says so, the part
        # still shows the other scenarios.
        reason = str(err.args[0]) if err.args else str(err)
        return ScenarioPnL(
            **common, pnl=None, contributions={}, exposure=None, error=reason
        )
    result = apply_scenario(scenario, exposure)
    return ScenarioPnL(
        **common,
        pnl=result.pnl,
        contributions={str(k): float(v) for k, v in result.contributions.items()},
        exposure=exposure,
    )


def _scenarios(
    analysis: Analysis, port: pd.Series, sessions: pd.DatetimeIndex
) -> tuple[tuple[ScenarioPnL, ...], str]:
    thesis = analysis.thesis
    specs = thesis.scenarios()
    if not specs:
        return (), (
            "The thesis names no risk scenarios; add one under 'risks:' with "
            "'scenario: {shocks: {<factor or basket>: <move>}}'."
        )
    named = {k for s in specs for k in s["shocks"] if k in thesis.baskets}
    baskets = {
        name: thesis.baskets[name].weight_map() or thesis.members(name)
        for name in sorted(named)
    }
    factors = scenario_factors(analysis.market, sessions=sessions, baskets=baskets)
    cfg = analysis.config.risk
    return tuple(_scenario_pnl(s, port, factors, cfg) for s in specs), ""


def _replay_periods(thesis: Thesis, as_of: pd.Timestamp) -> list[HistoricalPeriod]:
    # The fixed stress periods of market history (the open-ended default one
    # is the default thesis's own date: each thesis gets its own below).
    periods = [p for p in default_historical_periods() if p.end is not None]
    date = thesis.meta.date
    if date is not None:
        periods.append(
            HistoricalPeriod(
                "since_thesis",
                f"Since the thesis's date ({date.isoformat()}), to date",
                date.isoformat(),
                None,
            )
        )
    # A replay that starts on or after the as-of date has not happened yet.
    return [p for p in periods if pd.Timestamp(p.start) < as_of]


# -- factors, VaR, regimes ---------------------------------------------------
def _factors(
    market: MarketData, port: pd.Series, cfg: RiskConfig
) -> tuple[FactorExposures | None, str]:
    try:
        ff = fama_french_factors(market)
    except KeyError as err:
        return None, f"No Fama-French factors in the store ({err.args[0]})."
    if ff.dropna(how="all").empty:
        return None, "No Fama-French factor returns are known as of this date."
    attribution = factor_attribution(port, ff, window=cfg.factor_window)
    rolling = rolling_factor_exposures(port, ff, window=cfg.rolling_factor_window)
    rolling = rolling.dropna()
    last: dict[str, Any] = {}
    if not rolling.empty:
        row = rolling.iloc[-1].drop("alpha")
        last = {"date": rolling.index[-1].date().isoformat()}
        last.update({str(k): float(v) for k, v in row.items()})
    return FactorExposures(attribution, cfg.rolling_factor_window, last, rolling), ""


def _calibration(
    port: pd.Series, cfg: RiskConfig
) -> tuple[dict[str, VaRCalibration], pd.DataFrame]:
    tests = {
        m: var_backtest(
            port, window=cfg.var_backtest_window, level=cfg.var_level, method=m
        )
        for m in CALIBRATED_METHODS
    }
    calibration = {str(m): VaRCalibration(**t.summary()) for m, t in tests.items()}
    return calibration, tests["historical"].frame


def _regime_risk(
    market: MarketData,
    returns: pd.DataFrame,
    weights: Mapping[str, float],
    cfg: RiskConfig,
) -> RegimeRisk | None:
    if "USREC" not in market.series:
        return None
    usrec = market.known("USREC", pd.DatetimeIndex(returns.index))
    labels = usrec.map({1.0: "NBER recession", 0.0: "expansion"})
    table = regime_risk(returns, labels, weights, level=cfg.regime_var_level)
    table = table.rename_axis("regime").reset_index()
    table["regime"] = table["regime"].astype(str)
    return RegimeRisk(
        "NBER recession indicator (USREC) as known at each close",
        cfg.regime_var_level,
        table,
    )


def _headline_var(
    table: pd.DataFrame,
) -> tuple[dict[float, float], dict[float, float]]:
    rows = table[(table["method"] == "historical") & (table["horizon"] == 1)]
    levels = rows["level"].to_numpy(dtype=np.float64).tolist()
    values = rows["var"].to_numpy(dtype=np.float64).tolist()
    tails = rows["cvar"].to_numpy(dtype=np.float64).tolist()
    var = dict(zip(levels, values, strict=True))
    cvar = dict(zip(levels, tails, strict=True))
    return var, cvar


# -- words -------------------------------------------------------------------
def _summary(
    book: BookSpec,
    scenarios: tuple[ScenarioPnL, ...],
    var: Mapping[float, float],
    cvar: Mapping[float, float],
    level: float,
    calibration: Mapping[str, VaRCalibration],
) -> str:
    parts = []
    scored = [s for s in scenarios if s.pnl is not None]
    who = "the thesis's book" if book.source == "thesis" else "the book"
    if scored:
        worst = min(scored, key=lambda s: s.pnl or 0.0)
        best = max(scored, key=lambda s: s.pnl or 0.0)
        names = ", ".join(s.name for s in scenarios)
        parts.append(
            f"Of the thesis's named risks ({names}), {worst.name} hurts {who} "
            f"({book.label}) most ({worst.pnl:+.1%})"
            + (
                f"; {best.name} {'helps' if (best.pnl or 0) > 0 else 'hurts least'}"
                f" ({best.pnl:+.1%})."
                if best is not worst
                else "."
            )
        )
    calib = calibration.get("historical")
    if level in var and calib is not None:
        verdict = "is rejected" if calib.rejected_at_5pct else "is not rejected"
        parts.append(
            f"One-day {level:.0%} historical VaR is {var[level]:.1%} of capital "
            f"(CVaR {cvar[level]:.1%}); over {calib.n_observations} forecast days "
            f"it was exceeded {calib.n_exceedances} times against "
            f"{calib.expected_rate * calib.n_observations:.0f} expected, so the "
            f"model {verdict} by the Kupiec test (p = {calib.p_value:.2f})."
        )
    return " ".join(parts)


def compute_risk(analysis: Analysis) -> RiskPart | Omitted:
    r"""Risk of the thesis's book under the thesis's risks, as of the analysis date.

    Parameters
    ----------
    analysis : Analysis
        Reads the thesis (book, baskets, risks, date), the point-in-time
        market and ``analysis.config.risk``.

    Returns
    -------
    RiskPart or Omitted
        Omitted when the thesis has no book (and no ``risk.weights``), when
        a member of its book has no price, or when the book has no more daily
        returns than ``risk.var_backtest_window`` (too early a date).

    Raises
    ------
    ConfigError
        ``risk.weights`` does not parse or names symbols without prices.

    Notes
    -----
    Book return per unit of long-side capital, weights held constant:

    .. math:: r_{p,t} = \sum_i w_i r_{i,t}

    on equity sessions (:func:`rotation.risk.equity_sessions`). Scenario
    P&L :math:`\sum_k \hat\beta_k s_k` with betas from a joint OLS of
    weekly book returns on the shocked factors over ``scenario_window``
    sessions; VaR/CVaR on the last ``var_window`` daily returns.

    NaN handling: a session is left out where a held symbol has no return
    (:func:`rotation.risk.portfolio_returns`); a scenario whose factors lack
    data shows its ``error`` instead of a P&L.
    """
    book = _book(analysis)
    if isinstance(book, Omitted):
        return book
    cfg = analysis.config.risk
    market = analysis.market
    sessions = equity_sessions(market)
    returns = session_returns(market.prices[list(book.weights)], sessions)
    port = portfolio_returns(returns, book.weights)
    n_returns = int(port.notna().sum())
    if n_returns <= cfg.var_backtest_window:
        return Omitted(
            "risk",
            f"the book has {n_returns} daily returns as of "
            f"{analysis.as_of.date()}; its VaR calibration needs more than "
            f"{cfg.var_backtest_window} (risk.var_backtest_window)",
        )
    scenarios, note = _scenarios(analysis, port, sessions)
    replays = historical_replay(
        returns, book.weights, _replay_periods(analysis.thesis, analysis.as_of)
    )
    factors, factors_note = _factors(market, port, cfg)
    table = var_table(
        port,
        levels=cfg.var_levels,
        horizons=cfg.var_horizons,
        methods=VAR_METHODS,
        window=cfg.var_window,
        n_paths=cfg.mc_paths,
        seed=cfg.seed,
    )
    var, cvar = _headline_var(table)
    calibration, forecasts = _calibration(port, cfg)
    return RiskPart(
        as_of=analysis.as_of,
        book=book,
        scenarios=scenarios,
        scenarios_note=note,
        scenario_window=cfg.scenario_window,
        sampling_period=cfg.scenario_sampling,
        replays=replays,
        factors=factors,
        factors_note=factors_note,
        var_window=cfg.var_window,
        var_level=cfg.var_level,
        var=var,
        cvar=cvar,
        var_table=table,
        calibration=calibration,
        regime_risk=_regime_risk(market, returns, book.weights, cfg),
        summary=_summary(book, scenarios, var, cvar, cfg.var_level, calibration),
        sources=SOURCES,
        var_forecasts=forecasts,
    )
