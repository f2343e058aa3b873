"""Inference on Sharpe ratios: probabilistic and deflated Sharpe ratios."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rotation._normal import normal_cdf, normal_ppf
from rotation._typing import FloatArray

__all__ = [
    "deflated_sharpe_ratio",
    "expected_maximum_sharpe",
    "probabilistic_sharpe_ratio",
    "sharpe_ratio_test",
]

_EULER_GAMMA = 0.5772156649015329


def sharpe_ratio_test(
    sharpe: float,
    *,
    n_observations: int,
    skewness: float,
    kurtosis: float,
    benchmark_sharpe: float = 0.0,
) -> float:
    r"""Probability that the true Sharpe ratio exceeds a benchmark, from moments.

    Parameters
    ----------
    sharpe : float
        Observed Sharpe ratio **per period** (not annualised).
    n_observations : int
        Number of return observations :math:`T`.
    skewness : float
        Sample skewness :math:`\gamma_3` of the returns.
    kurtosis : float
        Sample kurtosis :math:`\gamma_4` (Pearson, 3 for a normal).
    benchmark_sharpe : float, default 0.0
        Per-period Sharpe ratio :math:`SR^*` to beat.

    Returns
    -------
    float
        :math:`\widehat{PSR}(SR^*)` in [0, 1].

    Notes
    -----
    .. math::

        \widehat{PSR}(SR^*) = \Phi\left(\frac{(\widehat{SR} - SR^*)\sqrt{T-1}}
        {\sqrt{1 - \gamma_3 \widehat{SR} + \frac{\gamma_4 - 1}{4}\widehat{SR}^2}}
        \right)

    NaN handling: NaN inputs give NaN.

    References
    ----------
    Bailey, D. H. and López de Prado, M. (2012). "The Sharpe ratio efficient
    frontier." Journal of Risk 15(2).
    """
    if n_observations < 2:
        raise ValueError(f"n_observations must be at least 2 (got {n_observations}).")
    denom = 1.0 - skewness * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if not denom > 0:
        return float("nan")
    z = (sharpe - benchmark_sharpe) * np.sqrt(n_observations - 1.0) / np.sqrt(denom)
    return float(normal_cdf(z))


def _moments(returns: pd.Series | FloatArray) -> tuple[float, int, float, float]:
    r = np.asarray(returns, dtype=float)
    if r.ndim != 1:
        raise ValueError(f"returns must be 1-D (got shape {r.shape}).")
    r = r[~np.isnan(r)]
    if r.size < 3:
        raise ValueError(f"returns must hold at least 3 non-NaN values (got {r.size}).")
    sd = float(np.std(r, ddof=1))
    sharpe = float(np.mean(r) / sd) if sd > 0 else float("nan")
    skew, kurt = _skew_kurtosis(r)
    return sharpe, int(r.size), skew, kurt


def probabilistic_sharpe_ratio(
    returns: pd.Series | FloatArray, *, benchmark_sharpe: float = 0.0
) -> float:
    r"""Probabilistic Sharpe ratio of a return series.

    Parameters
    ----------
    returns : Series or ndarray of shape (n_observations,)
        Returns per period (excess of the risk-free rate if that is the
        question asked).
    benchmark_sharpe : float, default 0.0
        Per-period (not annualised) Sharpe ratio to beat.

    Returns
    -------
    float
        Probability in [0, 1] that the true Sharpe ratio exceeds the benchmark.

    Notes
    -----
    :func:`sharpe_ratio_test` with the sample Sharpe ratio (``ddof = 1``),
    skewness and Pearson kurtosis (population moments) of ``returns``.

    NaN handling: NaN returns are skipped.
    """
    sharpe, n, skew, kurt = _moments(returns)
    return sharpe_ratio_test(
        sharpe,
        n_observations=n,
        skewness=skew,
        kurtosis=kurt,
        benchmark_sharpe=benchmark_sharpe,
    )


def expected_maximum_sharpe(n_trials: int, sharpe_variance: float) -> float:
    r"""Return the expected maximum Sharpe ratio of ``n_trials`` unskilled trials.

    Parameters
    ----------
    n_trials : int
        Number of independent trials :math:`N` (at least 2).
    sharpe_variance : float
        Variance :math:`V[\widehat{SR}_n]` of the trials' Sharpe ratios, in the
        same (per-period) units as the result.

    Returns
    -------
    float
        :math:`SR_0`, the deflated benchmark.

    Notes
    -----
    .. math::

        SR_0 = \sqrt{V[\widehat{SR}_n]}\left((1-\gamma)\Phi^{-1}(1 - 1/N)
        + \gamma\,\Phi^{-1}(1 - 1/(N e))\right)

    with :math:`\gamma` the Euler-Mascheroni constant.

    NaN handling: not applicable (scalar inputs).
    """
    if n_trials < 2:
        raise ValueError(f"n_trials must be at least 2 (got {n_trials}).")
    if not sharpe_variance >= 0:
        raise ValueError(f"sharpe_variance must be >= 0 (got {sharpe_variance}).")
    quantiles = (1.0 - _EULER_GAMMA) * normal_ppf(1.0 - 1.0 / n_trials)
    quantiles += _EULER_GAMMA * normal_ppf(1.0 - 1.0 / (n_trials * np.e))
    return float(np.sqrt(sharpe_variance) * quantiles)


def deflated_sharpe_ratio(
    returns: pd.Series | FloatArray,
    *,
    trial_sharpes: pd.Series | FloatArray | None = None,
    n_trials: int | None = None,
    sharpe_variance: float | None = None,
) -> float:
    r"""Deflated Sharpe ratio (Bailey and López de Prado, 2014).

    Parameters
    ----------
    returns : Series or ndarray of shape (n_observations,)
        Per-period returns of the selected (best) strategy.
    trial_sharpes : Series or ndarray of shape (n_trials,), optional
        Per-period Sharpe ratios of every variant tried; gives ``n_trials``
        and ``sharpe_variance`` when those are not passed.
    n_trials : int, optional
        Number of independent trials :math:`N`.
    sharpe_variance : float, optional
        Variance of the trials' per-period Sharpe ratios.

    Returns
    -------
    float
        :math:`DSR = \widehat{PSR}(SR_0)` in [0, 1]: the probability that the
        selected strategy's true Sharpe ratio is positive after accounting
        for the number of trials, non-normality and sample length.

    Notes
    -----
    :math:`SR_0` is :func:`expected_maximum_sharpe`. Variants of one sweep
    are correlated, so counting every variant as an independent trial
    over-deflates; pass an effective ``n_trials`` (e.g. the number of
    clusters of correlated variants) when known.

    NaN handling: NaN returns and NaN trial Sharpe ratios are skipped.

    References
    ----------
    Bailey, D. H. and López de Prado, M. (2014). "The Deflated Sharpe Ratio:
    Correcting for Selection Bias, Backtest Overfitting and Non-Normality."
    Journal of Portfolio Management 40(5), 94-107.
    """
    if trial_sharpes is not None:
        sr = np.asarray(trial_sharpes, dtype=float)
        sr = sr[~np.isnan(sr)]
        if n_trials is None:
            n_trials = int(sr.size)
        if sharpe_variance is None:
            sharpe_variance = float(np.var(sr, ddof=1)) if sr.size > 1 else 0.0
    if n_trials is None or sharpe_variance is None:
        raise ValueError(
            "deflated_sharpe_ratio needs trial_sharpes, or both n_trials and "
            f"sharpe_variance (got n_trials={n_trials!r}, "
            f"sharpe_variance={sharpe_variance!r})."
        )
    benchmark = expected_maximum_sharpe(n_trials, sharpe_variance)
    return probabilistic_sharpe_ratio(returns, benchmark_sharpe=benchmark)


def _skew_kurtosis(r: np.ndarray) -> tuple[float, float]:
    # Population (biased) moments: skew m3 / m2^1.5 and kurtosis m4 / m2^2
    # (not excess), as scipy.stats.skew/kurtosis(bias=True, fisher=False);
    # NaN for a constant series (m2 at rounding level, scipy's rule).
    mean = float(r.mean())
    centred = r - mean
    m2 = float(np.mean(centred**2))
    if m2 <= (np.finfo(np.float64).eps * mean) ** 2:
        return math.nan, math.nan
    return float(np.mean(centred**3)) / m2**1.5, float(np.mean(centred**4)) / m2**2
