"""``/api/thesis/status`` and ``/api/thesis/history``: the Analysis's thesis check.

Both routes encode :attr:`Analysis.thesis_check` with
:func:`rotation.analysis.to_jsonable`, the JSON ``report.json`` and ``rotation
thesis check --format json`` print, so thesis health has one value everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
from fastapi import FastAPI, Query
from fastapi.responses import Response

from rotation.analysis import ThesisError, series_points, to_jsonable
from rotation.web._api_common import DATE_PATTERN, ERRORS, ApiContext, AsOf, ThesisName
from rotation.web._errors import ApiError
from rotation.web._models import ThesisCheckHistoryResponse, ThesisCheckStatusResponse
from rotation.web._service import DEFAULT_THESIS

if TYPE_CHECKING:
    from rotation.analysis import ThesisCheck

__all__ = ["STATUS_FIELDS", "history_payload", "register", "status_payload"]

#: Fields of the thesis check the status route returns (the rest: history route).
STATUS_FIELDS: tuple[str, ...] = (
    "as_of",
    "health",
    "n_holding",
    "n_with_data",
    "n_no_data",
    "pillars",
    "risks",
    "live_risks",
    "changes",
    "change_lookback",
)


def _check(api: ApiContext, thesis: str, as_of: str | None) -> ThesisCheck:
    api.service.thesis_path(thesis)
    analysis = api.analysis(thesis, as_of)
    try:
        check: ThesisCheck = analysis.thesis_check
    except ThesisError as exc:
        raise ApiError(
            422, f"thesis {thesis!r} cannot be evaluated: {exc}", parameter="thesis"
        ) from exc
    return check


def status_payload(name: str, check: ThesisCheck) -> dict[str, Any]:
    """Return the status body: the thesis check's JSON without its daily history."""
    data = to_jsonable(check)
    return {
        "thesis": name,
        "title": check.thesis.title,
        **{key: data[key] for key in STATUS_FIELDS},
    }


def _weekly_positions(index: pd.DatetimeIndex) -> list[int]:
    """Positions of each week's last session (and always the very last one)."""
    if len(index) == 0:
        return []
    weeks = index.to_period("W-FRI")
    last = pd.Series(range(len(index)), index=weeks).groupby(level=0).max()
    return [int(p) for p in last.to_numpy()]


def history_payload(
    name: str, check: ThesisCheck, *, start: pd.Timestamp | None, frequency: str
) -> dict[str, Any]:
    """Return the history body: health, coverage, statuses and values per date.

    Weekly sampling keeps each week's last session, i.e. values known at that
    close (no averaging across days, so nothing of a later day leaks in).
    """
    hist = check.history
    index = pd.DatetimeIndex(hist.health.index)
    offset = 0 if start is None else int(index.searchsorted(start, side="left"))
    shown = index[offset:]
    rows = (
        _weekly_positions(shown) if frequency == "weekly" else list(range(len(shown)))
    )
    picked = [offset + r for r in rows]
    health = series_points(hist.health.iloc[picked], None)
    status = hist.status.iloc[picked]
    return {
        "thesis": name,
        "as_of": to_jsonable(check.as_of),
        "frequency": frequency,
        "dates": health["dates"],
        "health": health["values"],
        "coverage": series_points(hist.coverage.iloc[picked], None)["values"],
        "status": {
            str(c): [None if pd.isna(v) else str(v) for v in status[c]]
            for c in status.columns
        },
        "values": {
            str(c): series_points(hist.values[c].iloc[picked], None)["values"]
            for c in hist.values.columns
        },
    }


Frequency = Annotated[
    str,
    Query(
        pattern="^(daily|weekly)$",
        description="daily or weekly (each week's last session).",
    ),
]
Start = Annotated[
    str | None,
    Query(
        pattern=DATE_PATTERN,
        max_length=10,
        description="First date shown (default: five years before as_of).",
    ),
]


def register(app: FastAPI, api: ApiContext) -> None:
    """Add the thesis routes to ``app``."""

    @app.get(
        "/api/thesis/status",
        response_model=ThesisCheckStatusResponse,
        responses=ERRORS,
        tags=["thesis"],
    )
    def thesis_status(
        thesis: ThesisName = DEFAULT_THESIS, as_of: AsOf = None
    ) -> Response:
        """Each pillar's value and status, and the health score, as of a date."""
        day = api.as_of(as_of)
        api.service.thesis_path(thesis)
        return api.cached_json(
            ("thesis_status", thesis, day),
            ThesisCheckStatusResponse,
            lambda: status_payload(thesis, _check(api, thesis, as_of)),
        )

    @app.get(
        "/api/thesis/history",
        response_model=ThesisCheckHistoryResponse,
        responses=ERRORS,
        tags=["thesis"],
    )
    def thesis_history(
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        start: Start = None,
        frequency: Frequency = "weekly",
    ) -> Response:
        """Thesis health and pillar statuses on every date up to ``as_of``."""
        day = api.as_of(as_of)
        first = api.start(start, day, years=5)
        api.service.thesis_path(thesis)
        return api.cached_json(
            ("thesis_history", thesis, day, first, frequency),
            ThesisCheckHistoryResponse,
            lambda: history_payload(
                thesis,
                _check(api, thesis, as_of),
                start=first,
                frequency=frequency,
            ),
        )
