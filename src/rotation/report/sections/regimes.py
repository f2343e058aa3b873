"""Issue-6 section: rotation regimes as a trader would have known them.

Timeline of the tangible-minus-tech spread with shaded rotation episodes and
the filtered probability, the current regime and probability, the episodes
table, the composite score's components and the latest online change point.
All maths lives in :mod:`rotation.regimes`; this module wires data in and
formats tables and figures.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rotation.regimes import (
    ROTATION_MODEL,
    TANGIBLE,
    TECH,
    MarkovRegimes,
    RegimeConvergenceWarning,
    basket_spread_returns,
    bocpd,
    regime_episodes,
    rotation_components,
    rotation_score,
)
from rotation.report.model import (
    FigureBlock,
    ReportContext,
    Section,
    TableBlock,
    TextBlock,
)
from rotation.report.plotting import base_layout, weekly

__all__ = ["build_regimes_section"]

SOURCES = (
    "Yahoo Finance adjusted closes (sector SPDRs XLI XLB XLE XLK, IWM SPY IWD IWF, "
    "AI stocks, CPER)",
    "COMEX HG=F copper; IMF PCOPPUSDM via FRED",
)
#: The validated model (docs/regimes.md): direction x volatility states on the
#: spread over the trailing 22 weeks; quarterly refits keep the section fast;
#: probabilities are filtered only.
MIN_EPISODE_SESSIONS = 20
SECTORS = ("XLK", "XLI", "XLB", "XLE")


def _date(value: Any) -> str:
    return pd.Timestamp(value).date().isoformat()


def _float(value: Any) -> float | None:
    number = float(value)
    return None if not np.isfinite(number) else number


def build_regimes_section(ctx: ReportContext) -> Section:
    """Build the regimes section: timeline, current state, episodes, score.

    Parameters
    ----------
    ctx : ReportContext
        Report context; only ``ctx.market`` (as of ``ctx.as_of``) is used.

    Returns
    -------
    Section
        ``id="regimes"``, with every number shown in ``data``.
    """
    market = ctx.market.truncate(ctx.as_of)
    spread = basket_spread_returns(market.prices, TANGIBLE, TECH)
    shared = ctx.options.get("regime_model")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RegimeConvergenceWarning)
        # The context may already hold this exact model (fitted once for the
        # thesis's regime_prob); failed refits stay visible in its fits_.
        model = (
            shared
            if isinstance(shared, MarkovRegimes)
            and all(getattr(shared, k, None) == v for k, v in ROTATION_MODEL.items())
            else MarkovRegimes(**ROTATION_MODEL).fit(spread)
        )
    failed_refits = int((~model.fits_["converged"]).sum())
    result = model.result_
    probability = model.filtered_probabilities_["rotation"]
    current = result.current

    score = rotation_score(rotation_components(market))
    score_now = score.current

    sector_prices = market.prices[list(SECTORS)]
    sector_returns = (sector_prices / sector_prices.shift(1) - 1.0).reindex(
        spread.index
    )
    episodes = regime_episodes(
        model.regime_,
        spread,
        sector_returns=sector_returns,
        min_length=MIN_EPISODE_SESSIONS,
    )
    changes = bocpd(spread)
    alarms = changes.alarms

    timeline = _timeline_figure(spread, probability, episodes)
    components_figure = _components_figure(score.contributions, score.score)

    headline = (
        f"As of {current['date']}, the filtered probability of the rotation "
        f"direction (tangible XLI+XLB+XLE minus tech XLK over the trailing 22 "
        f"weeks, {len(model.fits_)} quarterly refits) is {current['probabilities']['rotation']:.2f}; the "
        f"most likely regime is {current['regime'].replace('_', ' ')}. "
        f"Composite rotation score: {score_now['score']:+.2f} "
        f"(positive = rotation)."
    )
    notes = [
        "Probabilities are filtered, never smoothed: each value uses data up to "
        "that day's close, from the fit made at the last quarterly refit.",
        "Four hidden states: direction (rotation = the higher mean spread, "
        "tech leadership) x volatility (calm, turbulent); P(rotation) sums the "
        "two rotation states, so a turbulent market alone does not raise it.",
        f"Latest online change-point alarm (BOCPD, Adams & MacKay 2007): "
        f"{_date(alarms[-1]) if len(alarms) else 'none'}; "
        f"{len(alarms)} alarms since {_date(spread.index[0])}.",
    ]
    if failed_refits:
        notes.append(
            f"{failed_refits} refits did not converge; the last good fit was kept."
        )

    shown = episodes[episodes["length"] >= MIN_EPISODE_SESSIONS].tail(12)
    table = shown.assign(
        start=shown["start"].map(_date),
        end=shown["end"].map(_date),
        regime=shown["regime"].str.replace("_", " "),
    )
    for column in ["spread_return", *SECTORS]:
        table[column] = (100.0 * table[column]).round(1)
    table = table.rename(
        columns={"spread_return": "spread %", **{s: f"{s} %" for s in SECTORS}}
    )

    components_table = pd.DataFrame(
        {
            "component": list(score.weights),
            "weight": [score.weights[k] for k in score.weights],
            "sign": [int(score.signs[k]) for k in score.weights],
            "z-score": [
                _round(score.zscores[k].loc[: score_now["date"]].iloc[-1])
                for k in score.weights
            ],
            "contribution": [
                _round(score_now["contributions"].get(k)) for k in score.weights
            ],
        }
    )

    data: dict[str, Any] = {
        "as_of": _date(ctx.as_of),
        "spread": {
            "long": list(TANGIBLE),
            "short": list(TECH),
            "first_date": _date(spread.index[0]),
        },
        "model": {**ROTATION_MODEL, "engine": "em", "refits": len(model.fits_)},
        "failed_refits": failed_refits,
        "warnings": [str(w.message) for w in caught],
        "current": current,
        "score": score_now,
        "score_weights": score.weights,
        "score_signs": score.signs,
        "episodes": [
            {
                key: (_date(value) if key in ("start", "end") else _json(value))
                for key, value in row.items()
            }
            for row in shown.to_dict(orient="records")
        ],
        "change_points": {
            "latest_alarm": _date(alarms[-1]) if len(alarms) else None,
            "n_alarms": len(alarms),
            "map_run_length": int(changes.frame["map_run_length"].iloc[-1]),
            "params": {"expected_run_length": 250, "max_run_length": 500},
        },
        "probability_weekly": {
            "dates": [_date(d) for d in weekly(probability.dropna()).index],
            "values": [_float(v) for v in weekly(probability.dropna()).to_numpy()],
        },
    }
    return Section(
        id="regimes",
        title="Rotation regimes",
        blocks=(
            TextBlock(headline),
            FigureBlock(
                timeline,
                caption=(
                    f"Cumulative tangible-minus-tech spread (index, weekly, "
                    f"{_date(spread.index[0])} to {_date(spread.index[-1])}) with "
                    "rotation episodes shaded, and the filtered rotation "
                    "probability (right axis)."
                ),
                sources=SOURCES,
            ),
            TextBlock(tuple(notes)),
            TableBlock(
                table,
                caption=(
                    f"Latest regime episodes (at least {MIN_EPISODE_SESSIONS} "
                    "sessions; shorter runs merged into the previous one), "
                    "compounded returns in percent."
                ),
            ),
            FigureBlock(
                components_figure,
                caption=(
                    "Composite rotation score: each component's signed, weighted "
                    "causal z-score (bars, weekly, last 5 years) and the score "
                    "(line)."
                ),
                sources=SOURCES,
            ),
            TableBlock(
                components_table,
                caption=f"Score components as of {score_now['date']}.",
            ),
        ),
        data=data,
    )


def _round(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return round(number, 3) if np.isfinite(number) else None


def _json(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return _float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value if isinstance(value, str | int) else str(value)


def _timeline_figure(
    spread: pd.Series, probability: pd.Series, episodes: pd.DataFrame
) -> go.Figure:
    index = weekly((1.0 + spread).cumprod() * 100.0)
    prob = weekly(probability)
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=index.index,
            y=index.to_numpy(),
            name="spread index",
            line={"color": "#1f77b4"},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=prob.index,
            y=prob.to_numpy(),
            name="P(rotation)",
            yaxis="y2",
            line={"color": "#d62728", "width": 1},
        )
    )
    rotation = episodes[
        (episodes["regime"] == "rotation")
        & (episodes["length"] >= MIN_EPISODE_SESSIONS)
    ]
    for row in rotation.itertuples():
        figure.add_vrect(
            x0=row.start, x1=row.end, fillcolor="#d62728", opacity=0.12, line_width=0
        )
    layout = base_layout(
        "Tangible (XLI+XLB+XLE) minus tech (XLK): regimes", "spread index (start = 100)"
    )
    layout["yaxis2"] = {
        "title": "P(rotation)",
        "overlaying": "y",
        "side": "right",
        "range": [0, 1],
        "showgrid": False,
    }
    figure.update_layout(**layout)
    return figure


def _components_figure(contributions: pd.DataFrame, score: pd.Series) -> go.Figure:
    end = score.dropna().index[-1]
    start = end - pd.DateOffset(years=5)
    parts = contributions.loc[start:end].resample("W-FRI").last()
    line = score.loc[start:end].resample("W-FRI").last()
    figure = go.Figure()
    for column in parts.columns:
        figure.add_trace(go.Bar(x=parts.index, y=parts[column].to_numpy(), name=column))
    figure.add_trace(
        go.Scatter(
            x=line.index, y=line.to_numpy(), name="score", line={"color": "#222"}
        )
    )
    layout = base_layout("Composite rotation score and its components", "z-score units")
    layout["barmode"] = "relative"
    figure.update_layout(**layout)
    return figure
