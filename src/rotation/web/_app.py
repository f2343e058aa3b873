"""The FastAPI application: JSON API (OpenAPI) and dashboard pages."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rotation.data.store import StoreBusyError, default_store_path
from rotation.web import _compute, _pages
from rotation.web._errors import ApiError, NotAvailableError
from rotation.web._http_cache import ResponseCache
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

__all__ = ["create_app"]

log = logging.getLogger("rotation.web")

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


class _SecurityHeaders:
    """Add conservative security headers to every response (pure ASGI: cheap)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@cache
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api") or path.endswith(".json"))


def _error_response(request: Request, status: int, payload: dict[str, Any]) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if _wants_html(request):
        return HTMLResponse(
            _pages.error_page(status, str(payload["error"])),
            status_code=status,
            headers=headers,
        )
    return JSONResponse(payload, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    parts, first = [], None
    for error in exc.errors():
        loc = [
            str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")
        ]
        name = ".".join(loc) or "request"
        first = first or name
        value = error.get("input")
        shown = repr(value)[:60] if value is not None else "nothing"
        parts.append(f"{name}: {error.get('msg', 'invalid')} (got {shown})")
    return "; ".join(parts) or "invalid request", first


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _error_response(request, exc.status_code, exc.payload())

    @app.exception_handler(RequestValidationError)
    async def validation_error(
        request: Request, exc: RequestValidationError
    ) -> Response:
        message, parameter = _validation_message(exc)
        payload = {
            "error": message,
            "status": 422,
            "parameter": parameter,
            "allowed": None,
        }
        return _error_response(request, 422, payload)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code == 404:
            message = (
                f"no page or endpoint at {request.url.path[:80]!r}; see /openapi.json"
            )
        payload = {
            "error": message,
            "status": exc.status_code,
            "parameter": None,
            "allowed": None,
        }
        return _error_response(request, exc.status_code, payload)

    @app.exception_handler(StoreBusyError)
    async def busy(request: Request, exc: StoreBusyError) -> Response:
        payload = {"error": str(exc), "status": 503, "parameter": None, "allowed": None}
        return _error_response(request, 503, payload)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Logged with its trace on the server; the client gets no internals.
        log.exception("unexpected error on %s", request.url.path)
        payload = {
            "error": f"internal error ({type(exc).__name__}); see the server log",
            "status": 500,
            "parameter": None,
            "allowed": None,
        }
        return _error_response(request, 500, payload)


def create_app(
    store_path: str | Path | None = None,
    *,
    thesis_dir: str | Path | None = None,
    allow_writes: bool = False,
    token: str | None = None,
    cache_size: int = 256,
) -> FastAPI:
    """Build the dashboard application on an existing store.

    Parameters
    ----------
    store_path : str or Path, optional
        DuckDB store (default ``$ROTATION_STORE`` or the user store). It is
        opened read-only for every read.
    thesis_dir : str or Path, optional
        Folder whose ``*.yaml`` files are offered as theses by name; the
        packaged default thesis is always offered.
    allow_writes : bool, default False
        Enable ``POST /api/data/update``; it then requires ``token``.
    token : str, optional
        Bearer token for writes (at least 16 characters).
    cache_size : int, default 256
        Results kept in the LRU cache.

    Returns
    -------
    FastAPI
        The application (serve it with :func:`rotation.web.serve` or uvicorn).

    Raises
    ------
    ValueError
        If writes are enabled without a token of at least 16 characters.
    FileNotFoundError
        If there is no store at ``store_path`` or ``thesis_dir`` is not a folder.
    """
    if allow_writes and (token is None or len(token) < 16):
        raise ValueError(
            "allow_writes=True needs token= of at least 16 characters (got "
            f"{'none' if token is None else f'{len(token)} characters'}); writes "
            "without a token are never allowed."
        )
    service = DashboardService(
        store_path or default_store_path(), thesis_dir=thesis_dir, cache_size=cache_size
    )
    app = FastAPI(
        title="rotation dashboard",
        version="1",
        description="Read-only JSON API and pages over a point-in-time rotation store.",
        docs_url=None,  # Swagger UI loads from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.service = service
    app.add_middleware(_SecurityHeaders)
    # Outermost: a repeated URL is answered before routing, with the headers
    # (security ones included) of its first answer.
    app.add_middleware(
        ResponseCache,
        maxsize=max(64, 4 * cache_size),
        skip=("/api/health", "/api/data/update"),
        version=service.version,
    )
    _install_handlers(app)

    def as_of_of(value: str | None) -> pd.Timestamp:
        return parse_as_of(
            value,
            first=service.first_date,
            last=service.last_date,
            sessions=service.sessions,
        )

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
        first = (
            parse_start(
                start,
                first=service.first_date,
                last=day,
                sessions=service.sessions,
            )
            if start
            else max(service.first_date, day - pd.DateOffset(years=5))
        )
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
        first = (
            parse_start(
                start,
                first=service.first_date,
                last=day,
                sessions=service.sessions,
            )
            if start
            else max(service.first_date, day - pd.DateOffset(years=3))
        )

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
            default = (
                "XLK",
                "XLI",
                "XLB",
                "XLE",
                "XLF",
                "XLV",
                "XLY",
                "XLP",
                "XLU",
                "XLRE",
                "XLC",
            )
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
        begin = (
            parse_start(
                start,
                first=service.first_date,
                last=day,
                sessions=service.sessions,
            )
            if start
            else None
        )

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
        wanted = _section_list(only, service.section_ids, "only")

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
    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(
            _plotly_js(),
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        basket: Annotated[str | None, Query(max_length=64)] = None,
        benchmark: Annotated[str | None, Query(max_length=64)] = None,
        window: Window = None,
        sections: Annotated[str | None, Query(max_length=300)] = None,
    ) -> Response:
        day = as_of_of(as_of)
        service.thesis_path(thesis)
        wanted = _section_list(sections, service.section_ids, "sections")
        spec = service.thesis(thesis)
        baskets = list(spec.baskets)
        pick = (
            parse_name(basket, allowed=baskets, parameter="basket", what="basket")
            if basket
            else (
                "tangible" if "tangible" in baskets else baskets[0] if baskets else ""
            )
        )
        versus = (
            parse_name(benchmark, allowed=baskets, parameter="benchmark", what="basket")
            if benchmark
            else ("tech" if "tech" in baskets else pick)
        )
        size = parse_window(window, default=63)
        key = ("page", thesis, day, pick, versus, size, tuple(wanted or ()))

        def render() -> bytes:
            from rotation.web._explorer import explorer_html

            ev = service.evaluation(thesis, day)
            members = {
                b: [m for m in spec.baskets[b].members if m in service.symbols]
                for b in (pick, versus)
                if b
            }
            explorer = explorer_html(
                service.market(day).prices,
                members.get(pick, []),
                members.get(versus, []),
                pick,
                versus,
                size,
                day,
            )
            return _pages.render_page(
                title=f"rotation dashboard — {ev.title}",
                action="/",
                thesis=thesis,
                theses=list(service.theses()),
                as_of=str(day.date()),
                first=str(service.first_date.date()),
                last=str(service.last_date.date()),
                baskets=baskets,
                basket=pick,
                benchmark=versus,
                window=size,
                sections_param=sections or "",
                headline=_headline(ev),
                pillars=_pillar_rows(ev),
                explorer=explorer,
                sections=_section_blocks(service, wanted, thesis, day),
            ).encode("utf-8")

        return HTMLResponse(service.cached(key, render))

    @app.get(
        "/section/{section_id}", response_class=HTMLResponse, include_in_schema=False
    )
    def section_page(
        section_id: Annotated[str, PathParam(max_length=32)],
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        fragment: bool = False,
    ) -> Response:
        parse_name(
            section_id,
            allowed=service.section_ids,
            parameter="section_id",
            what="section",
        )
        day = as_of_of(as_of)
        service.thesis_path(thesis)

        def render() -> bytes:
            blocks = _section_blocks(service, [section_id], thesis, day)
            if fragment:
                s = blocks[0]
                return _pages.render_fragment(s).encode("utf-8")
            return _pages.render_page(
                title=f"rotation — {blocks[0]['title']}",
                action=f"/section/{section_id}",
                thesis=thesis,
                theses=list(service.theses()),
                as_of=str(day.date()),
                first=str(service.first_date.date()),
                last=str(service.last_date.date()),
                baskets=[],
                sections_param="",
                headline=(),
                pillars=None,
                sections=blocks,
            ).encode("utf-8")

        return HTMLResponse(
            service.cached(("section-page", section_id, thesis, day, fragment), render)
        )

    return app


def _section_list(
    value: str | None, allowed: list[str], parameter: str
) -> list[str] | None:
    if value is None or value.strip() == "":
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    for name in names:
        parse_name(name, allowed=allowed, parameter=parameter, what="section")
    return names


def _section_blocks(
    service: DashboardService, wanted: list[str] | None, thesis: str, day: pd.Timestamp
) -> list[dict[str, Any]]:
    from rotation.report.render import _blocks_html

    out = []
    for sid in service.section_ids:
        if wanted is not None and sid not in wanted:
            continue

        def render(sid: str = sid) -> list[dict[str, Any]]:
            report = service.report(thesis, day, [sid])
            return _blocks_html(report)

        out.extend(service.cached(("section-html", sid, thesis, day), render))
    return out


def _fmt(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:,.4g}"


def _pillar_rows(ev: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "claim": p.claim,
            "value_text": _fmt(p.value),
            "rule": p.rule,
            "status": p.status,
            "since": None if p.since is None else str(p.since.date()),
            "weight": f"{p.weight:g}",
        }
        for p in ev.pillars
    ]


def _headline(ev: Any) -> list[dict[str, str]]:
    held = sum(p.status == "holds" for p in ev.pillars)
    with_data = sum(p.status != "no_data" for p in ev.pillars)
    live = [r.id for r in ev.risks if r.status == "triggered"]
    return [
        {
            "label": "Thesis health",
            "value": "–" if pd.isna(ev.health) else f"{ev.health:.0%}",
            "note": "weighted share of pillars that hold",
        },
        {
            "label": "Pillars holding",
            "value": f"{held} of {with_data}",
            "note": f"{len(ev.no_data)} without data",
        },
        {
            "label": "Risks triggered",
            "value": str(len(live)),
            "note": ", ".join(live) or "none",
        },
    ]
