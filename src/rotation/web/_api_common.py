"""What every API route module shares: parameter parsing and cached JSON.

Each area registers its routes with ``register(app, api)`` taking an
:class:`ApiContext`; routes build nothing themselves: they fetch an
:class:`~rotation.analysis.Analysis` from the service and encode one of its
parts with :func:`rotation.analysis.to_jsonable`, the JSON the CLI prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel

from rotation.web._models import ErrorResponse
from rotation.web._params import MAX_WINDOW, parse_as_of, parse_start
from rotation.web._service import DashboardService

if TYPE_CHECKING:
    from rotation.analysis import Analysis

__all__ = [
    "DATE_PATTERN",
    "ERRORS",
    "ApiContext",
    "AsOf",
    "ThesisName",
    "Window",
]

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (404, "Unknown name (thesis, section, symbol...); the message lists the allowed names."),
        (422, "Bad parameter; the message names it, the value and what is allowed."),
        (503, "Not available (the store busy, or a part that could not be computed)."),
    )
}  # fmt: skip

AsOf = Annotated[
    str | None,
    Query(
        description="Session date YYYY-MM-DD (default: the store's last); only data "
        "known at that close is used. Weekends map to the session before.",
        pattern=DATE_PATTERN,
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


@dataclass(frozen=True)
class ApiContext:
    """The service plus the helpers every route uses."""

    service: DashboardService

    def as_of(self, value: str | None) -> pd.Timestamp:
        """Parse ``?as_of=`` against the store's sessions (422 when out of range)."""
        service = self.service
        return parse_as_of(
            value,
            first=service.first_date,
            last=service.last_date,
            sessions=service.sessions,
        )

    def start(
        self, value: str | None, day: pd.Timestamp, *, years: int | None
    ) -> pd.Timestamp | None:
        """``?start=`` validated against the store, else ``years`` before ``day``."""
        service = self.service
        if value:
            return parse_start(
                value, first=service.first_date, last=day, sessions=service.sessions
            )
        if years is None:
            return None
        return max(service.first_date, day - pd.DateOffset(years=years))

    def analysis(
        self,
        thesis: str,
        as_of: str | None,
        settings: Mapping[str, Any] | None = None,
    ) -> Analysis:
        """Return the cached Analysis of (thesis, as-of, settings)."""
        return self.service.analysis(thesis, self.as_of(as_of), settings)

    def cached_json(
        self,
        key: tuple[Any, ...],
        model: type[BaseModel],
        make: Callable[[], dict[str, Any]],
    ) -> Response:
        """Validate ``make()`` against ``model`` once per key; replay the bytes."""

        def encode() -> bytes:
            return model.model_validate(make()).model_dump_json().encode("utf-8")

        body = self.service.cached(("json", *key), encode)
        return Response(body, media_type="application/json")
