"""Online change points: Bayesian online change-point detection and CUSUM."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from rotation._arrays import kernel_input
from rotation._typing import FloatArray
from rotation.regimes._validation import (
    check_positive_int,
    check_probability,
    check_returns_series,
)

__all__ = ["ChangePointResult", "bocpd", "cusum"]


def _student_t_logpdf(
    x: float, mu: float, kappa: float, alpha: float, beta: float
) -> float:
    # Predictive of the Normal-Gamma model: Student-t with 2*alpha degrees of
    # freedom, location mu and squared scale beta*(kappa+1)/(alpha*kappa).
    df = 2.0 * alpha
    scale2 = beta * (kappa + 1.0) / (alpha * kappa)
    z = (x - mu) * (x - mu) / (df * scale2)
    return (
        math.lgamma(0.5 * (df + 1.0))
        - math.lgamma(0.5 * df)
        - 0.5 * math.log(df * math.pi * scale2)
        - 0.5 * (df + 1.0) * math.log1p(z)
    )


_student_t_logpdf_jit = njit(_student_t_logpdf, cache=True)


def _initial_state(
    max_run_length: int, mu0: float, kappa0: float, alpha0: float, beta0: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, int]:
    """Run-length state before any observation: all mass on r = 0."""
    size = max_run_length + 1
    prob = np.zeros(size)
    prob[0] = 1.0
    mu = np.zeros(size)
    kappa = np.ones(size)
    alpha = np.ones(size)
    beta = np.ones(size)
    mu[0], kappa[0], alpha[0], beta[0] = mu0, kappa0, alpha0, beta0
    return prob, mu, kappa, alpha, beta, 1


def _bocpd_py(
    x: FloatArray,
    hazard: float,
    mu0: float,
    kappa0: float,
    alpha0: float,
    beta0: float,
    max_run_length: int,
    state_prob: FloatArray,
    state_mu: FloatArray,
    state_kappa: FloatArray,
    state_alpha: FloatArray,
    state_beta: FloatArray,
    state_active: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, int]:
    # Starts from the given state (copied, never mutated) and returns the
    # run-length posteriors and the state after the last observation, so that
    # feeding data in pieces equals one batch run.
    n = x.shape[0]
    size = max_run_length + 1
    out = np.zeros((n, size))
    prob = state_prob.copy()
    mu = state_mu.copy()
    kappa = state_kappa.copy()
    alpha = state_alpha.copy()
    beta = state_beta.copy()
    new_prob = np.zeros(size)
    new_mu = np.empty(size)
    new_kappa = np.empty(size)
    new_alpha = np.empty(size)
    new_beta = np.empty(size)
    active = state_active  # run lengths 0 .. active-1 carry mass
    log_h = math.log(hazard)
    log_1mh = math.log1p(-hazard)
    for t in range(n):
        xt = x[t]
        # Log joint of growing each run (r -> r+1) and of a change (-> 0).
        largest = -math.inf
        change = -math.inf
        growth = np.empty(active)
        for r in range(active):
            if prob[r] > 0.0:
                lp = math.log(prob[r]) + _student_t_logpdf_jit(
                    xt, mu[r], kappa[r], alpha[r], beta[r]
                )
            else:
                lp = -math.inf
            growth[r] = lp + log_1mh
            candidate = lp + log_h
            # log-sum-exp accumulation of the change mass
            if candidate > change:
                change = candidate + math.log1p(math.exp(change - candidate))
            elif candidate > -math.inf:
                change = change + math.log1p(math.exp(candidate - change))
            if growth[r] > largest:
                largest = growth[r]
        if change > largest:
            largest = change
        # Truncation: a run that would exceed max_run_length is dropped.
        new_active = min(active + 1, size)
        total = math.exp(change - largest)
        new_prob[0] = total
        for r in range(new_active - 1):
            value = math.exp(growth[r] - largest)
            new_prob[r + 1] = value
            total += value
        for r in range(new_active):
            new_prob[r] /= total
        # Posterior parameters: run 0 starts from the prior; run r+1 adds x_t.
        new_mu[0] = mu0
        new_kappa[0] = kappa0
        new_alpha[0] = alpha0
        new_beta[0] = beta0
        for r in range(new_active - 1):
            k = kappa[r]
            d = xt - mu[r]
            new_mu[r + 1] = (k * mu[r] + xt) / (k + 1.0)
            new_kappa[r + 1] = k + 1.0
            new_alpha[r + 1] = alpha[r] + 0.5
            new_beta[r + 1] = beta[r] + k * d * d / (2.0 * (k + 1.0))
        active = new_active
        for r in range(active):
            prob[r] = new_prob[r]
            mu[r] = new_mu[r]
            kappa[r] = new_kappa[r]
            alpha[r] = new_alpha[r]
            beta[r] = new_beta[r]
            out[t, r] = prob[r]
    return out, prob, mu, kappa, alpha, beta, active


_bocpd = njit(_bocpd_py, cache=True)


def _cusum_py(
    z: FloatArray, drift: float, threshold: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    n = z.shape[0]
    upper = np.zeros(n)
    lower = np.zeros(n)
    alarm = np.zeros(n)
    s_up = 0.0
    s_low = 0.0
    for t in range(n):
        if math.isnan(z[t]):
            upper[t] = s_up
            lower[t] = s_low
            continue
        s_up = max(0.0, s_up + z[t] - drift)
        s_low = min(0.0, s_low + z[t] + drift)
        upper[t] = s_up
        lower[t] = s_low
        if s_up > threshold:
            alarm[t] = 1.0
            s_up = 0.0
            s_low = 0.0
        elif -s_low > threshold:
            alarm[t] = -1.0
            s_up = 0.0
            s_low = 0.0
    return upper, lower, alarm


_cusum = njit(_cusum_py, cache=True)


@dataclass(frozen=True)
class ChangePointResult:
    r"""Immutable outcome of :func:`bocpd`.

    Attributes
    ----------
    run_length_probabilities : ndarray of shape (n_observations, max_run_length + 1)
        Row t: :math:`P(r_t = r \mid x_{1:t})` for r = 0 .. max_run_length.
    frame : DataFrame
        Per observation: ``map_run_length``, ``expected_run_length``,
        ``recent_change_probability`` (:math:`P(r_t < \text{recent})`) and
        ``alarm`` (bool).
    """

    run_length_probabilities: FloatArray
    frame: pd.DataFrame

    @cached_property
    def alarms(self) -> pd.DatetimeIndex:
        """Dates on which an alarm fired (first day of each alarm spell)."""
        alarm = self.frame["alarm"].to_numpy()
        starts = alarm & ~np.concatenate([[False], alarm[:-1]])
        return pd.DatetimeIndex(self.frame.index[starts])

    def summary(self) -> str:
        """Plain-text summary: last state and the latest alarms."""
        last = self.frame.iloc[-1]
        recent = ", ".join(d.date().isoformat() for d in self.alarms[-5:]) or "none"
        return (
            "Bayesian online change points (filtered run-length posterior)\n"
            f"  as of {self.frame.index[-1].date()}: most likely run length "
            f"{int(last['map_run_length'])} sessions, P(recent change) "
            f"{last['recent_change_probability']:.2f}\n"
            f"  alarms: {len(self.alarms)}; latest: {recent}"
        )


def bocpd(
    returns: pd.Series,
    *,
    expected_run_length: float = 250.0,
    max_run_length: int = 500,
    prior_mean: float = 0.0,
    prior_kappa: float = 1.0,
    prior_alpha: float = 1.0,
    prior_beta: float = 1.0,
    scale: float = 100.0,
    recent: int = 10,
    alarm_probability: float = 0.5,
) -> ChangePointResult:
    r"""Bayesian online change-point detection (Adams and MacKay, 2007).

    Parameters
    ----------
    returns : Series of shape (n_sessions,)
        Daily spread returns (fractions), indexed by session.
    expected_run_length : float, default 250
        :math:`1/H` for the constant hazard :math:`H`: the prior mean
        distance between change points, in sessions.
    max_run_length : int, default 500
        Run lengths above this are truncated (their mass is dropped and the
        rest renormalised), for O(n * max_run_length) time.
    prior_mean, prior_kappa, prior_alpha, prior_beta : float
        Normal-Gamma prior of each segment's mean and precision, in units of
        ``returns * scale`` (percent by default): prior variance scale
        ``prior_beta / prior_alpha`` = 1 (%^2).
    scale : float, default 100
        Multiplier applied to the returns (100: percent).
    recent : int, default 10
        A change is "recent" if the run length is below this.
    alarm_probability : float, default 0.5
        Alarm when :math:`P(r_t < \text{recent} \mid x_{1:t})` exceeds it.

    Returns
    -------
    ChangePointResult

    Notes
    -----
    With :math:`\pi_t(r) = P(r_t = r \mid x_{1:t})`,

    .. math::

        \pi_t(r+1) \propto \pi_{t-1}(r)\, p(x_t \mid r)\,(1-H), \qquad
        \pi_t(0) \propto \sum_r \pi_{t-1}(r)\, p(x_t \mid r)\, H,

    where :math:`p(x_t \mid r)` is the Student-t predictive of the
    Normal-Gamma posterior after the last r observations. With a constant
    hazard :math:`\pi_t(0) = H` always, so alarms use the mass on short
    runs. Everything at t uses :math:`x_{1:t}` only (filtered).

    NaN handling: leading NaNs are skipped; a NaN after the first valid value
    raises ``ValueError``. Output rows start at the first valid value.

    References
    ----------
    Adams, R. P. and MacKay, D. J. C. (2007). Bayesian online changepoint
    detection. arXiv:0710.3742.
    """
    series, values, first = check_returns_series(returns, "returns")
    if not (np.isfinite(expected_run_length) and expected_run_length > 1.0):
        raise ValueError(
            f"expected_run_length must be > 1 session (got {expected_run_length!r})."
        )
    size = check_positive_int(max_run_length, "max_run_length", minimum=2)
    recent = check_positive_int(recent, "recent")
    alarm_probability = check_probability(alarm_probability, "alarm_probability")
    for name, value in (
        ("prior_kappa", prior_kappa),
        ("prior_alpha", prior_alpha),
        ("prior_beta", prior_beta),
        ("scale", scale),
    ):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number (got {value!r}).")
    x = kernel_input(values[first:] * float(scale))
    prior = (
        float(prior_mean),
        float(prior_kappa),
        float(prior_alpha),
        float(prior_beta),
    )
    state: tuple[Any, ...] = _initial_state(size, *prior)
    probs = _bocpd(x, 1.0 / float(expected_run_length), *prior, size, *state)[0]
    frame = run_length_frame(probs, series.index[first:], recent, alarm_probability)
    return ChangePointResult(run_length_probabilities=probs, frame=frame)


def run_length_frame(
    probs: FloatArray, index: pd.Index, recent: int, alarm_probability: float
) -> pd.DataFrame:
    """Summaries of run-length posteriors: MAP, mean, recent mass, alarm."""
    run_lengths = np.arange(probs.shape[1], dtype=np.float64)
    recent_mass = probs[:, : min(recent, probs.shape[1])].sum(axis=1)
    return pd.DataFrame(
        {
            "map_run_length": probs.argmax(axis=1),
            "expected_run_length": probs @ run_lengths,
            "recent_change_probability": recent_mass,
            "alarm": recent_mass > alarm_probability,
        },
        index=index,
    )


def cusum(
    returns: pd.Series,
    *,
    drift: float = 0.5,
    threshold: float = 8.0,
    min_observations: int = 252,
) -> pd.DataFrame:
    r"""Two-sided CUSUM on causally standardised spread returns.

    Parameters
    ----------
    returns : Series of shape (n_sessions,)
        Daily spread returns, indexed by session.
    drift : float, default 0.5
        Allowance :math:`k` in standard deviations per session.
    threshold : float, default 8
        Decision interval :math:`h`; the statistic resets after an alarm.
    min_observations : int, default 252
        Sessions of history before standardising (z is NaN before).

    Returns
    -------
    DataFrame
        Columns ``zscore``, ``upper``, ``lower`` and ``alarm`` (+1 up-shift:
        rotation leg gaining; -1 down-shift; 0 none), on the input's index.

    Notes
    -----
    With :math:`z_t = (x_t - \bar x_{<t}) / s_{<t}` (mean and standard
    deviation of the sessions before t),

    .. math::

        S^+_t = \max(0, S^+_{t-1} + z_t - k), \qquad
        S^-_t = \min(0, S^-_{t-1} + z_t + k),

    alarm when :math:`S^+_t > h` or :math:`-S^-_t > h`.

    NaN handling: NaN returns leave the statistics unchanged; the z-score
    needs ``min_observations`` previous values.

    References
    ----------
    Page, E. S. (1954). Continuous inspection schemes. Biometrika 41.
    """
    if not isinstance(returns, pd.Series):
        raise TypeError(
            f"returns must be a pandas Series (got {type(returns).__name__})."
        )
    for name, value in (("drift", drift), ("threshold", threshold)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number (got {value!r}).")
    check_positive_int(min_observations, "min_observations", minimum=2)
    history = returns.astype(np.float64).expanding(min_periods=min_observations)
    mean = history.mean().shift(1)
    std = history.std().shift(1)
    z = ((returns - mean) / std.where(std > 0)).to_numpy(dtype=np.float64)
    upper, lower, alarm = _cusum(
        np.ascontiguousarray(z), float(drift), float(threshold)
    )
    return pd.DataFrame(
        {"zscore": z, "upper": upper, "lower": lower, "alarm": alarm.astype(np.int64)},
        index=returns.index,
    )
