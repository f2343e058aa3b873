"""JSON API routes of the dashboard (described by the OpenAPI schema).

Each area has its own module (``_api_thesis``, ``_api_indicators``,
``_api_regimes``, ``_api_backtest``, ``_api_risk``) registering routes that
encode one part of an :class:`~rotation.analysis.Analysis`; this module adds
the meta, section and report routes and the guarded write route.
"""

from __future__ import annotations

import hmac
import importlib
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, FastAPI, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rotation.web._api_common import ERRORS, ApiContext, AsOf, ThesisName, Window
from rotation.web._errors import ApiError, NotAvailableError
from rotation.web._models import (
    ErrorResponse,
    HealthResponse,
    ReportResponse,
    SectionResponse,
    UpdateResponse,
)
from rotation.web._params import parse_name
from rotation.web._service import DEFAULT_THESIS, DashboardService

__all__ = ["AREAS", "AsOf", "ThesisName", "Window", "register_api", "section_list"]

#: Route modules, one per area; each exposes ``register(app, api)``.
AREAS: tuple[str, ...] = (
    "rotation.web._api_thesis",
    "rotation.web._api_indicators",
    "rotation.web._api_regimes",
    "rotation.web._api_backtest",
    "rotation.web._api_risk",
    "rotation.web._api_watch",
)
_BEARER = HTTPBearer(auto_error=False, description="Write token (writes only).")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


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
    api = ApiContext(service)
    _register_meta(app, api, allow_writes=allow_writes)
    _register_sections(app, api)
    _register_report(app, api)
    _register_update(app, api, allow_writes=allow_writes, token=token)
    for module in AREAS:
        importlib.import_module(module).register(app, api)


def _register_meta(app: FastAPI, api: ApiContext, *, allow_writes: bool) -> None:
    service = api.service

    @app.get("/api/health", response_model=HealthResponse, tags=["meta"])
    async def health() -> Response:
        """Liveness, the store's date range and what can be asked for."""
        from rotation.analysis import INDICATORS, STRATEGY_NAMES, allowed_settings

        body = HealthResponse(
            status="ok",
            first_date=str(service.first_date.date()),
            last_date=str(service.last_date.date()),
            data_age_days=max(0, (pd.Timestamp.today() - service.last_date).days),
            theses=list(service.theses()),
            sections=service.section_ids,
            settings=allowed_settings(),
            indicators=list(INDICATORS),
            strategies=list(STRATEGY_NAMES),
            writes_enabled=allow_writes,
            cache_entries=len(service.cache),
        )
        return Response(body.model_dump_json(), media_type="application/json")


def section_payload(
    api: ApiContext, section_id: str, thesis: str, day: pd.Timestamp
) -> dict[str, Any]:
    """One section's numbers exactly as ``report.json`` holds them (503 if it failed)."""
    built = api.service.section(section_id, thesis, day)
    if built.failure is not None:
        error = built.failure.error
        if error.startswith(("ModuleNotFoundError", "ImportError")):
            raise NotAvailableError(f"the {section_id} section", error)
        raise ApiError(503, f"the {section_id} section could not be built: {error}")
    section = built.section
    return {
        "id": section.id,
        "title": section.title,
        "thesis": thesis,
        "as_of": str(day.date()),
        "failed": False,
        "data": dict(section.data),
    }


def _register_sections(app: FastAPI, api: ApiContext) -> None:
    service = api.service

    @app.get(
        "/api/sections/{section_id}",
        response_model=SectionResponse,
        responses=ERRORS,
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
        day = api.as_of(as_of)
        service.thesis_path(thesis)
        return api.cached_json(
            ("section", section_id, thesis, day),
            SectionResponse,
            lambda: section_payload(api, section_id, thesis, day),
        )


def _register_report(app: FastAPI, api: ApiContext) -> None:
    service = api.service

    @app.get(
        "/api/report", response_model=ReportResponse, responses=ERRORS, tags=["engine"]
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
        day = api.as_of(as_of)
        service.thesis_path(thesis)
        wanted = section_list(only, service.section_ids, "only")

        def encode() -> bytes:
            from rotation.report.render import render_json

            built = service.report(thesis, day, wanted)
            meta = {"store": service.store_path.name}
            return render_json(built, meta=meta).encode("utf-8")

        body = service.cached(("report.json", thesis, day, tuple(wanted or ())), encode)
        return Response(body, media_type="application/json")


def _register_update(
    app: FastAPI, api: ApiContext, *, allow_writes: bool, token: str | None
) -> None:
    service = api.service

    @app.post(
        "/api/data/update",
        response_model=UpdateResponse,
        responses={
            **ERRORS,
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
                "writes are disabled on this server; start it with allow_writes=True "
                "and a token to enable them.",
            )
        given = credentials.credentials if credentials is not None else ""
        if token is None or not hmac.compare_digest(given.encode(), token.encode()):
            raise ApiError(
                401,
                "a valid bearer token is required for writes (Authorization: Bearer "
                "<token>).",
            )
        from rotation.data.ingest import ensure_bundled
        from rotation.data.store import Store

        loaded = ensure_bundled(Store(service.store_path))
        service.refresh()
        return UpdateResponse(loaded=loaded, last_date=str(service.last_date.date()))
