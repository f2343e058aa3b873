"""The live dashboard (``rotation serve``): a FastAPI app over the store.

:func:`create_app` builds the application (JSON API described by its OpenAPI
schema, plus pages made of the report's sections); :func:`serve` runs it with
uvicorn on 127.0.0.1; :class:`BackgroundServer` runs it in a thread (tests,
benchmarks). Reads only, unless writes are enabled with a token.
"""

from __future__ import annotations

from rotation.web._app import create_app
from rotation.web._cache import ComputeCache
from rotation.web._errors import ApiError, NotAvailableError
from rotation.web._server import BackgroundServer, free_port, serve
from rotation.web._service import DEFAULT_THESIS, DashboardService

__all__ = [
    "DEFAULT_THESIS",
    "ApiError",
    "BackgroundServer",
    "ComputeCache",
    "DashboardService",
    "NotAvailableError",
    "create_app",
    "free_port",
    "serve",
]
