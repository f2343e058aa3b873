"""Issue-8 section: what the thesis's named risks would do to the rotation book.

Scenario table (factor shocks through estimated betas, plus historical
replays), Fama-French factor exposures, VaR/CVaR with the Kupiec calibration
test, and risk by regime. All maths lives in :mod:`rotation.risk`; this module
only wires data in and formats tables and figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rotation.report.model import (
    FigureBlock,
    ReportContext,
    Section,
    TableBlock,
    TextBlock,
)
from rotation.report.plotting import base_layout, weekly
from rotation.risk import (
    AI_INFRA_BASKET,
    FACTOR_UNITS,
    ROTATION_WEIGHTS,
    FactorExposure,
    Scenario,
    VaRMethod,
    apply_scenario,
    default_historical_periods,
    default_scenarios,
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
    var_backtest,
    var_table,
)

__all__ = ["build_risk_section"]

#: Estimation window of scenario betas (sessions, ~3 years), weekly blocks.
SCENARIO_WINDOW = 756
SCENARIO_SAMPLING = 5
#: Window of the factor regression and of the rolling exposures.
FACTOR_WINDOW = 756
ROLLING_FACTOR_WINDOW = 252
#: Daily returns behind the VaR table (~4 years) and the rolling VaR model.
VAR_WINDOW = 1000
BACKTEST_WINDOW = 500
MC_PATHS = 100_000
VAR_METHODS: tuple[VaRMethod, ...] = (
    "historical",
    "normal",
    "cornish_fisher",
    "ewma_normal",
    "monte_carlo_bootstrap",
)
SEED = 0
SOURCES = (
    "Yahoo Finance adjusted closes",
    "FRED (DGS2, DGS10, T10YIE, USREC)",
    "Kenneth R. French Data Library",
)


def _scenarios(options: Mapping[str, Any]) -> tuple[Scenario, ...]:
    given: Iterable[Any] | None = options.get("scenarios")
    if not given:
        return default_scenarios()
    return tuple(s if isinstance(s, Scenario) else Scenario.from_dict(s) for s in given)


def _fmt_shock(key: str, value: float) -> str:
    unit = FACTOR_UNITS.get(key, "")
    if unit == "bp":
        return f"{key} {value:+.0f} bp"
    return f"{key} {value:+.0%}"


def _fmt_betas(exposure: FactorExposure) -> str:
    parts = []
    exact = exposure.r_squared > 1.0 - 1e-9
    for key, beta, t_value in zip(
        map(str, exposure.betas.index),
        exposure.betas.to_numpy(),
        exposure.t_values.to_numpy(),
        strict=True,
    ):
        if FACTOR_UNITS.get(key) == "bp":
            text = f"{key} {beta * 100:+.2%} per 100 bp"
        else:
            text = f"{key} {beta:+.2f}"
        parts.append(text + (" (exact)" if exact else f" (t {t_value:+.1f})"))
    return "; ".join(parts)


def _pct(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:+.1%}"


def _scenario_block(
    port: pd.Series,
    factors: pd.DataFrame,
    scenarios: tuple[Scenario, ...],
    returns: pd.DataFrame,
    weights: Mapping[str, float],
) -> tuple[list[Any], dict[str, Any]]:
    rows: list[dict[str, str]] = []
    scenario_data: list[dict[str, Any]] = []
    for scenario in scenarios:
        shocks = ", ".join(_fmt_shock(k, v) for k, v in scenario.shocks.items())
        try:
            exposure = estimate_exposure(
                port,
                factors,
                list(scenario.shocks),
                window=SCENARIO_WINDOW,
                sampling_period=SCENARIO_SAMPLING,
            )
        except (KeyError, ValueError) as err:
            # A user scenario on a factor without data: show it, do not fail.
            reason = str(err.args[0]) if err.args else str(err)
            rows.append(
                {
                    "Scenario": scenario.name,
                    "Shocks": shocks,
                    "Estimated P&L": "n/a",
                    "Betas (t)": reason,
                    "R²": "",
                    "Window": "",
                }
            )
            scenario_data.append(
                {
                    "name": scenario.name,
                    "shocks": dict(scenario.shocks),
                    "error": reason,
                }
            )
            continue
        res = apply_scenario(scenario, exposure)
        rows.append(
            {
                "Scenario": scenario.name,
                "Shocks": shocks,
                "Estimated P&L": _pct(res.pnl),
                "Betas (t)": _fmt_betas(exposure),
                "R²": f"{exposure.r_squared:.2f}",
                "Window": f"{exposure.start} to {exposure.end}, "
                f"{exposure.n_observations} weeks",
            }
        )
        scenario_data.append(res.to_dict())
    replay = historical_replay(returns, weights, default_historical_periods())
    replay_rows = [
        {
            "Period": r["name"],
            "Dates": f"close of {r['start']} to {r['end']}",
            "Total return": _pct(r["total_return"]),
            "Max drawdown": _pct(r["max_drawdown"]),
            "Worst day": _pct(r["worst_day"]),
        }
        for r in replay.to_dict(orient="records")
    ]
    blocks: list[Any] = [
        TableBlock(
            pd.DataFrame(rows),
            caption=(
                "Thesis risks mapped onto the book: P&L = Σ beta × shock, betas from "
                "a joint OLS of weekly book returns on the scenario's factors over "
                f"the last {SCENARIO_WINDOW} sessions (HAC t-statistics). Yields in bp "
                "(FRED, point-in-time), copper = CPER (HG=F futures before 2015-03), "
                f"AI infrastructure = equal-weight {' '.join(AI_INFRA_BASKET)}, tech = "
                "XLK, tangible = XLI+XLB+XLE. Linear extrapolation: a low R² means "
                "the factor explains little of the book."
            ),
        ),
        TableBlock(
            pd.DataFrame(replay_rows),
            caption=(
                "Historical replays: today's weights held (rebalanced daily) through "
                "past stress periods; the 2026 row runs to the last date in the store."
            ),
        ),
    ]
    data = {
        "scenarios": scenario_data,
        "replays": replay.replace({np.nan: None}).to_dict(orient="records"),
        "scenario_window": SCENARIO_WINDOW,
        "sampling_period": SCENARIO_SAMPLING,
    }
    return blocks, data


def _factor_block(
    port: pd.Series, ff: pd.DataFrame
) -> tuple[list[Any], dict[str, Any]]:
    attribution = factor_attribution(port, ff, window=FACTOR_WINDOW)
    table = attribution.table
    shown = pd.DataFrame(
        {
            "Factor": table.index,
            "Beta": table["coef"].map(lambda v: f"{v:+.3f}"),
            "t (HAC)": table["t_value"].map(lambda v: f"{v:+.1f}"),
            "Contribution / yr": table["contribution"].map(_pct),
        }
    )
    rolling = rolling_factor_exposures(port, ff, window=ROLLING_FACTOR_WINDOW).dropna()
    plot = weekly(rolling.drop(columns="alpha"))
    fig = go.Figure()
    for col in plot.columns:
        fig.add_trace(
            go.Scatter(
                x=plot.index,
                y=plot[col].round(3),
                name=col,
                mode="lines",
                line={"width": 1.4},
            )
        )
    fig.update_layout(
        **base_layout(
            "Rolling Fama–French exposures of the rotation book",
            "beta (per unit factor return)",
        )
    )
    last = rolling.iloc[-1].drop("alpha")
    blocks: list[Any] = [
        TableBlock(
            shown,
            caption=(
                "OLS of daily book returns on Fama–French factors, "
                f"{attribution.start} to {attribution.end} "
                f"({attribution.n_observations} days, R² {attribution.r_squared:.2f}), "
                f"Newey–West HAC with {attribution.hac_lags} lags. The book is "
                "self-financing, so no risk-free rate is subtracted."
            ),
        ),
        FigureBlock(
            fig,
            caption=(
                f"{ROLLING_FACTOR_WINDOW}-day rolling betas, weekly points, "
                f"{plot.index[0].date()} to {plot.index[-1].date()}."
            ),
            sources=("Kenneth R. French Data Library", "Yahoo Finance adjusted closes"),
        ),
    ]
    data = {
        "attribution": attribution.to_dict(),
        "rolling_window": ROLLING_FACTOR_WINDOW,
        "rolling_last": {
            "date": rolling.index[-1].date().isoformat(),
            **{k: float(v) for k, v in last.items()},
        },
    }
    return blocks, data


def _var_block(port: pd.Series) -> tuple[list[Any], dict[str, Any]]:
    table = var_table(
        port, window=VAR_WINDOW, n_paths=MC_PATHS, seed=SEED, methods=VAR_METHODS
    )
    shown = pd.DataFrame(
        {
            "Method": table["method"],
            "Level": table["level"].map(lambda v: f"{v:.0%}"),
            "Horizon (days)": table["horizon"],
            "VaR": table["var"].map(lambda v: f"{v:.2%}"),
            "CVaR": table["cvar"].map(lambda v: f"{v:.2%}"),
        }
    )
    tests = {
        m: var_backtest(port, window=BACKTEST_WINDOW, level=0.99, method=m)
        for m in ("historical", "normal", "cornish_fisher", "ewma_normal")
    }
    calib = pd.DataFrame(
        [
            {
                "Model": m,
                "Days": t.kupiec.n_observations,
                "Exceedances": t.kupiec.n_exceedances,
                "Expected": f"{t.kupiec.expected_rate * t.kupiec.n_observations:.0f}",
                "LR": f"{t.kupiec.lr_statistic:.2f}",
                "p-value": f"{t.kupiec.p_value:.3f}",
                "Verdict": "rejected" if t.kupiec.rejected() else "not rejected",
                "Clustering p": f"{t.christoffersen.p_value_independence:.3f}",
            }
            for m, t in tests.items()
        ]
    )
    hist = tests["historical"].frame.iloc[-504:]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=hist.index,
            y=(hist["realised"] * 100).round(3),
            name="daily return",
            mode="lines",
            line={"width": 1},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=hist.index,
            y=(-hist["var"] * 100).round(3),
            name="-VaR 99% (forecast)",
            mode="lines",
            line={"width": 2},
        )
    )
    hits = hist[hist["exceedance"]]
    fig.add_trace(
        go.Scatter(
            x=hits.index,
            y=(hits["realised"] * 100).round(3),
            name="exceedance",
            mode="markers",
            marker={"size": 8},
        )
    )
    fig.update_layout(
        **base_layout("Rotation book: daily return vs 99% historical VaR", "return (%)")
    )
    start, end = port.dropna().index[-VAR_WINDOW], port.dropna().index[-1]
    blocks: list[Any] = [
        TableBlock(
            shown,
            caption=(
                "VaR and CVaR (losses, fraction of long-side capital) from the last "
                f"{VAR_WINDOW} daily returns, {start.date()} to {end.date()}. Monte "
                f"Carlo: {MC_PATHS:,} bootstrap paths, seed {SEED}; 10-day returns "
                "compound."
            ),
        ),
        TableBlock(
            calib,
            caption=(
                f"Calibration: one-day 99% VaR from a rolling {BACKTEST_WINDOW}-day "
                "window, forecast at each close for the next session, over the whole "
                "history; Kupiec proportion-of-failures test (rejected when p < 0.05). "
                "Clustering p: Christoffersen's test that exceedances are independent "
                "(a small p means they come in bunches)."
            ),
        ),
        FigureBlock(
            fig,
            caption=(
                f"Last {len(hist)} sessions, {hist.index[0].date()} to "
                f"{hist.index[-1].date()}; markers are days whose loss exceeded the "
                "previous close's VaR."
            ),
            sources=("Yahoo Finance adjusted closes",),
        ),
    ]
    data = {
        "var_table": table.replace({np.nan: None}).to_dict(orient="records"),
        "var_window": VAR_WINDOW,
        "calibration": {m: t.summary() for m, t in tests.items()},
    }
    return blocks, data


def _regime_block(
    ctx: ReportContext, returns: pd.DataFrame, weights: Mapping[str, float]
) -> tuple[list[Any], dict[str, Any]]:
    labels = ctx.options.get("regimes")
    source = "regimes supplied to the report"
    if not isinstance(labels, pd.Series):
        if "USREC" not in ctx.market.series:
            return [], {}
        usrec = ctx.market.known("USREC", pd.DatetimeIndex(returns.index))
        labels = usrec.map({1.0: "NBER recession", 0.0: "expansion"})
        source = "NBER recession indicator (USREC) as known at each close"
    table = regime_risk(returns, labels, weights, level=0.95)
    shown = pd.DataFrame(
        {
            "Regime": table.index.astype(str),
            "Days": table["n_observations"],
            "Volatility / yr": table["volatility"].map(lambda v: f"{v:.1%}"),
            "VaR 95% (1d)": table["var"].map(lambda v: f"{v:.2%}"),
            "CVaR 95% (1d)": table["cvar"].map(lambda v: f"{v:.2%}"),
            "Avg correlation": table["avg_correlation"].map(lambda v: f"{v:.2f}"),
        }
    )
    blocks: list[Any] = [
        TableBlock(
            shown,
            caption=(
                f"Risk of the book inside each regime ({source}): annualised "
                "volatility, historical one-day VaR/CVaR and the average pairwise "
                f"correlation of its {len(weights)} holdings."
            ),
        )
    ]
    data = {
        "regime_source": source,
        "regime_risk": {
            str(k): {c: (None if pd.isna(v) else float(v)) for c, v in row.items()}
            for k, row in table.iterrows()
        },
    }
    return blocks, data


def _summary(data: Mapping[str, Any]) -> str:
    """One paragraph in words, written from the numbers in ``data``."""
    parts = []
    scored = [s for s in data.get("scenarios", []) if "pnl" in s]
    if scored:
        worst = min(scored, key=lambda s: s["pnl"])
        best = max(scored, key=lambda s: s["pnl"])
        parts.append(
            f"Of the named risks, {worst['name']} hurts the book most "
            f"({worst['pnl']:+.1%}); {best['name']} "
            f"{'helps' if best['pnl'] > 0 else 'hurts least'} ({best['pnl']:+.1%})."
        )
    rows = [
        r
        for r in data.get("var_table", [])
        if r["method"] == "historical" and r["level"] == 0.99 and r["horizon"] == 1
    ]
    calib = data.get("calibration", {}).get("historical")
    if rows and calib:
        verdict = "is not rejected" if not calib["rejected_at_5pct"] else "is rejected"
        parts.append(
            f"One-day 99% historical VaR is {rows[0]['var']:.1%} of capital (CVaR "
            f"{rows[0]['cvar']:.1%}); over {calib['n_observations']} forecast days it "
            f"was exceeded {calib['n_exceedances']} times against "
            f"{calib['expected_rate'] * calib['n_observations']:.0f} expected, so the "
            f"model {verdict} by the Kupiec test (p = {calib['p_value']:.2f})."
        )
    return " ".join(parts)


def build_risk_section(ctx: ReportContext) -> Section:
    """Risk of the rotation book: scenarios, replays, factors, VaR and its calibration.

    Parameters
    ----------
    ctx : ReportContext
        ``ctx.options`` may hold ``"weights"`` (asset -> weight; default the
        tangible-long/tech-short book), ``"scenarios"`` (Scenario objects or
        mappings with name/description/shocks, e.g. from the thesis file) and
        ``"regimes"`` (a label Series; default NBER recessions).

    Returns
    -------
    Section
    """
    market = ctx.market
    weights: Mapping[str, float] = dict(ctx.options.get("weights") or ROTATION_WEIGHTS)
    sessions = equity_sessions(market)
    returns = session_returns(market.prices[list(weights)], sessions)
    port = portfolio_returns(returns, weights)
    book = ", ".join(f"{k} {v:+.2f}" for k, v in weights.items())
    data: dict[str, Any] = {
        "as_of": ctx.as_of.date().isoformat(),
        "weights": dict(weights),
    }
    blocks: list[Any] = [
        TextBlock(
            f"The rotation book ({book}; weights rebalanced daily, returns per unit of "
            "long-side capital) under the risks the thesis names: a Fed reversal, "
            "sticky inflation, a copper cliff and a tech rebound, then the same "
            "weights replayed through past stress periods."
        )
    ]

    scen_blocks, scen_data = _scenario_block(
        port,
        scenario_factors(market, sessions=sessions),
        _scenarios(ctx.options),
        returns,
        weights,
    )
    blocks += scen_blocks
    data.update(scen_data)
    try:
        ff = fama_french_factors(market)
    except KeyError:
        ff = None
    if ff is not None and not ff.empty:
        fac_blocks, fac_data = _factor_block(port, ff)
        blocks += fac_blocks
        data["factors"] = fac_data
    var_blocks, var_data = _var_block(port)
    blocks += var_blocks
    data.update(var_data)
    reg_blocks, reg_data = _regime_block(ctx, returns, weights)
    blocks += reg_blocks
    data.update(reg_data)
    data["sources"] = list(SOURCES)
    summary = _summary(data)
    if summary:
        blocks.insert(1, TextBlock(summary))
        data["summary"] = summary
    return Section(
        id="risk",
        title="Risk: scenarios, factors and VaR",
        blocks=tuple(blocks),
        data=data,
    )
