"""The thesis-check part: the thesis evaluated now, over history, and against its claims.

One evaluation of the thesis in hand (never the default thesis) on the
analysis snapshot, with the regime series of the Analysis's single regime fit
(:attr:`Analysis.thesis_extra`). The report's thesis section, ``rotation
thesis check|history|diff`` and ``/api/thesis/status|history`` all render
this one result, so thesis health has one value on every surface.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from rotation._typing import DateLike
from rotation.thesis import (
    EventStudyResult,
    Thesis,
    ThesisDiff,
    ThesisEvaluation,
    ThesisHistory,
    compare_claims,
    evaluate_with_history,
    lint_thesis,
    thesis_event_study,
)

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = [
    "EventStudies",
    "PillarCheck",
    "RiskCheck",
    "ThesisCheck",
    "ThesisInfo",
    "compute_thesis_check",
]


@dataclass(frozen=True)
class ThesisInfo:
    """The thesis's own metadata (its dates may lie after the as-of date).

    Attributes
    ----------
    name : str
        How surfaces name the thesis (file stem or path).
    title, source, summary : str
        From the thesis's ``meta``.
    date : Timestamp or None
        The date the thesis was written.
    """

    name: str
    title: str
    source: str
    summary: str
    date: pd.Timestamp | None


@dataclass(frozen=True)
class PillarCheck:
    """One pillar as of the analysis date, next to what its source claimed.

    Attributes
    ----------
    id, group, claim, expr, rule : str
        From the thesis.
    claimed_text : str
        The source's claim in words.
    claimed_value : float
        The source's number (NaN if none).
    claim_date : Timestamp or None
        The pillar's claim date, else the thesis date (thesis metadata).
    measured_at_claim : float
        The metric on the last session on or before ``claim_date``; NaN when
        the claim date is after the analysis date (not known yet).
    status_at_claim : str
        The status on that session ("" when not known).
    value : float
        The metric as of the analysis date (NaN without data).
    status : {"holds", "fails", "no_data"}
    distance : float
        Signed distance to the rule's boundary (positive: room left).
    since : Timestamp or None
        First session of the current status.
    weight : float
        Weight in the health score.
    reason : str
        Why there is no data (empty otherwise).
    pending, persistence : int
        Sessions in a row proposing the opposite status (not flipped yet) and
        the pillar's ``min_persistence``.
    status_text : str
        The status as every surface shows it: "holds (flip pending 2/5)"
        while a flip waits for its persistence, "holds (inside hysteresis
        band)" while only the band keeps it holding, else the status.
    """

    id: str
    group: str
    claim: str
    claimed_text: str
    claimed_value: float
    claim_date: pd.Timestamp | None
    measured_at_claim: float
    status_at_claim: str
    expr: str
    rule: str
    value: float
    status: Literal["holds", "fails", "no_data"]
    distance: float
    since: pd.Timestamp | None
    weight: float
    reason: str
    pending: int = 0
    persistence: int = 1
    status_text: str = ""


@dataclass(frozen=True)
class RiskCheck:
    """One named risk: its trigger as of the date and its scenario's shocks.

    Attributes
    ----------
    id, description : str
    expr, rule : str
        The trigger ("" when the risk has no trigger).
    value : float
        The trigger's metric (NaN without data or trigger).
    status : {"triggered", "quiet", "no_data", "no_trigger"}
        ``triggered``: the trigger's rule holds, the risk is live;
        ``no_trigger``: the risk is a scenario only.
    distance : float
    since : Timestamp or None
    reason : str
    scenario : str
        The scenario's description ("" without scenario).
    shocks : dict of str to float
        Scenario shocks by market factor or basket (bp for yields, else
        fractions); the risk part applies them.
    """

    id: str
    description: str
    expr: str
    rule: str
    value: float
    status: Literal["triggered", "quiet", "no_data", "no_trigger"]
    distance: float
    since: pd.Timestamp | None
    reason: str
    scenario: str
    shocks: dict[str, float]


@dataclass(frozen=True)
class EventStudies:
    """Forward returns conditional on thesis health (and Fama-French proxies).

    Attributes
    ----------
    level : float
        Health level of the condition (the thesis's ``event_study.level``).
    min_coverage : float
        Days count only when pillars carrying this share of the weight have data.
    n_boot, seed : int
        Moving-block bootstrap draws and seed of the intervals.
    confidence : float or None
        Level of the intervals (None: no study).
    studies : dict of str to EventStudyResult
        One per ``event_study.pairs`` entry and Fama-French proxy.
    """

    level: float
    min_coverage: float
    n_boot: int
    seed: int
    confidence: float | None
    studies: dict[str, EventStudyResult]


@dataclass(frozen=True)
class ThesisCheck:
    """The thesis evaluated as of the analysis date, over history, vs its claims.

    Attributes
    ----------
    thesis : ThesisInfo
    as_of : Timestamp
        The last session used.
    health : float
        Weighted share of items in their good state among those with data
        (pillars holding, weighted risk triggers quiet); NaN if none has data.
    n_holding, n_with_data, n_no_data : int
        Pillars that hold, pillars with data, pillars without data.
    pillars : tuple of PillarCheck
    risks : tuple of RiskCheck
    live_risks : tuple of str
        Ids of the risks whose trigger is live.
    changes : ThesisDiff
        Flips since ``change_lookback`` sessions before the as-of date.
    change_lookback : int
        Sessions back of ``changes``.
    health_history : Series
        Daily health from the first session on which pillars carrying
        ``min_coverage`` of the weight have data (empty: never).
    health_by_year : Series
        Mean of the daily health scores with data, per calendar year.
    event_study : EventStudies
    history : ThesisHistory
        Every item's daily value and status (not in the JSON: large).
    evaluation : ThesisEvaluation
        The as-of evaluation the pillar rows come from (not in the JSON).
    warnings : tuple of str
        Lint warnings: expressions that run but whose units are odd (a
        difference of two price levels), each with its line and column.
    """

    thesis: ThesisInfo
    as_of: pd.Timestamp
    health: float
    n_holding: int
    n_with_data: int
    n_no_data: int
    pillars: tuple[PillarCheck, ...]
    risks: tuple[RiskCheck, ...]
    live_risks: tuple[str, ...]
    changes: ThesisDiff
    change_lookback: int
    health_history: pd.Series
    health_by_year: pd.Series
    event_study: EventStudies
    history: ThesisHistory = field(repr=False)
    evaluation: ThesisEvaluation = field(repr=False)
    warnings: tuple[str, ...] = ()

    def pillar(self, pillar_id: str) -> PillarCheck:
        """Return pillar ``pillar_id`` (KeyError naming the pillars otherwise)."""
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(
            f"no pillar {pillar_id!r}; pillars: {', '.join(p.id for p in self.pillars)}"
        )

    def diff(self, start: DateLike, end: DateLike | None = None) -> ThesisDiff:
        """Return what flipped between the sessions on or before ``start`` and ``end``.

        Read off :attr:`history` (each row is the as-of evaluation of its
        date), so it agrees with :attr:`changes` and the report.

        Raises
        ------
        ValueError
            When a date is before the first session or after the as-of date,
            or ``start`` is after ``end``.
        """
        for name, value in (("start", start), ("end", end)):
            if value is not None and pd.Timestamp(value) > self.as_of:
                raise ValueError(
                    f"{name} {pd.Timestamp(value).date()} is after the analysis "
                    f"date {self.as_of.date()}; allowed: dates up to it"
                )
        return self.history.diff(start, end)

    @property
    def statuses(self) -> dict[str, str]:
        """Pillar id -> status as of the date."""
        return {p.id: p.status for p in self.pillars}


def compute_thesis_check(analysis: Analysis) -> ThesisCheck:
    r"""Evaluate ``analysis.thesis`` as of ``analysis.as_of``, with its history.

    Parameters
    ----------
    analysis : Analysis
        Its thesis, snapshot, ``thesis_extra`` (the regime series of the one
        regime fit on the core spread) and ``config.thesis`` (change lookback,
        event-study bootstrap and minimum coverage).

    Returns
    -------
    ThesisCheck

    Notes
    -----
    Health at t is

    .. math:: H_t = \frac{\sum_i w_i g_{i,t}}{\sum_i w_i d_{i,t}}

    with :math:`d_{i,t} = 1` when item i has data and :math:`g_{i,t} = 1`
    when a pillar holds or a weighted risk trigger is quiet
    (:func:`rotation.thesis.history`). Every value uses data up to the close
    of its session only.

    NaN handling: a pillar without a value has status ``no_data`` and is left
    out of the health score; a claim dated after the as-of date has no
    measured value (NaN) rather than the latest one.
    """
    thesis, market, cfg = analysis.thesis, analysis.market, analysis.config.thesis
    extra = analysis.thesis_extra or None
    ev, hist = evaluate_with_history(thesis, market, extra=extra)
    claims = compare_claims(thesis, market, extra=extra, thesis_history=hist)
    sessions = hist.health.index
    start = sessions[max(0, len(sessions) - 1 - cfg.change_lookback)]
    studies = thesis_event_study(
        thesis,
        market,
        extra=extra,
        thesis_history=hist,
        n_boot=cfg.n_boot,
        seed=cfg.seed,
        min_coverage=cfg.min_coverage,
    )
    first = next(iter(studies.values()), None)
    return ThesisCheck(
        thesis=_info(thesis, analysis.thesis_name),
        as_of=ev.as_of,
        health=float(ev.health),
        n_holding=sum(p.status == "holds" for p in ev.pillars),
        n_with_data=sum(p.status != "no_data" for p in ev.pillars),
        n_no_data=len(ev.no_data),
        pillars=_pillars(ev, claims),
        risks=_risks(thesis, ev),
        live_risks=tuple(r.id for r in ev.risks if r.status == "triggered"),
        changes=hist.diff(start),
        change_lookback=cfg.change_lookback,
        health_history=_covered(hist, cfg.min_coverage),
        health_by_year=_by_year(hist.health),
        event_study=EventStudies(
            level=thesis.event_study.level,
            min_coverage=cfg.min_coverage,
            n_boot=cfg.n_boot,
            seed=cfg.seed,
            confidence=first.confidence if first is not None else None,
            studies=studies,
        ),
        history=hist,
        evaluation=ev,
        warnings=tuple(
            str(w) for w in lint_thesis(thesis, symbols=list(market.prices.columns))
        ),
    )


def _info(thesis: Thesis, name: str) -> ThesisInfo:
    meta = thesis.meta
    return ThesisInfo(
        name=name,
        title=meta.title,
        source=meta.source,
        summary=meta.summary,
        date=None if meta.date is None else pd.Timestamp(meta.date),
    )


def _covered(hist: ThesisHistory, min_coverage: float) -> pd.Series:
    """Daily health from the first day ``min_coverage`` of the weight has data."""
    ok = (hist.coverage >= min_coverage).to_numpy()
    if not ok.any():
        return hist.health.iloc[:0].rename("health")
    return hist.health.loc[hist.health.index[ok][0] :].rename("health")


def _by_year(health: pd.Series) -> pd.Series:
    valid = health.dropna()
    years = pd.DatetimeIndex(valid.index).year.rename("year")
    return valid.groupby(years).mean().rename("mean_health")


def _pillars(ev: ThesisEvaluation, claims: pd.DataFrame) -> tuple[PillarCheck, ...]:
    out = []
    for p in ev.pillars:
        row: dict[Any, Any] = claims.loc[p.id].to_dict()
        date = row["claim_date"]
        claim_date = None if date is None or pd.isna(date) else pd.Timestamp(date)
        # A claim dated after the as-of date is not known yet: compare_claims
        # would read the last session instead, mislabelled as the claim date.
        known = claim_date is not None and claim_date <= ev.as_of
        out.append(
            PillarCheck(
                id=p.id,
                group=p.group,
                claim=p.claim,
                claimed_text=p.claimed_text,
                claimed_value=float(p.claimed_value),
                claim_date=claim_date,
                measured_at_claim=(
                    float(row["measured_at_claim"]) if known else math.nan
                ),
                status_at_claim=str(row["status_at_claim"]) if known else "",
                expr=p.expr,
                rule=p.rule,
                value=float(p.value),
                status=p.status,
                distance=float(p.distance),
                since=p.since,
                weight=float(p.weight),
                reason=p.reason,
                pending=p.pending,
                persistence=p.persistence,
                status_text=status_text(p.status, p.distance, p.pending, p.persistence),
            )
        )
    return tuple(out)


def status_text(status: str, distance: float, pending: int, persistence: int) -> str:
    """Say a pillar's status with its hysteresis state, as every surface shows it.

    ``distance`` is the signed distance to the strict rule (negative: the
    value is outside it). A holding pillar outside its rule holds only
    through its hysteresis band; a pending count below the persistence means
    a flip is waiting.
    """
    if status == "no_data":
        return "no data"
    if pending > 0:
        return f"{status} (flip pending {pending}/{persistence})"
    if status == "holds" and distance < 0:
        return "holds (inside hysteresis band)"
    return status


def _risks(thesis: Thesis, ev: ThesisEvaluation) -> tuple[RiskCheck, ...]:
    """Every risk of the thesis: trigger status from ``ev``, scenario from the thesis."""
    statuses = {r.id: r for r in ev.risks}
    out = []
    for risk in thesis.risks:
        scenario = risk.scenario
        st = statuses.get(risk.id)
        out.append(
            RiskCheck(
                id=risk.id,
                description=risk.description,
                expr=st.expr if st else "",
                rule=st.rule if st else "",
                value=float(st.value) if st else math.nan,
                status=st.status if st else "no_trigger",
                distance=float(st.distance) if st else math.nan,
                since=st.since if st else None,
                reason=st.reason if st else "",
                scenario=scenario.description if scenario else "",
                shocks=dict(scenario.shocks) if scenario else {},
            )
        )
    return tuple(out)
