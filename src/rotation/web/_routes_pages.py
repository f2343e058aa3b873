"""HTML page routes of the dashboard: the report's sections, interactive."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import pandas as pd
from fastapi import FastAPI, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from rotation.web import _pages
from rotation.web._api_common import ApiContext, AsOf, ThesisName, Window
from rotation.web._params import (
    parse_name,
    parse_window,
)
from rotation.web._routes_api import section_list
from rotation.web._service import DEFAULT_THESIS, DashboardService

__all__ = ["register_pages"]


@cache
def _plotly_js() -> bytes:
    from rotation.report.render import plotly_js

    return plotly_js().encode("utf-8")


def register_pages(app: FastAPI, service: DashboardService) -> None:
    """Add the dashboard pages and the local plotly script to ``app``."""
    api = ApiContext(service)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(
            _plotly_js(),
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    _register_dashboard(app, api)
    _register_section_page(app, api)


def _pick_baskets(
    spec: Any, basket: str | None, benchmark: str | None
) -> tuple[str, str]:
    """Pick the explorer's pair: as asked, else the core spread, else the first."""
    baskets = list(spec.baskets)
    core = spec.core_spread
    first = core.long if core else (baskets[0] if baskets else "")
    second = core.short if core else first
    pick = (
        parse_name(basket, allowed=baskets, parameter="basket", what="basket")
        if basket
        else first
    )
    versus = (
        parse_name(benchmark, allowed=baskets, parameter="benchmark", what="basket")
        if benchmark
        else second
    )
    return pick, versus


def _register_dashboard(app: FastAPI, api: ApiContext) -> None:
    service = api.service

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        basket: Annotated[str | None, Query(max_length=64)] = None,
        benchmark: Annotated[str | None, Query(max_length=64)] = None,
        window: Window = None,
        sections: Annotated[str | None, Query(max_length=300)] = None,
    ) -> Response:
        day = api.as_of(as_of)
        service.thesis_path(thesis)
        wanted = section_list(sections, service.section_ids, "sections")
        pick, versus = _pick_baskets(service.thesis(thesis), basket, benchmark)
        size = parse_window(window, default=63)
        key = ("page", thesis, day, pick, versus, size, tuple(wanted or ()))

        def render() -> bytes:
            from rotation.web._explorer import explorer_html
            from rotation.workspace import data_freshness

            analysis = service.analysis(thesis, day)
            ev = analysis.thesis_check.evaluation
            pair = analysis.basket_pair(pick, versus, size) if pick else None
            return _pages.render_page(
                title=f"rotation dashboard — {ev.title}",
                freshness=data_freshness(analysis.snapshot),
                action="/",
                thesis=thesis,
                theses=list(service.theses()),
                as_of=str(day.date()),
                first=str(service.first_date.date()),
                last=str(service.last_date.date()),
                baskets=list(analysis.thesis.baskets),
                basket=pick,
                benchmark=versus,
                window=size,
                sections_param=sections or "",
                headline=_headline(ev),
                pillars=_pillar_rows(analysis.thesis_check.pillars),
                explorer=explorer_html(pair, day) if pair else "",
                sections=_section_blocks(service, wanted, thesis, day),
            ).encode("utf-8")

        return HTMLResponse(service.cached(key, render))


def _register_section_page(app: FastAPI, api: ApiContext) -> None:
    service = api.service

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
        day = api.as_of(as_of)
        service.thesis_path(thesis)

        def render() -> bytes:
            blocks = _section_blocks(service, [section_id], thesis, day)
            if fragment:
                return _pages.render_fragment(blocks[0]).encode("utf-8")
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


def _section_blocks(
    service: DashboardService, wanted: list[str] | None, thesis: str, day: pd.Timestamp
) -> list[dict[str, Any]]:
    from rotation.report.render import render_sections

    out = []
    for sid in service.section_ids:
        if wanted is not None and sid not in wanted:
            continue

        def render(sid: str = sid) -> list[dict[str, Any]]:
            report = service.report(thesis, day, [sid])
            return render_sections(report)

        out.extend(service.cached(("section-html", sid, thesis, day), render))
    return out


def _fmt(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:,.4g}"


def _pillar_rows(pillars: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "claim": p.claim,
            "value_text": _fmt(p.value),
            "rule": p.rule,
            "status": p.status,
            "status_text": p.status_text or p.status,
            "since": None if p.since is None else str(p.since.date()),
            "weight": f"{p.weight:g}",
        }
        for p in pillars
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
