"""The FastAPI application: JSON API (OpenAPI) and dashboard pages."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from rotation.data.store import default_store_path
from rotation.exceptions import StoreAccessError, StoreBusyError, StoreDamagedError
from rotation.web import _pages
from rotation.web._errors import ApiError
from rotation.web._http_cache import ResponseCache
from rotation.web._middleware import (
    RequestLimits,
    SecurityHeaders,
    TrustedHosts,
    normalise_host_allow,
    wants_html,
)
from rotation.web._routes_api import register_api
from rotation.web._routes_pages import register_pages
from rotation.web._service import DashboardService

log = logging.getLogger("rotation.web")


def _error_response(request: Request, status: int, payload: dict[str, Any]) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if wants_html(request.url.path):
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
    @app.exception_handler(StoreDamagedError)
    @app.exception_handler(StoreAccessError)
    async def unavailable(request: Request, exc: Exception) -> Response:
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


def _register_dashboard_js(app: FastAPI) -> None:
    body = _pages.DASHBOARD_JS.encode("utf-8")

    @app.get("/static/dashboard.js", include_in_schema=False)
    def dashboard_js() -> Response:
        return Response(
            body,
            media_type="application/javascript",
            headers={"Cache-Control": "no-cache"},
        )


def _new_app(service: DashboardService) -> FastAPI:
    app = FastAPI(
        title="rotation dashboard",
        version="1",
        description="Read-only JSON API and pages over a point-in-time rotation store.",
        docs_url=None,  # Swagger UI loads from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.service = service
    return app


def _check_writes(allow_writes: bool, token: str | None) -> None:
    if allow_writes and (token is None or len(token) < 16):
        raise ValueError(
            "allow_writes=True needs token= of at least 16 characters (got "
            f"{'none' if token is None else f'{len(token)} characters'}); writes "
            "without a token are never allowed."
        )


def _add_middleware(
    app: FastAPI, service: DashboardService, hosts: Any, cache_size: int
) -> None:
    # Starlette runs the last added middleware first: headers outermost (so
    # every answer, refusals included, carries them), then size, then Host,
    # and the response cache only behind the Host check, so a cached page is
    # never replayed to a foreign Host.
    app.add_middleware(
        ResponseCache,
        maxsize=max(64, 4 * cache_size),
        skip=("/api/health", "/api/data/update", "/api/thesis/watch"),
        version=service.version,
    )
    app.add_middleware(TrustedHosts, host_allow=hosts)
    app.add_middleware(RequestLimits)
    app.add_middleware(SecurityHeaders)


def create_app(
    store_path: str | Path | None = None,
    *,
    thesis_dir: str | Path | None = None,
    allow_writes: bool = False,
    token: str | None = None,
    cache_size: int = 256,
    host_allow: Iterable[str] | None = None,
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
    host_allow : iterable of str, optional
        Host names (``name`` or ``name:port``) accepted besides the loopback
        names 127.0.0.1, localhost and [::1]; any other ``Host`` header is
        answered 400 (DNS-rebinding protection).

    Returns
    -------
    FastAPI
        The application (serve it with :func:`rotation.web.serve` or uvicorn).

    Raises
    ------
    ValueError
        If writes are enabled without a token of at least 16 characters, or
        a ``host_allow`` entry is not a host name.
    FileNotFoundError
        If there is no store at ``store_path`` or ``thesis_dir`` is not a folder.

    Notes
    -----
    Strict Content-Security-Policy on every response; 414 for a URL over 8
    KiB, 431 for headers over 32 KiB (:mod:`rotation.web._middleware`).
    """
    _check_writes(allow_writes, token)
    allowed_hosts = normalise_host_allow(host_allow)
    service = DashboardService(
        store_path or default_store_path(), thesis_dir=thesis_dir, cache_size=cache_size
    )
    app = _new_app(service)
    _add_middleware(app, service, allowed_hosts, cache_size)
    _register_dashboard_js(app)
    _install_handlers(app)
    register_api(app, service, allow_writes=allow_writes, token=token)
    register_pages(app, service)
    return app
