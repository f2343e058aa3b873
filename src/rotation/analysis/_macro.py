"""The macro parts: copper, rates and the Fed, shown when the thesis lists them.

Their series are fixed market gauges (COMEX copper, CPER, COPX, the IMF copper
price; FRED rates; the FOMC dot plot). What is thesis-specific, the levels a
thesis claims, comes from the thesis's own pillars (their ``claimed`` values).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rotation.analysis._omitted import Omitted
from rotation.analysis._prices import chart_start, weekly_points
from rotation.indicators import (
    basket_index,
    distance_from_moving_average,
    dot_plot_medians,
    drawdown_from_high,
    fed_funds_midpoint,
    momentum,
    moving_average_slope,
    rates_path,
)
from rotation.thesis import Call, Name, String, Thesis

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis
    from rotation.analysis._config import IndicatorConfig

__all__ = [
    "ClaimedLevel",
    "Copper",
    "Fed",
    "Rates",
    "claimed_levels",
    "compute_copper",
    "compute_fed",
    "compute_rates",
]

#: Copper gauges: daily symbols with their units, and the IMF monthly price.
COPPER_SYMBOLS: dict[str, str] = {"HG=F": "USD/lb", "CPER": "USD", "COPX": "USD"}
COPPER_MONTHLY = ("PCOPPUSDM", "USD/t")
#: Sessions per year: the daily spans of the trend gauges in months.
_SESSIONS_PER_YEAR = 252
#: The Fed's inflation target (rates_path measures the gaps from it).
INFLATION_TARGET = 2.0


@dataclass(frozen=True)
class ClaimedLevel:
    """A level the thesis claims for a macro gauge (a pillar's claimed value).

    Attributes
    ----------
    pillar : str
        The pillar's id; ``expr`` its expression.
    expr : str
    gauge : str
        What it reads: ``fed_mid``, ``dots:<horizon>`` (``dots:terminal``...).
    value : float
        The claimed value; ``text`` the claim's words.
    text : str
    """

    pillar: str
    expr: str
    gauge: str
    value: float
    text: str


def _gauge(node: object) -> str | None:
    if isinstance(node, Name) and node.id == "fed_mid":
        return "fed_mid"
    if isinstance(node, Call) and node.func == "dots_median" and node.args:
        arg = node.args[0]
        horizon = arg.value if isinstance(arg, String) else None
        return f"dots:{horizon if horizon is not None else int(arg.value)}"  # type: ignore[union-attr]
    return None


def claimed_levels(
    thesis: Thesis, prefixes: tuple[str, ...]
) -> tuple[ClaimedLevel, ...]:
    """Claimed values of pillars whose expression is a macro gauge alone.

    A pillar qualifies when its whole expression is ``fed_mid`` or
    ``dots_median(...)`` (so its claimed value is a level of that gauge) and
    it has a claimed value; ``prefixes`` selects gauges (``("dots:",)``).
    """
    out = []
    for pillar in thesis.pillars:
        if pillar.tree is None or pillar.claimed is None:
            continue
        gauge = _gauge(pillar.tree)
        value = pillar.claimed.value
        if gauge is None or value is None or not gauge.startswith(prefixes):
            continue
        out.append(
            ClaimedLevel(
                pillar.id, pillar.expr or "", gauge, value, pillar.claimed.text
            )
        )
    return tuple(out)


def _not_listed(part: str) -> Omitted:
    return Omitted(
        part,
        f"the thesis does not list the {part!r} panel; add 'panels: [{part}]' to "
        "show it",
    )


# -- copper ---------------------------------------------------------------------
@dataclass(frozen=True)
class Copper:
    """Copper trend gauges: COMEX front month, CPER, COPX, IMF monthly price.

    Attributes
    ----------
    start : Timestamp
        First date of the charts.
    last_dates : dict of str to Timestamp
        Last observation of each gauge (never after the as-of date; a gauge
        that stopped earlier, e.g. a discontinued future, says so).
    trend : DataFrame
        One row per gauge: series, date, last, unit, mom_3m, mom_12m,
        ma_slope, dist_ma, drawdown_12m (fractions).
    rebased : dict of str to Series
        Weekly chart points, 100 on ``start`` (the IMF price as known each day).
    drawdown : dict of str to Series
        Weekly drawdown from the trailing ``drawdown_window`` high (fraction).
    moving_average, slope_window, drawdown_window : int
        Gauge parameters in sessions (months for the monthly series:
        ``round(n * 12 / 252)``).
    """

    start: pd.Timestamp
    last_dates: dict[str, pd.Timestamp]
    trend: pd.DataFrame
    rebased: dict[str, pd.Series]
    drawdown: dict[str, pd.Series]
    moving_average: int
    slope_window: int
    drawdown_window: int


def _trend_row(
    name: str, prices: pd.Series, per_year: int, unit: str, config: IndicatorConfig
) -> dict[str, object]:
    scale = per_year / _SESSIONS_PER_YEAR
    ma = max(2, round(config.trend_moving_average * scale))
    slope = max(1, round(config.trend_slope_window * scale))
    gauges = {
        "mom_3m": momentum(prices, max(1, per_year // 4)),
        "mom_12m": momentum(prices, per_year),
        "ma_slope": moving_average_slope(prices, ma, slope_window=slope),
        "dist_ma": distance_from_moving_average(prices, ma),
        "drawdown_12m": drawdown_from_high(
            prices, max(1, round(config.drawdown_window * scale))
        ),
    }
    valid = prices.dropna()
    row: dict[str, object] = {
        "series": name,
        "date": valid.index[-1] if len(valid) else pd.NaT,
        "last": float(valid.iloc[-1]) if len(valid) else np.nan,
        "unit": unit,
    }
    for key, series in gauges.items():
        known = series.dropna()
        row[key] = float(known.iloc[-1]) if len(known) else np.nan
    return row


def compute_copper(analysis: Analysis) -> Copper | Omitted:
    """Copper gauges (when ``copper`` is in ``thesis.panels``)."""
    if "copper" not in analysis.thesis.panels:
        return _not_listed("copper")
    market, config = analysis.market, analysis.config.indicators
    symbols = [s for s in COPPER_SYMBOLS if s in market.prices.columns]
    if not symbols and COPPER_MONTHLY[0] not in market.series:
        return Omitted("copper", "no copper prices are loaded")
    prices = market.prices[symbols].astype("float64")
    start = chart_start(market, config.chart_lookback)
    rows = [_trend_row(s, prices[s], 252, COPPER_SYMBOLS[s], config) for s in symbols]
    window = prices.loc[start:]
    rebased = {s: basket_index(window[[s]]) for s in symbols}
    last_dates = {s: pd.Timestamp(prices[s].dropna().index[-1]) for s in symbols}
    series_id, unit = COPPER_MONTHLY
    if series_id in market.series:
        frame = market.series[series_id]
        monthly = frame.loc[frame["known_from"] <= analysis.as_of, "value"]
        rows.append(
            _trend_row(
                f"{series_id} (IMF, monthly)",
                monthly.astype("float64"),
                12,
                unit,
                config,
            )
        )
        known = market.known(series_id, pd.DatetimeIndex(window.index)).astype(
            "float64"
        )
        if known.notna().any():
            rebased[f"{series_id} (as known)"] = known / known.dropna().iloc[0] * 100.0
            last_dates[series_id] = pd.Timestamp(monthly.dropna().index[-1])
    drawdowns = {
        s: drawdown_from_high(prices[s], config.drawdown_window).loc[start:]
        for s in symbols
    }
    rebased_weekly = weekly_points(pd.DataFrame(rebased, index=window.index))
    drawdown_weekly = weekly_points(pd.DataFrame(drawdowns))
    return Copper(
        start=start,
        last_dates=last_dates,
        trend=pd.DataFrame(rows),
        rebased={c: rebased_weekly[c] for c in rebased_weekly.columns},
        drawdown={c: drawdown_weekly[c] for c in drawdown_weekly.columns},
        moving_average=config.trend_moving_average,
        slope_window=config.trend_slope_window,
        drawdown_window=config.drawdown_window,
    )


# -- rates ----------------------------------------------------------------------
@dataclass(frozen=True)
class Rates:
    """The policy rate against the FOMC median path, inflation gaps, 2-year spread.

    Attributes
    ----------
    date : Timestamp or None
        Last date of the rates path (the as-of date).
    latest : dict of str to float
        Every column of :func:`rotation.indicators.rates_path` on ``date``
        (percent or percentage points).
    start : Timestamp
        First date of the charts.
    levels, gaps : dict of str to Series
        Weekly chart points: Fed funds midpoint, median dots (current year,
        terminal year), 2-year yield; inflation gaps and 2y minus the midpoint.
    inflation_target : float
        Percent (the gaps are measured from it).
    claimed : tuple of ClaimedLevel
        Levels of the dot-plot path the thesis claims (its pillars reading
        ``dots_median(...)`` with a claimed value); empty: no thesis line.
    """

    date: pd.Timestamp | None
    latest: dict[str, float]
    start: pd.Timestamp
    levels: dict[str, pd.Series]
    gaps: dict[str, pd.Series]
    inflation_target: float
    claimed: tuple[ClaimedLevel, ...]


def _macro_start(analysis: Analysis, configured: str) -> pd.Timestamp:
    start = pd.Timestamp(configured)
    if start < analysis.as_of:
        return start
    return chart_start(analysis.market, analysis.config.indicators.chart_lookback)


def compute_rates(analysis: Analysis) -> Rates | Omitted:
    """Rates vs the dot-plot path (when ``rates`` is in ``thesis.panels``)."""
    if "rates" not in analysis.thesis.panels:
        return _not_listed("rates")
    try:
        path = rates_path(analysis.market).loc[: analysis.as_of]
    except KeyError as exc:
        return Omitted("rates", f"a rates series is not loaded ({exc})")
    start = _macro_start(analysis, analysis.config.indicators.rates_chart_start)
    shown = path.loc[start:]
    levels = pd.DataFrame(
        {
            "Fed funds midpoint": shown["fed_mid"],
            "dot median, current year": shown["dots_current_year"],
            "dot median, terminal year": shown["dots_terminal"],
            "2-year Treasury": shown["dgs2_minus_mid"] + shown["fed_mid"],
        }
    )
    gaps = pd.DataFrame(
        {
            "CPI yoy - 2": shown["cpi_yoy_gap"],
            "core PCE yoy - 2": shown["core_pce_yoy_gap"],
            "2y - Fed mid": shown["dgs2_minus_mid"],
        }
    )
    known = path.dropna(how="all")
    latest = known.iloc[-1] if len(known) else None
    levels_w, gaps_w = weekly_points(levels), weekly_points(gaps)
    return Rates(
        date=pd.Timestamp(path.index[-1]) if len(path) else None,
        latest={
            c: float(latest[c]) if latest is not None else np.nan for c in path.columns
        },
        start=start,
        levels={c: levels_w[c] for c in levels_w.columns},
        gaps={c: gaps_w[c] for c in gaps_w.columns},
        inflation_target=INFLATION_TARGET,
        claimed=claimed_levels(analysis.thesis, ("dots:",)),
    )


# -- fed ------------------------------------------------------------------------
@dataclass(frozen=True)
class Fed:
    """The Fed funds target range and the dot-plot medians of each SEP.

    Attributes
    ----------
    date : Timestamp
        The as-of date; ``upper``, ``lower``, ``fed_mid`` the range known then.
    upper, lower, fed_mid : float
    start : Timestamp
        First date of the chart.
    range_history : DataFrame
        date, lower, upper: the range on ``start`` and on each change after.
    latest_sep : Timestamp or None
        Meeting date of the latest SEP; ``latest_medians`` its median dots by
        horizon (percent; None where it projects nothing).
    latest_medians : dict of str to float or None
    seps : DataFrame
        Median dots of the latest ``fed_seps_tabled`` SEPs since ``start``:
        meeting, one column per projected year, longer_run.
    charted_seps : int
        How many of the latest SEPs the chart draws.
    claimed : tuple of ClaimedLevel
        Levels of the policy rate the thesis claims (pillars reading
        ``fed_mid`` with a claimed value).
    """

    date: pd.Timestamp
    upper: float
    lower: float
    fed_mid: float
    start: pd.Timestamp
    range_history: pd.DataFrame
    latest_sep: pd.Timestamp | None
    latest_medians: dict[str, float | None]
    seps: pd.DataFrame
    charted_seps: int
    claimed: tuple[ClaimedLevel, ...]


def _range_history(
    upper: pd.Series, lower: pd.Series, start: pd.Timestamp
) -> pd.DataFrame:
    frame = pd.DataFrame({"lower": lower, "upper": upper}).loc[start:].dropna()
    changed = frame.ne(frame.shift(1)).any(axis=1)
    changed.iloc[:1] = True
    return frame[changed].rename_axis("date").reset_index()


def _sep_table(medians: pd.DataFrame, start: pd.Timestamp, count: int) -> pd.DataFrame:
    recent = medians.loc[medians.index >= start].tail(count)
    years = [c for c in recent.columns if c.isdigit() and recent[c].notna().any()]
    table = recent[[*years, "longer_run"]].rename_axis("meeting").reset_index()
    table["meeting"] = pd.to_datetime(table["meeting"])
    return table


def compute_fed(analysis: Analysis) -> Fed | Omitted:
    """Fed funds range and dot plots (when ``fed`` is in ``thesis.panels``)."""
    if "fed" not in analysis.thesis.panels:
        return _not_listed("fed")
    market, config = analysis.market, analysis.config.indicators
    missing = [s for s in ("DFEDTARU", "DFEDTARL") if s not in market.series]
    if missing:
        return Omitted("fed", f"series {missing} are not loaded")
    upper, lower = market.known("DFEDTARU"), market.known("DFEDTARL")
    mid = fed_funds_midpoint(upper, lower)
    medians = dot_plot_medians(market.dots)
    start = _macro_start(analysis, config.fed_chart_start)
    recent = medians.loc[medians.index >= start]
    last = recent.iloc[-1] if len(recent) else pd.Series(dtype="float64")
    return Fed(
        date=analysis.as_of,
        upper=float(upper.iloc[-1]),
        lower=float(lower.iloc[-1]),
        fed_mid=float(mid.iloc[-1]),
        start=start,
        range_history=_range_history(upper, lower, start),
        latest_sep=pd.Timestamp(recent.index[-1]) if len(recent) else None,
        latest_medians={
            str(k): None if pd.isna(v) else float(v) for k, v in last.items()
        },
        seps=_sep_table(medians, start, config.fed_seps_tabled),
        charted_seps=config.fed_seps_charted,
        claimed=claimed_levels(analysis.thesis, ("fed_mid",)),
    )
