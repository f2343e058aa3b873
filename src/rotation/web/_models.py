"""Pydantic response models: they make the OpenAPI schema precise."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "BacktestResponse",
    "CoverageResponse",
    "CoverageRow",
    "ErrorResponse",
    "HealthResponse",
    "IndicatorResponse",
    "PillarModel",
    "ReportResponse",
    "RiskModel",
    "SectionResponse",
    "ThesisHistoryResponse",
    "ThesisStatusResponse",
    "UpdateResponse",
]


class ErrorResponse(BaseModel):
    """Body of every 4xx/5xx answer: a message, never a stack trace."""

    error: str = Field(description="What was wrong and what is allowed.")
    status: int
    parameter: str | None = None
    allowed: list[str] | None = None


class HealthResponse(BaseModel):
    """Liveness and what the server offers."""

    status: Literal["ok"]
    first_date: str
    last_date: str
    theses: list[str]
    sections: list[str]
    indicators: list[str]
    strategies: list[str]
    writes_enabled: bool
    cache_entries: int


class CoverageRow(BaseModel):
    """Coverage of one symbol, series or the dot plot."""

    kind: str
    id: str
    first: str | None
    last: str | None
    rows: int
    source: str | None
    unit: str | None
    name: str | None


class CoverageResponse(BaseModel):
    """The store's coverage table."""

    rows: list[CoverageRow]


class PillarModel(BaseModel):
    """One pillar's status as of a date."""

    id: str
    group: str
    claim: str
    claimed: str
    claimed_value: float | None
    expr: str
    value: float | None
    rule: str
    status: Literal["holds", "fails", "no_data"]
    distance: float | None
    since: str | None
    weight: float
    reason: str


class RiskModel(BaseModel):
    """One risk trigger's status as of a date."""

    id: str
    description: str
    expr: str
    rule: str
    value: float | None
    status: Literal["triggered", "quiet", "no_data"]
    distance: float | None
    since: str | None
    reason: str


class ThesisStatusResponse(BaseModel):
    """A thesis evaluated as of one session (only data known then)."""

    thesis: str
    title: str
    as_of: str
    health: float | None = Field(description="Weighted share of pillars that hold.")
    pillars: list[PillarModel]
    risks: list[RiskModel]


class ThesisHistoryResponse(BaseModel):
    """Daily (or weekly) thesis health and pillar statuses up to ``as_of``."""

    thesis: str
    as_of: str
    frequency: Literal["daily", "weekly"]
    dates: list[str]
    health: list[float | None]
    coverage: list[float | None]
    status: dict[str, list[str | None]] = Field(
        description="Pillar/risk id -> status label on each date."
    )
    values: dict[str, list[float | None]] = Field(
        description="Pillar/risk id -> metric value on each date."
    )


class IndicatorResponse(BaseModel):
    """An indicator computed on stored prices up to ``as_of``."""

    name: str
    as_of: str
    window: int
    symbols: list[str]
    benchmark: str | None
    dates: list[str]
    values: dict[str, list[float | None]]


class BacktestResponse(BaseModel):
    """A named strategy backtested on stored prices up to ``as_of``."""

    strategy: str
    as_of: str
    symbols: list[str]
    params: dict[str, Any]
    cost_bps: float
    metrics: dict[str, float | None]
    dates: list[str] = Field(description="Weekly dates of the equity curve.")
    equity: list[float | None]


class SectionResponse(BaseModel):
    """A report section's numbers (what ``report.json`` holds for it)."""

    id: str
    title: str
    thesis: str
    as_of: str
    failed: bool
    data: dict[str, Any]


class ReportResponse(BaseModel):
    """The ``report.json`` payload of (thesis, as-of)."""

    meta: dict[str, Any]
    sections: dict[str, dict[str, Any]]


class UpdateResponse(BaseModel):
    """What a write (loading the bundled data) did."""

    loaded: bool
    last_date: str
