"""Filtered direction of a spread's drift: a sticky Hamilton filter and BOCPD.

Both read the daily spread standardised by its causal volatility (known at
the close of the session before), so the hidden state is the sign of the
drift, not the volatility regime. Kernels are plain Python compiled with
numba, both names kept.
"""

from __future__ import annotations

import math

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

__all__ = [
    "causal_standardised",
    "drift_changepoint_probability",
    "sticky_direction_probability",
]


def causal_standardised(
    returns: pd.Series, *, half_life: float = 63.0, min_observations: int = 63
) -> pd.Series:
    r"""Divide returns by their exponentially weighted volatility known before t.

    Parameters
    ----------
    returns : Series of shape (n_sessions,)
        Daily spread returns (fractions).
    half_life : float, default 63
        Half-life of the exponentially weighted variance, in sessions.
    min_observations : int, default 63
        Sessions of history before the first standardised value.

    Returns
    -------
    Series
        :math:`z_t = s_t / \hat\sigma_{t-1}`, NaN for the first
        ``min_observations`` sessions.

    Notes
    -----
    .. math::

        \hat\sigma^2_{t} = \frac{\sum_{u \le t} \lambda^{t-u} s_u^2}
        {\sum_{u \le t} \lambda^{t-u}}, \quad \lambda = 2^{-1/h},

    around zero (a drift is the signal, not noise). NaN handling: leading
    NaNs are skipped; a NaN after the first valid value raises ``ValueError``.
    """
    series, values, first = check_returns_series(returns, "returns")
    check_positive_int(min_observations, "min_observations", minimum=2)
    if not (np.isfinite(half_life) and half_life > 0):
        raise ValueError(f"half_life must be positive (got {half_life!r}).")
    squared = pd.Series(values[first:] ** 2, index=series.index[first:])
    variance = squared.ewm(halflife=float(half_life), adjust=True).mean()
    scale = np.sqrt(variance.shift(1))
    scale.iloc[:min_observations] = np.nan
    z = pd.Series(values[first:], index=series.index[first:]) / scale
    return z.reindex(series.index).rename("z")


def _sticky_filter_py(
    z: FloatArray, drift: float, stay: float, clip: float, initial: float
) -> FloatArray:
    n = z.shape[0]
    out = np.empty(n)
    p = initial
    for t in range(n):
        x = z[t]
        if math.isnan(x):
            out[t] = math.nan
            continue
        x = min(max(x, -clip), clip)
        predicted = stay * p + (1.0 - stay) * (1.0 - p)
        # Likelihood ratio N(x; +m, 1) / N(x; -m, 1) = exp(2 m x).
        log_odds = math.log(predicted) - math.log1p(-predicted) + 2.0 * drift * x
        p = 1.0 / (1.0 + math.exp(-log_odds))
        p = min(max(p, 1e-12), 1.0 - 1e-12)
        out[t] = p
    return out


_sticky_filter = njit(_sticky_filter_py, cache=True)


def sticky_direction_probability(
    returns: pd.Series,
    *,
    drift: float = 0.1,
    expected_duration: float = 250.0,
    half_life: float = 63.0,
    clip: float = 4.0,
) -> pd.Series:
    r"""Filter P(rotation) of a two-state drift model with sticky transitions.

    Parameters
    ----------
    returns : Series of shape (n_sessions,)
        Daily spread returns (fractions), long leg minus short leg.
    drift : float, default 0.1
        :math:`m`: the drift of each phase in units of the causal volatility
        per session (rotation :math:`+m`, tech leadership :math:`-m`).
    expected_duration : float, default 250
        Expected phase length in sessions: stay probability
        :math:`q = 1 - 1/\text{expected\_duration}`.
    half_life : float, default 63
        Half-life of the causal volatility (:func:`causal_standardised`).
    clip : float, default 4
        Standardised returns are clipped to :math:`\pm` ``clip`` (one crash
        session does not decide the phase).

    Returns
    -------
    Series
        ``"rotation"`` probability on each session, known at its close; NaN
        while the volatility is not yet defined.

    Notes
    -----
    Hidden direction :math:`D_t \in \{+1, -1\}` with
    :math:`P(D_t = D_{t-1}) = q`, observation
    :math:`z_t = s_t/\hat\sigma_{t-1} \sim N(D_t m, 1)`; the Hamilton (1989)
    filter is

    .. math::

        \pi_{t|t-1} = q \pi_{t-1} + (1-q)(1-\pi_{t-1}), \qquad
        \operatorname{logit} \pi_t = \operatorname{logit} \pi_{t|t-1}
        + 2 m z_t,

    started at 0.5. The parameters are fixed (chosen on Fama-French
    industries 1926-1999, docs/regimes.md), so there is nothing to refit:
    the only estimated input is the causal volatility. Value at t uses data
    up to the close of t.

    NaN handling: leading NaNs are skipped; a NaN after the first valid value
    raises ``ValueError``.
    """
    _check_filter_params(drift, expected_duration, clip)
    z = causal_standardised(returns, half_life=half_life)
    values = kernel_input(z.to_numpy(dtype=np.float64))
    stay = 1.0 - 1.0 / float(expected_duration)
    probability = _sticky_filter(values, float(drift), stay, float(clip), 0.5)
    return pd.Series(probability, index=z.index, name="rotation")


