"""Risk section: what the thesis's own risks would do to the thesis's book.

A renderer of ``analysis.risk`` (:mod:`rotation.analysis._risk`): scenario
P&L, historical replays, Fama-French exposures, VaR/CVaR with its Kupiec
calibration and risk by regime. It rounds and plots; it computes nothing, and
``Section.data`` is the part's JSON, the same numbers ``rotation risk
--format json`` and ``/api/risk`` print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rotation.analysis import Omitted
from rotation.report.model import FigureBlock, Section, TableBlock, TextBlock
from rotation.report.plotting import base_layout, dates, figure, numbers, weekly
from rotation.report.sections._common import omitted_section, part_data

if TYPE_CHECKING:
    from rotation.analysis import (
        Analysis,
        FactorExposures,
        RegimeRisk,
        RiskPart,
        ScenarioPnL,
    )

__all__ = ["build_risk_section"]

SECTION_ID = "risk"
TITLE = "Risk: scenarios, factors and VaR"
#: Sessions of forecasts the VaR chart shows (about two years).
CHART_SESSIONS = 504
_MARKET_NOTES = {
    "DGS2": "2-year yield",
    "DGS10": "10-year yield",
    "T10YIE": "10-year breakeven",
    "fed_path": "2-year minus 3-month yield",
    "copper": "CPER (HG=F futures before 2015-03)",
    "oil": "USO",
    "natgas": "UNG",
    "equity": "SPY",
}

Blocks = list[TextBlock | TableBlock | FigureBlock]


def _pct(value: float | None) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:+.1%}"


def _fmt_shock(key: str, value: float, unit: str) -> str:
    return f"{key} {value:+.0f} bp" if unit == "bp" else f"{key} {value:+.0%}"


def _fmt_betas(row: ScenarioPnL) -> str:
    exposure = row.exposure
    if exposure is None:
        return row.error
    exact = exposure.r_squared > 1.0 - 1e-9
    parts = []
    for key, beta, t_value in zip(
        map(str, exposure.betas.index),
        exposure.betas.to_numpy(),
        exposure.t_values.to_numpy(),
        strict=True,
    ):
        if row.units.get(key) == "bp":
            text = f"{key} {beta * 100:+.2%} per 100 bp"
        else:
            text = f"{key} {beta:+.2f}"
        parts.append(text + (" (exact)" if exact else f" (t {t_value:+.1f})"))
    return "; ".join(parts)


def _factor_legend(rows: tuple[ScenarioPnL, ...], analysis: Analysis) -> str:
    """Say what each shocked name is: a market series or the thesis's basket."""
    names = dict.fromkeys(k for row in rows for k in row.shocks)
    baskets = analysis.thesis.baskets
    notes = []
    for name in names:
        if name in baskets:
            basket = baskets[name]
            how = "weighted" if basket.weights else "equal-weight"
            notes.append(f"{name} = {how} {' '.join(basket.members)}")
        elif name in _MARKET_NOTES:
            notes.append(f"{name} = {_MARKET_NOTES[name]}")
    return "; ".join(notes)


def _scenario_blocks(part: RiskPart, analysis: Analysis) -> Blocks:
    if not part.scenarios:
        return [TextBlock(part.scenarios_note)]
    rows = [
        {
            "Scenario": row.name,
            "Shocks": ", ".join(
                _fmt_shock(k, v, row.units[k]) for k, v in row.shocks.items()
            ),
            "Estimated P&L": _pct(row.pnl),
            "Betas (t)": _fmt_betas(row),
            "R²": "" if row.exposure is None else f"{row.exposure.r_squared:.2f}",
            "Window": ""
            if row.exposure is None
            else f"{row.exposure.start} to {row.exposure.end}, "
            f"{row.exposure.n_observations} weeks",
        }
        for row in part.scenarios
    ]
    caption = (
        "The thesis's risks mapped onto its book: P&L = Σ beta × shock, betas from "
        "a joint OLS of weekly book returns on the scenario's factors over the last "
        f"{part.scenario_window} sessions (HAC t-statistics). Yields in bp (FRED, "
        f"point-in-time); {_factor_legend(part.scenarios, analysis)}. Linear "
        "extrapolation: a low R² means the factors explain little of the book."
    )
    return [TableBlock(pd.DataFrame(rows), caption=caption)]


