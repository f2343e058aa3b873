"""Scores of a filtered P(rotation) against the realised spread and the ex-post dating.

The dating (:func:`rotation.regimes.date_phases`) is hindsight: it is the
yardstick here and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rotation._typing import DateLike
from rotation.measures import ols_hac
from rotation.regimes._dating import ROTATION, TECH_LEADERSHIP, PhaseDating
from rotation.regimes._episodes import regime_episodes

__all__ = ["SignalScores", "reliability_curve", "score_rotation_signal"]

_BINS = np.linspace(0.0, 1.0, 11)


@dataclass(frozen=True)
class SignalScores:
    """Scores of one filtered P(rotation) over one window (see :func:`score_rotation_signal`).

    Attributes
    ----------
    n_sessions : int
        Sessions scored (the probability and the spread both defined).
    n_episodes : int
        Label episodes (runs of P > 0.5 or <= 0.5, shorter runs merged).
    episodes_agree, sessions_agree : float
        Share of episodes whose realised spread has the label's sign, and
        share of sessions inside such episodes.
    n_phases, missed_phases : int
        Complete ex-post phases starting in the window, and those the label
        never took during the phase.
    median_delay, p90_delay : float
        Sessions from an ex-post phase's first session to the first session
        labelled with its direction (a missed phase counts its length).
    false_alarms_per_decade : float
        Label runs lying wholly inside ex-post phases of the other direction,
        per ten years of sessions.
    brier, brier_climatology, climatology : float
        Brier score of P against the ex-post phase indicator, and of the
        constant ``climatology`` forecast.
    next_day_difference, next_day_t : float
        Annualised mean next-session spread on rotation-labelled sessions
        minus the rest, and its HAC (Newey-West) t-statistic.
    reliability : DataFrame
        :func:`reliability_curve` of the window.
    """

    n_sessions: int
    n_episodes: int
    episodes_agree: float
    sessions_agree: float
    n_phases: int
    missed_phases: int
    median_delay: float
    p90_delay: float
    false_alarms_per_decade: float
    brier: float
    brier_climatology: float
    climatology: float
    next_day_difference: float
    next_day_t: float
    reliability: pd.DataFrame

    def row(self) -> dict[str, float]:
        """Return the scalar scores as one table row."""
        return {
            "episodes_agree": self.episodes_agree,
            "sessions_agree": self.sessions_agree,
            "median_delay": self.median_delay,
            "p90_delay": self.p90_delay,
            "missed_phases": float(self.missed_phases),
            "false_alarms_per_decade": self.false_alarms_per_decade,
            "brier": self.brier,
            "brier_climatology": self.brier_climatology,
            "next_day_difference": self.next_day_difference,
            "next_day_t": self.next_day_t,
            "n_episodes": float(self.n_episodes),
        }


def reliability_curve(probability: pd.Series, outcome: pd.Series) -> pd.DataFrame:
    """Observed frequency of the outcome in ten bins of the forecast probability.

    Parameters
    ----------
    probability : Series
        Forecast probabilities in [0, 1].
    outcome : Series
        1.0 / 0.0 outcomes on the same index.

    Returns
    -------
    DataFrame
        One row per non-empty bin ``[0, 0.1)``, ..., ``[0.9, 1]``:
        ``bin``, ``mean_probability``, ``observed``, ``sessions``.

    Notes
    -----
    NaN handling: sessions where either input is NaN are left out.
    """
    frame = pd.concat({"p": probability, "y": outcome}, axis=1).dropna()
    bins = np.clip(np.digitize(frame["p"], _BINS[1:-1]), 0, 9)
    grouped = frame.groupby(bins)
    return pd.DataFrame(
        {
            "bin": [
                f"{_BINS[int(b)]:.1f}-{_BINS[int(b) + 1]:.1f}"  # type: ignore[call-overload]
                for b in grouped.groups
            ],
            "mean_probability": grouped["p"].mean().to_numpy(),
            "observed": grouped["y"].mean().to_numpy(),
            "sessions": grouped.size().to_numpy(),
        }
    )


def score_rotation_signal(
    probability: pd.Series,
    spread_returns: pd.Series,
    dating: PhaseDating,
    *,
    start: DateLike,
    end: DateLike,
    climatology: float,
    min_episode_sessions: int = 20,
    periods_per_year: int = 252,
) -> SignalScores:
    r"""Score a filtered P(rotation) against the realised spread and the dating.

    Parameters
    ----------
    probability : Series of shape (n_sessions,)
        Filtered P(rotation) (a 0/1 label counts as a probability).
    spread_returns : Series
        Daily spread returns (fractions).
    dating : PhaseDating
        The ex-post (hindsight) phases of the same spread.
    start, end : date-like
        The scored window (inclusive).
    climatology : float
        The constant forecast the Brier score is compared with (take it from
        data before ``start``: the out-of-sample benchmark).
    min_episode_sessions : int, default 20
        Label runs shorter than this merge into the previous episode (as the
        report's episode table).
    periods_per_year : int, default 252
        Annualisation of the next-day difference.

    Returns
    -------
    SignalScores

    Notes
    -----
    Label :math:`L_t = 1\{P_t > 0.5\}`. Episode agreement: sign of
    :math:`\prod_{t \in e}(1 + s_t) - 1` equals the episode's label.
    Brier score :math:`\frac1n \sum_t (P_t - D_t)^2` with :math:`D_t` the
    ex-post phase indicator (sessions of complete phases only).
    Next-day: OLS :math:`s_{t+1} = a + b L_t + e_{t+1}`, reported
    :math:`b \times` ``periods_per_year`` with a Newey-West t-statistic
    (lags :math:`\lfloor 4 (n/100)^{2/9} \rfloor`).

    NaN handling: sessions where the probability or the spread is NaN are
    left out; the Brier score and delays use sessions inside complete
    ex-post phases only.
    """
    frame = pd.concat(
        {
            "p": probability.astype("float64"),
            "s": spread_returns.astype("float64"),
            "d": dating.indicator(),
        },
        axis=1,
    ).loc[start:end]
    frame = frame[frame["p"].notna() & frame["s"].notna()]
    label = frame["p"] > 0.5
    agree, sessions, n_episodes = _episode_agreement(label, frame["s"],
                                                     min_episode_sessions)  # fmt: skip
    delays, missed = _delays(label, dating, pd.DatetimeIndex(frame.index))
    dated = frame[frame["d"].notna()]
    years = len(frame) / periods_per_year
    difference, t_stat = _next_day(label, frame["s"], periods_per_year)
    return SignalScores(
        n_sessions=len(frame),
        n_episodes=n_episodes,
        episodes_agree=agree,
        sessions_agree=sessions,
        n_phases=len(delays),
        missed_phases=missed,
        median_delay=float(np.median(delays)) if delays else float("nan"),
        p90_delay=float(np.percentile(delays, 90)) if delays else float("nan"),
        false_alarms_per_decade=_false_alarms(label, frame["d"]) / years * 10.0,
        brier=float(((dated["p"] - dated["d"]) ** 2).mean()),
        brier_climatology=float(((climatology - dated["d"]) ** 2).mean()),
        climatology=float(climatology),
        next_day_difference=difference,
        next_day_t=t_stat,
        reliability=reliability_curve(dated["p"], dated["d"]),
    )


def _episode_agreement(
    label: pd.Series, spread: pd.Series, min_length: int
) -> tuple[float, float, int]:
    names = label.map({True: ROTATION, False: TECH_LEADERSHIP})
    episodes = regime_episodes(names, spread, min_length=min_length)
    agree = (episodes["regime"] == ROTATION) == (episodes["spread_return"] > 0)
    weight = episodes["length"]
    return (
        float(agree.mean()),
        float(weight[agree].sum() / weight.sum()),
        len(episodes),
    )


def _runs(values: np.ndarray) -> list[tuple[int, int]]:
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change - 1, [len(values) - 1]])
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _delays(
    label: pd.Series, dating: PhaseDating, index: pd.DatetimeIndex
) -> tuple[list[float], int]:
    delays: list[float] = []
    missed = 0
    phases = dating.phases[dating.phases["complete"]]
    for row in phases.itertuples():
        start, end = pd.Timestamp(row.start), pd.Timestamp(row.end)  # type: ignore[arg-type]
        if start < index[0] or start > index[-1]:
            continue
        inside = label.loc[start:end].to_numpy()
        wanted = row.phase == ROTATION
        hits = np.flatnonzero(inside == wanted)
        if hits.size:
            delays.append(float(hits[0]))
        else:
            delays.append(float(len(inside)))
            missed += 1
    return delays, missed


def _false_alarms(label: pd.Series, phase: pd.Series) -> int:
    values = label.to_numpy()
    dated = phase.to_numpy()
    count = 0
    for start, end in _runs(values)[1:]:
        known = dated[start : end + 1]
        known = known[~np.isnan(known)]
        if known.size and np.all(known != float(values[start])):
            count += 1
    return count


def _next_day(
    label: pd.Series, spread: pd.Series, periods_per_year: int
) -> tuple[float, float]:
    # Label known at the close of t, spread earned on t+1 (its next session).
    nxt = spread.shift(-1).iloc[:-1]
    held = label.iloc[:-1].astype("float64").to_numpy()
    if np.ptp(held) == 0:
        return float("nan"), float("nan")
    lags = int(4 * (len(nxt) / 100.0) ** (2.0 / 9.0))
    design = pd.DataFrame({"const": 1.0, "label": held})
    fit = ols_hac(pd.Series(nxt.to_numpy()), design, maxlags=lags)
    return float(fit.params.iloc[1] * periods_per_year), float(fit.tvalues.iloc[1])
