"""``/api/regimes``: the regimes part of the Analysis.

The route encodes :attr:`Analysis.regimes` with
:func:`rotation.analysis.to_jsonable`: the JSON ``report.json``'s regimes
section and ``rotation regimes --format json`` hold, so P(long leads) has one
value everywhere.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query
from fastapi.responses import Response

from rotation.analysis import to_jsonable
from rotation.web._api_common import ERRORS, ApiContext, AsOf, ThesisName
from rotation.web._models import RegimesResponse
from rotation.web._service import DEFAULT_THESIS

__all__ = ["register"]

Refit = Annotated[
    str | None,
    Query(
        max_length=8,
        description="Refit frequency W, M, Q or Y, or a number of weekly blocks "
        "(the setting regimes.refit, as `rotation regimes --refit`; default Q).",
    ),
]


def register(app: FastAPI, api: ApiContext) -> None:
    """Add ``/api/regimes`` to ``app``."""

    @app.get(
        "/api/regimes",
        response_model=RegimesResponse,
        responses=ERRORS,
        tags=["analysis"],
    )
    def regimes(
        thesis: ThesisName = DEFAULT_THESIS, as_of: AsOf = None, refit: Refit = None
    ) -> Response:
        """Regimes of the thesis's core spread: P(long leads), episodes, score."""
        settings = {} if refit is None else {"regimes.refit": refit}
        analysis = api.analysis(thesis, as_of, settings)
        return api.cached_json(
            ("regimes", thesis, analysis.as_of, analysis.config.digest()),
            RegimesResponse,
            lambda: {
                "thesis": thesis,
                "as_of": analysis.as_of.date().isoformat(),
                "data": to_jsonable(analysis.regimes),
            },
        )