def _check_filter_params(drift: float, expected_duration: float, clip: float) -> None:
    if not (np.isfinite(drift) and drift > 0):
        raise ValueError(f"drift must be a positive number (got {drift!r}).")
    if not (np.isfinite(expected_duration) and expected_duration > 1):
        raise ValueError(
            f"expected_duration must be > 1 session (got {expected_duration!r})."
        )
    if not (np.isfinite(clip) and clip > 0):
        raise ValueError(f"clip must be positive (got {clip!r}).")


def _drift_bocpd_py(
    z: FloatArray, hazard: float, prior_precision: float, size: int, clip: float
) -> FloatArray:
    n = z.shape[0]
    out = np.empty(n)
    prob = np.zeros(size)
    total = np.zeros(size)  # sum of z over the run
    count = np.zeros(size)
    new_prob = np.zeros(size)
    new_total = np.zeros(size)
    new_count = np.zeros(size)
    prob[0] = 1.0
    active = 1
    log_h = math.log(hazard)
    log_1mh = math.log1p(-hazard)
    growth = np.empty(size)
    for t in range(n):
        x = z[t]
        if math.isnan(x):
            out[t] = math.nan
            continue
        x = min(max(x, -clip), clip)
        largest = -math.inf
        change = -math.inf
        for r in range(active):
            # Known unit variance, drift ~ N(0, 1/prior_precision) a priori:
            # predictive N(mean_r, 1 + 1/precision_r).
            precision = prior_precision + count[r]
            mean = total[r] / precision
            var = 1.0 + 1.0 / precision
            lp = -0.5 * math.log(2.0 * math.pi * var) - 0.5 * (x - mean) ** 2 / var
            lp = math.log(prob[r]) + lp if prob[r] > 0.0 else -math.inf
            growth[r] = lp + log_1mh
            c = lp + log_h
            if c > change:
                change = c + math.log1p(math.exp(change - c))
            elif c > -math.inf:
                change = change + math.log1p(math.exp(c - change))
            if growth[r] > largest:
                largest = growth[r]
        if change > largest:
            largest = change
        new_active = min(active + 1, size)
        norm = math.exp(change - largest)
        new_prob[0] = norm
        new_total[0] = 0.0
        new_count[0] = 0.0
        for r in range(new_active - 1):
            value = math.exp(growth[r] - largest)
            new_prob[r + 1] = value
            norm += value
            new_total[r + 1] = total[r] + x
            new_count[r + 1] = count[r] + 1.0
        up = 0.0
        for r in range(new_active):
            prob[r] = new_prob[r] / norm
            total[r] = new_total[r]
            count[r] = new_count[r]
            precision = prior_precision + count[r]
            # P(drift > 0 | run r) = Phi(mean * sqrt(precision)).
            up += prob[r] * 0.5 * math.erfc(-total[r] / math.sqrt(2.0 * precision))
        active = new_active
        out[t] = up
    return out


_drift_bocpd = njit(_drift_bocpd_py, cache=True)


def drift_changepoint_probability(
    returns: pd.Series,
    *,
    expected_run_length: float = 250.0,
    max_run_length: int = 1000,
    prior_precision: float = 100.0,
    half_life: float = 63.0,
    clip: float = 4.0,
) -> pd.Series:
    r"""Compute the BOCPD posterior probability that the segment's drift is positive.

    Parameters
    ----------
    returns : Series of shape (n_sessions,)
        Daily spread returns (fractions).
    expected_run_length : float, default 250
        :math:`1/H` for the constant hazard, in sessions.
    max_run_length : int, default 1000
        Run-length truncation.
    prior_precision : float, default 100
        :math:`\kappa_0`: the drift of a new segment is
        :math:`N(0, 1/\kappa_0)` in volatility units per session.
    half_life, clip : float
        As in :func:`sticky_direction_probability`.

    Returns
    -------
    Series
        Named ``"rotation"``: :math:`P(\mu_{\text{segment}} > 0 \mid z_{1:t})`.

    Notes
    -----
    Adams and MacKay (2007) on :math:`z_t = s_t / \hat\sigma_{t-1}` with a
    known unit variance and a Normal prior on each segment's drift. With
    :math:`\pi_t(r)` the run-length posterior and :math:`S_r, n_r` the sum
    and count of the run's observations,

    .. math::

        P(\mu > 0 \mid z_{1:t}) = \sum_r \pi_t(r)\,
        \Phi\!\left(\frac{S_r}{\sqrt{\kappa_0 + n_r}}\right).

    Filtered: the value at t uses data up to the close of t.

    NaN handling: as :func:`causal_standardised`.
    """
    if not (np.isfinite(expected_run_length) and expected_run_length > 1.0):
        raise ValueError(
            f"expected_run_length must be > 1 session (got {expected_run_length!r})."
        )
    size = check_positive_int(max_run_length, "max_run_length", minimum=2) + 1
    if not (np.isfinite(prior_precision) and prior_precision > 0):
        raise ValueError(f"prior_precision must be positive (got {prior_precision!r}).")
    check_probability(1.0 / expected_run_length, "1/expected_run_length")
    z = causal_standardised(returns, half_life=half_life)
    values = np.ascontiguousarray(z.to_numpy(dtype=np.float64))
    probability = _drift_bocpd(
        values, 1.0 / float(expected_run_length), float(prior_precision), size,
        float(clip),
    )  # fmt: skip
    return pd.Series(probability, index=z.index, name="rotation")
