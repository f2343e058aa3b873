"""The regimes part: which leg of the thesis's core spread leads, since when.

Reads the one regime model of the Analysis (:attr:`Analysis.regime_fit`, the
direction x volatility Markov model fitted once on ``thesis.core_spread``)
and adds what the surfaces show: the current state and P(long leads), the
episodes with the spread's realised return, BOCPD change points and the
composite score of the thesis's own components. Labels are the core spread's
``long_label``/``short_label`` everywhere: the model's internal
``"rotation"`` regime is "the long basket leads".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from rotation.analysis._omitted import Omitted
from rotation.analysis._regime_score import CompositeScore, compute_composite_score
from rotation.indicators import simple_returns
from rotation.regimes import bocpd, regime_episodes
from rotation.thesis import Thesis

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis
    from rotation.analysis._config import RegimeConfig
    from rotation.analysis._regime_fit import RegimeFit
    from rotation.regimes import MarkovRegimes

__all__ = [
    "ChangePoints",
    "RegimeState",
    "Regimes",
    "compute_regimes",
    "regime_label_map",
    "weekly_last",
]


@dataclass(frozen=True)
class RegimeState:
    """The regime known at the close of the last session of the core spread.

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
    """

    date: pd.Timestamp
    state: str
    probability: float
    probabilities: dict[str, float]


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
        over the episode) and, when the thesis has a universe, one column per
        member with its compounded return.
    min_episode_sessions : int
        The merge threshold of ``episodes``.
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
    return observed.groupby(pd.Grouper(freq="W-FRI")).tail(1)


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
    return _regimes(analysis, fit, fit.model)


def _regimes(analysis: Analysis, fit: RegimeFit, model: MarkovRegimes) -> Regimes:
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
        current=_current(model, labels),
        episodes=_episodes(analysis, model, spread, labels, config),
        min_episode_sessions=config.min_episode_sessions,
        change_points=_change_points(spread, config),
        score=compute_composite_score(analysis),
        probability_weekly=weekly_last(probability),
        probability=probability,
        spread_index=((1.0 + spread).cumprod() * 100.0).rename("spread_index"),
    )


def _current(model: MarkovRegimes, labels: dict[str, str]) -> RegimeState:
    current = model.result_.current
    probabilities = {
        labels.get(k, k): float(v) for k, v in current["probabilities"].items()
    }
    return RegimeState(
        date=pd.Timestamp(current["date"]),
        state=labels.get(current["regime"], current["regime"]),
        probability=float(current["probabilities"]["rotation"]),
        probabilities=probabilities,
    )


def _episodes(
    analysis: Analysis,
    model: MarkovRegimes,
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
    return episodes.assign(regime=episodes["regime"].map(lambda r: labels.get(r, r)))


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
