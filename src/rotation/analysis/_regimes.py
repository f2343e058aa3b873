"""The regimes part: which leg of the thesis's core spread leads, since when.

Reads the one regime model of the Analysis (:attr:`Analysis.regime_fit`, the
direction x volatility Markov model fitted once on ``thesis.core_spread``)
and adds what the surfaces show: the current state, since when (as known on
the as-of date), P(long leads) with its calibrated meaning and the spread
realised since; the episodes with the spread's realised return and whether
it agreed with the label; the ex-post (hindsight) dating of the spread's
phases, for comparison only; BOCPD change points and the composite score of
the thesis's own components. Labels are the core spread's
``long_label``/``short_label`` everywhere: the model's internal
``"rotation"`` regime is "the long basket leads".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rotation.analysis._omitted import Omitted
from rotation.analysis._regime_score import CompositeScore, compute_composite_score
from rotation.indicators import simple_returns, to_weekly
from rotation.regimes import bocpd, calibrated_rate, date_phases, regime_episodes
from rotation.thesis import Thesis

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis
    from rotation.analysis._config import RegimeConfig
    from rotation.analysis._regime_fit import RegimeFit
    from rotation.regimes import DirectionRegimes, MarkovRegimes

__all__ = [
    "ChangePoints",
    "HindsightPhases",
    "RegimeState",
    "Regimes",
    "compute_regimes",
    "regime_label_map",
    "weekly_last",
]


@dataclass(frozen=True)
class RegimeState:
    r"""The regime known at the close of the last session of the core spread.

    Attributes
    ----------
    date : Timestamp
        Last session of the core spread on or before the as-of date.
    state : str
        The most likely direction: ``long_label`` or ``short_label``.
    probability : float
        Filtered P(long leads): the value ``regime_prob("rotation")`` reads.
    probabilities : dict of str to float
        Each label's filtered probability (they sum to 1).
    since : Timestamp
        First session of the current run of ``state``: the date the phase
        began as known on the as-of date (filtered labels only).
    sessions_since : int
        Sessions in that run, ``since`` and ``date`` included.
    spread_since : float
        The core spread compounded from ``since`` to ``date``:
        :math:`\prod (1 + s_t) - 1`.
    calibrated_rate : float
        The calibrated meaning of ``probability``: on Fama-French industries
        1927-1999, the share of sessions with a probability in the same tenth
        that were, in hindsight, in a phase where the long leg led
        (:data:`rotation.regimes.DIRECTION_CALIBRATION`; NaN for the Markov
        model, which has no such table).
    evidence : str
        ``"strong"``, ``"moderate"`` or ``"weak"`` (see ``evidence_note``).
    evidence_note : str
        Why, in words.
    """

    date: pd.Timestamp
    state: str
    probability: float
    probabilities: dict[str, float]
    since: pd.Timestamp
    sessions_since: int
    spread_since: float
    calibrated_rate: float
    evidence: str
    evidence_note: str


@dataclass(frozen=True)
class HindsightPhases:
    """Ex-post dating of the core spread's phases: HINDSIGHT, never an input.

    Turning points of the cumulative spread up to the as-of date
    (:func:`rotation.regimes.date_phases`: zig-zag plus Bry-Boschan /
    Pagan-Sossounov censoring). A turning point is only dated once the
    spread has moved far enough after it, so these dates were not known on
    them; they are the yardstick of the filtered estimate, shown for
    comparison.

    Attributes
    ----------
    hindsight : bool
        Always True.
    phases : DataFrame
        ``phase`` (a label), ``start``, ``end``, ``length``,
        ``spread_return`` and ``complete``.
    rules : dict
        Minimum amplitude, phase and cycle lengths, waiver amplitude.
    agreement : float
        Share of sessions in complete phases on which the filtered label
        equalled the hindsight phase.
    """

    hindsight: bool
    phases: pd.DataFrame
    rules: dict[str, float]
    agreement: float


@dataclass(frozen=True)
class ChangePoints:
    """Bayesian online change points of the core spread (Adams & MacKay 2007).

    Attributes
    ----------
    latest_alarm : Timestamp or None
        First session of the latest alarm spell.
    n_alarms : int
        Alarm spells since the spread's first session.
    alarms : tuple of Timestamp
        Every alarm spell's first session.
    map_run_length : int
        Most likely run length (sessions since the last change) on the last
        session.
    recent_change_probability : float
        Posterior probability that a change happened in the last few sessions.
    expected_run_length, max_run_length
        The BOCPD hazard and truncation (``AnalysisConfig.regimes``).
    """

    latest_alarm: pd.Timestamp | None
    n_alarms: int
    alarms: tuple[pd.Timestamp, ...]
    map_run_length: int
    recent_change_probability: float
    expected_run_length: float
    max_run_length: int


@dataclass(frozen=True)
class Regimes:
    """Regimes of the thesis's core spread, as known on the as-of date.

    Attributes
    ----------
    as_of : Timestamp
        The analysis date.
    long_label, short_label : str
        The core spread's directions (``thesis.core_spread``), used as the
        state names in ``current``, ``episodes`` and every text.
    long, short : str
        The core spread's baskets; ``long_members``/``short_members`` their
        members.
    first_date, last_date : Timestamp
        First and last session of the core spread.
    model : dict
        The model's settings (``AnalysisConfig.regimes``), engine and number
        of refits.
    failed_refits : int
        Refits that did not converge (the last good fit was kept).
    warnings : tuple of str
        Warnings raised while fitting.
    current : RegimeState
        State and P(long leads) on the last session.
    episodes : DataFrame
        One row per episode (runs shorter than ``min_episode_sessions`` merged
        into the previous one): ``regime`` (a label), ``start``, ``end``,
        ``length`` (sessions), ``spread_return`` (the core spread compounded
        over the episode), ``agrees`` (the spread's sign matched the label:
        positive for ``long_label``) and, when the thesis has a universe, one column per
        member with its compounded return.
    min_episode_sessions : int
        The merge threshold of ``episodes``.
    hindsight : HindsightPhases or Omitted
        The ex-post dating of the spread's phases (hindsight, for comparison;
        Omitted when the spread has no complete phase).
    change_points : ChangePoints
        BOCPD on the daily core spread.
    score : CompositeScore or Omitted
        The composite score of the thesis's components (Omitted when the
        thesis has too few of them or the history is too short).
    probability_weekly : Series
        P(long leads) on the last session of each week (W-FRI), never labelled
        with a date after the session it was known on.
    probability, spread_index : Series
        Daily P(long leads) and the core spread's index (first session = 100);
        for charts, not in the JSON.
    """

    as_of: pd.Timestamp
    long_label: str
    short_label: str
    long: str
    short: str
    long_members: tuple[str, ...]
    short_members: tuple[str, ...]
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    model: dict[str, object]
    failed_refits: int
    warnings: tuple[str, ...]
    current: RegimeState
    episodes: pd.DataFrame
    min_episode_sessions: int
    hindsight: HindsightPhases | Omitted
    change_points: ChangePoints
    score: CompositeScore | Omitted
    probability_weekly: pd.Series
    probability: pd.Series = field(repr=False)
    spread_index: pd.Series = field(repr=False)


def regime_label_map(thesis: Thesis) -> dict[str, str]:
    """Map the model's internal labels to the thesis's words for them.

    ``"rotation"`` (the regime with the higher mean spread) is the long basket
    leading: ``core_spread.long_label``; ``"tech_leadership"`` is
    ``short_label``; a 3-regime model's ``"neutral"`` stays ``"neutral"``.
    """
    core = thesis.core_spread
    if core is None:
        return {}
    return {
        "rotation": core.long_label,
        "tech_leadership": core.short_label,
        "neutral": "neutral",
    }


def weekly_last(series: pd.Series) -> pd.Series:
    """Last observed value of each W-FRI week, at the session it was known.

    NaN handling: NaN values are dropped first (a week with none is absent).
    """
    observed = series.dropna()
    # rotation.indicators.to_weekly labels a week by its last session, which
    # after dropna is the session the value was known on
    weekly = to_weekly(observed.to_frame("value"))["value"]
    weekly.name = series.name
    return weekly


def compute_regimes(analysis: Analysis) -> Regimes | Omitted:
    """Compute the regimes part of ``analysis`` (see :class:`Regimes`).

    Returns
    -------
    Regimes or Omitted
        Omitted when the thesis has no core spread, or when the model could
        not be fitted (history too short, a member without prices).

    Notes
    -----
    Nothing is refitted: the model is :attr:`Analysis.regime_fit`, the one
    behind the thesis's ``regime_prob(...)`` pillars, so the probability here
    is the pillar's value. Every value at t uses data up to the close of t
    (filtered probabilities, causal z-scores, online change points); only
    the episode table's merging of short runs is an ex-post display choice.
    """
    fit = analysis.regime_fit
    core = analysis.thesis.core_spread
    if fit is None or core is None:
        return Omitted(
            "regimes",
            "the thesis has no core spread; add 'core_spread: {long: <basket>, "
            "short: <basket>, long_label: ..., short_label: ...}'",
        )
    if fit.model is None:
        return Omitted(
            "regimes",
            f"no regime model on {core.long} vs {core.short}: {fit.reason}",
        )
    if fit.model.filtered_probabilities_["rotation"].notna().sum() == 0:
        return Omitted(
            "regimes",
            f"no regime model on {core.long} vs {core.short}: the history "
            f"({len(fit.spread)} sessions) is too short for a first filtered value",
        )
    return _regimes(analysis, fit, fit.model)


def _regimes(
    analysis: Analysis, fit: RegimeFit, model: DirectionRegimes | MarkovRegimes
) -> Regimes:
    thesis, config = analysis.thesis, analysis.config.regimes
    core = thesis.core_spread
    assert core is not None  # checked by compute_regimes
    labels = regime_label_map(thesis)
    spread = fit.spread
    probability = model.filtered_probabilities_["rotation"].rename("probability")
    return Regimes(
        as_of=analysis.as_of,
        long_label=core.long_label,
        short_label=core.short_label,
        long=core.long,
        short=core.short,
        long_members=fit.long,
        short_members=fit.short,
        first_date=spread.index[0],
        last_date=spread.index[-1],
        model={
            **config.model_params(),
            "engine": model.engine,
            "refits": len(model.fits_),
        },
        failed_refits=int((~model.fits_["converged"].astype(bool)).sum()),
        warnings=fit.warnings,
        current=_current(model, labels, spread),
        episodes=_episodes(analysis, model, spread, labels, config),
        min_episode_sessions=config.min_episode_sessions,
        hindsight=_hindsight(model, spread, labels),
        change_points=_change_points(spread, config),
        score=compute_composite_score(analysis),
        probability_weekly=weekly_last(probability),
        probability=probability,
        spread_index=((1.0 + spread).cumprod() * 100.0).rename("spread_index"),
    )


def _current(
    model: DirectionRegimes | MarkovRegimes, labels: dict[str, str], spread: pd.Series
) -> RegimeState:
    current = model.result_.current
    probabilities = {
        labels.get(k, k): float(v) for k, v in current["probabilities"].items()
    }
    probability = float(current["probabilities"]["rotation"])
    regime = model.regime_.dropna()
    values = regime.to_numpy()
    changed = values != values[-1]
    first = int(len(values) - np.argmax(changed[::-1])) if changed.any() else 0
    since = regime.index[first]
    realised = float(np.prod(1.0 + spread.loc[since:].to_numpy()) - 1.0)
    rate = calibrated_rate(probability) if model.engine == "filter" else float("nan")
    evidence, note = _evidence(
        probability, current["regime"] == "rotation", len(values) - first, realised
    )
    return RegimeState(
        date=pd.Timestamp(current["date"]),
        state=labels.get(current["regime"], current["regime"]),
        probability=probability,
        probabilities=probabilities,
        since=pd.Timestamp(since),
        sessions_since=len(values) - first,
        spread_since=realised,
        calibrated_rate=rate,
        evidence=evidence,
        evidence_note=note,
    )


def _evidence(
    probability: float, long_leads: bool, sessions: int, realised: float
) -> tuple[str, str]:
    """Grade the current reading: weak, moderate or strong, and say why."""
    reasons = []
    if 0.35 <= probability <= 0.65:
        reasons.append(f"the probability {probability:.2f} is near even")
    if sessions < 20:
        reasons.append(
            f"the phase is {sessions} session{'s' if sessions != 1 else ''} old"
        )
    if (realised > 0) != long_leads:
        reasons.append(
            f"the spread since it began ({100 * realised:+.1f}%) runs against it"
        )
    if reasons:
        return "weak", "weak evidence: " + "; ".join(reasons) + "."
    if probability >= 0.8 or probability <= 0.2:
        return "strong", (
            f"strong evidence: probability {probability:.2f}, {sessions} sessions "
            f"old, spread {100 * realised:+.1f}% since it began."
        )
    return "moderate", (
        f"moderate evidence: probability {probability:.2f} (not below 0.2 or "
        f"above 0.8), {sessions} sessions old, spread {100 * realised:+.1f}% since."
    )


def _hindsight(
    model: DirectionRegimes | MarkovRegimes, spread: pd.Series, labels: dict[str, str]
) -> HindsightPhases | Omitted:
    # Hindsight: reads the spread up to the as-of date in full. Computed
    # after the model and from the spread only: no filtered value reads it.
    dating = date_phases(spread)
    complete = dating.phases[dating.phases["complete"]]
    if complete.empty:
        return Omitted(
            "hindsight", "the core spread has no complete phase yet (ex-post dating)"
        )
    phase = dating.phase.dropna()
    label = model.regime_.reindex(phase.index)
    agreement = float((label.astype("object") == phase.astype("object")).mean())
    phases = dating.phases.assign(
        phase=dating.phases["phase"].map(lambda r: labels.get(r, r))
    )
    return HindsightPhases(
        hindsight=True, phases=phases, rules=dict(dating.rules), agreement=agreement
    )


def _episodes(
    analysis: Analysis,
    model: DirectionRegimes | MarkovRegimes,
    spread: pd.Series,
    labels: dict[str, str],
    config: RegimeConfig,
) -> pd.DataFrame:
    universe = analysis.thesis.universe
    members = (
        []
        if universe is None
        else [s for s in universe.members if s in analysis.market.prices.columns]
    )
    # One returns rule (rotation.indicators.simple_returns): a holiday of
    # these assets that other columns trade does not cost the next day's move.
    member_returns = (
        simple_returns(analysis.market.prices[members], skip_empty_rows=True)
        if members
        else None
    )
    episodes = regime_episodes(
        model.regime_,
        spread,
        sector_returns=member_returns,
        min_length=config.min_episode_sessions,
    )
    agrees = (episodes["regime"] == "rotation") == (episodes["spread_return"] > 0)
    out = episodes.assign(regime=episodes["regime"].map(lambda r: labels.get(r, r)))
    out.insert(5, "agrees", agrees.astype(bool))
    return out


def _change_points(spread: pd.Series, config: RegimeConfig) -> ChangePoints:
    result = bocpd(
        spread,
        expected_run_length=config.changepoint_expected_run_length,
        max_run_length=config.changepoint_max_run_length,
    )
    alarms = tuple(pd.Timestamp(d) for d in result.alarms)
    last = result.frame.iloc[-1]
    return ChangePoints(
        latest_alarm=alarms[-1] if alarms else None,
        n_alarms=len(alarms),
        alarms=alarms,
        map_run_length=int(last["map_run_length"]),
        recent_change_probability=float(last["recent_change_probability"]),
        expected_run_length=float(config.changepoint_expected_run_length),
        max_run_length=int(config.changepoint_max_run_length),
    )
