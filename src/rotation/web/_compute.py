"""Turn engine results into API payloads (wiring only: the maths lives in the core)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from rotation.thesis import ThesisEvaluation, ThesisHistory
from rotation.web._errors import ApiError

__all__ = [
    "BACKTEST_STRATEGIES",
    "INDICATORS",
    "backtest_payload",
    "evaluation_payload",
    "history_payload",
    "indicator_frame",
]


def _num(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _day(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(pd.Timestamp(value).date())


def _dates(index: pd.Index) -> list[str]:
    return [str(d.date()) for d in pd.DatetimeIndex(index)]


def evaluation_payload(name: str, ev: ThesisEvaluation) -> dict[str, Any]:
    """Return the ``ThesisStatusResponse`` fields of an evaluation."""
    return {
        "thesis": name,
        "title": ev.title,
        "as_of": _day(ev.as_of),
        "health": _num(ev.health),
        "pillars": [
            {
                "id": p.id,
                "group": p.group,
                "claim": p.claim,
                "claimed": p.claimed_text,
                "claimed_value": _num(p.claimed_value),
                "expr": p.expr,
                "value": _num(p.value),
                "rule": p.rule,
                "status": p.status,
                "distance": _num(p.distance),
                "since": _day(p.since),
                "weight": float(p.weight),
                "reason": p.reason,
            }
            for p in ev.pillars
        ],
        "risks": [
            {
                "id": r.id,
                "description": r.description,
                "expr": r.expr,
                "rule": r.rule,
                "value": _num(r.value),
                "status": r.status,
                "distance": _num(r.distance),
                "since": _day(r.since),
                "reason": r.reason,
            }
            for r in ev.risks
        ],
    }


def _weekly_positions(index: pd.DatetimeIndex) -> list[int]:
    """Positions of each week's last session (and always the very last one)."""
    if len(index) == 0:
        return []
    weeks = index.to_period("W-FRI")
    last = pd.Series(range(len(index)), index=weeks).groupby(level=0).max()
    return [int(p) for p in last.to_numpy()]


def history_payload(
    name: str,
    hist: ThesisHistory,
    *,
    as_of: pd.Timestamp,
    start: pd.Timestamp | None,
    frequency: str,
) -> dict[str, Any]:
    """Return the ``ThesisHistoryResponse`` fields: health and statuses per date.

    Weekly sampling keeps each week's last session, i.e. values known at that
    close (no averaging across days, so nothing of a later day leaks in).
    """
    health = hist.health.loc[start:] if start is not None else hist.health
    index = pd.DatetimeIndex(health.index)
    rows = (
        _weekly_positions(index) if frequency == "weekly" else list(range(len(index)))
    )
    offset = len(hist.health) - len(health)
    picked = [offset + r for r in rows]
    status = hist.status.iloc[picked]
    values = hist.values.iloc[picked]
    return {
        "thesis": name,
        "as_of": _day(as_of),
        "frequency": frequency,
        "dates": _dates(hist.health.index[picked]),
        "health": [_num(v) for v in hist.health.iloc[picked]],
        "coverage": [_num(v) for v in hist.coverage.iloc[picked]],
        "status": {
            str(c): [None if pd.isna(v) else str(v) for v in status[c]]
            for c in status.columns
        },
        "values": {str(c): [_num(v) for v in values[c]] for c in values.columns},
    }


def _returns(prices: pd.DataFrame) -> pd.DataFrame:
    from rotation.indicators import simple_returns

    return simple_returns(prices)


def _indicator_functions() -> dict[str, Callable[..., pd.DataFrame]]:
    from rotation import indicators as ind

    return {
        "momentum": lambda px, w, b: ind.momentum(px, w),
        "ma_slope": lambda px, w, b: ind.moving_average_slope(px, w),
        "zscore": lambda px, w, b: ind.rolling_zscore(px, w),
        "drawdown": lambda px, w, b: ind.drawdown_from_high(px, w),
        "avg_corr": lambda px, w, b: ind.rolling_average_correlation(
            _returns(px), w
        ).to_frame("avg_corr"),
        "dispersion": lambda px, w, b: ind.rolling_dispersion(_returns(px), w).to_frame(
            "dispersion"
        ),
        "relative_return": lambda px, w, b: ind.relative_return(px, b, w).to_frame(
            "relative_return"
        ),
    }


#: Indicator names offered by ``/api/indicators/{name}``.
INDICATORS: tuple[str, ...] = (
    "momentum",
    "ma_slope",
    "zscore",
    "drawdown",
    "avg_corr",
    "dispersion",
    "relative_return",
)


def indicator_frame(
    name: str,
    prices: pd.DataFrame,
    *,
    window: int,
    benchmark: pd.Series | None,
) -> pd.DataFrame:
    """Compute indicator ``name`` on ``prices`` (columns: symbols or the one result).

    Raises
    ------
    ApiError
        422 when the core rejects the inputs (e.g. too few symbols for a
        correlation), with the core's message.
    """
    try:
        return _indicator_functions()[name](prices, window, benchmark)
    except (ValueError, TypeError) as exc:
        raise ApiError(422, f"indicator {name!r} cannot be computed: {exc}") from exc


def frame_payload(frame: pd.DataFrame) -> tuple[list[str], dict[str, list[Any]]]:
    """Dates and per-column values (NaN -> null) of a wide frame."""
    return _dates(frame.index), {
        str(c): [_num(v) for v in frame[c].to_numpy()] for c in frame.columns
    }


#: Strategies offered by ``/api/backtest``.
BACKTEST_STRATEGIES: tuple[str, ...] = (
    "relative_momentum",
    "equal_weight",
    "buy_and_hold",
    "thesis_tilt",
)


def backtest_payload(
    strategy: str,
    prices: pd.DataFrame,
    *,
    window: int,
    top_k: int,
    cost_bps: float,
    signal: pd.Series | None,
    tangible: list[str],
    tech: list[str],
    as_of: pd.Timestamp,
) -> dict[str, Any]:
    """Run a named strategy with :func:`rotation.backtest.run_backtest`.

    Raises
    ------
    ApiError
        503 if the backtest package is missing, 422 if it rejects the inputs.
    """
    try:
        from rotation.backtest import run_backtest
    except ImportError as exc:  # pragma: no cover - the package ships now
        from rotation.web._errors import NotAvailableError

        raise NotAvailableError("the backtest engine", str(exc)) from exc
    params: dict[str, Any] = {}
    if strategy == "relative_momentum":
        params = {"lookback": window, "top_k": min(top_k, prices.shape[1])}
    elif strategy == "thesis_tilt":
        params = {"tangible": tangible, "tech": tech}
    try:
        result = run_backtest(
            strategy, prices, params=params, signal=signal, cost_bps=cost_bps
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise ApiError(422, f"backtest {strategy!r} cannot run: {exc}") from exc
    equity = result.equity
    picked = _weekly_positions(pd.DatetimeIndex(equity.index))
    return {
        "strategy": strategy,
        "as_of": _day(as_of),
        "symbols": [str(c) for c in prices.columns],
        "params": {
            k: list(v) if isinstance(v, list | tuple) else v for k, v in params.items()
        },
        "cost_bps": cost_bps,
        "metrics": {k: _num(v) for k, v in result.metrics.items()},
        "dates": _dates(equity.index[picked]),
        "equity": [_num(v) for v in equity.iloc[picked]],
    }
