"""Rolling VaR forecasts and the Kupiec proportion-of-failures test."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import xlogy

from rotation._normal import chi2_sf, normal_pdf, normal_ppf
from rotation._typing import FloatArray
from rotation.risk._validation import (
    HasReturns,
    check_level,
    check_positive_int,
    portfolio_returns,
)
from rotation.risk._var import (
    RISKMETRICS_HALF_LIFE,
    _cornish_fisher_tail_mean,
    _tail_count,
)

__all__ = [
    "ChristoffersenResult",
    "KupiecResult",
    "VaRBacktest",
    "christoffersen_test",
    "kupiec_test",
    "rolling_value_at_risk",
    "var_backtest",
]

RollingMethod = Literal["historical", "normal", "cornish_fisher", "ewma_normal"]
_ROLLING_METHODS: tuple[str, ...] = RollingMethod.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class KupiecResult:
    r"""Kupiec (1995) proportion-of-failures test of a VaR model.

    Attributes
    ----------
    n_observations : int
        Days tested.
    n_exceedances : int
        Days whose loss exceeded the VaR forecast.
    expected_rate : float
        :math:`p = 1 - \alpha`.
    observed_rate : float
        :math:`x / n`.
    lr_statistic : float
        Likelihood-ratio statistic, :math:`\chi^2_1` under the null.
    p_value : float
        :math:`P(\chi^2_1 > LR)`.
    level : float
        VaR confidence level :math:`\alpha`.
    """

    n_observations: int
    n_exceedances: int
    expected_rate: float
    observed_rate: float
    lr_statistic: float
    p_value: float
    level: float

    def rejected(self, significance: float = 0.05) -> bool:
        """Whether calibration is rejected at ``significance``."""
        return bool(self.p_value < significance)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields and the 5 % verdict as a JSON-serialisable dict."""
        return {
            "n_observations": self.n_observations,
            "n_exceedances": self.n_exceedances,
            "expected_rate": self.expected_rate,
            "observed_rate": self.observed_rate,
            "lr_statistic": self.lr_statistic,
            "p_value": self.p_value,
            "level": self.level,
            "rejected_at_5pct": self.rejected(0.05),
        }


def kupiec_test(exceedances: Any, *, level: float = 0.99) -> KupiecResult:
    r"""Kupiec proportion-of-failures (POF) likelihood-ratio test.

    Parameters
    ----------
    exceedances : array-like of bool of shape (n_observations,)
        True on days the realised loss exceeded the VaR forecast.
    level : float, default 0.99
        The VaR's confidence level :math:`\alpha`.

    Returns
    -------
    KupiecResult

    Notes
    -----
    With :math:`n` days, :math:`x` exceedances and :math:`p = 1-\alpha`:

    .. math:: LR_{POF} = -2\ln\frac{(1-p)^{n-x}p^x}
              {(1-\hat p)^{n-x}\hat p^{x}},\qquad \hat p = x/n

    with :math:`0\ln 0 = 0`; :math:`LR \sim \chi^2_1` under a calibrated
    model.

    NaN handling: the input must be boolean (no missing days).

    References
    ----------
    P. Kupiec, "Techniques for verifying the accuracy of risk measurement
    models", Journal of Derivatives 3(2), 1995.

    Examples
    --------
    >>> res = kupiec_test([True] * 5 + [False] * 245, level=0.99)
    >>> round(res.lr_statistic, 4), round(res.p_value, 4)
    (1.9568, 0.1619)
    """
    level = check_level(level)
    hits = np.asarray(exceedances)
    if hits.dtype != np.bool_:
        raise TypeError(
            f"exceedances must be boolean (got dtype {hits.dtype}); compare "
            "losses with the VaR first, e.g. -returns > var."
        )
    n = int(hits.size)
    if n == 0:
        raise ValueError("exceedances is empty; need at least one day to test.")
    x = int(hits.sum())
    p = 1.0 - level
    p_hat = x / n
    log_null = xlogy(n - x, 1.0 - p) + xlogy(x, p)
    log_alt = xlogy(n - x, 1.0 - p_hat) + xlogy(x, p_hat)
    lr = max(0.0, float(-2.0 * (log_null - log_alt)))
    return KupiecResult(
        n_observations=n,
        n_exceedances=x,
        expected_rate=p,
        observed_rate=p_hat,
        lr_statistic=lr,
        p_value=float(chi2_sf(lr, 1)),
        level=level,
    )


