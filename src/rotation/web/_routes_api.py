"""JSON API routes of the dashboard (described by the OpenAPI schema)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, FastAPI, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from rotation.universe import SECTOR_SPDRS
from rotation.web import _compute
from rotation.web._errors import ApiError, NotAvailableError
from rotation.web._models import (
    BacktestResponse,
    CoverageResponse,
    ErrorResponse,
    HealthResponse,
    IndicatorResponse,
    ReportResponse,
    SectionResponse,
    ThesisHistoryResponse,
    ThesisStatusResponse,
    UpdateResponse,
)
from rotation.web._params import (
    MAX_WINDOW,
    parse_as_of,
    parse_name,
    parse_start,
    parse_symbols,
    parse_window,
)
from rotation.web._service import DEFAULT_THESIS, DashboardService

__all__ = ["AsOf", "ThesisName", "Window", "as_of_for", "register_api", "section_list"]

_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (
            404,
            "Unknown name (thesis, section, symbol...); the message lists the allowed names.",
        ),
        (422, "Bad parameter; the message names it, the value and what is allowed."),
        (
            503,
            "Not available yet (a part of the engine still being written, or the store busy).",
        ),
    )
}
_DEFAULT_SYMBOLS = ("XLK", "XLI", "XLB", "XLE")
_DEFAULT_BENCHMARK = "SPY"

AsOf = Annotated[
    str | None,
    Query(
        description="Session date YYYY-MM-DD (default: the store's last); only data "
        "known at that close is used. Weekends map to the session before.",
        pattern=_DATE_PATTERN,
        max_length=10,
    ),
]
ThesisName = Annotated[
    str,
    Query(
        description="Thesis name: a YAML file stem in the thesis folder, or the "
        "packaged default.",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        max_length=64,
    ),
]
Window = Annotated[
    int | None,
    Query(ge=2, le=MAX_WINDOW, description="Window length in sessions."),
]
_BEARER = HTTPBearer(auto_error=False, description="Write token (writes only).")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


def as_of_for(service: DashboardService, value: str | None) -> pd.Timestamp:
    """Parse ``?as_of=`` against the store's sessions (422 when out of range)."""
    return parse_as_of(
        value,
        first=service.first_date,
        last=service.last_date,
        sessions=service.sessions,
    )


def section_list(
    value: str | None, allowed: list[str], parameter: str
) -> list[str] | None:
    """Split a comma-separated list of section ids (404 for an unknown one)."""
    if value is None or value.strip() == "":
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    for name in names:
        parse_name(name, allowed=allowed, parameter=parameter, what="section")
    return names