def _replay_blocks(part: RiskPart) -> Blocks:
    rows = [
        {
            "Period": r["name"],
            "Dates": f"close of {r['start']} to {r['end']}" if r["end"] else "",
            "Total return": _pct(r["total_return"]),
            "Max drawdown": _pct(r["max_drawdown"]),
            "Worst day": _pct(r["worst_day"]),
            "Missing": r["missing"],
        }
        for r in part.replays.to_dict(orient="records")
    ]
    caption = (
        "Historical replays: today's weights held (rebalanced daily) through past "
        "stress periods and since the thesis's date, up to the as-of date; a "
        "period is n/a when a holding has no price in it (Missing)."
    )
    return [TableBlock(pd.DataFrame(rows), caption=caption)]


def _factor_figure(factors: FactorExposures) -> dict[str, Any]:
    plot = weekly(factors.rolling.drop(columns="alpha"))
    x = dates(plot.index)
    traces = [
        {"type": "scatter", "x": x, "y": numbers(plot[col].round(3)),
         "name": str(col), "mode": "lines", "line": {"width": 1.4}}
        for col in plot.columns
    ]  # fmt: skip
    layout = base_layout(
        "Rolling Fama–French exposures of the book", "beta (per unit factor return)"
    )
    return figure(traces, layout)


def _factor_blocks(part: RiskPart) -> Blocks:
    factors = part.factors
    if factors is None:
        return [TextBlock(part.factors_note)]
    att = factors.attribution
    table = att.table
    shown = pd.DataFrame(
        {
            "Factor": table.index,
            "Beta": table["coef"].map(lambda v: f"{v:+.3f}"),
            "t (HAC)": table["t_value"].map(lambda v: f"{v:+.1f}"),
            "Contribution / yr": table["contribution"].map(_pct),
        }
    )
    blocks: Blocks = [
        TableBlock(
            shown,
            caption=(
                f"OLS of daily book returns on Fama–French factors, {att.start} to "
                f"{att.end} ({att.n_observations} days, R² {att.r_squared:.2f}), "
                f"Newey–West HAC with {att.hac_lags} lags. The book is "
                "self-financing, so no risk-free rate is subtracted."
            ),
        )
    ]
    if not factors.rolling.empty:
        index = factors.rolling.index
        blocks.append(
            FigureBlock(
                _factor_figure(factors),
                caption=(
                    f"{factors.rolling_window}-day rolling betas, weekly points, "
                    f"{index[0].date()} to {index[-1].date()}."
                ),
                sources=(
                    "Kenneth R. French Data Library",
                    "Yahoo Finance adjusted closes",
                ),
            )
        )
    return blocks


def _var_tables(part: RiskPart) -> Blocks:
    table = part.var_table
    shown = pd.DataFrame(
        {
            "Method": table["method"],
            "Level": table["level"].map(lambda v: f"{v:.0%}"),
            "Horizon (days)": table["horizon"],
            "VaR": table["var"].map(lambda v: f"{v:.2%}"),
            "CVaR": table["cvar"].map(lambda v: f"{v:.2%}"),
        }
    )
    calib = pd.DataFrame(
        [
            {
                "Model": c.method,
                "Days": c.n_observations,
                "Exceedances": c.n_exceedances,
                "Expected": f"{c.expected_rate * c.n_observations:.0f}",
                "LR": f"{c.lr_statistic:.2f}",
                "p-value": f"{c.p_value:.3f}",
                "Verdict": "rejected" if c.rejected_at_5pct else "not rejected",
                "Clustering p": f"{c.p_value_independence:.3f}",
            }
            for c in part.calibration.values()
        ]
    )
    first = table.iloc[0] if len(table) else None
    span = "" if first is None else f", {first['start']} to {first['end']}"
    paths = int(table["n_paths"].max()) if len(table) else 0
    window = part.calibration["historical"].window
    return [
        TableBlock(
            shown,
            caption=(
                "VaR and CVaR (losses, fraction of long-side capital) from the last "
                f"{part.var_window} daily returns{span}. Monte Carlo: {paths:,} "
                f"bootstrap paths; multi-day returns compound."
            ),
        ),
        TableBlock(
            calib,
            caption=(
                f"Calibration: one-day {part.var_level:.0%} VaR from a rolling "
                f"{window}-day window, forecast at each close for the next session, "
                "over the whole history; Kupiec proportion-of-failures test "
                "(rejected when p < 0.05). Clustering p: Christoffersen's test that "
                "exceedances are independent (a small p means they come in bunches)."
            ),
        ),
    ]


