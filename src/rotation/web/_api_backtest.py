"""``/api/backtest``: the backtests part of the Analysis.

The route encodes :attr:`Analysis.backtests` (or one strategy of it, with
``?strategy=``) with :func:`rotation.analysis.to_jsonable`: the JSON
``report.json``'s backtest section and ``rotation backtest --format json``
hold, so a strategy's CAGR, Sharpe ratio and drawdown have one value
everywhere. ``lookback``, ``top_k``, ``skip`` and ``cost_bps`` are the
settings ``backtest.lookback`` ... (``rotation backtest --set``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import Response

from rotation.analysis import STRATEGY_NAMES, Omitted, to_jsonable
from rotation.web._api_common import ERRORS, ApiContext, AsOf, ThesisName
from rotation.web._errors import ApiError
from rotation.web._models import BacktestPartResponse
from rotation.web._params import MAX_WINDOW
from rotation.web._service import DEFAULT_THESIS

if TYPE_CHECKING:
    from rotation.analysis import Analysis

__all__ = ["register"]

StrategyName = Annotated[
    str | None,
    Query(
        max_length=32,
        description="One strategy: " + ", ".join(STRATEGY_NAMES) + " (default: "
        "every strategy the thesis has).",
    ),
]
Lookback = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_WINDOW,
        description="Momentum lookback in sessions (backtest.lookback; default 126).",
    ),
]
TopK = Annotated[
    int | None,
    Query(
        ge=1,
        le=200,
        description="Universe members momentum holds (backtest.top_k; default 3).",
    ),
]
Skip = Annotated[
    int | None,
    Query(
        ge=0,
        le=252,
        description="Most recent sessions momentum leaves out "
        "(backtest.skip; default 0).",
    ),
]
CostBps = Annotated[
    float | None,
    Query(
        ge=0,
        le=500,
        description="Costs in basis points of traded value "
        "(backtest.cost_bps; default 10).",
    ),
]


def _payload(analysis: Analysis, thesis: str, strategy: str | None) -> dict[str, Any]:
    """Encode the part (or one of its strategies); a strategy it lacks is a 404."""
    try:
        part = analysis.backtests
    except ValueError as exc:
        raise ApiError(503, f"the backtests could not be computed: {exc}") from exc
    if strategy is not None and not isinstance(part, Omitted):
        try:
            part = part.select(strategy)
        except KeyError as exc:
            raise ApiError(
                404, exc.args[0], parameter="strategy", allowed=list(part.strategies)
            ) from exc
    return {
        "thesis": thesis,
        "as_of": analysis.as_of.date().isoformat(),
        "strategy": strategy,
        "settings": {
            k: v
            for k, v in analysis.config.as_dict()["backtest"].items()
            if k in ("lookback", "top_k", "skip", "cost_bps")
        },
        "data": to_jsonable(part),
    }


def register(app: FastAPI, api: ApiContext) -> None:
    """Add ``/api/backtest`` to ``app``."""

    @app.get(
        "/api/backtest",
        response_model=BacktestPartResponse,
        responses=ERRORS,
        tags=["analysis"],
    )
    def backtest(
        strategy: StrategyName = None,
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        lookback: Lookback = None,
        top_k: TopK = None,
        skip: Skip = None,
        cost_bps: CostBps = None,
    ) -> Response:
        """Backtests of the thesis: its book, its signal, momentum, benchmark."""
        if strategy is not None and strategy not in STRATEGY_NAMES:
            raise ApiError(
                404,
                f"unknown strategy {strategy!r}; allowed: {', '.join(STRATEGY_NAMES)}",
                parameter="strategy",
                allowed=list(STRATEGY_NAMES),
            )
        given = {
            "lookback": lookback,
            "top_k": top_k,
            "skip": skip,
            "cost_bps": cost_bps,
        }
        settings = {f"backtest.{k}": v for k, v in given.items() if v is not None}
        analysis = api.analysis(thesis, as_of, settings)
        return api.cached_json(
            ("backtest", thesis, analysis.as_of, analysis.config.digest(), strategy),
            BacktestPartResponse,
            lambda: _payload(analysis, thesis, strategy),
        )
