"""Evaluating a thesis: as of a date, over the full history, and what changed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rotation._typing import DateLike
from rotation.market import MarketData
from rotation.thesis._errors import ExpressionError, ThesisError
from rotation.thesis._metrics import MetricEngine
from rotation.thesis._results import (
    STATUS_LABELS,
    PillarStatus,
    RiskStatus,
    ThesisDiff,
    ThesisEvaluation,
    ThesisHistory,
)
from rotation.thesis._rule import Rule
from rotation.thesis._spec import Pillar, Risk, Thesis, Trigger
from rotation.thesis._state import pillar_states

__all__ = ["compare_claims", "diff", "evaluate", "history"]


@dataclass(frozen=True)
class _Item:
    id: str
    kind: str  # "pillar" or "risk"
    spec: Pillar | Trigger | None
    weight: float
    path: tuple[str | int, ...]


def _items(thesis: Thesis) -> list[_Item]:
    items = [
        _Item(p.id, "pillar", p, p.weight, ("pillars", i, "expr"))
        for i, p in enumerate(thesis.pillars)
    ]
    items += [
        _Item(
            r.id, "risk", r.trigger, r.trigger.weight, ("risks", j, "trigger", "expr")
        )
        for j, r in enumerate(thesis.risks)
        if r.trigger is not None
    ]
    return items


def _at(frame: pd.DataFrame, column: str, position: int) -> Any:
    return frame[column].to_numpy()[position]


def _check_market(market: MarketData) -> None:
    if not isinstance(market, MarketData):
        raise TypeError(f"market must be a MarketData (got {type(market).__name__})")
    if len(market.sessions) == 0:
        raise ThesisError("market has no sessions to evaluate on")


def _truncate_extra(
    extra: Mapping[str, pd.Series] | None, cut: pd.Timestamp
) -> dict[str, pd.Series]:
    return {k: v.loc[:cut] for k, v in (extra or {}).items()}


def _run(
    thesis: Thesis, market: MarketData, extra: Mapping[str, pd.Series] | None
) -> tuple[MetricEngine, ThesisHistory, list[_Item]]:
    _check_market(market)
    engine = MetricEngine(market, thesis.language_baskets(), extra)
    items = _items(thesis)
    _check_names(thesis, engine, items)
    index = market.sessions
    n = len(index)
    values: dict[str, np.ndarray] = {}
    codes: dict[str, np.ndarray] = {}
    since: dict[str, np.ndarray] = {}
    pending: dict[str, np.ndarray] = {}
    for item in items:
        spec = item.spec
        if spec is None or spec.tree is None or spec.rule is None:
            values[item.id] = np.full(n, np.nan)
            codes[item.id] = np.full(n, -1, dtype=np.int64)
            since[item.id] = np.zeros(n, dtype=np.int64)
            pending[item.id] = np.zeros(n, dtype=np.int64)
            continue
        v = engine.values(spec.tree)
        state, start, waiting = pillar_states(
            v,
            spec.rule,
            hysteresis=spec.hysteresis,
            min_persistence=spec.min_persistence,
            with_pending=True,
        )
        values[item.id], codes[item.id], since[item.id] = v, state, start
        pending[item.id] = waiting
    columns = [i.id for i in items]
    values_frame = pd.DataFrame(values, index=index, columns=columns)
    codes_frame = pd.DataFrame(codes, index=index, columns=columns)
    since_frame = pd.DataFrame(
        {k: index[s] for k, s in since.items()}, index=index, columns=columns
    )
    weights = pd.Series([i.weight for i in items], index=columns, dtype="float64")
    kinds = pd.Series([i.kind for i in items], index=columns)
    has_data = codes_frame.to_numpy() >= 0
    total = float(weights.sum())
    coverage = (has_data * weights.to_numpy()[None, :]).sum(axis=1) / (
        total if total > 0 else 1.0
    )
    health = _health(
        codes_frame.to_numpy(), weights.to_numpy(), (kinds == "risk").to_numpy()
    )
    hist = ThesisHistory(
        title=thesis.meta.title,
        values=values_frame,
        codes=codes_frame,
        since=since_frame,
        health=pd.Series(health, index=index, name="health"),
        coverage=pd.Series(coverage, index=index, name="coverage"),
        weights=weights,
        kinds=kinds,
        rules={i.id: _rule_text(i.spec)[1] for i in items},
        pending=pd.DataFrame(pending, index=index, columns=columns),
    )
    return engine, hist, items


def _check_names(thesis: Thesis, engine: MetricEngine, items: list[_Item]) -> None:
    """Check every expression against the market; one error lists all problems.

    Each problem gives the line and column of the offending name in the
    thesis text (when the thesis was loaded from text) and a caret.
    """
    problems: list[tuple[ExpressionError, _Item]] = []
    for item in items:
        spec = item.spec
        if spec is None or spec.tree is None:
            continue
        try:
            engine.check(spec.tree, spec.expr or "")
        except ExpressionError as exc:
            problems.append((exc, item))
    if not problems:
        return
    lines = [f"thesis names data the market does not hold: {len(problems)} problem(s)"]
    first: tuple[int, int] | None = None
    for problem, item in problems:
        mark = thesis.locate(item.path, problem.offset)
        first = first or mark
        where = f"line {mark[0]}, column {mark[1]}" if mark else "document"
        dotted = ".".join(str(p) for p in item.path)
        text = problem.message.replace("\n", "\n    ")
        lines.append(f"  - {where} ({dotted}): {item.kind} {item.id!r}: {text}")
    first_problem, first_item = problems[0]
    raise ExpressionError(
        "\n".join(lines),
        allowed=first_problem.allowed,
        path=first_item.path,
        line=None if first is None else first[0],
        column=None if first is None else first[1],
    )


def _health(codes: np.ndarray, weights: np.ndarray, is_risk: np.ndarray) -> np.ndarray:
    r"""Weighted share of items in their good state among those with data.

    .. math:: H_t = \frac{\sum_i w_i g_{i,t}}{\sum_i w_i d_{i,t}}

    with :math:`d_{i,t}` 1 when item i has data and :math:`g_{i,t}` 1 when a
    pillar holds or a risk trigger is quiet.
    """
    has_data = codes >= 0
    good = np.where(is_risk[None, :], codes == 0, codes == 1) & has_data
    num = (good * weights[None, :]).sum(axis=1)
    den = (has_data * weights[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def history(
    thesis: Thesis,
    market: MarketData,
    *,
    extra: Mapping[str, pd.Series] | None = None,
) -> ThesisHistory:
    """Evaluate a thesis on every session of ``market``.

    Parameters
    ----------
    thesis : Thesis
        From :func:`load_thesis`.
    market : MarketData
        Point-in-time data.
    extra : mapping of str to Series, optional
        Extra daily series, e.g. ``{"regime_prob:rotation": p}``.

    Returns
    -------
    ThesisHistory
        Each pillar's daily value and status, and the daily health score.

    Notes
    -----
    Each pillar's metric is computed once over all sessions; its status comes
    from a causal state machine (rule, hysteresis, persistence), so the row at
    t equals :func:`evaluate` with ``as_of=t``.

    NaN handling: a pillar without a value at t has status "no_data" and is
    left out of that day's health.
    """
    return _run(thesis, market, extra)[1]


def _rule_text(spec: Pillar | Trigger | None) -> tuple[str, str, Rule | None]:
    if spec is None or spec.rule is None:
        return "", "", None
    return spec.expr or "", str(spec.rule), spec.rule


def evaluate(
    thesis: Thesis,
    market: MarketData,
    as_of: DateLike | None = None,
    *,
    extra: Mapping[str, pd.Series] | None = None,
) -> ThesisEvaluation:
    """Evaluate a thesis as of one date, using only data known by then.

    Parameters
    ----------
    thesis : Thesis
        From :func:`load_thesis`.
    market : MarketData
        Point-in-time data; it is truncated to ``as_of`` first.
    as_of : date-like, optional
        Evaluation date (defaults to the market's last session); the last
        session on or before it is used.
    extra : mapping of str to Series, optional
        Extra daily series (truncated to ``as_of`` too).

    Returns
    -------
    ThesisEvaluation
        Each pillar's value, status, distance to threshold, the date its
        status began and, without data, why; plus the health score.

    Raises
    ------
    ThesisError
        If ``as_of`` is before the first session or an expression names
        something the market does not hold (the message lists what it holds).
    """
    _check_market(market)
    if as_of is not None:
        cut = pd.Timestamp(as_of)
        if cut < market.sessions[0]:
            raise ThesisError(
                f"as_of {cut.date()} is before the first session "
                f"{market.sessions[0].date()}; allowed: dates from then on"
            )
        market = market.truncate(cut)
        extra = _truncate_extra(extra, cut)
    engine, hist, items = _run(thesis, market, extra)
    return _evaluation_at(thesis, engine, hist, items, len(hist.health) - 1)


def evaluate_with_history(
    thesis: Thesis,
    market: MarketData,
    *,
    extra: Mapping[str, pd.Series] | None = None,
) -> tuple[ThesisEvaluation, ThesisHistory]:
    """Evaluate a thesis as of the market's last session, with its history.

    One pass: equal to ``(evaluate(thesis, market, extra=extra),
    history(thesis, market, extra=extra))``, which compute every metric
    twice.

    Parameters
    ----------
    thesis : Thesis
    market : MarketData
        Point-in-time data, already cut at the evaluation date.
    extra : mapping of str to Series, optional

    Returns
    -------
    evaluation : ThesisEvaluation
    history : ThesisHistory
    """
    engine, hist, items = _run(thesis, market, extra)
    return _evaluation_at(thesis, engine, hist, items, len(hist.health) - 1), hist


def _evaluation_at(
    thesis: Thesis,
    engine: MetricEngine,
    hist: ThesisHistory,
    items: list[_Item],
    position: int,
) -> ThesisEvaluation:
    pillars: list[PillarStatus] = []
    risks: list[RiskStatus] = []
    risk_specs: dict[str, Risk] = {r.id: r for r in thesis.risks}
    for item in items:
        code = int(_at(hist.codes, item.id, position))
        value = float(_at(hist.values, item.id, position))
        expr, rule_text, rule = _rule_text(item.spec)
        distance = rule.distance(value) if rule is not None else math.nan
        since = None if code < 0 else pd.Timestamp(_at(hist.since, item.id, position))
        reason = ""
        if code < 0:
            if item.spec is None or item.spec.tree is None:
                reason = getattr(item.spec, "no_data_reason", "") or "no expression"
            else:
                reason = engine.explain(item.spec.tree, position) or "no value"
        if item.kind == "pillar":
            assert isinstance(item.spec, Pillar)
            claimed = item.spec.claimed
            pillars.append(
                PillarStatus(
                    id=item.id,
                    claim=item.spec.claim,
                    group=item.spec.group,
                    expr=expr,
                    rule=rule_text,
                    weight=item.weight,
                    value=value,
                    status=STATUS_LABELS[code],  # type: ignore[arg-type]
                    distance=distance,
                    since=since,
                    reason=reason,
                    claimed_text=claimed.text if claimed else "",
                    pending=int(_at(hist.pending, item.id, position))
                    if hist.pending is not None
                    else 0,
                    persistence=item.spec.min_persistence,
                    claimed_value=(
                        claimed.value
                        if claimed is not None and claimed.value is not None
                        else math.nan
                    ),
                )
            )
        else:
            label = {1: "triggered", 0: "quiet", -1: "no_data"}[code]
            risks.append(
                RiskStatus(
                    id=item.id,
                    description=risk_specs[item.id].description,
                    expr=expr,
                    rule=rule_text,
                    value=value,
                    status=label,  # type: ignore[arg-type]
                    distance=distance,
                    since=since,
                    reason=reason,
                )
            )
    return ThesisEvaluation(
        title=thesis.meta.title,
        as_of=pd.Timestamp(hist.health.index[position]),
        pillars=tuple(pillars),
        risks=tuple(risks),
        health=float(hist.health.to_numpy()[position]),
    )


def _position(index: pd.DatetimeIndex, date: DateLike, name: str) -> int:
    cut = pd.Timestamp(date)
    pos = int(index.searchsorted(cut, side="right")) - 1
    if pos < 0:
        raise ThesisError(
            f"{name} {cut.date()} is before the first session {index[0].date()}"
        )
    return pos


def diff(
    thesis: Thesis,
    market: MarketData,
    start: DateLike,
    end: DateLike | None = None,
    *,
    extra: Mapping[str, pd.Series] | None = None,
) -> ThesisDiff:
    """List what changed between two dates: pillars and risks that flipped.

    Parameters
    ----------
    thesis : Thesis
    market : MarketData
    start : date-like
        The earlier date (e.g. the previous run).
    end : date-like, optional
        The later date (defaults to the market's last session).
    extra : mapping of str to Series, optional

    Returns
    -------
    ThesisDiff
        Each item whose status differs, with its value at both dates (the
        values that crossed the threshold) and the date of the flip.

    Raises
    ------
    ThesisError
        If ``start`` is after ``end`` or before the first session.
    """
    _check_market(market)
    if end is not None:
        market = market.truncate(pd.Timestamp(end))
        extra = _truncate_extra(extra, pd.Timestamp(end))
    index = market.sessions
    p_end = len(index) - 1
    p_start = _position(index, start, "start")
    if p_start > p_end:
        raise ThesisError(f"start {pd.Timestamp(start).date()} is after end")
    hist = _run(thesis, market, extra)[1]
    return hist.diff(index[p_start], index[p_end])


def compare_claims(
    thesis: Thesis,
    market: MarketData,
    *,
    as_of: DateLike | None = None,
    extra: Mapping[str, pd.Series] | None = None,
    thesis_history: ThesisHistory | None = None,
) -> pd.DataFrame:
    """Claimed versus measured: each pillar at its claim date and as of now.

    Parameters
    ----------
    thesis : Thesis
    market : MarketData
    as_of : date-like, optional
        "Now" (defaults to the market's last session).
    extra : mapping of str to Series, optional
    thesis_history : ThesisHistory, optional
        The result of :func:`history` on the same inputs, to avoid computing it
        again (``as_of`` and ``extra`` are then not used).

    Returns
    -------
    DataFrame
        One row per pillar: ``claimed`` (text), ``claimed_value``,
        ``claim_date`` (the pillar's, else the thesis date), ``measured_at_claim``,
        ``status_at_claim``, ``measured_now``, ``status_now``.
    """
    _check_market(market)
    if thesis_history is not None:
        hist = thesis_history
    else:
        if as_of is not None:
            market = market.truncate(pd.Timestamp(as_of))
            extra = _truncate_extra(extra, pd.Timestamp(as_of))
        _, hist, _ = _run(thesis, market, extra)
    index = hist.health.index
    labels = hist.status
    rows = []
    for p in thesis.pillars:
        claimed = p.claimed
        date = (claimed.date if claimed and claimed.date else None) or thesis.meta.date
        at_value, at_status = math.nan, ""
        if date is not None:
            pos = int(index.searchsorted(pd.Timestamp(date), side="right")) - 1
            if pos >= 0:
                at_value = float(_at(hist.values, p.id, pos))
                at_status = str(_at(labels, p.id, pos))
        rows.append(
            {
                "id": p.id,
                "claim": p.claim,
                "claimed": claimed.text if claimed else "",
                "claimed_value": (
                    claimed.value if claimed and claimed.value is not None else math.nan
                ),
                "claim_date": None if date is None else pd.Timestamp(date),
                "measured_at_claim": at_value,
                "status_at_claim": at_status,
                "measured_now": float(_at(hist.values, p.id, -1)),
                "status_now": str(_at(labels, p.id, -1)),
            }
        )
    return pd.DataFrame(rows).set_index("id")
