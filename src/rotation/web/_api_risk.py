"""``/api/risk``: the risk part of the Analysis.

The route encodes :attr:`Analysis.risk` with
:func:`rotation.analysis.to_jsonable`: the JSON ``report.json``'s risk section
and ``rotation risk --format json`` hold, so VaR/CVaR and the scenario P&L
have one value everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import Response

from rotation.analysis import ConfigError, to_jsonable
from rotation.web._api_common import ERRORS, ApiContext, AsOf, ThesisName
from rotation.web._errors import ApiError
from rotation.web._models import RiskResponse
from rotation.web._service import DEFAULT_THESIS

if TYPE_CHECKING:
    from rotation.analysis import Analysis

__all__ = ["register"]

_PAIR = r"[A-Za-z0-9.^=_-]{1,16}[:=][-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?"
Weights = Annotated[
    str | None,
    Query(
        max_length=400,
        pattern=rf"^{_PAIR}(,{_PAIR})*$",
        description="Override the thesis book: SYMBOL:WEIGHT,... (fractions of "
        "capital, negative = short), the setting risk.weights, as "
        "`rotation risk --weights`. Default: the thesis's book.",
    ),
]


def _payload(analysis: Analysis, thesis: str, weights: str | None) -> dict[str, Any]:
    """Encode the part; a bad override is a 422, a part that fails a 503."""
    try:
        part = analysis.risk
    except ConfigError as exc:
        raise ApiError(422, str(exc), parameter="weights") from exc
    except ValueError as exc:
        raise ApiError(503, f"the risk part could not be computed: {exc}") from exc
    return {
        "thesis": thesis,
        "as_of": analysis.as_of.date().isoformat(),
        "weights": weights,
        "data": to_jsonable(part),
    }


def register(app: FastAPI, api: ApiContext) -> None:
    """Add ``/api/risk`` to ``app``."""

    @app.get(
        "/api/risk",
        response_model=RiskResponse,
        responses=ERRORS,
        tags=["analysis"],
    )
    def risk(
        thesis: ThesisName = DEFAULT_THESIS,
        as_of: AsOf = None,
        weights: Weights = None,
    ) -> Response:
        """Risk of the thesis's book under the thesis's risks: scenarios, VaR."""
        settings = {} if weights is None else {"risk.weights": weights}
        analysis = api.analysis(thesis, as_of, settings)
        return api.cached_json(
            ("risk", thesis, analysis.as_of, analysis.config.digest()),
            RiskResponse,
            lambda: _payload(analysis, thesis, weights),
        )
