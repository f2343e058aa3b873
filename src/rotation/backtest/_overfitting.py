"""Probability of backtest overfitting by combinatorially symmetric CV (CSCV)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["OverfittingResult", "probability_of_backtest_overfitting"]


@dataclass(frozen=True)
class OverfittingResult:
    r"""Outcome of CSCV.

    Attributes
    ----------
    pbo : float
        Probability of backtest overfitting: the share of splits where the
        in-sample best variant ranks at or below the median out of sample.
    logits : ndarray of shape (n_combinations,)
        :math:`\lambda_c = \ln(\omega_c / (1 - \omega_c))` per split.
    in_sample : ndarray of shape (n_combinations,)
        In-sample performance of the selected variant per split.
    out_of_sample : ndarray of shape (n_combinations,)
        Its out-of-sample performance.
    probability_of_loss : float
        Share of splits where the selected variant loses out of sample
        (performance below zero).
    n_splits : int
    n_combinations : int
    """

    pbo: float
    logits: np.ndarray
    in_sample: np.ndarray
    out_of_sample: np.ndarray
    probability_of_loss: float
    n_splits: int
    n_combinations: int

    @property
    def degradation_slope(self) -> float:
        """OLS slope of out-of-sample on in-sample performance."""
        x, y = self.in_sample, self.out_of_sample
        ok = ~(np.isnan(x) | np.isnan(y))
        if ok.sum() < 2 or np.var(x[ok]) == 0:
            return float("nan")
        return float(np.polyfit(x[ok], y[ok], 1)[0])


def _performance(
    total: np.ndarray, squares: np.ndarray, count: float, metric: str
) -> np.ndarray:
    mean = total / count
    if metric == "mean":
        return mean
    var = (squares - total * mean) / (count - 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var > 0, mean / np.sqrt(np.maximum(var, 0.0)), np.nan)


def probability_of_backtest_overfitting(
    returns: pd.DataFrame | np.ndarray,
    *,
    n_splits: int = 16,
    metric: Literal["sharpe", "mean"] = "sharpe",
    batch_size: int = 2048,
) -> OverfittingResult:
    r"""Probability of backtest overfitting (Bailey, Borwein, López de Prado, Zhu).

    Parameters
    ----------
    returns : DataFrame or ndarray of shape (n_observations, n_variants)
        Per-period returns of every variant tried (e.g.
        :attr:`SweepResult.returns`).
    n_splits : int, default 16
        Even number :math:`S` of contiguous blocks; every choice of
        :math:`S/2` blocks is one in-sample set (:math:`\binom{S}{S/2}`
        splits; 12,870 for 16).
    metric : {"sharpe", "mean"}, default "sharpe"
        Performance used to select and to rank (per period, not annualised).
    batch_size : int, default 2048
        Splits evaluated per vectorised batch (bounds memory).

    Returns
    -------
    OverfittingResult

    Notes
    -----
    For each split c, the variant :math:`n^*` with the best in-sample
    performance is found; :math:`\omega_c` is its out-of-sample rank among
    the :math:`N` variants divided by :math:`N + 1` (average rank for ties),
    :math:`\lambda_c = \ln(\omega_c / (1 - \omega_c))` and

    .. math:: \mathrm{PBO} = \frac{1}{C}\sum_c \mathbb{1}[\lambda_c \le 0]

    The first :math:`T \bmod S` rows are dropped so that blocks have equal
    length.

    NaN handling: rows with a NaN in any variant are rejected (ValueError);
    align the variants on a common sample first.

    References
    ----------
    Bailey, D. H., Borwein, J., López de Prado, M. and Zhu, Q. J. (2015).
    "The probability of backtest overfitting." Journal of Computational
    Finance 20(4), 39-69.
    """
    values = np.asarray(returns, dtype=float)
    if values.ndim != 2 or values.shape[1] < 2:
        raise ValueError(
            f"returns must be 2-D with at least 2 variants (got shape {values.shape})."
        )
    if not (isinstance(n_splits, int) and n_splits >= 2 and n_splits % 2 == 0):
        raise ValueError(f"n_splits must be an even integer >= 2 (got {n_splits!r}).")
    if metric not in ("sharpe", "mean"):
        raise ValueError(f"metric must be 'sharpe' or 'mean' (got {metric!r}).")
    if np.isnan(values).any():
        raise ValueError(
            "returns contains NaN; PBO needs every variant on the same sample."
        )
    n_obs, n_variants = values.shape
    block = n_obs // n_splits
    if block < 2:
        raise ValueError(
            f"returns has {n_obs} rows, too few for n_splits={n_splits} (need at "
            f"least {2 * n_splits})."
        )
    trimmed = values[n_obs - block * n_splits :].reshape(n_splits, block, n_variants)
    sums = trimmed.sum(axis=1)
    squares = (trimmed * trimmed).sum(axis=1)
    combos = np.array(list(combinations(range(n_splits), n_splits // 2)))
    member = np.zeros((len(combos), n_splits))
    member[np.arange(len(combos))[:, None], combos] = 1.0
    logits = np.empty(len(combos))
    chosen_is = np.empty(len(combos))
    chosen_oos = np.empty(len(combos))
    half = float(block * n_splits // 2)
    total_sum, total_sq = sums.sum(axis=0), squares.sum(axis=0)
    for start in range(0, len(combos), batch_size):
        rows = slice(start, start + batch_size)
        is_sum = member[rows] @ sums
        is_sq = member[rows] @ squares
        perf_is = _performance(is_sum, is_sq, half, metric)
        perf_oos = _performance(total_sum - is_sum, total_sq - is_sq, half, metric)
        best = np.nanargmax(np.where(np.isnan(perf_is), -np.inf, perf_is), axis=1)
        picked = perf_oos[np.arange(len(best)), best]
        below = (perf_oos < picked[:, None]).sum(axis=1)
        ties = (perf_oos == picked[:, None]).sum(axis=1)
        omega = (below + (ties + 1) / 2.0) / (n_variants + 1.0)
        logits[rows] = np.log(omega / (1.0 - omega))
        chosen_is[rows] = perf_is[np.arange(len(best)), best]
        chosen_oos[rows] = picked
    return OverfittingResult(
        pbo=float(np.mean(logits <= 0.0)),
        logits=logits,
        in_sample=chosen_is,
        out_of_sample=chosen_oos,
        probability_of_loss=float(np.mean(chosen_oos < 0.0)),
        n_splits=n_splits,
        n_combinations=len(combos),
    )