@dataclass(frozen=True)
class ChristoffersenResult:
    r"""Christoffersen (1998) independence and conditional-coverage tests.

    Attributes
    ----------
    transitions : tuple of int
        :math:`(n_{00}, n_{01}, n_{10}, n_{11})`, where :math:`n_{ij}` counts
        days in state j after a day in state i (1 = exceedance).
    lr_independence : float
        :math:`LR_{ind} \sim \chi^2_1` under independent exceedances.
    p_value_independence : float
    lr_conditional_coverage : float
        :math:`LR_{cc} = LR_{POF} + LR_{ind} \sim \chi^2_2`.
    p_value_conditional_coverage : float
    level : float
    """

    transitions: tuple[int, int, int, int]
    lr_independence: float
    p_value_independence: float
    lr_conditional_coverage: float
    p_value_conditional_coverage: float
    level: float

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-serialisable dict."""
        return {
            "transitions": list(self.transitions),
            "lr_independence": self.lr_independence,
            "p_value_independence": self.p_value_independence,
            "lr_conditional_coverage": self.lr_conditional_coverage,
            "p_value_conditional_coverage": self.p_value_conditional_coverage,
            "level": self.level,
        }


def christoffersen_test(
    exceedances: Any, *, level: float = 0.99
) -> ChristoffersenResult:
    r"""Test whether VaR exceedances cluster and whether coverage is right.

    Parameters
    ----------
    exceedances : array-like of bool of shape (n_observations,)
        True on days the realised loss exceeded the VaR forecast, in time
        order.
    level : float, default 0.99
        The VaR's confidence level.

    Returns
    -------
    ChristoffersenResult

    Notes
    -----
    With first-order Markov transition counts :math:`n_{ij}`,
    :math:`\pi_{01} = n_{01}/(n_{00}+n_{01})`,
    :math:`\pi_{11} = n_{11}/(n_{10}+n_{11})` and
    :math:`\pi = (n_{01}+n_{11})/\sum n_{ij}`:

    .. math:: LR_{ind} = -2\lnrac{(1-\pi)^{n_{00}+n_{10}}
              \pi^{n_{01}+n_{11}}}{(1-\pi_{01})^{n_{00}}\pi_{01}^{n_{01}}
              (1-\pi_{11})^{n_{10}}\pi_{11}^{n_{11}}}

    and :math:`LR_{cc} = LR_{POF} + LR_{ind}` with :math:`LR_{POF}` from
    :func:`kupiec_test` on the same days. :math:`0\ln 0 = 0`.

    NaN handling: the input must be boolean (no missing days).

    References
    ----------
    P. Christoffersen, "Evaluating interval forecasts", International
    Economic Review 39(4), 1998.
    """
    pof = kupiec_test(exceedances, level=level)
    hits = np.asarray(exceedances)
    if hits.size < 2:
        raise ValueError(
            f"exceedances needs at least 2 days for transitions (got {hits.size})."
        )
    prev, curr = hits[:-1], hits[1:]
    n00 = int(np.sum(~prev & ~curr))
    n01 = int(np.sum(~prev & curr))
    n10 = int(np.sum(prev & ~curr))
    n11 = int(np.sum(prev & curr))
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    log_null = xlogy(n00 + n10, 1.0 - pi) + xlogy(n01 + n11, pi)
    log_alt = (
        xlogy(n00, 1.0 - pi01)
        + xlogy(n01, pi01)
        + xlogy(n10, 1.0 - pi11)
        + xlogy(n11, pi11)
    )
    lr_ind = max(0.0, float(-2.0 * (log_null - log_alt)))
    lr_cc = pof.lr_statistic + lr_ind
    return ChristoffersenResult(
        transitions=(n00, n01, n10, n11),
        lr_independence=lr_ind,
        p_value_independence=float(chi2_sf(lr_ind, 1)),
        lr_conditional_coverage=lr_cc,
        p_value_conditional_coverage=float(chi2_sf(lr_cc, 2)),
        level=pof.level,
    )


def _rolling_kernel(
    x: FloatArray, window: int, level: float, method: str, half_life: float
) -> tuple[FloatArray, FloatArray]:
    n = x.size
    var = np.full(n, np.nan)
    cvar = np.full(n, np.nan)
    if n < window:
        return var, cvar
    windows = sliding_window_view(x, window)
    ok = np.isfinite(windows).all(axis=1)
    w = windows if ok.all() else windows[ok]  # a view unless something is missing
    rows = np.flatnonzero(ok) + window - 1
    p = 1.0 - level
    if method == "historical":
        k = _tail_count(window, level)
        part = np.partition(w, k - 1, axis=1)
        var[rows] = -part[:, k - 1]
        cvar[rows] = -part[:, :k].mean(axis=1)
        return var, cvar
    if method == "ewma_normal":
        lam = 0.5 ** (1.0 / half_life)
        decay = lam ** np.arange(window - 1, -1, -1, dtype=np.float64)
        sigma = np.sqrt((w * w) @ decay / decay.sum())
        z = float(normal_ppf(p))
        var[rows] = -sigma * z
        cvar[rows] = sigma * float(normal_pdf(z)) / p
        return var, cvar
    mean = w.mean(axis=1)
    d = w - mean[:, None]
    # Products, not d**3: numpy's pow is two orders of magnitude slower here.
    d2 = d * d
    m2 = d2.mean(axis=1)
    std = np.sqrt(m2 * window / (window - 1))
    if method == "normal":
        z = float(normal_ppf(p))
        var[rows] = -(mean + std * z)
        cvar[rows] = -mean + std * float(normal_pdf(z)) / p
        return var, cvar
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = (d2 * d).mean(axis=1) / m2**1.5
        g2 = (d2 * d2).mean(axis=1) / m2**2 - 3.0
    nw = window
    skew = g1 * math.sqrt(nw * (nw - 1)) / (nw - 2)
    kurt = (nw - 1) / ((nw - 2) * (nw - 3)) * ((nw + 1) * g2 + 6.0)
    z = float(normal_ppf(p))
    z_cf = (
        z
        + (z**2 - 1.0) * skew / 6.0
        + (z**3 - 3.0 * z) * kurt / 24.0
        - (2.0 * z**3 - 5.0 * z) * skew**2 / 36.0
    )
    tail = _cornish_fisher_tail_mean(p, skew, kurt)
    var[rows] = -(mean + std * z_cf)
    cvar[rows] = -(mean + std * tail)
    return var, cvar


def rolling_value_at_risk(
    returns: pd.DataFrame | pd.Series | HasReturns,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    window: int = 500,
    level: float = 0.99,
    method: RollingMethod = "historical",
    half_life: float = RISKMETRICS_HALF_LIFE,
) -> pd.DataFrame:
    """One-day VaR and CVaR on a rolling window, causal.

    Parameters
    ----------
    returns, weights
        As in :func:`rotation.risk.value_at_risk`.
    window : int, default 500
        Daily returns per estimate.
    level : float, default 0.99
        Confidence level.
    method : {"historical", "normal", "cornish_fisher", "ewma_normal"}
        As in :func:`rotation.risk.value_at_risk` with ``horizon=1``; default
        ``"historical"``.
    half_life : float, default 11.2
        For ``"ewma_normal"``: sessions after which a squared return's
        weight halves (weights are renormalised within the window).

    Returns
    -------
    DataFrame
        Columns ``var`` and ``cvar`` (losses, positive), indexed like the
        returns. Row t uses the last ``window`` observed returns up to and
        including t: it is the forecast for the next session made at the
        close of t.

    Notes
    -----
    Same estimators as :func:`rotation.risk.value_at_risk` on each window.

    NaN handling: rows with a NaN portfolio return are treated as
    non-sessions (e.g. exchange holidays of a wider panel): they are NaN in
    the output and windows count observed returns only. Rows before the
    first full window are NaN.
    """
    window = check_positive_int(window, "window", minimum=4)
    level = check_level(level)
    if method not in _ROLLING_METHODS:
        raise ValueError(
            f"method must be one of {list(_ROLLING_METHODS)} for a rolling VaR "
            f"(got {method!r})."
        )
    if not np.isfinite(half_life) or half_life <= 0:
        raise ValueError(
            f"half_life must be positive (got {half_life}). Typical values: "
            "5-60 sessions (RiskMetrics: 11.2)."
        )
    port = portfolio_returns(returns, weights)
    observed = port.dropna()
    var, cvar = _rolling_kernel(
        observed.to_numpy(dtype=np.float64), window, level, method, half_life
    )
    out = pd.DataFrame({"var": var, "cvar": cvar}, index=observed.index)
    return out.reindex(port.index)


@dataclass(frozen=True)
class VaRBacktest:
    """Out-of-sample comparison of VaR forecasts with realised returns.

    Attributes
    ----------
    frame : DataFrame
        Indexed by the day of the realised return, columns ``var`` (the
        forecast made at the previous close), ``realised`` (the return) and
        ``exceedance`` (``-realised > var``).
    level : float
    window : int
    method : str
    """

    frame: pd.DataFrame
    level: float
    window: int
    method: str

    @cached_property
    def kupiec(self) -> KupiecResult:
        """Kupiec test on all forecast days."""
        return kupiec_test(
            self.frame["exceedance"].to_numpy(dtype=bool), level=self.level
        )

    @cached_property
    def christoffersen(self) -> ChristoffersenResult:
        """Christoffersen independence and conditional-coverage tests."""
        return christoffersen_test(
            self.frame["exceedance"].to_numpy(dtype=bool), level=self.level
        )

    def summary(self) -> dict[str, Any]:
        """Return the tests and their inputs as a JSON-serialisable dict."""
        chris = self.christoffersen
        return {
            "method": self.method,
            "window": self.window,
            "start": self.frame.index[0].date().isoformat(),
            "end": self.frame.index[-1].date().isoformat(),
            **self.kupiec.to_dict(),
            "lr_independence": chris.lr_independence,
            "p_value_independence": chris.p_value_independence,
            "lr_conditional_coverage": chris.lr_conditional_coverage,
            "p_value_conditional_coverage": chris.p_value_conditional_coverage,
        }


def var_backtest(
    returns: pd.DataFrame | pd.Series | HasReturns,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    window: int = 500,
    level: float = 0.99,
    method: RollingMethod = "historical",
    start: Any = None,
    half_life: float = RISKMETRICS_HALF_LIFE,
) -> VaRBacktest:
    r"""Backtest a rolling one-day VaR model and run the Kupiec test.

    Parameters
    ----------
    returns, weights
        As in :func:`rotation.risk.value_at_risk`.
    window, level, method, half_life
        As in :func:`rolling_value_at_risk`.
    start : date-like, optional
        First realised day to test (forecasts still use earlier data).

    Returns
    -------
    VaRBacktest

    Notes
    -----
    The forecast for day t+1 is the rolling VaR at the close of t, so the
    test is out of sample: the realised return never enters its own
    forecast.

    .. math:: I_{t+1} = \mathbb 1\{-r_{t+1} > \mathrm{VaR}_t\}

    NaN handling: days without a return are non-sessions (the forecast
    comes from the previous observed day); days before the first full
    window have no forecast and are left out.
    """
    port = portfolio_returns(returns, weights).dropna()
    rolling = rolling_value_at_risk(
        port, window=window, level=level, method=method, half_life=half_life
    )
    frame = pd.DataFrame({"var": rolling["var"].shift(1), "realised": port})
    frame = frame.dropna()
    if start is not None:
        frame = frame.loc[pd.Timestamp(start) :]
    if frame.empty:
        raise ValueError(
            f"no day has both a forecast and a return (window={window}, "
            f"{port.notna().sum()} returns); use a shorter window or more data."
        )
    frame["exceedance"] = -frame["realised"] > frame["var"]
    return VaRBacktest(frame=frame, level=level, window=window, method=method)
