"""Pydantic response models: they make the OpenAPI schema precise."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "ErrorResponse",
    "HealthResponse",
    "IndicatorResponse",
    "ReportResponse",
    "SectionResponse",
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
    data_age_days: int = Field(
        description="Days from the last price date to today; refresh with "
        "`rotation data update`."
    )
    theses: list[str]
    sections: list[str]
    settings: list[str] = Field(
        default_factory=list,
        description="Analysis settings (dotted names, as the CLI's --set takes them).",
    )
    indicators: list[str] = Field(default_factory=list)
    strategies: list[str] = Field(default_factory=list)
    writes_enabled: bool
    cache_entries: int


class IndicatorResponse(BaseModel):
    """An indicator computed on stored prices up to ``as_of``."""

    name: str
    as_of: str
    window: int
    symbols: list[str]
    benchmark: str | None
    dates: list[str]
    values: dict[str, list[float | None]]


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


class ThesisCheckPillarModel(BaseModel):
    """One pillar as of a date, next to what its source claimed."""

    id: str
    group: str
    claim: str
    claimed_text: str
    claimed_value: float | None
    claim_date: str | None = Field(description="Thesis metadata (may follow as_of).")
    measured_at_claim: float | None
    status_at_claim: str
    expr: str
    rule: str
    value: float | None
    status: Literal["holds", "fails", "no_data"]
    distance: float | None
    since: str | None
    weight: float
    reason: str


class ThesisCheckRiskModel(BaseModel):
    """One named risk: its trigger as of a date and its scenario's shocks."""

    id: str
    description: str
    expr: str
    rule: str
    value: float | None
    status: Literal["triggered", "quiet", "no_data", "no_trigger"]
    distance: float | None
    since: str | None
    reason: str
    scenario: str
    shocks: dict[str, float]


class ThesisFlipModel(BaseModel):
    """A pillar or risk whose status differs between two dates."""

    id: str
    before: str
    after: str
    value_before: float | None
    value_after: float | None
    rule: str
    flipped_on: str | None


class ThesisChangesModel(BaseModel):
    """What changed between two sessions."""

    start: str
    end: str
    health_before: float | None
    health_after: float | None
    flips: list[ThesisFlipModel]


class ThesisCheckStatusResponse(BaseModel):
    """The thesis check as of one session (``report.json``'s thesis numbers)."""

    thesis: str
    title: str
    as_of: str
    health: float | None = Field(description="Weighted share of pillars that hold.")
    n_holding: int
    n_with_data: int
    n_no_data: int
    pillars: list[ThesisCheckPillarModel]
    risks: list[ThesisCheckRiskModel]
    live_risks: list[str]
    changes: ThesisChangesModel
    change_lookback: int


class ThesisCheckHistoryResponse(BaseModel):
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


class RegimesResponse(BaseModel):
    """The regimes part of (thesis, as-of): ``rotation regimes --format json``."""

    thesis: str
    as_of: str
    data: dict[str, Any] = Field(
        description="The part's JSON, as report.json's regimes section holds it "
        "(or {part, reason} when the thesis has no core spread)."
    )


class RiskResponse(BaseModel):
    """The risk part of (thesis, as-of): ``rotation risk --format json``."""

    thesis: str
    as_of: str
    weights: str | None = Field(
        default=None, description="The book override given (risk.weights), if any."
    )
    data: dict[str, Any] = Field(
        description="The part's JSON, as report.json's risk section holds it "
        "(or {part, reason} when the thesis has no book)."
    )


class BacktestPartResponse(BaseModel):
    """The backtests part of (thesis, as-of): ``rotation backtest --format json``."""

    thesis: str
    as_of: str
    strategy: str | None = Field(
        default=None, description="The one strategy asked for (None: all)."
    )
    settings: dict[str, Any] = Field(
        description="The backtest settings used (backtest.lookback, top_k, skip, "
        "cost_bps)."
    )
    data: dict[str, Any] = Field(
        description="The part's JSON, as report.json's backtest section holds it "
        "(only the asked strategy with ?strategy=; {part, reason} when the thesis "
        "has neither a book nor a universe)."
    )


class CoverageTableRow(BaseModel):
    """One symbol or series as known on the as-of date."""

    kind: str
    id: str
    name: str | None = None
    first: str | None
    last: str | None
    rows: int
    unit: str | None = None
    source: str | None = None


class CoveragePartResponse(BaseModel):
    """The coverage part of (thesis, as-of): report.json's coverage section."""

    thesis: str
    as_of: str = Field(description="No date in the table is later.")
    table: list[CoverageTableRow]
    n_prices: int
    n_series: int
