"""``/api/thesis/watch``: the flips ``rotation thesis watch`` recorded, replayed.

The route computes nothing: it reads the store's ``watch_runs`` table (the
store is read-only here) and returns, for each thesis, the latest recorded
run and the flips that run found, rebuilt by
:func:`rotation.analysis._watch.watch_from_record` and encoded with
:func:`rotation.analysis.to_jsonable` (the JSON ``rotation thesis watch
--format json`` prints). A cron job's new run shows on the next request; the
route must not be replayed by the response cache (skip it there).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import Response
from pydantic import BaseModel

from rotation.analysis import to_jsonable, watch_from_record
from rotation.web._api_common import ERRORS, ApiContext
from rotation.web._errors import ApiError

__all__ = ["WATCH_PATH", "WatchResponse", "register", "watch_payload"]

#: Path of the route (not replayed by the response cache: cron jobs write runs).
WATCH_PATH = "/api/thesis/watch"


class WatchFlip(BaseModel):
    """One status change between two recorded watch runs."""

    kind: str
    id: str
    from_status: str
    to_status: str
    value: float | None
    previous_value: float | None
    date: str | None


class WatchEntry(BaseModel):
    """The latest recorded watch run of one thesis and what it found flipped."""

    thesis: str
    path: str
    run_at: str
    as_of: str
    previous_as_of: str | None
    first_run: bool
    health: float | None
    flips: list[WatchFlip]


class WatchResponse(BaseModel):
    """The latest watch run of each thesis (or of the one asked for)."""

    flipped: bool
    theses: list[WatchEntry]


WatchedThesis = Annotated[
    str | None,
    Query(
        description="A thesis label as `rotation thesis watch` records it (file "
        "stem); default: every thesis with a recorded run.",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        max_length=64,
    ),
]


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    watch = watch_from_record(row["payload"])
    return {
        "thesis": row["thesis"],
        "path": row["path"],
        "run_at": row["run_at"],
        "as_of": to_jsonable(watch.as_of),
        "previous_as_of": to_jsonable(watch.previous_as_of),
        "first_run": watch.first_run,
        "health": to_jsonable(watch.run.health),
        "flips": to_jsonable(watch.flips),
    }


def watch_payload(rows: list[dict[str, Any]], thesis: str | None) -> dict[str, Any]:
    """Return the body: the newest run per thesis (``rows`` come newest first).

    Raises
    ------
    ApiError
        404 naming the recorded theses when ``thesis`` has no recorded run.
    """
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest.setdefault(row["thesis"], row)
    recorded = sorted(latest)
    if thesis is not None and thesis not in latest:
        raise ApiError(
            404,
            f"no watch run recorded for thesis {thesis!r}; recorded: "
            f"{', '.join(recorded) or 'none yet (run `rotation thesis watch`)'}.",
            parameter="thesis",
            allowed=recorded,
        )
    shown = [thesis] if thesis is not None else recorded
    entries = [_entry(latest[name]) for name in shown]
    return {"flipped": any(e["flips"] for e in entries), "theses": entries}


def register(app: FastAPI, api: ApiContext) -> None:
    """Add the watch route to ``app``."""

    @app.get(
        WATCH_PATH, response_model=WatchResponse, responses=ERRORS, tags=["thesis"]
    )
    def thesis_watch(thesis: WatchedThesis = None) -> Response:
        """Flips found by the latest `rotation thesis watch` run of each thesis."""
        rows = api.service.store.watch_runs()
        body = WatchResponse.model_validate(watch_payload(rows, thesis))
        return Response(body.model_dump_json(), media_type="application/json")