def register_api(
    app: FastAPI, service: DashboardService, *, allow_writes: bool, token: str | None
) -> None:
    """Add the ``/api/...`` routes to ``app``."""

    def start_of(
        start: str | None, day: pd.Timestamp, *, years: int | None
    ) -> pd.Timestamp | None:
        # ?start= validated against the store, else a default lookback (None: all).
        if start:
            return parse_start(
                start, first=service.first_date, last=day, sessions=service.sessions
            )
        if years is None:
            return None
        return max(service.first_date, day - pd.DateOffset(years=years))

    def as_of_of(value: str | None) -> pd.Timestamp:
        return as_of_for(service, value)

    def cached_json(
        key: tuple[Any, ...], model: type[BaseModel], make: Callable[[], dict[str, Any]]
    ) -> Response:
        def encode() -> bytes:
            return model.model_validate(make()).model_dump_json().encode("utf-8")

        return Response(
            service.cached(("json", *key), encode), media_type="application/json"
        )

    def section_json(section_id: str, thesis: str, as_of: pd.Timestamp) -> Response:
        def make() -> dict[str, Any]:
            from rotation.report.render import to_jsonable

            built = service.section(section_id, thesis, as_of)
            if built.failure is not None:
                error = built.failure.error
                if error.startswith(("ModuleNotFoundError", "ImportError")):
                    raise NotAvailableError(f"the {section_id} section", error)
                raise ApiError(
                    503, f"the {section_id} section could not be built: {error}"
                )
            section = built.section
            return {
                "id": section.id,
                "title": section.title,
                "thesis": thesis,
                "as_of": str(as_of.date()),
                "failed": False,
                "data": to_jsonable(dict(section.data)),
            }

        return cached_json(
            ("section", section_id, thesis, as_of), SectionResponse, make
        )

    # -- API -----------------------------------------------------------------
    @app.get("/api/health", response_model=HealthResponse, tags=["meta"])
    async def health() -> Response:
        """Liveness, the store's date range and what can be asked for."""
        body = HealthResponse(
            status="ok",
            first_date=str(service.first_date.date()),
            last_date=str(service.last_date.date()),
            theses=list(service.theses()),
            sections=service.section_ids,
            indicators=list(_compute.INDICATORS),
            strategies=list(_compute.BACKTEST_STRATEGIES),
            writes_enabled=allow_writes,
            cache_entries=len(service.cache),
        )
        return Response(body.model_dump_json(), media_type="application/json")

    @app.get(
        "/api/coverage",
        response_model=CoverageResponse,
        responses=_ERRORS,
        tags=["data"],
    )
    def coverage() -> Response:
        """First/last date, rows, source and unit of every symbol and series."""

        def make() -> dict[str, Any]:
            frame = service.coverage()
            rows = [
                {
                    k: (
                        None
                        if v is None or (isinstance(v, float) and pd.isna(v))
                        else (int(v) if k == "rows" else str(v))
                    )
                    for k, v in row.items()
                }
                for row in frame.to_dict(orient="records")
            ]
            return {"rows": rows}

        return cached_json(("coverage",), CoverageResponse, make)

    @app.get(
        "/api/thesis/status",
        response_model=ThesisStatusResponse,
        responses=_ERRORS,
        tags=["thesis"],
    )
    def thesis_status(
        thesis: ThesisName = DEFAULT_THESIS, as_of: AsOf = None
    ) -> Response:
        """Each pillar's value and status, and the health score, as of a date."""
        day = as_of_of(as_of)
        service.thesis_path(thesis)
        return cached_json(
            ("status", thesis, day),
            ThesisStatusResponse,
            lambda: _compute.evaluation_payload(
                thesis, service.evaluation(thesis, day)
            ),
        )

    @app.get(
        "/api/thesis/history",
        response_model=ThesisHistoryResponse,
        responses=_ERRORS,
        tags=["thesis"],
    )
    def thesis_history(
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        start: Annotated[
            str | None,
            Query(
                pattern=_DATE_PATTERN,
                max_length=10,
                description="First date shown (default: five years before as_of).",
            ),
        ] = None,
        frequency: Annotated[
            str,
            Query(
                pattern="^(daily|weekly)$",
                description="daily or weekly (each week's last session).",
            ),
        ] = "weekly",
    ) -> Response:
        """Thesis health and pillar statuses on every date up to ``as_of``."""
        day = as_of_of(as_of)
        first = start_of(start, day, years=5)
        service.thesis_path(thesis)
        return cached_json(
            ("history", thesis, day, first, frequency),
            ThesisHistoryResponse,
            lambda: _compute.history_payload(
                thesis,
                service.history(thesis, day),
                as_of=day,
                start=first,
                frequency=frequency,
            ),
        )

    @app.get(
        "/api/indicators/{name}",
        response_model=IndicatorResponse,
        responses=_ERRORS,
        tags=["indicators"],
    )
    def indicator(
        name: Annotated[
            str,
            PathParam(description="Indicator name (see /api/health).", max_length=32),
        ],
        symbols: Annotated[
            str | None,
            Query(max_length=400, description="Comma-separated stored symbols."),
        ] = None,
        benchmark: Annotated[
            str | None,
            Query(max_length=32, description="Benchmark symbol for relative_return."),
        ] = None,
        window: Window = None,
        as_of: AsOf = None,
        start: Annotated[
            str | None,
            Query(
                pattern=_DATE_PATTERN,
                max_length=10,
                description="First date shown (default: three years before as_of).",
            ),
        ] = None,
    ) -> Response:
        """Compute an indicator of :mod:`rotation.indicators` on stored prices (causal)."""
        parse_name(
            name, allowed=_compute.INDICATORS, parameter="name", what="indicator"
        )
        day = as_of_of(as_of)
        names = parse_symbols(
            symbols, allowed=service.symbols, default=_DEFAULT_SYMBOLS
        )
        bench = None
        if name == "relative_return":
            bench = parse_symbols(
                benchmark,
                allowed=service.symbols,
                default=(_DEFAULT_BENCHMARK,),
                parameter="benchmark",
            )[0]
        if name in ("avg_corr", "dispersion") and len(names) < 2:
            raise ApiError(
                422,
                f"indicator {name!r} cannot be computed on one symbol; give at least "
                f"two in symbols (got {', '.join(names)}).",
                parameter="symbols",
            )
        size = parse_window(window, default=63)
        first = start_of(start, day, years=3)

        def make() -> dict[str, Any]:
            prices = service.market(day).prices
            # Rows where none of the chosen symbols trades are not their sessions
            # (e.g. a market holiday that futures in the panel trade on).
            frame = _compute.indicator_frame(
                name,
                prices[names].dropna(how="all"),
                window=size,
                benchmark=prices[bench].dropna() if bench else None,
            ).loc[first:]
            dates, values = _compute.frame_payload(frame)
            return {
                "name": name,
                "as_of": str(day.date()),
                "window": size,
                "symbols": names,
                "benchmark": bench,
                "dates": dates,
                "values": values,
            }

        return cached_json(
            ("indicator", name, tuple(names), bench, size, day, first),
            IndicatorResponse,
            make,
        )

    @app.get(
        "/api/regimes",
        response_model=SectionResponse,
        responses=_ERRORS,
        tags=["engine"],
    )
    def regimes(thesis: ThesisName = DEFAULT_THESIS, as_of: AsOf = None) -> Response:
        """Return the regimes section's numbers (composite score, Markov regimes)."""
        day = as_of_of(as_of)
        service.thesis_path(thesis)
        return section_json("regimes", thesis, day)

    @app.get(
        "/api/risk", response_model=SectionResponse, responses=_ERRORS, tags=["engine"]
    )
    def risk(thesis: ThesisName = DEFAULT_THESIS, as_of: AsOf = None) -> Response:
        """Return the risk section's numbers (scenarios, replays, factors, VaR)."""
        day = as_of_of(as_of)
        service.thesis_path(thesis)
        return section_json("risk", thesis, day)

    @app.get(
        "/api/sections/{section_id}",
        response_model=SectionResponse,
        responses=_ERRORS,
        tags=["engine"],
    )
    def section_data(
        section_id: Annotated[
            str, PathParam(max_length=32, description="A report section id.")
        ],
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
    ) -> Response:
        """Any report section's numbers, exactly as ``report.json`` holds them."""
        parse_name(
            section_id,
            allowed=service.section_ids,
            parameter="section_id",
            what="section",
        )
        day = as_of_of(as_of)
        service.thesis_path(thesis)
        return section_json(section_id, thesis, day)

    @app.get(
        "/api/backtest",
        response_model=BacktestResponse,
        responses=_ERRORS,
        tags=["engine"],
    )
    def backtest(
        strategy: Annotated[
            str,
            Query(
                max_length=32,
                description="relative_momentum, equal_weight, buy_and_hold or thesis_tilt.",
            ),
        ] = "relative_momentum",
        symbols: Annotated[
            str | None,
            Query(
                max_length=400,
                description="Comma-separated universe (default: the 11 sector SPDRs; thesis_tilt: the thesis's tangible and tech baskets).",
            ),
        ] = None,
        window: Window = None,
        top_k: Annotated[
            int, Query(ge=1, le=40, description="Assets held by relative_momentum.")
        ] = 3,
        cost_bps: Annotated[
            float,
            Query(ge=0, le=500, description="Costs in basis points of traded value."),
        ] = 10.0,
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        start: Annotated[
            str | None,
            Query(
                pattern=_DATE_PATTERN,
                max_length=10,
                description="First session of the backtest (default: the first session where every asset has a price).",
            ),
        ] = None,
    ) -> Response:
        """Backtest a named strategy up to ``as_of`` (decide at t, trade at t+1)."""
        parse_name(
            strategy,
            allowed=_compute.BACKTEST_STRATEGIES,
            parameter="strategy",
            what="strategy",
        )
        day = as_of_of(as_of)
        size = parse_window(window, default=126)
        service.thesis_path(thesis)
        tangible: list[str] = []
        tech: list[str] = []
        if strategy == "thesis_tilt":
            baskets = service.thesis(thesis).baskets
            if "tangible" not in baskets or "tech" not in baskets:
                raise ApiError(
                    422,
                    f"thesis {thesis!r} has no 'tangible' and 'tech' baskets; thesis_tilt needs both.",
                    parameter="thesis",
                )
            tangible = [m for m in baskets["tangible"].members if m in service.symbols]
            tech = [m for m in baskets["tech"].members if m in service.symbols]
            default = tuple(tangible + tech)
        else:
            default = SECTOR_SPDRS
        names = parse_symbols(
            symbols,
            allowed=service.symbols,
            default=[s for s in default if s in service.symbols],
        )
        if strategy == "thesis_tilt" and not set(tangible + tech) <= set(names):
            raise ApiError(
                422,
                f"symbols must include the thesis's tangible and tech baskets ({', '.join(tangible + tech)}) for thesis_tilt.",
                parameter="symbols",
            )
        begin = start_of(start, day, years=None)

        def make() -> dict[str, Any]:
            prices = service.market(day).prices[names]
            common = prices.dropna(how="any").index
            if len(common) == 0:
                raise ApiError(
                    422,
                    f"symbols {', '.join(names)} share no session with prices up to {day.date()}.",
                    parameter="symbols",
                )
            lo = max(common[0], begin) if begin is not None else common[0]
            prices = prices.loc[lo:].dropna(how="all")  # non-sessions of these assets
            if len(prices) < size + 2:
                raise ApiError(
                    422,
                    f"only {len(prices)} sessions from {lo.date()} to {day.date()}; window={size} needs at least {size + 2}.",
                    parameter="window",
                )
            signal = (
                service.history(thesis, day).health.reindex(prices.index)
                if strategy == "thesis_tilt"
                else None
            )
            return _compute.backtest_payload(
                strategy,
                prices,
                window=size,
                top_k=top_k,
                cost_bps=cost_bps,
                signal=signal,
                tangible=tangible,
                tech=tech,
                as_of=day,
            )

        return cached_json(
            (
                "backtest",
                strategy,
                tuple(names),
                size,
                top_k,
                cost_bps,
                thesis,
                day,
                begin,
            ),
            BacktestResponse,
            make,
        )

    @app.get(
        "/api/report", response_model=ReportResponse, responses=_ERRORS, tags=["engine"]
    )
    def report(
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        only: Annotated[
            str | None,
            Query(
                max_length=300,
                description="Comma-separated section ids (default: all).",
            ),
        ] = None,
    ) -> Response:
        """Return the ``report.json`` payload of (thesis, as-of): every number."""
        day = as_of_of(as_of)
        service.thesis_path(thesis)
        wanted = section_list(only, service.section_ids, "only")

        def encode() -> bytes:
            from rotation.report.render import render_json

            built = service.report(thesis, day, wanted)
            meta = {"store": service.store_path.name, "thesis": thesis}
            return render_json(built, meta=meta).encode("utf-8")

        body = service.cached(("report.json", thesis, day, tuple(wanted or ())), encode)
        return Response(body, media_type="application/json")

    @app.post(
        "/api/data/update",
        response_model=UpdateResponse,
        responses={
            **_ERRORS,
            401: {"model": ErrorResponse, "description": "Missing or wrong token."},
            403: {"model": ErrorResponse, "description": "Writes are disabled."},
        },
        tags=["data"],
    )
    def update(credentials: Credentials = None) -> UpdateResponse:
        """Load the bundled dataset into the store (off unless enabled; needs the token)."""
        if not allow_writes:
            raise ApiError(
                403,
                "writes are disabled on this server; start it with allow_writes=True and a token to enable them.",
            )
        given = credentials.credentials if credentials is not None else ""
        if token is None or not hmac.compare_digest(given.encode(), token.encode()):
            raise ApiError(
                401,
                "a valid bearer token is required for writes (Authorization: Bearer <token>).",
            )
        from rotation.data.ingest import ensure_bundled
        from rotation.data.store import Store

        loaded = ensure_bundled(Store(service.store_path))
        service.refresh()
        return UpdateResponse(loaded=loaded, last_date=str(service.last_date.date()))

    # -- pages ---------------------------------------------------------------