def _var_figure(part: RiskPart) -> FigureBlock:
    hist = part.var_forecasts.iloc[-CHART_SESSIONS:]
    x = dates(hist.index)
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "x": x, "y": numbers((y * 100).round(3)), "name": name,
         "mode": "lines"}
        for name, y in (
            ("daily return", hist["realised"]),
            (f"-VaR {part.var_level:.0%} (forecast)", -hist["var"]),
        )
    ]  # fmt: skip
    hits = hist[hist["exceedance"]]
    traces.append(
        {"type": "scatter", "x": dates(hits.index),
         "y": numbers((hits["realised"] * 100).round(3)), "name": "exceedance",
         "mode": "markers", "marker": {"size": 8}}
    )  # fmt: skip
    title = f"The book: daily return vs {part.var_level:.0%} historical VaR"
    return FigureBlock(
        figure(traces, base_layout(title, "return (%)")),
        caption=(
            f"Last {len(hist)} sessions, {hist.index[0].date()} to "
            f"{hist.index[-1].date()}; markers are days whose loss exceeded the "
            "previous close's VaR."
        ),
        sources=("Yahoo Finance adjusted closes",),
    )


def _regime_blocks(regimes: RegimeRisk | None, n_holdings: int) -> Blocks:
    if regimes is None:
        return [
            TextBlock(
                "Risk by regime is not shown: the store has no NBER recession "
                "indicator (USREC)."
            )
        ]
    table = regimes.table
    level = f"{regimes.level:.0%}"
    shown = pd.DataFrame(
        {
            "Regime": table["regime"],
            "Days": table["n_observations"],
            "Volatility / yr": table["volatility"].map(lambda v: f"{v:.1%}"),
            f"VaR {level} (1d)": table["var"].map(lambda v: f"{v:.2%}"),
            f"CVaR {level} (1d)": table["cvar"].map(lambda v: f"{v:.2%}"),
            "Avg correlation": table["avg_correlation"].map(lambda v: f"{v:.2f}"),
        }
    )
    caption = (
        f"Risk of the book inside each regime ({regimes.source}): annualised "
        "volatility, historical one-day VaR/CVaR and the average pairwise "
        f"correlation of its {n_holdings} holdings."
    )
    return [TableBlock(shown, caption=caption)]


def _intro(part: RiskPart) -> str:
    book = part.book
    source = (
        "the thesis's book"
        if book.source == "thesis"
        else "the book given by the risk.weights setting"
    )
    weights = ", ".join(f"{k} {v:+.2f}" for k, v in book.weights.items())
    names = ", ".join(s.name for s in part.scenarios) or "none"
    return (
        f"Risk of {source} ({book.label}: {weights}; weights rebalanced daily, "
        "returns per unit of long-side capital) under the risks the thesis names "
        f"({names}), then the same weights replayed through past stress periods."
    )


def build_risk_section(analysis: Analysis) -> Section:
    """Render ``analysis.risk``: scenarios, replays, factors, VaR and regimes.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    Section
        ``data`` is ``to_jsonable(analysis.risk)``; an omitted part (no book)
        renders as one line saying why.
    """
    part = analysis.risk
    if isinstance(part, Omitted):
        return omitted_section(SECTION_ID, TITLE, part)
    blocks: Blocks = [TextBlock(_intro(part))]
    if part.summary:
        blocks.append(TextBlock(part.summary))
    blocks += _scenario_blocks(part, analysis)
    blocks += _replay_blocks(part)
    blocks += _factor_blocks(part)
    blocks += _var_tables(part)
    blocks.append(_var_figure(part))
    blocks += _regime_blocks(part.regime_risk, len(part.book.weights))
    data: dict[str, Any] = part_data(part)
    return Section(id=SECTION_ID, title=TITLE, blocks=tuple(blocks), data=data)
