"""API routes of the indicator explorer and of the data coverage.

``/api/indicators/{name}`` encodes :func:`rotation.analysis.explore_indicator`
(default symbols and benchmark: the thesis's universe); ``/api/coverage``
encodes ``analysis.coverage`` (what is known on the as-of date), the same JSON
as the report's coverage section.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from rotation.analysis import (
    INDICATORS,
    ExplorerError,
    default_benchmark,
    default_symbols,
    explore_indicator,
    to_jsonable,
)
from rotation.web._api_common import (
    DATE_PATTERN,
    ERRORS,
    ApiContext,
    AsOf,
    ThesisName,
    Window,
)
from rotation.web._errors import ApiError
from rotation.web._models import CoveragePartResponse, IndicatorResponse
from rotation.web._params import parse_name, parse_symbols, parse_window
from rotation.web._service import DEFAULT_THESIS

__all__ = ["register"]

Symbols = Annotated[
    str | None,
    Query(
        max_length=400,
        description="Comma-separated stored symbols (default: the thesis universe).",
    ),
]
Benchmark = Annotated[
    str | None,
    Query(
        max_length=32,
        description="Benchmark of relative_return (default: the universe's).",
    ),
]
Start = Annotated[
    str | None,
    Query(
        pattern=DATE_PATTERN,
        max_length=10,
        description="First date shown (default: three years before as_of).",
    ),
]
IndicatorName = Annotated[
    str, PathParam(description="Indicator name (see /api/health).", max_length=32)
]


def _symbols(
    api: ApiContext, value: str | None, defaults: tuple[str, ...]
) -> list[str]:
    if (value is None or not value.strip()) and not defaults:
        raise ApiError(
            422,
            "the thesis names no universe or core spread to take default symbols "
            "from; give symbols=A,B,...",
            parameter="symbols",
        )
    return parse_symbols(value, allowed=api.service.symbols, default=defaults)


def _benchmark(api: ApiContext, value: str | None, default: str | None) -> str:
    if (value is None or not value.strip()) and default is None:
        raise ApiError(
            422,
            "relative_return needs a benchmark and the thesis names no universe "
            "benchmark; give benchmark=SYMBOL",
            parameter="benchmark",
        )
    names = parse_symbols(
        value,
        allowed=api.service.symbols,
        default=(default or "",),
        parameter="benchmark",
    )
    return names[0]


def _register_indicator(app: FastAPI, api: ApiContext) -> None:
    @app.get(
        "/api/indicators/{name}",
        response_model=IndicatorResponse,
        responses=ERRORS,
        tags=["indicators"],
    )
    def indicator(
        name: IndicatorName,
        symbols: Symbols = None,
        benchmark: Benchmark = None,
        window: Window = None,
        as_of: AsOf = None,
        start: Start = None,
        thesis: ThesisName = DEFAULT_THESIS,
    ) -> Response:
        """Compute an indicator of :mod:`rotation.indicators` on stored prices (causal)."""
        parse_name(name, allowed=INDICATORS, parameter="name", what="indicator")
        analysis = api.analysis(thesis, as_of)
        day = analysis.as_of
        names = _symbols(api, symbols, default_symbols(analysis.thesis))
        bench = None
        if name == "relative_return":
            bench = _benchmark(api, benchmark, default_benchmark(analysis.thesis))
        size = parse_window(
            window, default=analysis.config.indicators.correlation_window
        )
        first = api.start(start, day, years=3)

        def make() -> dict[str, Any]:
            try:
                result = explore_indicator(
                    analysis.market, name, symbols=names, window=size,
                    benchmark=bench, start=first,
                )  # fmt: skip
            except ExplorerError as exc:
                raise ApiError(422, str(exc), parameter="symbols") from exc
            return to_jsonable(result)

        key = ("indicator", name, tuple(names), bench, size, day, first)
        return api.cached_json(key, IndicatorResponse, make)


def _register_coverage(app: FastAPI, api: ApiContext) -> None:
    @app.get(
        "/api/coverage",
        response_model=CoveragePartResponse,
        responses=ERRORS,
        tags=["data"],
    )
    def coverage(thesis: ThesisName = DEFAULT_THESIS, as_of: AsOf = None) -> Response:
        """First/last date and rows of every symbol and series known on ``as_of``."""
        analysis = api.analysis(thesis, as_of)

        def make() -> dict[str, Any]:
            return {"thesis": thesis, **to_jsonable(analysis.coverage)}

        key = ("coverage", thesis, analysis.as_of)
        return api.cached_json(key, CoveragePartResponse, make)


def register(app: FastAPI, api: ApiContext) -> None:
    """Add ``/api/indicators/{name}`` and ``/api/coverage`` to ``app``."""
    _register_indicator(app, api)
    _register_coverage(app, api)
